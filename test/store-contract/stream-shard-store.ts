/** StreamShardStore: a DynamoDB stream's shard rollovers, each cut at the stream's last committed sequence number. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

export function streamShardStoreContract(test: StoreTest): void {
  test("roll cuts the stream after its last record, once per shard (a second roller hears false); later appends belong to the new shard; kept across a reopen", async ({ store, reopen, another }) => {
    const append = (record: string) => ({ append: { stream: "rs", table: "t", createdAt: 10, record } });
    assert.deepEqual(await store.streamShards.rollovers("rs"), []);
    assert.equal(await store.streamShards.roll("empty", "t", 2, 100), true, "a stream without records rolls too");
    assert.deepEqual(await store.streamShards.rollovers("empty"), [{ index: 2, startingSequence: 1, openedAt: 100 }]);
    await store.dynamodb.transact([], () => ({ writes: [append("a"), append("b")], result: undefined }));
    assert.equal(await store.streamShards.roll("rs", "t", 2, 200), true);
    const other = await another();
    assert.equal(await other.streamShards.roll("rs", "t", 2, 201), false, "shard 2 is open already");
    await store.dynamodb.transact([], () => ({ writes: [append("c")], result: undefined }));
    assert.deepEqual((await store.dynamodb.streamRecords("rs", 0, 10)).map((r) => r.sequence), [1, 2, 3]);
    const [secondRoll, racing] = await Promise.all([store.streamShards.roll("rs", "t", 3, 300), other.streamShards.roll("rs", "t", 3, 301)]);
    assert.equal(Number(secondRoll) + Number(racing), 1, "of two racing rollers exactly one opens shard 3");
    const reopened = await reopen();
    const rolls = await reopened.streamShards.rollovers("rs");
    assert.deepEqual(rolls.map((r) => [r.index, r.startingSequence]), [[2, 3], [3, 4]]);
    assert.ok(rolls[1]?.openedAt === 300 || rolls[1]?.openedAt === 301);
    assert.deepEqual(await reopened.streamShards.rollovers("empty"), [{ index: 2, startingSequence: 1, openedAt: 100 }], "streams are apart");
  });
}
