/**
 * DynamoDB Streams shards that roll over (a shard lifetime of 2 s instead of AWS's 4 hours): the
 * Streams API lists closed shards with their EndingSequenceNumber and each child with its
 * ParentShardId, a closed shard read to its end gives no NextShardIterator, and a reader that follows
 * parent → child sees every record once, in write order; a Lambda event source mapping delivers every
 * record exactly once and in order across at least two rollovers while writes keep coming. On the
 * SQLite store and, where PostgreSQL is installed, on it (its rollover locks the stream's counter row).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type Shard, type _Record } from "@aws-sdk/client-dynamodb-streams";
import { CreateEventSourceMappingCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { Collector, waitFor } from "./helpers/wait.js";

const SHARD_LIFETIME_MS = 2_000;

interface LambdaRecord {
  readonly dynamodb: { readonly SequenceNumber: string; readonly NewImage: { readonly v: { readonly N: string } } };
}

function rolloverSuite(label: string, store: () => Promise<Record<string, string>>, cleanup: () => Promise<void>): void {
describe(`DynamoDB Streams shard rollover (${label})`, () => {
  const collector = new Collector();
  let unkai: TestUnkai;
  let fn: LambdaClient;
  let ddb: DynamoDBClient;
  let streams: DynamoDBStreamsClient;
  before(async () => {
    await collector.start();
    unkai = await startUnkai({ ...(await collector.env()), ...(await store()), UNKAI_STREAM_SHARD_LIFETIME_MS: String(SHARD_LIFETIME_MS) });
    fn = lambda(unkai.url);
    const options = { endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    ddb = new DynamoDBClient(options);
    streams = new DynamoDBStreamsClient(options);
  });
  after(async () => {
    ddb?.destroy();
    streams?.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
    await collector.close();
    await cleanup();
  });

  async function streamedTable(name: string): Promise<string> {
    const out = await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    return out.TableDescription?.LatestStreamArn as string;
  }
  /** Writes `v` to one of four keys (so each key's versions must stay in order across shards). */
  const put = (table: string, v: number) => ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `k${v % 4}` }, v: { N: String(v) } } }));
  const shardsOf = async (arn: string) => (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription?.Shards ?? [];
  const versionOf = (record: _Record) => Number(record.dynamodb?.NewImage?.v?.N);

  /** Writes one version after another until the stream has rolled over `rollovers` times (and at least `min` writes); returns how many. */
  async function writeAcrossRollovers(table: string, arn: string, rollovers: number, min: number): Promise<number> {
    let written = 0;
    while (written < min || (await shardsOf(arn)).length <= rollovers) {
      await put(table, written);
      written += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return written;
  }

  /** Reads a shard from TRIM_HORIZON to its end (closed: no NextShardIterator) or, open, until a read comes back empty. */
  async function readShard(arn: string, shard: Shard): Promise<{ records: _Record[]; closed: boolean }> {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const records: _Record[] = [];
    while (iterator !== undefined) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 7 }));
      records.push(...(page.Records ?? []));
      if (page.NextShardIterator === undefined) return { records, closed: true };
      if ((page.Records ?? []).length === 0) return { records, closed: false };
      iterator = page.NextShardIterator;
    }
    return { records, closed: false };
  }

  it("the Streams API: closed shards with EndingSequenceNumber, children naming their parent, no NextShardIterator at a closed shard's end, every record once in order", async () => {
    const arn = await streamedTable("roll-api");
    const written = await writeAcrossRollovers("roll-api", arn, 2, 30);
    const shards = await shardsOf(arn);
    assert.ok(shards.length >= 3, `at least two rollovers: ${shards.length} shards`);
    assert.equal(shards[0]?.ParentShardId, undefined, "the first shard has no parent");
    for (let i = 1; i < shards.length; i++) {
      const [parent, child] = [shards[i - 1] as Shard, shards[i] as Shard];
      assert.equal(child.ParentShardId, parent.ShardId, "each child names its parent");
      assert.ok(parent.SequenceNumberRange?.EndingSequenceNumber, "a parent is closed");
      assert.ok(BigInt(child.SequenceNumberRange?.StartingSequenceNumber as string) > BigInt(parent.SequenceNumberRange?.EndingSequenceNumber));
      assert.ok((parent.ShardId as string) < (child.ShardId as string), "shard ids sort parent first");
    }

    // A reader following parent → child until the open shard: every version once, in write order.
    const seen: number[] = [];
    let shard: Shard | undefined = (await shardsOf(arn))[0];
    while (shard !== undefined) {
      const read = await readShard(arn, shard);
      seen.push(...read.records.map(versionOf));
      if (!read.closed) break;
      const id: string | undefined = shard.ShardId;
      shard = (await shardsOf(arn)).find((next) => next.ParentShardId === id);
      assert.ok(shard, "a closed shard has a child");
    }
    assert.deepEqual(seen, Array.from({ length: written }, (_, v) => v));

    // A sequence number belongs to one shard only.
    const [first, second] = shards as [Shard, Shard];
    const inFirst = first.SequenceNumberRange?.StartingSequenceNumber as string;
    const refused = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: second.ShardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: inFirst })).then(() => undefined, (error: Error) => error);
    assert.equal(refused?.name, "ValidationException");
    const latest = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: first.ShardId, ShardIteratorType: "LATEST" }));
    const atEnd = await streams.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator }));
    assert.deepEqual([atEnd.Records, atEnd.NextShardIterator], [[], undefined], "LATEST of a closed shard is its end: nothing, and no next iterator");
  });

  it("an event source mapping (LATEST) delivers every record exactly once and in order across at least two rollovers", async () => {
    const arn = await streamedTable("roll-esm");
    await createFromFixture(fn, "roll-esm", "ddb-stream-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url("roll-esm") } } });
    await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "roll-esm", EventSourceArn: arn, StartingPosition: "LATEST", BatchSize: 5 }));
    const delivered = () => collector.recorded("roll-esm").filter((r) => r.phase === "start").flatMap((r) => (r.event as { Records: LambdaRecord[] }).Records);
    // LATEST starts wherever the stream is when the shard's loop first runs: warm-up writes (negative
    // versions; a Put that changes nothing writes no record) until one is delivered. Shards opened later (the rollovers' children) are read from their start.
    let warmUps = 0;
    await waitFor("the mapping to read the stream", async () => {
      warmUps += 1;
      await ddb.send(new PutItemCommand({ TableName: "roll-esm", Item: { pk: { S: "warm-up" }, v: { N: String(-warmUps) } } }));
      return delivered().length > 0 ? true : undefined;
    }, 30_000);
    const written = await writeAcrossRollovers("roll-esm", arn, 3, 40);
    await waitFor("the last record", () => (delivered().some((r) => Number(r.dynamodb.NewImage.v.N) === written - 1) ? true : undefined), 60_000);
    const versions = delivered().map((r) => Number(r.dynamodb.NewImage.v.N)).filter((v) => v >= 0);
    assert.deepEqual(versions, Array.from({ length: written }, (_, v) => v), "each record once, in write order, across the rollovers");
    const shards = await shardsOf(arn);
    const sequences = delivered().map((r) => BigInt(r.dynamodb.SequenceNumber));
    const inShard = (s: Shard, q: bigint) => q >= BigInt(s.SequenceNumberRange?.StartingSequenceNumber as string) && (s.SequenceNumberRange?.EndingSequenceNumber === undefined || q <= BigInt(s.SequenceNumberRange.EndingSequenceNumber));
    const used = shards.filter((s) => sequences.some((q) => inShard(s, q)));
    assert.ok(used.length >= 3, `the delivered records came from ${used.length} shards`);
  });
});
}

rolloverSuite("SQLite", () => Promise.resolve({}), () => Promise.resolve());
if (postgresAvailable()) {
  let postgres: PostgresServer | undefined;
  rolloverSuite(
    "PostgreSQL",
    async () => {
      postgres = await startPostgres();
      return { UNKAI_STORE: await postgres.createDatabase("rollover") };
    },
    async () => postgres?.stop(),
  );
}
