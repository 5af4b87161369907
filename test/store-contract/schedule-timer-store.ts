/** ScheduleTimerStore: due times claimed with expiring leases and fenced by a counter. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

export function scheduleTimerStoreContract(test: StoreTest): void {
  test("set inserts or replaces; get; remove; nextDueAt is the earliest next firing", async ({ store }) => {
    assert.equal(await store.scheduleTimers.get("rule/a"), undefined);
    assert.equal(await store.scheduleTimers.nextDueAt("rule/"), undefined);
    await store.scheduleTimers.set("rule/a", 2_000);
    await store.scheduleTimers.set("rule/b", 1_000);
    await store.scheduleTimers.set("rule/done", undefined);
    assert.equal(await store.scheduleTimers.nextDueAt("rule/"), 1_000);
    const a = await store.scheduleTimers.get("rule/a");
    assert.deepEqual({ ...a }, { id: "rule/a", nextFireAt: 2_000, leaseOwner: undefined, leaseUntil: undefined, leaseCounter: 0 });
    await store.scheduleTimers.set("rule/a", 500);
    assert.equal((await store.scheduleTimers.get("rule/a"))?.nextFireAt, 500);
    assert.equal((await store.scheduleTimers.get("rule/a"))?.leaseCounter, 1);
    assert.equal(await store.scheduleTimers.nextDueAt("rule/"), 500);
    assert.equal(await store.scheduleTimers.remove("rule/a"), true);
    assert.equal(await store.scheduleTimers.remove("rule/a"), false);
    assert.equal((await store.scheduleTimers.get("rule/done"))?.nextFireAt, undefined);
  });

  test("claimDue leases what is due, earliest first, to one claimer; advance frees it and survives a reopen", async ({ store, reopen, another }) => {
    await store.scheduleTimers.set("rule/late", 3_000);
    await store.scheduleTimers.set("rule/early", 1_000);
    await store.scheduleTimers.set("rule/future", 9_000);
    const claimed = await store.scheduleTimers.claimDue("rule/", 5_000, "node-a", 65_000, 10);
    assert.deepEqual(claimed.map((t) => [t.id, t.leaseOwner, t.leaseUntil]), [["rule/early", "node-a", 65_000], ["rule/late", "node-a", 65_000]]);
    const other = await another();
    assert.deepEqual(await other.scheduleTimers.claimDue("rule/", 5_000, "node-b", 65_000, 10), [], "a held lease is not claimed again");
    assert.equal(await store.scheduleTimers.nextDueAt("rule/"), 9_000, "a leased timer counts from its lease's end");
    const early = claimed[0];
    assert.ok(early);
    assert.equal(await store.scheduleTimers.advance("rule/early", early.leaseCounter, 61_000), true);
    const reopened = await reopen();
    const after = await reopened.scheduleTimers.get("rule/early");
    assert.deepEqual([after?.nextFireAt, after?.leaseOwner, after?.leaseUntil], [61_000, undefined, undefined]);
    assert.deepEqual((await reopened.scheduleTimers.claimDue("rule/", 5_000, "node-a", 65_000, 1)).map((t) => t.id), [], "late is still leased");
  });

  test("an expired lease is claimed by another node; the first claimer's advance is fenced off", async ({ store, another }) => {
    await store.scheduleTimers.set("rule/x", 1_000);
    const [first] = await store.scheduleTimers.claimDue("rule/", 1_000, "node-a", 31_000, 5);
    assert.ok(first);
    const other = await another();
    assert.deepEqual(await other.scheduleTimers.claimDue("rule/", 30_999, "node-b", 60_000, 5), []);
    const [second] = await other.scheduleTimers.claimDue("rule/", 31_000, "node-b", 61_000, 5);
    assert.equal(second?.leaseOwner, "node-b");
    assert.ok(second && second.leaseCounter > first.leaseCounter);
    assert.equal(await store.scheduleTimers.advance("rule/x", first.leaseCounter, 2_000), false, "node-a lost its lease");
    assert.equal(await other.scheduleTimers.advance("rule/x", second.leaseCounter, 2_000), true);
    assert.equal((await store.scheduleTimers.get("rule/x"))?.nextFireAt, 2_000);
  });

  test("set while leased (the schedule changed) frees the timer and fences off the claimer", async ({ store }) => {
    await store.scheduleTimers.set("rule/y", 1_000);
    const [claim] = await store.scheduleTimers.claimDue("rule/", 1_000, "node-a", 60_000, 5);
    assert.ok(claim);
    await store.scheduleTimers.set("rule/y", 5_000);
    assert.equal(await store.scheduleTimers.advance("rule/y", claim.leaseCounter, 2_000), false);
    const now = await store.scheduleTimers.get("rule/y");
    assert.deepEqual([now?.nextFireAt, now?.leaseOwner], [5_000, undefined]);
    assert.equal((await store.scheduleTimers.claimDue("rule/", 4_999, "node-a", 60_000, 5)).length, 0, "not due before its new time");
  });

  test("clearLeases frees leases no live node holds (all of them on one node), fencing off their holders", async ({ store, another }) => {
    const now = Date.now();
    const owner = store.cluster?.nodeId ?? "node-a";
    await store.cluster?.heartbeat("http://a", now, now);
    await store.scheduleTimers.set("rule/held", now - 1_000);
    const [held] = await store.scheduleTimers.claimDue("rule/", now, owner, now + 60_000, 5);
    assert.ok(held);
    const other = await another();
    if (store.cluster) {
      assert.equal(await other.scheduleTimers.clearLeases(), 0, "a live node's timers stay its own");
      // Its heartbeat stops: once older than deadAfterMs its timers are anyone's.
      await store.cluster.heartbeat("http://a", now, Date.now() - store.cluster.deadAfterMs - 1_000);
    }
    assert.equal(await other.scheduleTimers.clearLeases(), 1);
    assert.equal(await other.scheduleTimers.clearLeases(), 0, "nothing left to free");
    assert.equal(await store.scheduleTimers.advance("rule/held", held.leaseCounter, now + 60_000), false, "the old holder is fenced off");
    const [taken] = await other.scheduleTimers.claimDue("rule/", Date.now(), "node-b", Date.now() + 60_000, 5);
    assert.equal(taken?.id, "rule/held", "and another node takes it at once, not when the lease would have ended");
  });
  test("a claimer sees only its prefix's timers: it never claims, frees or waits for another runner's", async ({ store, another }) => {
    const timers = store.scheduleTimers;
    await timers.set("events-rule:default/a", 1_000);
    await timers.set("events-rule:default/b", 2_000);
    await timers.set("scheduler:default/s", 500);
    await timers.set("alarm:cpu", 200);
    assert.equal(await timers.nextDueAt("events-rule:"), 1_000, "another kind's earlier timers do not wake this runner");
    assert.equal(await timers.nextDueAt("scheduler:"), 500);
    assert.equal(await timers.nextDueAt("nobody:"), undefined);
    const claimed = await timers.claimDue("events-rule:", 1_500, "node-a", 61_500, 10);
    assert.deepEqual(claimed.map((t) => t.id), ["events-rule:default/a"]);
    const untouched = await timers.get("alarm:cpu");
    assert.deepEqual({ ...untouched }, { id: "alarm:cpu", nextFireAt: 200, leaseOwner: undefined, leaseUntil: undefined, leaseCounter: 0 }, "not leased, counter not raised");
    assert.equal(await timers.nextDueAt("events-rule:"), 2_000, "due: only its own, though alarm:cpu is overdue");
    assert.equal(await timers.nextDueAt("alarm:"), 200, "still due for its own runner");
    const other = await another();
    const [scheduler] = await other.scheduleTimers.claimDue("scheduler:", 1_500, "node-b", 61_500, 10);
    assert.equal(scheduler?.id, "scheduler:default/s", "the other runner takes its own while the first holds its own");
    assert.equal(await other.scheduleTimers.advance("scheduler:default/s", scheduler.leaseCounter, undefined), true);
    assert.deepEqual((await timers.claimDue("alarm:", 1_500, "node-a", 61_500, 10)).map((t) => t.id), ["alarm:cpu"]);
    assert.equal((await timers.get("events-rule:default/a"))?.leaseOwner, "node-a", "the rule timer stayed leased through the others' runs");
  });

  test("prefixes compare literally: case matters and % or _ match only themselves", async ({ store }) => {
    const timers = store.scheduleTimers;
    for (const id of ["Rule:upper", "rulex:y", "rule_:w", "r%:z", "règle:a"]) await timers.set(id, 1_000);
    assert.deepEqual(await timers.claimDue("rule:", 1_000, "node-a", 60_000, 10), [], "Rule:upper is another prefix");
    assert.equal(await timers.nextDueAt("rule:"), undefined);
    assert.deepEqual((await timers.claimDue("rule_", 1_000, "node-a", 60_000, 10)).map((t) => t.id), ["rule_:w"]);
    assert.deepEqual((await timers.claimDue("r%", 1_000, "node-a", 60_000, 10)).map((t) => t.id), ["r%:z"]);
    assert.deepEqual((await timers.claimDue("règle:", 1_000, "node-a", 60_000, 10)).map((t) => t.id), ["règle:a"]);
    assert.equal(await timers.nextDueAt("rulex:"), 1_000);
  });
}
