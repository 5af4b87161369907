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

  test("forget drops a gone stream's rollovers, counter and records and leaves other streams alone; trimStreams drops a retired stream's rollovers with it", async ({ store, reopen }) => {
    const append = (stream: string) => ({ append: { stream, table: "t", createdAt: 10, record: "{}" } });
    await store.dynamodb.transact([], () => ({ writes: [append("gone"), append("kept")], result: undefined }));
    await store.streamShards.roll("gone", "t", 2, 100);
    await store.streamShards.roll("kept", "t", 2, 100);
    await store.streamShards.forget("gone");
    await store.streamShards.forget("never-written");
    const current = await reopen();
    assert.deepEqual(await current.streamShards.rollovers("gone"), []);
    assert.deepEqual(await current.dynamodb.streamBounds("gone"), { oldest: 1, latest: 0 }, "its counter and records are gone");
    assert.deepEqual(await current.streamShards.rollovers("kept"), [{ index: 2, startingSequence: 2, openedAt: 100 }]);
    assert.deepEqual(await current.dynamodb.streamBounds("kept"), { oldest: 1, latest: 1 });

    await current.dynamodb.createTable({ name: "t", createdAt: 1, definition: "{}" });
    assert.equal(await current.dynamodb.deleteTable("t", [{ stream: "kept", table: { name: "t", createdAt: 1, definition: "{}" }, retiredAt: 200 }]), true);
    await current.dynamodb.trimStreams(200);
    assert.equal((await current.streamShards.rollovers("kept")).length, 1, "kept while its retirement is not passed");
    await current.dynamodb.trimStreams(201);
    assert.deepEqual(await current.streamShards.rollovers("kept"), [], "gone with the retired stream");
  });
}
