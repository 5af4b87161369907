/**
 * Kinesis resharding against a real Unkai with SDK v3: SplitShard, MergeShards and UpdateShardCount
 * close shards and open children with AWS's lineage; a closed shard read to its end answers
 * ChildShards instead of an iterator; records written while a split happens are each kept once; and a
 * Lambda mapping reads a partition key's records in order across a split and a merge. A resharding
 * interrupted between its two writes is undone: at a restart on one node; on a cluster by the append
 * that finds a closure older than INTERRUPTED_RESHARD_MS, and a resharding stalled that long gives up.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, MergeShardsCommand, PutRecordCommand,
  PutRecordsCommand, SplitShardCommand, UpdateShardCountCommand, type Shard,
} from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import Database from "better-sqlite3";
import { UnkaiError } from "../src/core/errors.js";
import { WakeSignals } from "../src/core/wake-signals.js";
import type { KinesisContext } from "../src/services/kinesis/context.js";
import { kinesisIterators } from "../src/services/kinesis/index.js";
import { recordOperations } from "../src/services/kinesis/record-ops.js";
import { INTERRUPTED_RESHARD_MS, reopenInterrupted, reshardOperations } from "../src/services/kinesis/reshard.js";
import { streamOperations } from "../src/services/kinesis/stream-ops.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import type { KinesisRecordStore } from "../src/store/ports.js";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

const HALF = (1n << 127n).toString();
const text = (data: Uint8Array | undefined) => Buffer.from(data ?? new Uint8Array()).toString("utf8");

describe("Kinesis resharding", () => {
  const collector = new Collector();
  let unkai: TestUnkai;
  let kinesis: KinesisClient;
  before(async () => {
    await collector.start();
    unkai = await startUnkai(await collector.env());
    kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    kinesis.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
    await collector.close();
  });

  const shardsOf = async (StreamName: string) => (await kinesis.send(new DescribeStreamCommand({ StreamName }))).StreamDescription?.Shards ?? [];
  /** The open shards, in hash key order. */
  const open = (shards: Shard[]) => shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined)
    .sort((a, b) => (BigInt(a.HashKeyRange?.StartingHashKey ?? 0) < BigInt(b.HashKeyRange?.StartingHashKey ?? 0) ? -1 : 1));
  /** Every record of a shard from its start; and, when it is closed and read to its end, its ChildShards. */
  async function readShard(StreamName: string, ShardId: string) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const data: string[] = [];
    const sequences: bigint[] = [];
    for (;;) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      data.push(...(out.Records ?? []).map((r) => text(r.Data)));
      sequences.push(...(out.Records ?? []).map((r) => BigInt(r.SequenceNumber ?? 0)));
      if (out.NextShardIterator === undefined) return { data, sequences, children: out.ChildShards ?? [] };
      if ((out.Records ?? []).length === 0) return { data, sequences, children: undefined };
      iterator = out.NextShardIterator;
    }
  }

  it("SplitShard closes the shard at its last record and opens two children over its keys; the parent read to its end names them", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "split", ShardCount: 1 }));
    await kinesis.send(new PutRecordsCommand({ StreamName: "split", Records: ["a", "b"].map((v) => ({ PartitionKey: v, Data: Buffer.from(v) })) }));
    await kinesis.send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000000", NewStartingHashKey: HALF }));
    const shards = await shardsOf("split");
    assert.deepEqual(shards.map((s) => [s.ShardId, s.ParentShardId, s.HashKeyRange?.StartingHashKey]), [
      ["shardId-000000000000", undefined, "0"], ["shardId-000000000001", "shardId-000000000000", "0"], ["shardId-000000000002", "shardId-000000000000", HALF],
    ]);
    assert.equal(shards[1]?.HashKeyRange?.EndingHashKey, ((1n << 127n) - 1n).toString());
    assert.match(shards[0]?.SequenceNumberRange?.EndingSequenceNumber ?? "", /^\d{56}$/, "the parent is closed");
    assert.deepEqual(open(shards).map((s) => s.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
    const low = await kinesis.send(new PutRecordCommand({ StreamName: "split", PartitionKey: "x", ExplicitHashKey: "1", Data: Buffer.from("low") }));
    const high = await kinesis.send(new PutRecordCommand({ StreamName: "split", PartitionKey: "x", ExplicitHashKey: HALF, Data: Buffer.from("high") }));
    assert.deepEqual([low.ShardId, high.ShardId], ["shardId-000000000001", "shardId-000000000002"]);
    const parent = await readShard("split", "shardId-000000000000");
    assert.deepEqual(parent.data, ["a", "b"]);
    assert.deepEqual(parent.children?.map((c) => [c.ShardId, c.ParentShards]), [["shardId-000000000001", ["shardId-000000000000"]], ["shardId-000000000002", ["shardId-000000000000"]]]);
    assert.deepEqual((await readShard("split", "shardId-000000000002")).data, ["high"]);
    assert.deepEqual((await kinesis.send(new ListShardsCommand({ StreamName: "split", ShardFilter: { Type: "AT_LATEST" } }))).Shards?.map((s) => s.ShardId), ["shardId-000000000001", "shardId-000000000002"]);
    // A closed shard cannot be split again; a key outside the shard is refused.
    await assert.rejects(kinesis.send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "5" })), { name: "InvalidArgumentException" });
    await assert.rejects(kinesis.send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000001", NewStartingHashKey: HALF })), { name: "InvalidArgumentException" });
    await assert.rejects(kinesis.send(new SplitShardCommand({ StreamName: "split", ShardToSplit: "shardId-000000000009", NewStartingHashKey: "5" })), { name: "ResourceNotFoundException" });
  });

  it("MergeShards joins two adjacent shards under a child naming both; other pairs are refused", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "merge", ShardCount: 3 }));
    await assert.rejects(kinesis.send(new MergeShardsCommand({ StreamName: "merge", ShardToMerge: "shardId-000000000000", AdjacentShardToMerge: "shardId-000000000002" })), (e: Error) => e.name === "InvalidArgumentException" && /not an adjacent pair/.test(e.message));
    await kinesis.send(new MergeShardsCommand({ StreamName: "merge", ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000000" }));
    const shards = await shardsOf("merge");
    const child = shards.find((s) => s.ShardId === "shardId-000000000003");
    assert.equal(child?.ParentShardId, "shardId-000000000001");
    assert.equal(child?.AdjacentParentShardId, "shardId-000000000000");
    assert.equal(child?.HashKeyRange?.StartingHashKey, "0");
    assert.equal(child?.HashKeyRange?.EndingHashKey, shards[1]?.HashKeyRange?.EndingHashKey);
    assert.deepEqual(open(shards).map((s) => s.ShardId), ["shardId-000000000003", "shardId-000000000002"], "in key order");
  });

  it("UpdateShardCount scales uniformly up and down through splits and merges; every new shard descends from the old ones", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "scale", ShardCount: 2 }));
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    await kinesis.send(new PutRecordsCommand({ StreamName: "scale", Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(`before-${k}`) })) }));
    const up = await kinesis.send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 3, ScalingType: "UNIFORM_SCALING" }));
    assert.deepEqual([up.CurrentShardCount, up.TargetShardCount], [2, 3]);
    let shards = await shardsOf("scale");
    const thirds = [0n, 1n, 2n].map((i) => (((1n << 128n) * i) / 3n).toString());
    assert.deepEqual(open(shards).map((s) => s.HashKeyRange?.StartingHashKey), thirds, "three even shards");
    await kinesis.send(new PutRecordsCommand({ StreamName: "scale", Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(`after-${k}`) })) }));
    await kinesis.send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
    shards = await shardsOf("scale");
    assert.deepEqual(open(shards).map((s) => s.HashKeyRange?.StartingHashKey), ["0", HALF], "back to two halves");
    // Lineage: following parents from every open shard reaches only listed shards, down to the first two.
    const byId = new Map(shards.map((s) => [s.ShardId, s]));
    const roots = new Set<string>();
    const climb = (id: string | undefined): void => {
      const shard = id === undefined ? undefined : byId.get(id);
      assert.ok(shard, `shard ${id} is listed`);
      if (shard.ParentShardId === undefined) roots.add(shard.ShardId ?? "");
      else climb(shard.ParentShardId);
      if (shard.AdjacentParentShardId !== undefined) climb(shard.AdjacentParentShardId);
    };
    for (const shard of open(shards)) climb(shard.ShardId);
    assert.deepEqual([...roots].sort(), ["shardId-000000000000", "shardId-000000000001"]);
    // Every record once, across every shard listed.
    const all = (await Promise.all(shards.map((s) => readShard("scale", s.ShardId ?? "")))).flatMap((r) => r.data);
    assert.deepEqual(all.sort(), [...keys.map((k) => `after-${k}`), ...keys.map((k) => `before-${k}`)].sort());
    await assert.rejects(kinesis.send(new UpdateShardCountCommand({ StreamName: "scale", TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" })), { name: "InvalidArgumentException" });
  });

  it("keeps every record written while a split happens exactly once, each in a shard that held its key", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "racing", ShardCount: 1 }));
    const written: string[] = [];
    let writing = true;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; writing || i < 5; i++) {
        const batch = Array.from({ length: 10 }, (_, j) => `${w}-${i}-${j}`);
        await kinesis.send(new PutRecordsCommand({ StreamName: "racing", Records: batch.map((v) => ({ PartitionKey: v, Data: Buffer.from(v) })) }));
        written.push(...batch);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await kinesis.send(new SplitShardCommand({ StreamName: "racing", ShardToSplit: "shardId-000000000000", NewStartingHashKey: HALF }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    writing = false;
    await Promise.all(writers);
    const shards = await shardsOf("racing");
    const reads = await Promise.all(shards.map((s) => readShard("racing", s.ShardId ?? "")));
    const end = BigInt(shards[0]?.SequenceNumberRange?.EndingSequenceNumber ?? 0);
    assert.ok(reads[0]?.sequences.every((sequence) => sequence <= end), "no record landed in the parent after it was closed");
    const read = reads.map((r) => r.data);
    const all = read.flat();
    assert.equal(new Set(all).size, all.length, "no record twice");
    assert.deepEqual([...all].sort(), [...written].sort(), "every acknowledged record is there");
    assert.ok((read[1]?.length ?? 0) + (read[2]?.length ?? 0) > 0 && (read[0]?.length ?? 0) > 0, "records on both sides of the split");
  });

  it("a Lambda mapping delivers a partition key's records in order across a split and a merge", async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: "ordered", ShardCount: 1 }));
    await createFromFixture(lambda(unkai.url), "reshard-consumer", "kinesis-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url("reshard") } } });
    const put = (values: string[]) => kinesis.send(new PutRecordsCommand({ StreamName: "ordered", Records: values.map((v) => ({ PartitionKey: "one-key", Data: Buffer.from(v) })) }));
    await put(["p0", "p1", "p2"]);
    await lambda(unkai.url).send(new CreateEventSourceMappingCommand({ FunctionName: "reshard-consumer", EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/ordered", StartingPosition: "TRIM_HORIZON", BatchSize: 2 }));
    await kinesis.send(new SplitShardCommand({ StreamName: "ordered", ShardToSplit: "shardId-000000000000", NewStartingHashKey: HALF }));
    await put(["c0", "c1"]);
    await kinesis.send(new MergeShardsCommand({ StreamName: "ordered", ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000002" }));
    await put(["m0", "m1"]);
    const delivered = () => collector.recorded("reshard").filter((r) => r.phase === "start").flatMap((r) => (r.event as { Records: { kinesis: { data: string } }[] }).Records.map((x) => Buffer.from(x.kinesis.data, "base64").toString()));
    await waitFor("all seven records", () => (delivered().length >= 7 ? true : undefined), 60_000);
    assert.deepEqual(delivered(), ["p0", "p1", "p2", "c0", "c1", "m0", "m1"], "parent, then child, then the merged child: in write order");
  });
});

describe("Kinesis resharding interrupted by a crash", () => {
  it("a node that died between closing a split's parent and writing its children leaves the shard writable after a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-kinesis-crash-"));
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/interrupted";
    const client = (unkai: TestUnkai) => new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      let unkai = await startUnkai({}, dataDir);
      let kinesis = client(unkai);
      await kinesis.send(new CreateStreamCommand({ StreamName: "interrupted", ShardCount: 2 }));
      await kinesis.send(new PutRecordCommand({ StreamName: "interrupted", PartitionKey: "k", Data: Buffer.from("before"), ExplicitHashKey: "0" }));
      kinesis.destroy();
      assert.equal(await unkai.stop(), 0);
      // The state a crash leaves between the resharding's two writes: the parent closed in the record
      // store (as ReshardOperations' commit does first), the stream document not yet saying so.
      const db = new Database(join(dataDir, "unkai.db"));
      db.prepare("INSERT INTO kinesis_closed_shards (stream, shard) VALUES (?, ?)").run(arn, 0);
      db.close();
      unkai = await startUnkai({}, dataDir);
      kinesis = client(unkai);
      try {
        const put = await kinesis.send(new PutRecordCommand({ StreamName: "interrupted", PartitionKey: "k", Data: Buffer.from("after"), ExplicitHashKey: "0" }));
        assert.equal(put.ShardId, "shardId-000000000000", "the shard the stream shows open takes writes again");
        const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "interrupted", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
        const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
        assert.deepEqual(records.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString()), ["before", "after"], "in order, nothing lost");
        await kinesis.send(new SplitShardCommand({ StreamName: "interrupted", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000" }));
        const shards = (await kinesis.send(new ListShardsCommand({ StreamName: "interrupted" }))).Shards ?? [];
        assert.equal(shards.filter((s) => s.ParentShardId === "shardId-000000000000").length, 2, "and can be split again");
      } finally {
        kinesis.destroy();
        assert.equal(await unkai.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("Kinesis resharding interrupted on a cluster (two nodes of one PostgreSQL)", { skip: postgresAvailable() ? false : "needs PostgreSQL 15 (scripts/install-test-deps.sh)" }, () => {
  const DATABASE = "interrupted";
  const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/interrupted";
  const blobs = mkdtempSync(join(tmpdir(), "unkai-kinesis-cluster-blobs-"));
  const nodes: TestUnkai[] = [];
  let pg: PostgresServer | undefined;
  before(async () => {
    pg = await startPostgres();
    const env = { UNKAI_STORE: await pg.createDatabase(DATABASE), UNKAI_BLOBS: blobs, UNKAI_SANDBOX: "process" };
    for (let i = 0; i < 2; i++) nodes.push(await startUnkai(env));
  });
  after(async () => {
    for (const n of nodes) assert.equal(await n.stop(), 0);
    await pg?.stop();
    rmSync(blobs, { recursive: true, force: true });
  });

  it("an append reopens a closure older than INTERRUPTED_RESHARD_MS that the stream still shows open (no restart), and leaves a fresh one closed", async () => {
    const [first, second] = nodes.map((n) => new KinesisClient({ endpoint: n.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 })) as [KinesisClient, KinesisClient];
    const put = (client: KinesisClient, data: string, key: string) => client.send(new PutRecordCommand({ StreamName: "interrupted", PartitionKey: "k", Data: Buffer.from(data), ExplicitHashKey: key }));
    try {
      await first.send(new CreateStreamCommand({ StreamName: "interrupted", ShardCount: 2 }));
      await put(first, "before", "0");
      // What a node that died between a split's two writes leaves: shard 0 closed in the record store
      // long ago (a row with no time, as before the closure kept one, counts as made at 0), the stream not saying so.
      await (pg as PostgresServer).query("INSERT INTO kinesis_closed_shards (stream, shard) VALUES ($1, 0)", [arn], DATABASE);
      const repaired = await put(second, "after", "0");
      assert.equal(repaired.ShardId, "shardId-000000000000", "the shard the stream shows open takes writes again, on another node, with both running");
      const iterator = (await first.send(new GetShardIteratorCommand({ StreamName: "interrupted", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      const records = (await first.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
      assert.deepEqual(records.map((r) => text(r.Data)), ["before", "after"], "in order, nothing lost");

      // A closure made just now may be a live resharding's, between its writes: it stays.
      await (pg as PostgresServer).query("INSERT INTO kinesis_closed_shards (stream, shard, closed_at) VALUES ($1, 1, $2)", [arn, Date.now()], DATABASE);
      await assert.rejects(put(second, "fresh", HALF), (error: Error) => error.name === "ResourceInUseException");
      const rows = await (pg as PostgresServer).query<{ shard: number }>("SELECT shard FROM kinesis_closed_shards WHERE stream = $1", [arn], DATABASE);
      assert.deepEqual(rows.map((row) => row.shard), [1], "the fresh closure is kept");

      await first.send(new SplitShardCommand({ StreamName: "interrupted", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "1000" }));
      const shards = (await second.send(new ListShardsCommand({ StreamName: "interrupted" }))).Shards ?? [];
      assert.equal(shards.filter((s) => s.ParentShardId === "shardId-000000000000").length, 2, "the repaired shard can be split");
    } finally {
      first.destroy();
      second.destroy();
    }
  });
});

describe("Kinesis resharding on a shared store, in process with a clock", () => {
  it("a resharding stalled past INTERRUPTED_RESHARD_MS whose closure another node reopened answers ResourceInUseException and writes nothing; the keys stay writable", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-kinesis-stalled-"));
    const store = openSqliteStore(join(dir, "unkai.db"), () => undefined);
    let clock = 1_000_000;
    /** Runs between the resharding's close and the rest of its commit (a stall). */
    let stall: (() => Promise<void>) | undefined;
    const records: KinesisRecordStore = {
      ...store.kinesisRecords,
      async close(stream, shards, now) {
        const cut = await store.kinesisRecords.close(stream, shards, now);
        await stall?.();
        return cut;
      },
    };
    const ctx: KinesisContext = {
      streams: store.kinesisStreams, records, account: { region: "us-east-1", accountId: "000000000000" }, now: () => clock, iterators: kinesisIterators(),
      signals: new WakeSignals(), subscriptionPollMs: 200, maxSubscriptions: 10, repaired: () => Promise.resolve(),
    };
    const operations = { ...streamOperations(ctx), ...recordOperations(ctx), ...reshardOperations(ctx) };
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/stalled";
    const inUse = (error: unknown) => error instanceof UnkaiError && error.code === "ResourceInUseException";
    const put = (key: string) => operations.PutRecord({ StreamName: "stalled", PartitionKey: "k", Data: Buffer.from("x"), ExplicitHashKey: key });
    try {
      await operations.CreateStream({ StreamName: "stalled", ShardCount: 2 });
      stall = async () => {
        clock += INTERRUPTED_RESHARD_MS + 1;
        assert.deepEqual(await reopenInterrupted(ctx, arn, [1]), [1], "another node takes the stalled closure for an interrupted one");
      };
      await assert.rejects(operations.SplitShard({ StreamName: "stalled", ShardToSplit: "shardId-000000000001", NewStartingHashKey: "300000000000000000000000000000000000000" }),
        inUse);
      stall = undefined;
      const stream = await store.kinesisStreams.get(arn);
      assert.deepEqual(stream?.shards.map((shard) => [shard.index, shard.closed === undefined]), [[0, true], [1, true]], "the stream was not written");
      assert.equal((await put(HALF)).ShardId, "shardId-000000000001", "the parent takes writes");

      // An append waits no minute for a closure just made; once older than INTERRUPTED_RESHARD_MS, it reopens it.
      assert.notEqual(await store.kinesisRecords.close(arn, [0], clock), undefined);
      await assert.rejects(put("0"), inUse);
      clock += INTERRUPTED_RESHARD_MS;
      await assert.rejects(put("0"), inUse, "not older yet");
      clock += 1;
      assert.equal((await put("0")).ShardId, "shardId-000000000000");
      await operations.SplitShard({ StreamName: "stalled", ShardToSplit: "shardId-000000000001", NewStartingHashKey: "300000000000000000000000000000000000000" });
      assert.equal((await store.kinesisStreams.get(arn))?.shards.length, 4, "unstalled, the split commits");
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
