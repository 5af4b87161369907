/** InvocationStore: finished invocations by request id, per function by start time, and counts. */
import assert from "node:assert/strict";
import { invocation } from "./fixtures.js";
import { checkAndAfterReopen, plain, type StoreTest } from "./harness.js";

export function invocationStoreContract(test: StoreTest): void {
  test("add then get; recent is newest first up to the limit, per function", async ({ store }) => {
    const cold = invocation("req-1", "fn", 1_000, { coldStart: true, initDurationMs: 150.5, logStream: "2026/01/01/[$LATEST]abc" });
    await store.invocations.add(cold);
    await store.invocations.add(invocation("req-3", "fn", 3_000, { status: "error", errorType: "Error" }));
    await store.invocations.add(invocation("req-2", "fn", 2_000));
    await store.invocations.add(invocation("req-x", "other", 9_000));
    assert.deepEqual(plain(await store.invocations.get("req-1")), plain(cold));
    assert.equal((await store.invocations.get("req-3"))?.errorType, "Error");
    assert.equal(await store.invocations.get("req-none"), undefined);
    assert.deepEqual((await store.invocations.recent("fn", 10)).map((r) => r.requestId), ["req-3", "req-2", "req-1"]);
    assert.deepEqual((await store.invocations.recent("fn", 2)).map((r) => r.requestId), ["req-3", "req-2"]);
    assert.deepEqual(await store.invocations.recent("nobody", 5), []);
  });

  test("between is [from, to), oldest first, at most limit", async ({ store }) => {
    for (const at of [500, 1_000, 1_500, 2_000, 2_500]) await store.invocations.add(invocation(`req-${at}`, "fn", at));
    await store.invocations.add(invocation("req-other", "other", 1_200));
    assert.deepEqual((await store.invocations.between("fn", 1_000, 2_000, 10)).map((r) => r.startedAt), [1_000, 1_500]);
    assert.deepEqual((await store.invocations.between("fn", 0, 10_000, 3)).map((r) => r.startedAt), [500, 1_000, 1_500]);
    assert.deepEqual(await store.invocations.between("fn", 3_000, 4_000, 10), []);
  });

  test("countsSince counts invocations without throttles, and errors, per function", async ({ store }) => {
    const statuses = ["success", "error", "timeout", "crashed", "throttled", "success"] as const;
    for (const [i, status] of statuses.entries()) await store.invocations.add(invocation(`a-${i}`, "a", 1_000 + i, { status }));
    await store.invocations.add(invocation("a-old", "a", 10, { status: "error" }));
    await store.invocations.add(invocation("b-1", "b", 5_000));
    await store.invocations.add(invocation("c-old", "c", 5));
    const counts = [...(await store.invocations.countsSince(1_000))].sort((x, y) => (x.functionName < y.functionName ? -1 : 1));
    assert.deepEqual(counts, [
      { functionName: "a", invocations: 5, errors: 3 },
      { functionName: "b", invocations: 1, errors: 0 },
    ]);
  });

  test("deleteStartedBefore deletes records started before the time, in batches of at most limit, of every function", async ({ store, reopen }) => {
    for (let i = 0; i < 24; i++) await store.invocations.add(invocation(`old-${i}`, "fn", 1_000 + i));
    await store.invocations.add(invocation("other-old", "other", 1_500));
    await store.invocations.add(invocation("at-cutoff", "fn", 2_000));
    await store.invocations.add(invocation("fn-new", "fn", 3_000));
    await store.invocations.add(invocation("other-new", "other", 2_500));
    assert.equal(await store.invocations.deleteStartedBefore(2_000, 10), 10);
    assert.equal(await store.invocations.deleteStartedBefore(2_000, 10), 10);
    assert.equal(await store.invocations.deleteStartedBefore(2_000, 10), 5);
    assert.equal(await store.invocations.deleteStartedBefore(2_000, 10), 0);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual((await current.invocations.between("fn", 0, 10_000, 100)).map((r) => r.requestId), ["at-cutoff", "fn-new"], "a record started at the time stays");
      assert.deepEqual((await current.invocations.between("other", 0, 10_000, 100)).map((r) => r.requestId), ["other-new"]);
      assert.equal(await current.invocations.get("old-0"), undefined);
      assert.equal(await current.invocations.get("other-old"), undefined);
    });
  });
}
