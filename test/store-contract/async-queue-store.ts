/**
 * AsyncQueueStore: due events, leases that expire, attempts, retries, failures and redrive.
 * Times are passed explicitly; none of these cases reads a clock.
 */
import assert from "node:assert/strict";
import type { FailedEventDetail } from "../../src/core/event-invoke-config.js";
import type { StoreTest } from "./harness.js";
import type { ContractStore } from "./recorder.js";

const T = 1_000_000;

const event = (id: string, enqueuedAt: number, functionName = "fn", qualifier = "$LATEST") => ({
  id, functionName, qualifier, payload: Buffer.from(JSON.stringify({ id })), enqueuedAt,
});

const failure = (failedAt: number): FailedEventDetail => ({
  condition: "RetriesExhausted", reason: "Unhandled after 3 attempts", failedAt,
  lastResponse: { executedVersion: "$LATEST", functionError: "Unhandled", errorType: "Error", payload: '{"errorMessage":"boom"}' },
});

/** Leases one event and returns its lease token (the case fails when it was not leasable). */
async function leaseOne(store: ContractStore, id: string, now: number, leaseUntil: number): Promise<number> {
  const [leased] = await store.asyncQueue.lease([id], now, leaseUntil);
  assert.ok(leased, `${id} was leasable at ${now}`);
  return leased.leaseToken;
}

const readyIds = async (store: ContractStore, now: number, limit = 100) => (await store.asyncQueue.ready(now, limit)).map((e) => e.id);

