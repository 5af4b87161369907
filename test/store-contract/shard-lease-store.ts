/** ShardLeaseStore: one owner per stream shard, its position saved under the lease's fencing token. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

export function shardLeaseStoreContract(test: StoreTest): void {
  test("claim takes a free shard, renews it under the same token; savePosition and removePrefix survive a reopen", async ({ store, reopen }) => {
    const now = Date.now();
    const owner = store.cluster?.nodeId ?? "node-a";
    await store.cluster?.heartbeat("http://a", now, now);
    const first = await store.shardLeases.claim("m1/shard-1", owner, now, now + 30_000);
    assert.deepEqual({ ...first }, { owner, leaseUntil: now + 30_000, token: first?.token, position: undefined });
    assert.ok(first);
    const renewed = await store.shardLeases.claim("m1/shard-1", owner, now + 10_000, now + 40_000);
    assert.deepEqual([renewed?.token, renewed?.leaseUntil], [first.token, now + 40_000], "a renewal keeps the token");
    assert.equal(await store.shardLeases.savePosition("m1/shard-1", first.token, 41), true);
    await store.shardLeases.claim("m1/shard-2", owner, now, now + 30_000);
    await store.shardLeases.claim("m10/shard-1", owner, now, now + 30_000);
    const reopened = await reopen();
    assert.equal((await reopened.shardLeases.claim("m1/shard-1", owner, now + 20_000, now + 50_000))?.position, 41);
    await reopened.shardLeases.removePrefix("m1/");
    assert.equal((await reopened.shardLeases.claim("m1/shard-1", owner, now + 20_000, now + 50_000))?.position, undefined, "forgotten");
    assert.equal((await reopened.shardLeases.claim("m10/shard-1", owner, now + 20_000, now + 50_000))?.token, 1, "another mapping's lease stays");
  });

  test("another owner takes a shard only when it may (its lease ended, or always on one node); the old owner's save is fenced off", async ({ store, another }) => {
    const now = Date.now();
    const a = store.cluster?.nodeId ?? "node-a";
    await store.cluster?.heartbeat("http://a", now, now);
    const held = await store.shardLeases.claim("m/s", a, now, now + 30_000);
    assert.ok(held);
    const other = await another();
    const b = other.cluster?.nodeId ?? "node-b";
    await other.cluster?.heartbeat("http://b", now, now);
    if (store.cluster) {
      assert.equal(await other.shardLeases.claim("m/s", b, now + 29_999, now + 60_000), undefined, "a live node's unexpired lease is its own");
      assert.equal(await other.shardLeases.savePosition("m/s", held.token + 1, 5), false, "nobody else's token saves");
    }
    const taken = await other.shardLeases.claim("m/s", b, now + 30_000, now + 60_000);
    assert.equal(taken?.owner, b);
    assert.ok(taken && taken.token > held.token);
    assert.equal(await store.shardLeases.savePosition("m/s", held.token, 9), false, "the old owner lost it");
    assert.equal(await other.shardLeases.savePosition("m/s", taken.token, 7), true);
    assert.equal((await other.shardLeases.claim("m/s", b, now + 30_001, now + 60_000))?.position, 7);
  });

  test("a shard whose owner's heartbeat stopped is taken before its lease ends (one node: it is always handed over)", async ({ store, another }) => {
    const now = Date.now();
    const a = store.cluster?.nodeId ?? "node-a";
    await store.cluster?.heartbeat("http://a", now, now);
    const held = await store.shardLeases.claim("dead/s", a, now, now + 600_000);
    assert.ok(held);
    // Its heartbeat stops: once older than deadAfterMs its shards are anyone's.
    if (store.cluster) await store.cluster.heartbeat("http://a", now, now - store.cluster.deadAfterMs - 1_000);
    const other = await another();
    const taken = await other.shardLeases.claim("dead/s", other.cluster?.nodeId ?? "node-b", now, now + 30_000);
    assert.ok(taken && taken.token > held.token, "taken at once, not when the lease would have ended");
    assert.equal(await store.shardLeases.savePosition("dead/s", held.token, 3), false);
  });
}
