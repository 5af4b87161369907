/** ScheduleTimerStore: due times claimed with expiring leases and fenced by a counter. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

export function scheduleTimerStoreContract(test: StoreTest): void {
  test("set inserts or replaces; get; remove; nextDueAt is the earliest next firing", async ({ store }) => {
    assert.equal(await store.scheduleTimers.get("rule/a"), undefined);
    assert.equal(await store.scheduleTimers.nextDueAt(), undefined);
    await store.scheduleTimers.set("rule/a", 2_000);
    await store.scheduleTimers.set("rule/b", 1_000);
    await store.scheduleTimers.set("rule/done", undefined);
    assert.equal(await store.scheduleTimers.nextDueAt(), 1_000);
    const a = await store.scheduleTimers.get("rule/a");
    assert.deepEqual({ ...a }, { id: "rule/a", nextFireAt: 2_000, leaseOwner: undefined, leaseUntil: undefined, leaseCounter: 0 });
    await store.scheduleTimers.set("rule/a", 500);
    assert.equal((await store.scheduleTimers.get("rule/a"))?.nextFireAt, 500);
    assert.equal((await store.scheduleTimers.get("rule/a"))?.leaseCounter, 1);
    assert.equal(await store.scheduleTimers.nextDueAt(), 500);
    assert.equal(await store.scheduleTimers.remove("rule/a"), true);
    assert.equal(await store.scheduleTimers.remove("rule/a"), false);
    assert.equal((await store.scheduleTimers.get("rule/done"))?.nextFireAt, undefined);
  });

  test("claimDue leases what is due, earliest first, to one claimer; advance frees it and survives a reopen", async ({ store, reopen, another }) => {
    await store.scheduleTimers.set("late", 3_000);
    await store.scheduleTimers.set("early", 1_000);
    await store.scheduleTimers.set("future", 9_000);
    const claimed = await store.scheduleTimers.claimDue(5_000, "node-a", 65_000, 10);
    assert.deepEqual(claimed.map((t) => [t.id, t.leaseOwner, t.leaseUntil]), [["early", "node-a", 65_000], ["late", "node-a", 65_000]]);
    const other = await another();
    assert.deepEqual(await other.scheduleTimers.claimDue(5_000, "node-b", 65_000, 10), [], "a held lease is not claimed again");
    assert.equal(await store.scheduleTimers.nextDueAt(), 9_000, "a leased timer counts from its lease's end");
    const early = claimed[0];
    assert.ok(early);
    assert.equal(await store.scheduleTimers.advance("early", early.leaseCounter, 61_000), true);
    const reopened = await reopen();
    const after = await reopened.scheduleTimers.get("early");
    assert.deepEqual([after?.nextFireAt, after?.leaseOwner, after?.leaseUntil], [61_000, undefined, undefined]);
    assert.deepEqual((await reopened.scheduleTimers.claimDue(5_000, "node-a", 65_000, 1)).map((t) => t.id), [], "late is still leased");
  });

  test("an expired lease is claimed by another node; the first claimer's advance is fenced off", async ({ store, another }) => {
    await store.scheduleTimers.set("rule/x", 1_000);
    const [first] = await store.scheduleTimers.claimDue(1_000, "node-a", 31_000, 5);
    assert.ok(first);
    const other = await another();
    assert.deepEqual(await other.scheduleTimers.claimDue(30_999, "node-b", 60_000, 5), []);
    const [second] = await other.scheduleTimers.claimDue(31_000, "node-b", 61_000, 5);
    assert.equal(second?.leaseOwner, "node-b");
    assert.ok(second && second.leaseCounter > first.leaseCounter);
    assert.equal(await store.scheduleTimers.advance("rule/x", first.leaseCounter, 2_000), false, "node-a lost its lease");
    assert.equal(await other.scheduleTimers.advance("rule/x", second.leaseCounter, 2_000), true);
    assert.equal((await store.scheduleTimers.get("rule/x"))?.nextFireAt, 2_000);
  });

  test("set while leased (the schedule changed) frees the timer and fences off the claimer", async ({ store }) => {
    await store.scheduleTimers.set("rule/y", 1_000);
    const [claim] = await store.scheduleTimers.claimDue(1_000, "node-a", 60_000, 5);
    assert.ok(claim);
    await store.scheduleTimers.set("rule/y", 5_000);
    assert.equal(await store.scheduleTimers.advance("rule/y", claim.leaseCounter, 2_000), false);
    const now = await store.scheduleTimers.get("rule/y");
    assert.deepEqual([now?.nextFireAt, now?.leaseOwner], [5_000, undefined]);
    assert.equal((await store.scheduleTimers.claimDue(4_999, "node-a", 60_000, 5)).length, 0, "not due before its new time");
  });

  test("clearLeases frees leases no live node holds (all of them on one node), fencing off their holders", async ({ store, another }) => {
    const now = Date.now();
    const owner = store.cluster?.nodeId ?? "node-a";
    await store.cluster?.heartbeat("http://a", now, now);
    await store.scheduleTimers.set("rule/held", now - 1_000);
    const [held] = await store.scheduleTimers.claimDue(now, owner, now + 60_000, 5);
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
    const [taken] = await other.scheduleTimers.claimDue(Date.now(), "node-b", Date.now() + 60_000, 5);
    assert.equal(taken?.id, "rule/held", "and another node takes it at once, not when the lease would have ended");
  });
}
