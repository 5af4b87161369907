/**
 * DynamoDB and Kinesis on two Unkai nodes sharing one PostgreSQL. A transaction's ClientRequestToken is
 * stored with its writes, so a retry that reaches the other node is not applied twice. Shard iterators
 * are sealed with the cluster's shared key, so one node's iterator is read by the other (a reader behind a
 * balancer), and a forged one is refused by both.
 * A DynamoDB stream event source mapping: both nodes scan
 * the mapping, but its shard is leased to one of them (ShardLeaseStore), so each record reaches the
 * function once, in write order; when the owning node is SIGKILLed, the other takes the shard over
 * after the dead-node bound and continues at the saved checkpoint, losing nothing. A table's Kinesis
 * destination is forwarded by the one node holding its lease: changes written on both nodes arrive once each.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, EnableKinesisStreamingDestinationCommand, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, type TransactWriteItemsCommandInput } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand as GetStreamRecordsCommand, GetShardIteratorCommand as GetStreamShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

const DATABASE = "streams";
const skip = !postgresAvailable() ? "needs PostgreSQL 15 (scripts/install-test-deps.sh)" : false;
const TABLE = "orders";

interface StreamRecord { dynamodb: { Keys: { pk: { S: string } }; SequenceNumber: string } }

const keys = (from: number, count: number) => Array.from({ length: count }, (_, i) => `k${String(from + i).padStart(3, "0")}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a DynamoDB stream mapping on two nodes of one PostgreSQL", { skip }, () => {
  let pg: PostgresServer | undefined;
  const nodes: TestUnkai[] = [];
  const collector = new Collector();
  const blobs = mkdtempSync(join(tmpdir(), "unkai-streams-blobs-"));
  const node = (i: number) => {
    const n = nodes[i];
    assert.ok(n, `node ${i} is not running`);
    return n;
  };
  const delivered = () => collector.recorded("consumer").filter((r) => r.phase === "start").flatMap((r) => (r.event as { Records: StreamRecord[] }).Records);
  const put = (ddb: DynamoDBClient, pk: string) => ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: pk } } }));
  const nodeId = async (i: number) => ((await (await fetch(`${node(i).url}/_unkai/health`)).json()) as { node: string }).node;
  // The mapping's shard lease (not a Kinesis destination's forwarder's).
  const lease = async () => (await (pg as PostgresServer).query<{ owner: string; position: number | null }>("SELECT owner, position FROM shard_leases WHERE key NOT LIKE 'dynamodb-kinesis/%'", [], DATABASE));

  before(async () => {
    pg = await startPostgres();
    await collector.start();
    const env = { UNKAI_STORE: await pg.createDatabase(DATABASE), UNKAI_BLOBS: blobs, UNKAI_SANDBOX: "process" };
    for (let i = 0; i < 2; i++) nodes.push(await startUnkai(env));
  });
  after(async () => {
    for (const n of nodes) if (n.process.exitCode === null && n.process.signalCode === null) await n.stop();
    await collector.close();
    await pg?.stop();
    rmSync(blobs, { recursive: true, force: true });
  });

  it("a TransactWriteItems retried on the other node under its ClientRequestToken is not applied again; another request under it is refused there", async () => {
    const clients = [0, 1].map((i) => new DynamoDBClient({ endpoint: node(i).url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 }));
    const [first, second] = clients as [DynamoDBClient, DynamoDBClient];
    await first.send(new CreateTableCommand({ TableName: "ledger", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] }));
    const request: TransactWriteItemsCommandInput = {
      ClientRequestToken: "cluster-retry",
      TransactItems: [{ Update: { TableName: "ledger", Key: { pk: { S: "a" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } } }],
    };
    await first.send(new TransactWriteItemsCommand(request));
    // The second node learns of the table within its table cache's second.
    await waitFor("the table on the second node", async () => (await second.send(new GetItemCommand({ TableName: "ledger", Key: { pk: { S: "a" } } })).then(() => true, () => undefined)), 10_000);
    await second.send(new TransactWriteItemsCommand(request));
    const item = await second.send(new GetItemCommand({ TableName: "ledger", Key: { pk: { S: "a" } }, ConsistentRead: true }));
    assert.equal(item.Item?.n?.N, "1", "the retry on the other node was not applied");
    await assert.rejects(
      second.send(new TransactWriteItemsCommand({ ...request, TransactItems: [{ Delete: { TableName: "ledger", Key: { pk: { S: "a" } } } }] })),
      (error: Error) => error.name === "IdempotentParameterMismatchException",
    );
    for (const c of clients) c.destroy();
  });

  it("an iterator issued by one node is read by the other, for Kinesis and DynamoDB Streams alike", async () => {
    const options = (i: number) => ({ endpoint: node(i).url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const [k0, k1] = [new KinesisClient(options(0)), new KinesisClient(options(1))];
    await k0.send(new CreateStreamCommand({ StreamName: "shared", ShardCount: 1 }));
    await k1.send(new PutRecordsCommand({ StreamName: "shared", Records: ["a", "b", "c"].map((v) => ({ PartitionKey: v, Data: Buffer.from(v) })) }));
    const issued = (await k0.send(new GetShardIteratorCommand({ StreamName: "shared", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const read = await k1.send(new GetRecordsCommand({ ShardIterator: issued, Limit: 2 }));
    assert.deepEqual(read.Records?.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString()), ["a", "b"]);
    const next = await k0.send(new GetRecordsCommand({ ShardIterator: read.NextShardIterator }));
    assert.deepEqual(next.Records?.map((r) => Buffer.from(r.Data ?? new Uint8Array()).toString()), ["c"], "and back on the first node");
    const [payload] = (issued ?? "").split(".");
    await assert.rejects(k1.send(new GetRecordsCommand({ ShardIterator: `${payload}.${"A".repeat(43)}` })), (e: Error) => e.name === "InvalidArgumentException");

    const ddb = new DynamoDBClient(options(0));
    const table = await ddb.send(new CreateTableCommand({
      TableName: "iterated", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" },
    }));
    await ddb.send(new PutItemCommand({ TableName: "iterated", Item: { pk: { S: "x" } } }));
    const [s0, s1] = [new DynamoDBStreamsClient(options(0)), new DynamoDBStreamsClient(options(1))];
    const StreamArn = table.TableDescription?.LatestStreamArn;
    const shardId = (await s0.send(new DescribeStreamCommand({ StreamArn }))).StreamDescription?.Shards?.[0]?.ShardId;
    const streamIterator = (await s0.send(new GetStreamShardIteratorCommand({ StreamArn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const records = await waitFor("the table on the second node", () => s1.send(new GetStreamRecordsCommand({ ShardIterator: streamIterator })).then((out) => out.Records, () => undefined), 10_000);
    assert.deepEqual(records.map((r) => r.dynamodb?.Keys?.pk?.S), ["x"]);
    for (const client of [k0, k1, ddb, s0, s1]) client.destroy();
  });

  it("a table's Kinesis destination is forwarded by one node: writes on both nodes reach the stream once each, in order per item", async () => {
    const options = (i: number) => ({ endpoint: node(i).url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const [d0, d1] = [new DynamoDBClient(options(0)), new DynamoDBClient(options(1))];
    const k0 = new KinesisClient(options(0));
    await d0.send(new CreateTableCommand({ TableName: "forwarded", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }] }));
    await k0.send(new CreateStreamCommand({ StreamName: "forwarded-changes", ShardCount: 1 }));
    await d0.send(new EnableKinesisStreamingDestinationCommand({ TableName: "forwarded", StreamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/forwarded-changes" }));
    // The second node sees the destination once its table cache's second has passed.
    await sleep(1_200);
    for (let i = 0; i < 20; i++) await (i % 2 === 0 ? d0 : d1).send(new PutItemCommand({ TableName: "forwarded", Item: { pk: { S: "item" }, n: { N: String(i) } } }));
    const read = async () => {
      const iterator = (await k0.send(new GetShardIteratorCommand({ StreamName: "forwarded-changes", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      return ((await k0.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? []).map((r) => (JSON.parse(Buffer.from(r.Data ?? new Uint8Array()).toString()) as { dynamodb: { NewImage: { n: { N: string } } } }).dynamodb.NewImage.n.N);
    };
    await waitFor("20 records", async () => ((await read()).length >= 20 ? true : undefined), 20_000);
    await sleep(1_000);
    assert.deepEqual(await read(), Array.from({ length: 20 }, (_, i) => String(i)), "each change once, in write order");
    const leases = await (pg as PostgresServer).query<{ owner: string }>("SELECT owner FROM shard_leases WHERE key LIKE 'dynamodb-kinesis/%'", [], DATABASE);
    assert.equal(leases.length, 1, "one lease: one node forwards the table");
    for (const client of [d0, d1, k0]) client.destroy();
  });

  it("delivers each record once, in order, from whichever node holds the shard; the other node takes over when the owner is SIGKILLed", async () => {
    const ddb = new DynamoDBClient({ endpoint: node(0).url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const table = await ddb.send(new CreateTableCommand({
      TableName: TABLE, BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    await createFromFixture(lambda(node(0).url), "consumer", "ddb-stream-consumer", { Timeout: 10, Environment: { Variables: { COLLECTOR_URL: collector.url("consumer") } } });
    await lambda(node(1).url).send(new CreateEventSourceMappingCommand({
      FunctionName: "consumer", EventSourceArn: table.TableDescription?.LatestStreamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 7,
    }));
    const first = keys(0, 60);
    for (const key of first) await put(ddb, key);
    await waitFor("the first 60 records", () => (delivered().length >= first.length ? true : undefined), 90_000);
    // Long enough for a second node's duplicate deliveries to show, and for the last checkpoint to be saved.
    let saved: number | null | undefined;
    await waitFor("the checkpoint to settle", async () => {
      await sleep(2_000);
      const now = (await lease())[0]?.position;
      const settled = now !== null && now !== undefined && now === saved;
      saved = now;
      return settled ? true : undefined;
    }, 60_000);
    const counts = new Map<string, number>();
    for (const r of delivered()) counts.set(r.dynamodb.SequenceNumber, (counts.get(r.dynamodb.SequenceNumber) ?? 0) + 1);
    assert.deepEqual([...counts.values()].filter((n) => n > 1), [], "no sequence number delivered twice");
    assert.deepEqual(delivered().map((r) => r.dynamodb.Keys.pk.S), first, "each record once, in write order");

    const rows = await lease();
    assert.equal(rows.length, 1, "one lease: one mapping, one shard");
    const ids = [await nodeId(0), await nodeId(1)];
    const owner = ids.indexOf(rows[0]?.owner ?? "");
    assert.ok(owner >= 0, `the lease's owner ${rows[0]?.owner} is one of the nodes ${ids.join(", ")}`);
    const survivor = 1 - owner;
    const killed = node(owner).process;
    const gone = new Promise((resolve) => killed.once("exit", resolve));
    killed.kill("SIGKILL");
    await gone;
    const killedAt = Date.now();

    const writer = new DynamoDBClient({ endpoint: node(survivor).url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const second = keys(60, 40);
    for (const key of second) await put(writer, key);
    await waitFor("the other node to deliver the next 40", () => (delivered().length >= first.length + second.length ? true : undefined), 120_000);
    const tookMs = Date.now() - killedAt;
    console.log(`# the shard's owner was SIGKILLed; the other node delivered the next ${second.length} records ${tookMs} ms later`);
    await sleep(3_000);
    assert.deepEqual(delivered().map((r) => r.dynamodb.Keys.pk.S), [...first, ...second], "nothing lost, nothing twice, in write order across the takeover");
    assert.equal((await lease())[0]?.owner, ids[survivor], "the survivor holds the lease");
    ddb.destroy();
    writer.destroy();
  });
});
