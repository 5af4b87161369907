/**
 * Kinesis Data Streams against a real Unkai, with the clients that speak it: SDK v3 (over h2c), the
 * AWS CLI v2 and boto3. Streams and shards, records routed by partition key and hash key, every
 * iterator type, reads in order with a fresh iterator each time, errors in Kinesis's words, records
 * kept across a restart, and the attacks: forged or tampered iterators, oversized records and batches,
 * a shard count past the account's limit, malformed bodies.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CreateStreamCommand, DeleteStreamCommand, DescribeStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand, KinesisClient, ListShardsCommand, ListStreamsCommand, ListTagsForStreamCommand, PutRecordCommand, PutRecordsCommand,
  AddTagsToStreamCommand, DecreaseStreamRetentionPeriodCommand, UpdateMaxRecordSizeCommand, UpdateStreamModeCommand, type ShardIteratorType,
} from "@aws-sdk/client-kinesis";
import { cbor, tag } from "@smithy/core/cbor";
import { aws, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runBoto3 } from "./helpers/boto3.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const text = (data: Uint8Array | undefined) => Buffer.from(data ?? new Uint8Array()).toString("utf8");
const bytes = (value: string) => Buffer.from(value, "utf8");

/** The shard Kinesis routes a partition key to: MD5 as a 128-bit integer over evenly split ranges. */
function expectedShard(partitionKey: string, shards: number): string {
  const hash = BigInt(`0x${createHash("md5").update(partitionKey).digest("hex")}`);
  return `shardId-${String(Number((hash * BigInt(shards)) >> 128n)).padStart(12, "0")}`;
}

async function rejection(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("the request succeeded");
}

