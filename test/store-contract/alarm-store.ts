/** AlarmStore (CloudWatch alarms, their history, the evaluator lease). */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

export function alarmStoreContract(test: StoreTest): void {
  test("put inserts or replaces by name; list orders by name; delete keeps the history; history filters newest first", async ({ store, reopen }) => {
    await store.alarms.put({ name: "b", document: '{"v":1}' });
    await store.alarms.put({ name: "a", document: '{"v":1}' });
    await store.alarms.put({ name: "b", document: '{"v":2}' });
    await store.alarms.addHistory({ alarmName: "b", timestamp: 100, type: "StateUpdate", document: "1" });
    await store.alarms.addHistory({ alarmName: "b", timestamp: 200, type: "Action", document: "2" });
    await store.alarms.addHistory({ alarmName: "a", timestamp: 150, type: "StateUpdate", document: "3" });
    const current = await reopen();
    assert.deepEqual((await current.alarms.get("b"))?.document, '{"v":2}');
    assert.equal(await current.alarms.get("zz"), undefined);
    assert.deepEqual((await current.alarms.list()).map((a) => a.name), ["a", "b"]);
    assert.equal(await current.alarms.delete("b"), true);
    assert.equal(await current.alarms.delete("b"), false);
    const docs = async (q: Parameters<typeof current.alarms.history>[0], limit = 10) => (await current.alarms.history(q, limit)).map((e) => e.document);
    assert.deepEqual(await docs({ fromMs: 0, toMs: 1000 }), ["2", "3", "1"]);
    assert.deepEqual(await docs({ alarmName: "b", fromMs: 0, toMs: 1000 }), ["2", "1"], "history outlives its alarm");
    assert.deepEqual(await docs({ type: "StateUpdate", fromMs: 0, toMs: 1000 }), ["3", "1"]);
    assert.deepEqual(await docs({ fromMs: 100, toMs: 200 }), ["3", "1"], "to is exclusive");
    assert.deepEqual(await docs({ fromMs: 0, toMs: 1000 }, 1), ["2"]);
    const { id, ...entry } = (await current.alarms.history({ alarmName: "a", fromMs: 0, toMs: 1000 }, 5))[0] ?? { id: undefined };
    assert.deepEqual(entry, { alarmName: "a", timestamp: 150, type: "StateUpdate", document: "3" });
    assert.equal(typeof id, "number");
  });

  test("history pages continue after a cursor, newest or oldest first, through entries of the same millisecond", async ({ store }) => {
    for (const [i, timestamp] of [100, 200, 200, 200, 300].entries()) await store.alarms.addHistory({ alarmName: "p", timestamp, type: "StateUpdate", document: String(i) });
    await store.alarms.addHistory({ alarmName: "other", timestamp: 200, type: "StateUpdate", document: "x" });
    const walk = async (ascending: boolean) => {
      const seen: string[] = [];
      let after: { timestamp: number; id: number } | undefined;
      for (;;) {
        const page = await store.alarms.history({ alarmName: "p", fromMs: 0, toMs: 1000, ascending, after }, 2);
        seen.push(...page.map((e) => e.document));
        const last = page.at(-1);
        if (page.length < 2 || !last) return seen;
        after = { timestamp: last.timestamp, id: last.id };
      }
    };
    assert.deepEqual(await walk(false), ["4", "3", "2", "1", "0"]);
    assert.deepEqual(await walk(true), ["0", "1", "2", "3", "4"]);
  });

  test("the evaluator lease: one owner at a time, renewable by its owner, free once it ended", async ({ store, another }) => {
    const other = await another();
    assert.equal(await store.alarms.claimEvaluator("n1", 1_000, 2_000), true);
    assert.equal(await other.alarms.claimEvaluator("n2", 1_500, 2_500), false);
    assert.equal(await store.alarms.claimEvaluator("n1", 1_800, 3_000), true, "the owner renews");
    assert.equal(await other.alarms.claimEvaluator("n2", 2_999, 4_000), false);
    assert.equal(await other.alarms.claimEvaluator("n2", 3_000, 4_000), true, "an ended lease is free");
    assert.equal(await store.alarms.claimEvaluator("n1", 3_100, 5_000), false);
  });
}