export function asyncQueueStoreContract(test: StoreTest): void {
  test("enqueue then ready: due events oldest first, up to the limit, and nothing changes", async ({ store }) => {
    assert.deepEqual(await store.asyncQueue.ready(T, 10), []);
    assert.equal(await store.asyncQueue.nextAvailableAt(), undefined);
    await store.asyncQueue.enqueue([event("b", T + 20), event("a", T + 10, "other", "live"), event("c", T + 30)]);
    await store.asyncQueue.enqueue([event("later", T + 5_000)]);
    assert.deepEqual(await store.asyncQueue.ready(T + 100, 10), [
      { id: "a", functionName: "other", qualifier: "live", enqueuedAt: T + 10 },
      { id: "b", functionName: "fn", qualifier: "$LATEST", enqueuedAt: T + 20 },
      { id: "c", functionName: "fn", qualifier: "$LATEST", enqueuedAt: T + 30 },
    ]);
    assert.deepEqual(await readyIds(store, T + 100, 2), ["a", "b"]);
    assert.deepEqual(await readyIds(store, T + 15), ["a"], "an event is due from its enqueue time");
    assert.deepEqual(await readyIds(store, T + 100), ["a", "b", "c"], "ready changes nothing");
    assert.equal(await store.asyncQueue.nextAvailableAt(), T + 10);
  });

  test("enqueue of an id that exists keeps the first event", async ({ store }) => {
    await store.asyncQueue.enqueue([event("dup", T)]);
    await store.asyncQueue.enqueue([{ ...event("dup", T + 1), payload: Buffer.from("second") }]);
    const [leased] = await store.asyncQueue.lease(["dup"], T + 2, T + 1_000);
    assert.deepEqual(leased?.payload, event("dup", T).payload);
    assert.equal(leased?.enqueuedAt, T);
  });

  test("lease returns the events with an attempt counted; unknown ids are left out", async ({ store }) => {
    await store.asyncQueue.enqueue([event("a", T), event("b", T + 1)]);
    const leased = await store.asyncQueue.lease(["a", "missing", "b"], T + 5, T + 60_000);
    assert.deepEqual(leased.map((e) => [e.id, e.attempts, e.throttles, e.status, e.failure]), [["a", 1, 0, "queued", undefined], ["b", 1, 0, "queued", undefined]]);
    assert.deepEqual(leased[0]?.payload, event("a", T).payload);
    assert.equal(leased[0]?.functionName, "fn");
    assert.equal(leased[0]?.enqueuedAt, T);
  });

  test("a leased event is neither ready nor leasable until its lease passes, then it is", async ({ store }) => {
    await store.asyncQueue.enqueue([event("a", T), event("b", T + 1)]);
    await store.asyncQueue.lease(["a"], T + 10, T + 1_000);
    assert.deepEqual(await readyIds(store, T + 10), ["b"]);
    assert.deepEqual(await readyIds(store, T + 999), ["b"], "still leased just before it ends");
    assert.deepEqual(await store.asyncQueue.lease(["a"], T + 999, T + 5_000), [], "an id leased to someone else is left out");
    assert.equal(await store.asyncQueue.nextAvailableAt(), T + 1, "b is the earliest available");
    await store.asyncQueue.lease(["b"], T + 10, T + 2_000);
    assert.equal(await store.asyncQueue.nextAvailableAt(), T + 1_000, "a leased event becomes available when its lease ends");
    assert.deepEqual(await readyIds(store, T + 1_000), ["a"], "the lease has passed");
    const [again] = await store.asyncQueue.lease(["a"], T + 1_000, T + 3_000);
    assert.equal(again?.attempts, 2, "taking an expired lease counts another attempt");
    assert.deepEqual(await readyIds(store, T + 1_500), []);
  });

  test("two claimers leasing the same ready ids: each event goes to exactly one", async ({ store, another }) => {
    const other = await another();
    const ids = Array.from({ length: 20 }, (_, i) => `e${String(i).padStart(2, "0")}`);
    await store.asyncQueue.enqueue(ids.map((id, i) => event(id, T + i)));
    const seenByA = await readyIds(store, T + 100);
    const seenByB = await readyIds(other, T + 100);
    assert.deepEqual(seenByA, ids);
    assert.deepEqual(seenByB, ids, "both see every event before either claims");
    const [a, b] = await Promise.all([
      store.asyncQueue.lease(seenByA, T + 100, T + 60_000),
      other.asyncQueue.lease([...seenByB].reverse(), T + 100, T + 60_000),
    ]);
    const claimed = [...a, ...b].map((e) => e.id);
    assert.equal(claimed.length, ids.length, "no event was leased twice");
    assert.deepEqual([...claimed].sort(), ids, "every event was leased once");
    for (const leased of [...a, ...b]) assert.equal(leased.attempts, 1);
    assert.deepEqual(await readyIds(other, T + 100), []);
  });

  test("complete removes the event", async ({ store }) => {
    await store.asyncQueue.enqueue([event("a", T), event("b", T)]);
    const token = await leaseOne(store, "a", T, T + 1_000);
    assert.equal(await store.asyncQueue.complete("a", token), true);
    assert.equal(await store.asyncQueue.complete("a", token), false, "acknowledged once");
    assert.equal(await store.asyncQueue.complete("never", token), false);
    assert.deepEqual(await readyIds(store, T + 10_000), ["b"], "not even once its lease would have passed");
    assert.deepEqual(await store.asyncQueue.lease(["a"], T + 10_000, T + 20_000), []);
    assert.deepEqual((await store.asyncQueue.stats()).map((s) => s.queued), [1]);
  });

  test("retry frees the lease until availableAt; a throttled try gives its attempt back", async ({ store }) => {
    await store.asyncQueue.enqueue([event("a", T)]);
    const token = await leaseOne(store, "a", T, T + 60_000);
    assert.equal(await store.asyncQueue.retry("a", token, T + 500, false), true);
    assert.equal(await store.asyncQueue.retry("a", token, T + 900, false), false, "a retried event is no longer held");
    assert.deepEqual(await readyIds(store, T + 499), []);
    assert.equal(await store.asyncQueue.nextAvailableAt(), T + 500);
    assert.deepEqual(await readyIds(store, T + 500), ["a"], "due again well before the lease would have ended");
    const [second] = await store.asyncQueue.lease(["a"], T + 500, T + 60_000);
    assert.deepEqual([second?.attempts, second?.throttles], [2, 0]);
    assert.ok(second && second.leaseToken > token, "every lease gets a higher token");
    await store.asyncQueue.retry("a", second.leaseToken, T + 600, true);
    const [third] = await store.asyncQueue.lease(["a"], T + 600, T + 60_000);
    assert.deepEqual([third?.attempts, third?.throttles], [2, 1], "the throttled try did not count");
    assert.equal(third?.enqueuedAt, T, "a retry keeps the event's age");
  });

  test("fail keeps the event as failed, out of the queue; failed lists them oldest first", async ({ store }) => {
    await store.asyncQueue.enqueue([event("x", T + 2), event("y", T + 1), event("z", T + 3), event("o", T, "other")]);
    const tokens = new Map<string, number>();
    for (const id of ["x", "y", "z", "o"]) tokens.set(id, await leaseOne(store, id, T + 10, T + 60_000));
    assert.equal(await store.asyncQueue.fail("x", tokens.get("x") ?? 0, failure(T + 20)), true);
    await store.asyncQueue.fail("y", tokens.get("y") ?? 0, failure(T + 21));
    await store.asyncQueue.fail("o", tokens.get("o") ?? 0, failure(T + 22));
    await store.asyncQueue.retry("z", tokens.get("z") ?? 0, T + 30, false);
    assert.deepEqual(await readyIds(store, T + 120_000), ["z"], "failed events are never ready, leased or not");
    assert.deepEqual(await store.asyncQueue.lease(["x"], T + 120_000, T + 180_000), []);
    const failed = await store.asyncQueue.failed("fn", 10);
    assert.deepEqual(failed.map((e) => [e.id, e.status, e.attempts]), [["y", "failed", 1], ["x", "failed", 1]]);
    assert.deepEqual(failed[1]?.failure, failure(T + 20));
    assert.deepEqual((await store.asyncQueue.failed("fn", 1)).map((e) => e.id), ["y"]);
    assert.deepEqual(await store.asyncQueue.failed("nobody", 10), []);
  });

  test("redrive queues failed events again as new: all of a function's, or the given ids", async ({ store }) => {
    await store.asyncQueue.enqueue([event("a", T), event("b", T + 1), event("c", T + 2), event("d", T + 3, "other")]);
    const leased = await store.asyncQueue.lease(["a", "b", "c", "d"], T + 10, T + 60_000);
    assert.deepEqual(leased.map((e) => e.id), ["a", "b", "c", "d"], "in the order asked for");
    for (const e of leased) if (e.id !== "c") await store.asyncQueue.fail(e.id, e.leaseToken, failure(T + 20));
    assert.equal(await store.asyncQueue.redrive("fn", ["a", "c", "d", "missing"], T + 100), 1, "only failed events of that function");
    assert.deepEqual(await readyIds(store, T + 100), ["a"]);
    const [a] = await store.asyncQueue.lease(["a"], T + 100, T + 60_000);
    assert.deepEqual([a?.attempts, a?.throttles, a?.status, a?.failure, a?.enqueuedAt], [1, 0, "queued", undefined, T + 100], "redriven as new");
    assert.equal(await store.asyncQueue.redrive("fn", undefined, T + 200), 1, "b, the one failed event left");
    assert.equal(await store.asyncQueue.redrive("fn", undefined, T + 300), 0);
    assert.deepEqual(await readyIds(store, T + 200), ["b"]);
    assert.deepEqual((await store.asyncQueue.failed("other", 10)).map((e) => e.id), ["d"]);
  });

  test("stats per function by name: queued (leased included), oldest queued, failed", async ({ store }) => {
    assert.deepEqual(await store.asyncQueue.stats(), []);
    await store.asyncQueue.enqueue([event("b1", T + 5, "beta"), event("a1", T + 3, "alpha"), event("a2", T + 1, "alpha"), event("b2", T + 2, "beta")]);
    await store.asyncQueue.lease(["a2"], T + 10, T + 60_000);
    await store.asyncQueue.fail("b2", await leaseOne(store, "b2", T + 10, T + 60_000), failure(T + 11));
    assert.deepEqual(await store.asyncQueue.stats(), [
      { functionName: "alpha", queued: 2, oldestEnqueuedAt: T + 1, failed: 0 },
      { functionName: "beta", queued: 1, oldestEnqueuedAt: T + 5, failed: 1 },
    ]);
    await store.asyncQueue.complete("b1", await leaseOne(store, "b1", T + 10, T + 60_000));
    assert.deepEqual((await store.asyncQueue.stats()).find((s) => s.functionName === "beta"), { functionName: "beta", queued: 0, oldestEnqueuedAt: undefined, failed: 1 });
  });

  test("clearLeases frees every lease (start-up of the only node) and says how many", async ({ store }) => {
    await store.asyncQueue.enqueue([event("a", T), event("b", T + 1), event("c", T + 2)]);
    const before = await store.asyncQueue.lease(["a", "b"], T + 10, T + 60_000);
    assert.equal(await store.asyncQueue.clearLeases(), 2);
    assert.equal(await store.asyncQueue.complete("b", before[1]?.leaseToken ?? 0), false, "a cleared lease is revoked: its holder's ack is refused");
    assert.equal(await store.asyncQueue.clearLeases(), 0);
    assert.deepEqual(await readyIds(store, T + 10), ["a", "b", "c"]);
    const [a] = await store.asyncQueue.lease(["a"], T + 10, T + 60_000);
    assert.equal(a?.attempts, 2, "the interrupted attempt still counted");
  });

  test("fencing: a holder whose lease expired and was taken over cannot complete, retry or fail the event", async ({ store, another }) => {
    const other = await another();
    await store.asyncQueue.enqueue([event("a", T), event("b", T + 1)]);
    const stale = await leaseOne(store, "a", T, T + 1_000);
    // The first node stalls past its lease; the second takes the event over.
    const [taken] = await other.asyncQueue.lease(["a"], T + 1_000, T + 60_000);
    assert.ok(taken && taken.leaseToken > stale, "the new lease has a higher token");
    assert.equal(await store.asyncQueue.complete("a", stale), false, "the stale holder's ack is refused");
    assert.equal(await store.asyncQueue.retry("a", stale, T + 1_001, false), false);
    assert.equal(await store.asyncQueue.fail("a", stale, failure(T + 1_002)), false);
    assert.deepEqual(await readyIds(other, T + 1_500), ["b"], "a is still leased to the second node, untouched");
    assert.deepEqual(await store.asyncQueue.failed("fn", 10), []);
    assert.equal(await other.asyncQueue.complete("a", taken.leaseToken), true, "the current holder's ack is taken");
    assert.deepEqual(await readyIds(store, T + 120_000), ["b"]);
    // A lease that ended but that nobody took over is still its holder's to acknowledge.
    const late = await leaseOne(store, "b", T + 2_000, T + 3_000);
    assert.equal(await store.asyncQueue.complete("b", late), true);
  });

  test("queued events survive a reopen (acknowledged means on disk)", async ({ store, reopen }) => {
    await store.asyncQueue.enqueue([event("a", T)]);
    const current = await reopen();
    assert.deepEqual(await readyIds(current, T), ["a"]);
  });
}