describe("Kinesis Data Streams", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-kinesis-"));
  let unkai: TestUnkai;
  let kinesis: KinesisClient;
  const connect = () => {
    kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  };
  before(async () => {
    unkai = await startUnkai({}, dataDir);
    connect();
  });
  after(async () => {
    kinesis.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const iterator = async (stream: string, shardId: string, type: ShardIteratorType, extra: { StartingSequenceNumber?: string; Timestamp?: Date } = {}) =>
    (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra }))).ShardIterator as string;
  const readAll = async (shardIterator: string) => (await kinesis.send(new GetRecordsCommand({ ShardIterator: shardIterator }))).Records ?? [];

  it("creates, describes and lists streams whose shards split the hash key space evenly (SDK v3 over h2c)", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 3, Tags: { team: "a" } }));
    const { StreamDescription: d } = await kinesis.send(new DescribeStreamCommand({ StreamName: "orders" }));
    assert.equal(d?.StreamStatus, "ACTIVE");
    assert.equal(d?.StreamARN, "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
    assert.equal(d?.RetentionPeriodHours, 24);
    assert.equal(d?.HasMoreShards, false);
    assert.deepEqual(d?.Shards?.map((s) => s.ShardId), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
    assert.equal(d?.Shards?.[0]?.HashKeyRange?.StartingHashKey, "0");
    assert.equal(d?.Shards?.[2]?.HashKeyRange?.EndingHashKey, ((1n << 128n) - 1n).toString());
    assert.equal(BigInt(d?.Shards?.[1]?.HashKeyRange?.StartingHashKey ?? 0), BigInt(d?.Shards?.[0]?.HashKeyRange?.EndingHashKey ?? 0) + 1n);
    assert.match(d?.Shards?.[0]?.SequenceNumberRange?.StartingSequenceNumber ?? "", /^\d{56}$/);
    const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: d?.StreamARN }))).StreamDescriptionSummary;
    assert.equal(summary?.OpenShardCount, 3);
    assert.equal(summary?.StreamModeDetails?.StreamMode, "PROVISIONED");
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    const listed = await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
    assert.deepEqual(listed.StreamNames, ["clicks"]);
    assert.equal(listed.HasMoreStreams, true);
    const rest = await kinesis.send(new ListStreamsCommand({ NextToken: listed.NextToken }));
    assert.deepEqual(rest.StreamNames, ["orders"]);
    assert.equal(rest.StreamSummaries?.[0]?.StreamARN, d?.StreamARN);
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: "clicks", MaxResults: 3 }));
    assert.equal(shards.Shards?.length, 3);
    const more = await kinesis.send(new ListShardsCommand({ NextToken: shards.NextToken }));
    assert.deepEqual(more.Shards?.map((s) => s.ShardId), ["shardId-000000000003"], "an on-demand stream starts with 4 shards");
    assert.deepEqual((await kinesis.send(new ListTagsForStreamCommand({ StreamName: "orders" }))).Tags, [{ Key: "team", Value: "a" }]);
    await kinesis.send(new AddTagsToStreamCommand({ StreamName: "orders", Tags: { env: "dev" } }));
    assert.deepEqual((await kinesis.send(new ListTagsForStreamCommand({ StreamName: "orders" }))).Tags?.map((t) => t.Key), ["env", "team"]);
  });

  it("routes records by MD5 of the partition key (or ExplicitHashKey) and reads each shard in order", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const written: { key: string; shard: string; sequence: string }[] = [];
    for (const key of keys) {
      const out = await kinesis.send(new PutRecordCommand({ StreamName: "orders", PartitionKey: key, Data: bytes(`order of ${key}`) }));
      assert.equal(out.ShardId, expectedShard(key, 3), key);
      assert.match(out.SequenceNumber ?? "", /^\d{56}$/);
      written.push({ key, shard: out.ShardId, sequence: out.SequenceNumber as string });
    }
    const explicit = await kinesis.send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "any", ExplicitHashKey: ((1n << 128n) - 1n).toString(), Data: bytes("last") }));
    assert.equal(explicit.ShardId, "shardId-000000000002");
    for (const shard of ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]) {
      const records = await readAll(await iterator("orders", shard, "TRIM_HORIZON"));
      const expected: string[] = written.filter((w) => w.shard === shard).map((w) => `order of ${w.key}`);
      if (shard === "shardId-000000000002") expected.push("last");
      assert.deepEqual(records.map((r) => text(r.Data)), expected, `${shard} in write order`);
      const sequences = records.map((r) => BigInt(r.SequenceNumber ?? 0));
      assert.ok(sequences.every((s, i) => i === 0 || s > (sequences[i - 1] as bigint)), "sequence numbers increase within the shard");
      assert.ok(records.every((r) => r.ApproximateArrivalTimestamp instanceof Date));
    }
  });

  it("serves every iterator type; GetRecords always answers a fresh NextShardIterator, and AFTER never repeats the given record", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "iter", ShardCount: 1 }));
    const shard = "shardId-000000000000";
    const latest = await iterator("iter", shard, "LATEST");
    const beforeWrites = new Date(Date.now() - 1);
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: "iter", Records: ["a", "b", "c", "d"].map((v) => ({ PartitionKey: v, Data: bytes(v) })) }));
    assert.equal(put.FailedRecordCount, 0);
    const [, second] = put.Records ?? [];
    assert.deepEqual((await readAll(latest)).map((r) => text(r.Data)), ["a", "b", "c", "d"], "LATEST: what came after the iterator was issued");
    assert.deepEqual((await readAll(await iterator("iter", shard, "LATEST"))).length, 0);
    assert.deepEqual((await readAll(await iterator("iter", shard, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: second?.SequenceNumber }))).map((r) => text(r.Data)), ["b", "c", "d"]);
    assert.deepEqual((await readAll(await iterator("iter", shard, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: second?.SequenceNumber }))).map((r) => text(r.Data)), ["c", "d"]);
    assert.deepEqual((await readAll(await iterator("iter", shard, "AT_TIMESTAMP", { Timestamp: beforeWrites }))).map((r) => text(r.Data)), ["a", "b", "c", "d"]);
    assert.deepEqual((await readAll(await iterator("iter", shard, "AT_TIMESTAMP", { Timestamp: new Date() }))).length, 0);
    // The shard's own starting sequence number is a valid AT_SEQUENCE_NUMBER (a complaint against peers).
    const start = (await kinesis.send(new ListShardsCommand({ StreamName: "iter" }))).Shards?.[0]?.SequenceNumberRange?.StartingSequenceNumber;
    assert.equal((await readAll(await iterator("iter", shard, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: start }))).length, 4);
    // Paging with Limit, then an empty read that still hands on an iterator which sees the next write.
    const first = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator("iter", shard, "TRIM_HORIZON"), Limit: 3 }));
    assert.equal(first.Records?.length, 3);
    const next = await kinesis.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }));
    assert.deepEqual(next.Records?.map((r) => text(r.Data)), ["d"]);
    assert.equal(next.MillisBehindLatest, 0);
    const empty = await kinesis.send(new GetRecordsCommand({ ShardIterator: next.NextShardIterator }));
    assert.equal(empty.Records?.length, 0);
    assert.ok(empty.NextShardIterator);
    await kinesis.send(new PutRecordCommand({ StreamName: "iter", PartitionKey: "e", Data: bytes("e") }));
    assert.deepEqual((await readAll(empty.NextShardIterator)).map((r) => text(r.Data)), ["e"]);
    // Re-reading an old iterator reads the same records again (iterators are positions, not cursors).
    assert.deepEqual((await readAll(next.NextShardIterator as string)).map((r) => text(r.Data)), ["e"]);
  });

  it("answers mistakes in Kinesis's words and never with a 500", async () => {
    const missing = await rejection(kinesis.send(new DescribeStreamCommand({ StreamName: "nope" })));
    assert.equal(missing.name, "ResourceNotFoundException");
    assert.equal(missing.message, "Stream nope under account 000000000000 not found.");
    assert.equal((await rejection(kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 })))).name, "ResourceInUseException");
    assert.equal((await rejection(kinesis.send(new CreateStreamCommand({ StreamName: "no-count" })))).name, "InvalidArgumentException");
    const shard = await rejection(kinesis.send(new GetShardIteratorCommand({ StreamName: "iter", ShardId: "shardId-000000000009", ShardIteratorType: "TRIM_HORIZON" })));
    assert.equal(shard.name, "ResourceNotFoundException");
    // A sequence number of another shard, or none Unkai wrote.
    const other = (await kinesis.send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "x", ExplicitHashKey: "0", Data: bytes("x") }))).SequenceNumber;
    const wrongShard = await rejection(kinesis.send(new GetShardIteratorCommand({ StreamName: "orders", ShardId: "shardId-000000000001", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: other })));
    assert.equal(wrongShard.name, "InvalidArgumentException");
    assert.match(wrongShard.message, /StartingSequenceNumber .* is invalid/);
    assert.equal((await rejection(kinesis.send(new GetShardIteratorCommand({ StreamName: "iter", ShardId: "shardId-000000000000", ShardIteratorType: "AFTER_SEQUENCE_NUMBER" })))).name, "InvalidArgumentException");
    assert.equal((await rejection(kinesis.send(new GetShardIteratorCommand({ StreamName: "iter", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(Date.now() + 3_600_000) })))).name, "InvalidArgumentException");
    const hashKey = await rejection(kinesis.send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "x", ExplicitHashKey: (1n << 128n).toString(), Data: bytes("x") })));
    assert.equal(hashKey.name, "InvalidArgumentException");
    assert.match(hashKey.message, /ExplicitHashKey must be in the range/);
    assert.equal((await rejection(kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "orders", RetentionPeriodHours: 10_000 })))).name, "InvalidArgumentException");
    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "orders", RetentionPeriodHours: 48 }));
    const shorter = await rejection(kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "orders", RetentionPeriodHours: 24 })));
    assert.match(shorter.message, /Use DecreaseRetentionPeriod API/);
    await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "orders", RetentionPeriodHours: 24 }));
    // The stream mode and the record size limit change in place.
    await kinesis.send(new UpdateStreamModeCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/orders", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
    await kinesis.send(new UpdateMaxRecordSizeCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/orders", MaxRecordSizeInKiB: 2048 }));
    const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }))).StreamDescriptionSummary;
    assert.deepEqual([summary?.StreamModeDetails?.StreamMode, summary?.MaxRecordSizeInKiB, summary?.OpenShardCount], ["ON_DEMAND", 2048, 3]);
    await kinesis.send(new PutRecordCommand({ StreamName: "orders", PartitionKey: "big", Data: Buffer.alloc(1024 * 1024 + 1) }));
    await assert.rejects(kinesis.send(new UpdateMaxRecordSizeCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/orders", MaxRecordSizeInKiB: 20_000 })), { name: "ValidationException" });
    assert.equal((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "orders" }))).StreamDescriptionSummary?.RetentionPeriodHours, 24);
    // Malformed JSON and a wrong member type, raw.
    const raw = async (body: string) => {
      const response = await fetch(unkai.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.DescribeStream" }, body });
      return { status: response.status, body: (await response.json()) as { __type?: string } };
    };
    const unsigned = await raw(JSON.stringify({ StreamName: "orders" }));
    assert.equal(unsigned.status, 403, "an unsigned request is refused");
  });

  it("refuses forged, tampered and expired-looking iterators, so no iterator reaches a stream it was not issued for", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "secret", ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: "secret", PartitionKey: "k", Data: bytes("private") }));
    const issued = await iterator("iter", "shardId-000000000000", "TRIM_HORIZON");
    const [payload, mac] = issued.split(".");
    const [, shardId, after, issuedAt] = JSON.parse(Buffer.from(payload as string, "base64url").toString("utf8")) as [string, string, number, number];
    const retargeted = Buffer.from(JSON.stringify(["arn:aws:kinesis:us-east-1:000000000000:stream/secret", shardId, after, issuedAt])).toString("base64url");
    for (const forged of [`${retargeted}.${mac}`, `${payload}.${"A".repeat(43)}`, "garbage", "", `${payload}.${mac}.x`]) {
      const refused = await rejection(kinesis.send(new GetRecordsCommand({ ShardIterator: forged })));
      assert.equal(refused.name, forged === "" ? "ValidationException" : "InvalidArgumentException", forged);
    }
    // An iterator of one stream with another stream's ARN beside it.
    assert.equal((await rejection(kinesis.send(new GetRecordsCommand({ ShardIterator: issued, StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/secret" })))).name, "InvalidArgumentException");
  });

  it("refuses records past the stream's record size, batches past 500 records or 5 MiB, and shards past the account's limit", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "sizes", ShardCount: 1 }));
    const big = await rejection(kinesis.send(new PutRecordCommand({ StreamName: "sizes", PartitionKey: "k", Data: Buffer.alloc(1024 * 1024 + 1) })));
    assert.equal(big.name, "ValidationException");
    const many = await rejection(kinesis.send(new PutRecordsCommand({ StreamName: "sizes", Records: Array.from({ length: 501 }, () => ({ PartitionKey: "k", Data: bytes("x") })) })));
    assert.equal(many.name, "ValidationException");
    const heavy = await rejection(kinesis.send(new PutRecordsCommand({ StreamName: "sizes", Records: Array.from({ length: 6 }, () => ({ PartitionKey: "k", Data: Buffer.alloc(1000 * 1024) })) })));
    assert.equal(heavy.name, "InvalidArgumentException");
    assert.equal((await readAll(await iterator("sizes", "shardId-000000000000", "TRIM_HORIZON"))).length, 0, "a refused batch wrote nothing");
    const limit = await rejection(kinesis.send(new CreateStreamCommand({ StreamName: "huge", ShardCount: 100_000 })));
    assert.equal(limit.name, "LimitExceededException");
    assert.match(limit.message, /shard limit for the account/);
  });

  it("speaks to the AWS CLI and boto3", async () => {
    const created = await aws(unkai.url, ["kinesis", "create-stream", "--stream-name", "cli", "--shard-count", "2"]);
    assert.equal(created.code, 0, created.stderr);
    const put = await aws(unkai.url, ["kinesis", "put-record", "--stream-name", "cli", "--partition-key", "p", "--data", "aGVsbG8=" ]);
    assert.equal(put.code, 0, put.stderr);
    const { ShardId } = JSON.parse(put.stdout) as { ShardId: string };
    const it1 = await aws(unkai.url, ["kinesis", "get-shard-iterator", "--stream-name", "cli", "--shard-id", ShardId, "--shard-iterator-type", "TRIM_HORIZON"]);
    assert.equal(it1.code, 0, it1.stderr);
    const got = await aws(unkai.url, ["kinesis", "get-records", "--shard-iterator", (JSON.parse(it1.stdout) as { ShardIterator: string }).ShardIterator]);
    assert.equal(got.code, 0, got.stderr);
    const records = (JSON.parse(got.stdout) as { Records: { Data: string; PartitionKey: string }[] }).Records;
    assert.deepEqual(records.map((r) => [Buffer.from(r.Data, "base64").toString(), r.PartitionKey]), [["hello", "p"]]);
    const missing = await aws(unkai.url, ["kinesis", "describe-stream", "--stream-name", "nope"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
    const out = await runBoto3([
      "import boto3, json, sys",
      "k = boto3.client('kinesis', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "k.create_stream(StreamName='py', ShardCount=1)",
      "r = k.put_records(StreamName='py', Records=[{'Data': bytes([i, 255 - i]), 'PartitionKey': str(i)} for i in range(5)])",
      "it = k.get_shard_iterator(StreamName='py', ShardId='shardId-000000000000', ShardIteratorType='TRIM_HORIZON')['ShardIterator']",
      "got = k.get_records(ShardIterator=it)",
      "print(json.dumps({'failed': r['FailedRecordCount'], 'data': [list(x['Data']) for x in got['Records']], 'keys': [x['PartitionKey'] for x in got['Records']]}))",
    ], [unkai.url]);
    assert.deepEqual(out, { failed: 0, data: [0, 1, 2, 3, 4].map((i) => [i, 255 - i]), keys: ["0", "1", "2", "3", "4"] });
  });

  it("speaks AWS CBOR 1.1 as the Java SDKs send it: byte strings, and timestamps as tag 1 epoch milliseconds both ways", async () => {
    const call = async (operation: string, input: Record<string, unknown>) => {
      const response = await signedFetch(unkai.url, {
        method: "POST", service: "kinesis", body: Buffer.from(cbor.serialize(input)),
        headers: { "content-type": "application/x-amz-cbor-1.1", "x-amz-target": `Kinesis_20131202.${operation}` },
      });
      return { status: response.status, type: response.headers.get("content-type"), errorType: response.headers.get("x-amzn-errortype"), body: cbor.deserialize(new Uint8Array(await response.arrayBuffer())) as Record<string, unknown> };
    };
    assert.equal((await call("CreateStream", { StreamName: "java", ShardCount: 1 })).status, 200);
    const before = Date.now() - 1;
    const put = await call("PutRecord", { StreamName: "java", PartitionKey: "k", Data: new Uint8Array([0, 1, 2, 255]) });
    assert.equal(put.status, 200);
    assert.equal(put.type, "application/x-amz-cbor-1.1");
    assert.equal(put.body.ShardId, "shardId-000000000000");
    const at = await call("GetShardIterator", { StreamName: "java", ShardId: "shardId-000000000000", ShardIteratorType: "AT_TIMESTAMP", Timestamp: tag({ tag: 1, value: before }) });
    assert.equal(at.status, 200, JSON.stringify(at.body));
    const got = await call("GetRecords", { ShardIterator: at.body.ShardIterator });
    const [record] = got.body.Records as [{ Data: Uint8Array; ApproximateArrivalTimestamp: { tag: number; value: number } }];
    assert.deepEqual([...record.Data], [0, 1, 2, 255], "data as a byte string, not base64");
    assert.equal(record.ApproximateArrivalTimestamp.tag, 1);
    assert.ok(Number.isInteger(record.ApproximateArrivalTimestamp.value) && Math.abs(record.ApproximateArrivalTimestamp.value - Date.now()) < 60_000, "epoch milliseconds");
    const missing = await call("DescribeStream", { StreamName: "nope" });
    assert.equal(missing.status, 400);
    assert.equal(missing.errorType, "ResourceNotFoundException");
    assert.equal(missing.body.__type, "ResourceNotFoundException");
    const garbage = await signedFetch(unkai.url, { method: "POST", service: "kinesis", body: Buffer.from([0xff, 0x00, 0x13]), headers: { "content-type": "application/x-amz-cbor-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" } });
    assert.equal(garbage.status, 400, "bytes that are no CBOR are a client error");
  });

  it("keeps acknowledged records across a restart, and a deleted stream's records go with it", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "durable", ShardCount: 1 }));
    await kinesis.send(new PutRecordsCommand({ StreamName: "durable", Records: Array.from({ length: 50 }, (_, i) => ({ PartitionKey: String(i), Data: bytes(`r${i}`) })) }));
    assert.equal(await unkai.stop(), 0);
    kinesis.destroy();
    unkai = await startUnkai({}, dataDir);
    connect();
    const records = await readAll(await iterator("durable", "shardId-000000000000", "TRIM_HORIZON"));
    assert.deepEqual(records.map((r) => text(r.Data)), Array.from({ length: 50 }, (_, i) => `r${i}`));
    const old = await iterator("durable", "shardId-000000000000", "TRIM_HORIZON");
    await kinesis.send(new DeleteStreamCommand({ StreamName: "durable" }));
    assert.equal((await rejection(kinesis.send(new GetRecordsCommand({ ShardIterator: old })))).name, "ResourceNotFoundException");
    await kinesis.send(new CreateStreamCommand({ StreamName: "durable", ShardCount: 1 }));
    assert.equal((await readAll(await iterator("durable", "shardId-000000000000", "TRIM_HORIZON"))).length, 0, "a stream created again under the name starts empty");
  });
});
