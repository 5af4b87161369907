/**
 * DynamoDB Streams' shard lifecycle over a real SQLite store with a clock of our own (hours pass at
 * once): a shard rolls over at the default four hours and not before, and a closed shard whose
 * records have all expired is no longer listed or readable while its child still names it; shards
 * page with Limit/ExclusiveStartShardId; a disabled stream stays beside a re-enabled one for 24 hours.
 * test/dynamodb-streams-rollover.test.ts drives rollover over HTTP with real clients and a mapping.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { dynamoOperations } from "../src/services/dynamodb/operations.js";
import { dynamoShardIterators } from "../src/services/dynamodb/stream-iterators.js";
import type { StreamsContext } from "../src/services/dynamodb/stream-shards.js";
import { describeStream, getRecords, getShardIterator, listStreams } from "../src/services/dynamodb/streams-api.js";

const HOUR_MS = 3_600_000;
let dir: string;
let store: Store;
let clock = Date.UTC(2026, 0, 1);
let ctx: StreamsContext;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "unkai-stream-shards-"));
  store = openSqliteStore(join(dir, "unkai.db"), () => {});
  ctx = { store: store.dynamodb, streamShards: store.streamShards, shardLifetimeMs: 4 * HOUR_MS, account: { region: "us-east-1", accountId: "000000000000" }, now: () => clock };
});

after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Described { StreamDescription: { Shards: { ShardId: string; ParentShardId?: string; SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string } }[] } }

it("a shard rolls over after four hours, and a closed shard whose records all expired is gone while its child still names it", async () => {
  const ops = dynamoOperations(ctx);
  const created = (await ops.CreateTable?.({
    TableName: "lifecycle", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
  })) as { TableDescription: { LatestStreamArn: string } };
  const arn = created.TableDescription.LatestStreamArn;
  const describe = async () => ((await describeStream(ctx, { StreamArn: arn })) as Described).StreamDescription.Shards;
  const put = (pk: string) => ops.PutItem?.({ TableName: "lifecycle", Item: { pk: { S: pk } } });

  await put("a");
  clock += 4 * HOUR_MS - 1;
  assert.equal((await describe()).length, 1, "not before four hours");
  clock += 1;
  const [first, second] = await describe();
  assert.ok(first && second, "rolled over at four hours");
  assert.deepEqual(first.SequenceNumberRange, { StartingSequenceNumber: "000000000000000000001", EndingSequenceNumber: "000000000000000000001" });
  assert.deepEqual([second.ParentShardId, second.SequenceNumberRange], [first.ShardId, { StartingSequenceNumber: "000000000000000000002" }]);
  await put("b");

  // 24 hours after "a" was written the sweep trims it: its shard has nothing left and is gone. The
  // second shard (holding "b") has rolled over meanwhile and stays while "b" is kept.
  clock += 20 * HOUR_MS + 1;
  await store.dynamodb.trimStreams(clock - 24 * HOUR_MS);
  const shards = await describe();
  assert.deepEqual(shards.map((s) => s.ShardId).slice(0, 2), [second.ShardId, shards[1]?.ShardId], "the expired shard is no longer listed");
  assert.notEqual(shards[1]?.ShardId, first.ShardId);
  assert.equal(shards[0]?.ParentShardId, first.ShardId, "its child still names it");
  assert.equal(shards[1]?.ParentShardId, second.ShardId);
  assert.equal(shards[0]?.SequenceNumberRange.EndingSequenceNumber, "000000000000000000002", "the second shard closed after \"b\"");
  const paged = (await describeStream(ctx, { StreamArn: arn, Limit: 1 })) as Described & { StreamDescription: { LastEvaluatedShardId?: string } };
  assert.deepEqual([paged.StreamDescription.Shards.map((x) => x.ShardId), paged.StreamDescription.LastEvaluatedShardId], [[second.ShardId], second.ShardId]);
  const rest = (await describeStream(ctx, { StreamArn: arn, ExclusiveStartShardId: second.ShardId })) as Described & { StreamDescription: { LastEvaluatedShardId?: string } };
  assert.deepEqual([rest.StreamDescription.Shards.map((x) => x.ShardId), rest.StreamDescription.LastEvaluatedShardId], [shards.slice(1).map((x) => x.ShardId), undefined], "ExclusiveStartShardId continues the list");
  const iterators = dynamoShardIterators();
  await assert.rejects(getShardIterator(ctx, iterators, { StreamArn: arn, ShardId: first.ShardId, ShardIteratorType: "TRIM_HORIZON" }), { code: "ResourceNotFoundException" });
  const iterator = (await getShardIterator(ctx, iterators, { StreamArn: arn, ShardId: second.ShardId, ShardIteratorType: "TRIM_HORIZON" })) as { ShardIterator: string };
  const read = (await getRecords(ctx, iterators, { ShardIterator: iterator.ShardIterator })) as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] };
  assert.deepEqual(read.Records.map((r) => r.dynamodb.Keys.pk.S), ["b"]);
});

it("a disabled stream stays listed and readable beside the re-enabled one for 24 hours, then is gone and its records trimmed", async () => {
  const ops = dynamoOperations(ctx);
  const created = (await ops.CreateTable?.({
    TableName: "reenabled", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
  })) as { TableDescription: { LatestStreamArn: string } };
  const oldArn = created.TableDescription.LatestStreamArn;
  const put = (pk: string) => ops.PutItem?.({ TableName: "reenabled", Item: { pk: { S: pk } } });
  await put("old");
  const disabledAt = clock;
  await ops.UpdateTable?.({ TableName: "reenabled", StreamSpecification: { StreamEnabled: false } });
  // Re-enabled in the same millisecond: the new stream still gets its own label and ARN.
  const enabled = (await ops.UpdateTable?.({ TableName: "reenabled", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } })) as { TableDescription: { LatestStreamArn: string } };
  const newArn = enabled.TableDescription.LatestStreamArn;
  assert.notEqual(newArn, oldArn);
  await put("new");
  const listed = async () => ((await listStreams(ctx, { TableName: "reenabled" })) as { Streams: { StreamArn: string }[] }).Streams.map((s) => s.StreamArn);
  assert.deepEqual(await listed(), [oldArn, newArn], "both listed, oldest first");
  const old = (await describeStream(ctx, { StreamArn: oldArn })) as Described & { StreamDescription: { StreamStatus: string; StreamViewType: string } };
  assert.deepEqual([old.StreamDescription.StreamStatus, old.StreamDescription.StreamViewType], ["DISABLED", "NEW_IMAGE"]);
  const iterators = dynamoShardIterators();
  const readAll = async (arn: string) => {
    const [shard] = ((await describeStream(ctx, { StreamArn: arn })) as Described).StreamDescription.Shards;
    const iterator = (await getShardIterator(ctx, iterators, { StreamArn: arn, ShardId: shard?.ShardId as string, ShardIteratorType: "TRIM_HORIZON" })) as { ShardIterator: string };
    return ((await getRecords(ctx, iterators, { ShardIterator: iterator.ShardIterator })) as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] }).Records.map((r) => r.dynamodb.Keys.pk.S);
  };
  assert.deepEqual([await readAll(oldArn), await readAll(newArn)], [["old"], ["new"]]);

  clock = disabledAt + 24 * HOUR_MS;
  assert.deepEqual(await readAll(oldArn), ["old"], "readable for 24 hours after it was disabled");
  clock += 1;
  assert.deepEqual(await listed(), [newArn], "gone from ListStreams after 24 hours");
  await assert.rejects(describeStream(ctx, { StreamArn: oldArn }), { code: "ResourceNotFoundException" });
  await assert.rejects(getShardIterator(ctx, iterators, { StreamArn: oldArn, ShardId: old.StreamDescription.Shards[0]?.ShardId as string, ShardIteratorType: "TRIM_HORIZON" }), { code: "ResourceNotFoundException" });
  await store.dynamodb.trimStreams(clock - 24 * HOUR_MS);
  assert.deepEqual(await store.dynamodb.streamRecords(oldArn, 0, 10), [], "the sweep reclaimed its records");
  // The next UpdateTable drops it from the table's definition too.
  await ops.UpdateTable?.({ TableName: "reenabled", StreamSpecification: { StreamEnabled: false } });
  const definition = JSON.parse((await store.dynamodb.table("reenabled"))?.definition as string) as { DisabledStreams: { Label: string }[] };
  assert.deepEqual(definition.DisabledStreams.map((s) => s.Label), [newArn.split("/stream/")[1]]);
});

it("a deleted table's streams stay listed and readable, DISABLED, for 24 hours, then are gone and their records trimmed", async () => {
  const ops = dynamoOperations(ctx);
  const create = async () => ((await ops.CreateTable?.({
    TableName: "deleted", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
  })) as { TableDescription: { LatestStreamArn: string } }).TableDescription.LatestStreamArn;
  const oldArn = await create();
  await ops.PutItem?.({ TableName: "deleted", Item: { pk: { S: "old" } } });
  const deletedAt = clock;
  await ops.DeleteTable?.({ TableName: "deleted" });
  const newArn = await create();
  clock += HOUR_MS;
  await ops.PutItem?.({ TableName: "deleted", Item: { pk: { S: "new" } } });
  const listed = async () => ((await listStreams(ctx, { TableName: "deleted" })) as { Streams: { StreamArn: string }[] }).Streams.map((s) => s.StreamArn);
  const iterators = dynamoShardIterators();
  const readAll = async (arn: string) => {
    const [shard] = ((await describeStream(ctx, { StreamArn: arn })) as Described).StreamDescription.Shards;
    const iterator = (await getShardIterator(ctx, iterators, { StreamArn: arn, ShardId: shard?.ShardId as string, ShardIteratorType: "TRIM_HORIZON" })) as { ShardIterator: string };
    return ((await getRecords(ctx, iterators, { ShardIterator: iterator.ShardIterator })) as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] }).Records.map((r) => r.dynamodb.Keys.pk.S);
  };
  assert.deepEqual(await listed(), [oldArn, newArn]);

  clock = deletedAt + 24 * HOUR_MS;
  await store.dynamodb.trimStreams(clock - 24 * HOUR_MS);
  assert.deepEqual([await readAll(oldArn), await listed()], [["old"], [oldArn, newArn]], "readable for 24 hours after DeleteTable");
  clock += 1;
  assert.deepEqual(await listed(), [newArn], "gone from ListStreams after 24 hours");
  await assert.rejects(describeStream(ctx, { StreamArn: oldArn }), { code: "ResourceNotFoundException" });
  await store.dynamodb.trimStreams(clock - 24 * HOUR_MS);
  assert.deepEqual([await store.dynamodb.retiredStreams(), await store.dynamodb.streamRecords(oldArn, 0, 10)], [[], []], "the sweep forgot the stream and its records");
  assert.deepEqual(await readAll(newArn), ["new"], "the new table's stream keeps its records until they are 24 hours old");
});
