/**
 * Kinesis Data Streams for DynamoDB against a real Unkai with SDK v3: EnableKinesisStreamingDestination
 * answers ENABLING and Describe shows ACTIVE; PutItem, UpdateItem, DeleteItem, TransactWriteItems and
 * BatchWriteItem each put AWS's change record on the Kinesis stream (read back with GetShardIterator and
 * GetRecords, and by a Lambda mapping on the stream), every change of an item on one shard in order;
 * UpdateKinesisStreamingDestination changes the timestamps' precision; Disable stops them; a deleted stream
 * makes the destination ENABLE_FAILED; a TTL deletion's record names the service; changes captured before a restart are forwarded after it; bad input
 * gets DynamoDB's errors; and under IAM enforcement enabling needs the Kinesis permissions too.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DescribeKinesisStreamingDestinationCommand, DisableKinesisStreamingDestinationCommand, DynamoDBClient,
  EnableKinesisStreamingDestinationCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand, UpdateKinesisStreamingDestinationCommand, UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateStreamCommand, DeleteStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;

interface ChangeRecord {
  awsRegion: string;
  eventID: string;
  eventName: string;
  userIdentity: unknown;
  recordFormat: string;
  tableName: string;
  dynamodb: { ApproximateCreationDateTime: number; Keys: Record<string, unknown>; NewImage?: Record<string, unknown>; OldImage?: Record<string, unknown>; SizeBytes: number; ApproximateCreationDateTimePrecision?: string };
  eventSource: string;
}

interface Read {
  readonly shardId: string;
  readonly partitionKey: string;
  readonly change: ChangeRecord;
}

function clients(url: string, credentials: { accessKeyId: string; secretAccessKey: string } = DEFAULT_CREDENTIALS) {
  const options = { endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 };
  return { dynamodb: new DynamoDBClient(options), kinesis: new KinesisClient(options) };
}

/** Every record of every shard of the stream, each shard's in order. */
async function readAll(kinesis: KinesisClient, stream: string): Promise<Read[]> {
  const shards = (await kinesis.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription?.Shards ?? [];
  const reads: Read[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId ?? "";
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
    for (const record of records) reads.push({ shardId, partitionKey: record.PartitionKey ?? "", change: JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString("utf8")) as ChangeRecord });
  }
  return reads;
}

const waitForCount = (kinesis: KinesisClient, stream: string, count: number) =>
  waitFor(`${count} records on ${stream}`, async () => {
    const reads = await readAll(kinesis, stream);
    return reads.length >= count ? reads : undefined;
  }, 20_000);

async function makeTable(dynamodb: DynamoDBClient, name: string): Promise<void> {
  await dynamodb.send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST",
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
  }));
}

const key = (pk: string, sk = 1) => ({ pk: { S: pk }, sk: { N: String(sk) } });

describe("DynamoDB's Kinesis data stream destination", () => {
  const collector = new Collector();
  let unkai: TestUnkai;
  let dynamodb: DynamoDBClient;
  let kinesis: KinesisClient;
  before(async () => {
    await collector.start();
    unkai = await startUnkai(await collector.env());
    ({ dynamodb, kinesis } = clients(unkai.url));
  });
  after(async () => {
    dynamodb.destroy();
    kinesis.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
    await collector.close();
  });

  it("puts every item write's change on the stream, with AWS's record, each item's changes on one shard in order", async () => {
    await makeTable(dynamodb, "orders");
    await kinesis.send(new CreateStreamCommand({ StreamName: "changes", ShardCount: 4 }));
    const enabled = await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "orders", StreamArn: streamArn("changes") }));
    assert.equal(enabled.DestinationStatus, "ENABLING");
    assert.equal(enabled.TableName, "orders");
    assert.equal(enabled.StreamArn, streamArn("changes"));
    const described = await dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "orders" }));
    assert.deepEqual(described.KinesisDataStreamDestinations, [{ StreamArn: streamArn("changes"), DestinationStatus: "ACTIVE", ApproximateCreationDateTimePrecision: "MICROSECOND" }]);

    const startedMs = Date.now();
    await dynamodb.send(new PutItemCommand({ TableName: "orders", Item: { ...key("a"), n: { N: "1" }, blob: { B: Buffer.from([0, 255]) } } }));
    await dynamodb.send(new UpdateItemCommand({ TableName: "orders", Key: key("a"), UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "2" } } }));
    // A put that changes nothing is no change.
    await dynamodb.send(new UpdateItemCommand({ TableName: "orders", Key: key("a"), UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "2" } } }));
    await dynamodb.send(new TransactWriteItemsCommand({ TransactItems: [
      { Put: { TableName: "orders", Item: { ...key("b"), n: { N: "10" } } } },
      { Update: { TableName: "orders", Key: key("a"), UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "3" } } } },
    ] }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { orders: [
      { PutRequest: { Item: { ...key("c", 2), n: { N: "20" } } } },
      { DeleteRequest: { Key: key("b") } },
    ] } }));
    await dynamodb.send(new DeleteItemCommand({ TableName: "orders", Key: key("a") }));

    const reads = await waitForCount(kinesis, "changes", 7);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal((await readAll(kinesis, "changes")).length, 7, "one record per change, the no-op update none");
    for (const { change, partitionKey } of reads) {
      assert.deepEqual(Object.keys(change), ["awsRegion", "eventID", "eventName", "userIdentity", "recordFormat", "tableName", "dynamodb", "eventSource"]);
      assert.equal(change.awsRegion, "us-east-1");
      assert.match(change.eventID, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(change.userIdentity, null);
      assert.equal(change.recordFormat, "application/json");
      assert.equal(change.tableName, "orders");
      assert.equal(change.eventSource, "aws:dynamodb");
      assert.equal(change.dynamodb.ApproximateCreationDateTimePrecision, "MICROSECOND");
      const micros = change.dynamodb.ApproximateCreationDateTime;
      assert.ok(micros >= startedMs * 1000 - 1_000_000 && micros <= Date.now() * 1000, `a time in microseconds: ${micros}`);
      assert.ok(change.dynamodb.SizeBytes > 0);
      assert.match(partitionKey, /^[0-9A-F]{32}$/);
    }
    const ofItem = (pk: string) => reads.filter((read) => (read.change.dynamodb.Keys.pk as { S: string }).S === pk);
    const a = ofItem("a");
    assert.deepEqual(a.map((read) => read.change.eventName), ["INSERT", "MODIFY", "MODIFY", "REMOVE"], "an item's changes in order");
    assert.equal(new Set(a.map((read) => read.shardId)).size, 1, "on one shard");
    assert.equal(new Set(a.map((read) => read.partitionKey)).size, 1, "under one partition key");
    const [insert, modify, , remove] = a.map((read) => read.change.dynamodb);
    assert.deepEqual(Object.keys(insert ?? {}), ["ApproximateCreationDateTime", "Keys", "NewImage", "SizeBytes", "ApproximateCreationDateTimePrecision"]);
    assert.deepEqual(insert?.Keys, key("a"));
    assert.deepEqual(insert?.NewImage, { ...key("a"), n: { N: "1" }, blob: { B: "AP8=" } }, "binaries in base64, as DynamoDB's JSON has them");
    assert.deepEqual(Object.keys(modify ?? {}), ["ApproximateCreationDateTime", "Keys", "NewImage", "OldImage", "SizeBytes", "ApproximateCreationDateTimePrecision"]);
    assert.deepEqual(modify?.OldImage?.n, { N: "1" });
    assert.deepEqual(modify?.NewImage?.n, { N: "2" });
    assert.deepEqual(Object.keys(remove ?? {}), ["ApproximateCreationDateTime", "Keys", "OldImage", "SizeBytes", "ApproximateCreationDateTimePrecision"]);
    assert.deepEqual(ofItem("b").map((read) => read.change.eventName), ["INSERT", "REMOVE"]);
    assert.deepEqual(ofItem("c").map((read) => read.change.eventName), ["INSERT"]);
  });

  it("a Lambda mapping on the stream gets the change records as any Kinesis records", async () => {
    await makeTable(dynamodb, "mapped");
    await kinesis.send(new CreateStreamCommand({ StreamName: "mapped-changes", ShardCount: 1 }));
    const fn = lambda(unkai.url);
    await createFromFixture(fn, "mapped-consumer", "kinesis-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url("mapped-consumer") } } });
    await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "mapped-consumer", EventSourceArn: streamArn("mapped-changes"), StartingPosition: "TRIM_HORIZON", BatchSize: 10 }));
    await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "mapped", StreamArn: streamArn("mapped-changes") }));
    await dynamodb.send(new PutItemCommand({ TableName: "mapped", Item: key("m") }));
    await dynamodb.send(new DeleteItemCommand({ TableName: "mapped", Key: key("m") }));
    const events = await waitFor("both changes at the function", () => {
      const records = collector.recorded("mapped-consumer").filter((r) => r.phase === "start").flatMap((r) => (r.event as { Records: { eventSource: string; kinesis: { data: string } }[] }).Records);
      return records.length >= 2 ? records : undefined;
    }, 30_000);
    assert.deepEqual(events.map((r) => r.eventSource), ["aws:kinesis", "aws:kinesis"]);
    assert.deepEqual(events.map((r) => (JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")) as ChangeRecord).eventName), ["INSERT", "REMOVE"]);
    fn.destroy();
  });

  it("UpdateKinesisStreamingDestination changes the precision; Disable stops the records", async () => {
    await makeTable(dynamodb, "precise");
    await kinesis.send(new CreateStreamCommand({ StreamName: "precise-changes", ShardCount: 1 }));
    const arn = streamArn("precise-changes");
    await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "precise", StreamArn: arn, EnableKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" } }));
    const updated = await dynamodb.send(new UpdateKinesisStreamingDestinationCommand({ TableName: "precise", StreamArn: arn, UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MILLISECOND" } }));
    assert.equal(updated.DestinationStatus, "UPDATING");
    assert.deepEqual(updated.UpdateKinesisStreamingConfiguration, { ApproximateCreationDateTimePrecision: "MILLISECOND" });
    const described = await dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "precise" }));
    assert.equal(described.KinesisDataStreamDestinations?.[0]?.ApproximateCreationDateTimePrecision, "MILLISECOND");
    const beforeMs = Date.now();
    await dynamodb.send(new PutItemCommand({ TableName: "precise", Item: key("p") }));
    const [read] = await waitForCount(kinesis, "precise-changes", 1);
    const time = read?.change.dynamodb.ApproximateCreationDateTime ?? 0;
    assert.ok(time >= beforeMs - 1_000 && time <= Date.now(), `a time in milliseconds: ${time}`);
    assert.equal(read?.change.dynamodb.ApproximateCreationDateTimePrecision, undefined, "a millisecond record does not name its precision");

    const disabled = await dynamodb.send(new DisableKinesisStreamingDestinationCommand({ TableName: "precise", StreamArn: arn }));
    assert.equal(disabled.DestinationStatus, "DISABLING");
    await waitFor("DISABLED", async () => {
      const status = (await dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "precise" }))).KinesisDataStreamDestinations?.[0]?.DestinationStatus;
      return status === "DISABLED" ? status : undefined;
    });
    await dynamodb.send(new PutItemCommand({ TableName: "precise", Item: key("after-disable") }));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal((await readAll(kinesis, "precise-changes")).length, 1, "nothing after the disable");
    // Enabled again, it sends again (changes since then only).
    await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "precise", StreamArn: arn }));
    await dynamodb.send(new PutItemCommand({ TableName: "precise", Item: key("again") }));
    const again = await waitForCount(kinesis, "precise-changes", 2);
    assert.deepEqual(again.map((r) => (r.change.dynamodb.Keys.pk as { S: string }).S), ["p", "again"]);
  });

  it("a TTL deletion's record names the service as its userIdentity", async () => {
    await makeTable(dynamodb, "expiring");
    await kinesis.send(new CreateStreamCommand({ StreamName: "expiring-changes", ShardCount: 1 }));
    await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "expiring", StreamArn: streamArn("expiring-changes") }));
    await dynamodb.send(new UpdateTimeToLiveCommand({ TableName: "expiring", TimeToLiveSpecification: { AttributeName: "expires", Enabled: true } }));
    await dynamodb.send(new PutItemCommand({ TableName: "expiring", Item: { ...key("old"), expires: { N: String(Math.floor(Date.now() / 1000) - 60) } } }));
    // The TTL sweep runs every 10 s.
    const [insert, removal] = await waitFor("the TTL deletion's record", async () => {
      const reads = await readAll(kinesis, "expiring-changes");
      return reads.length >= 2 ? reads : undefined;
    }, 30_000);
    assert.equal(insert?.change.userIdentity, null);
    assert.equal(removal?.change.eventName, "REMOVE");
    assert.deepEqual(removal?.change.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
    assert.deepEqual(removal?.change.dynamodb.OldImage?.pk, { S: "old" });
  });

  it("a destination whose stream was deleted becomes ENABLE_FAILED", async () => {
    await makeTable(dynamodb, "orphaned");
    await kinesis.send(new CreateStreamCommand({ StreamName: "doomed", ShardCount: 1 }));
    await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "orphaned", StreamArn: streamArn("doomed") }));
    await kinesis.send(new DeleteStreamCommand({ StreamName: "doomed" }));
    await dynamodb.send(new PutItemCommand({ TableName: "orphaned", Item: key("x") }));
    const failed = await waitFor("ENABLE_FAILED", async () => {
      const destination = (await dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "orphaned" }))).KinesisDataStreamDestinations?.[0];
      return destination?.DestinationStatus === "ENABLE_FAILED" ? destination : undefined;
    });
    assert.match(failed.DestinationStatusDescription ?? "", /does not exist/);
    // The table goes on taking writes.
    await dynamodb.send(new PutItemCommand({ TableName: "orphaned", Item: key("y") }));
  });

  it("refuses bad input with DynamoDB's errors", async () => {
    await makeTable(dynamodb, "refusals");
    await kinesis.send(new CreateStreamCommand({ StreamName: "refusals-1", ShardCount: 1 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "refusals-2", ShardCount: 1 }));
    const enable = (TableName: string, StreamArn: string) => dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName, StreamArn }));
    await assert.rejects(enable("refusals", streamArn("no-such-stream")), (e: Error) => e.name === "ResourceNotFoundException" && /no-such-stream/.test(e.message));
    await assert.rejects(enable("no-such-table", streamArn("refusals-1")), (e: Error) => e.name === "ResourceNotFoundException" && /no-such-table/.test(e.message));
    await assert.rejects(enable("refusals", "arn:aws:sqs:us-east-1:000000000000:not-a-stream-at-all"), { name: "ValidationException" });
    await assert.rejects(enable("refusals", "arn:aws:kinesis:eu-west-1:111111111111:stream/refusals-1"), (e: Error) => e.name === "ValidationException" && /account/.test(e.message));
    await assert.rejects(enable("refusals", "short"), { name: "ValidationException" }, "the model's 37-character minimum");
    await enable("refusals", streamArn("refusals-1"));
    await assert.rejects(enable("refusals", streamArn("refusals-1")), { name: "ResourceInUseException" });
    await assert.rejects(enable("refusals", streamArn("refusals-2")), (e: Error) => e.name === "ResourceInUseException" && /one Kinesis data stream at a time/.test(e.message));
    await assert.rejects(dynamodb.send(new DisableKinesisStreamingDestinationCommand({ TableName: "refusals", StreamArn: streamArn("refusals-2") })), { name: "ResourceNotFoundException" });
    await assert.rejects(dynamodb.send(new UpdateKinesisStreamingDestinationCommand({ TableName: "refusals", StreamArn: streamArn("refusals-1"), UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" } })), { name: "ValidationException" }, "already that precision");
    await assert.rejects(dynamodb.send(new UpdateKinesisStreamingDestinationCommand({ TableName: "refusals", StreamArn: streamArn("refusals-1") })), { name: "ValidationException" }, "nothing to update");
    await assert.rejects(dynamodb.send(new UpdateKinesisStreamingDestinationCommand({ TableName: "refusals", StreamArn: streamArn("refusals-1"), UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "NANOSECOND" as "MILLISECOND" } })), { name: "ValidationException" }, "the model's enum");
    await assert.rejects(dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "no-such-table" })), { name: "ResourceNotFoundException" });
  });

  it("of two Enables racing for two streams, one wins; a change of an item near 400 KB goes as one record, one too large for a record fails the destination", async () => {
    await makeTable(dynamodb, "raced");
    await kinesis.send(new CreateStreamCommand({ StreamName: "race-1", ShardCount: 1 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "race-2", ShardCount: 1 }));
    const outcomes = await Promise.allSettled(["race-1", "race-2"].map((name) => dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "raced", StreamArn: streamArn(name) }))));
    assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, 1, "exactly one enabled");
    const refused = outcomes.find((o) => o.status === "rejected");
    assert.equal((refused?.reason as Error).name, "ResourceInUseException");
    const destinations = (await dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "raced" }))).KinesisDataStreamDestinations ?? [];
    assert.equal(destinations.length, 1);
    const winner = (destinations[0]?.StreamArn ?? "").split("/")[1] ?? "";
    const big = "x".repeat(390 * 1024);
    await dynamodb.send(new PutItemCommand({ TableName: "raced", Item: { ...key("big"), text: { S: big } } }));
    await dynamodb.send(new PutItemCommand({ TableName: "raced", Item: { ...key("big"), text: { S: `${big.slice(1)}y` } } }));
    const reads = await waitForCount(kinesis, winner, 2);
    assert.deepEqual(reads.map((r) => r.change.eventName), ["INSERT", "MODIFY"]);
    assert.equal((reads[1]?.change.dynamodb.OldImage?.text as { S: string }).S, big, "both images, whole");
    // Binaries go in base64: a change of a 390 KB binary item is more than a 1 MiB record holds.
    const blob = Buffer.alloc(390 * 1024, 7);
    await dynamodb.send(new PutItemCommand({ TableName: "raced", Item: { ...key("blob"), data: { B: blob } } }));
    await dynamodb.send(new PutItemCommand({ TableName: "raced", Item: { ...key("blob"), data: { B: Buffer.alloc(390 * 1024, 8) } } }));
    const failed = await waitFor("ENABLE_FAILED", async () => {
      const destination = (await dynamodb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "raced" }))).KinesisDataStreamDestinations?.[0];
      return destination?.DestinationStatus === "ENABLE_FAILED" ? destination : undefined;
    });
    assert.match(failed.DestinationStatusDescription ?? "", /refused a change/);
    assert.deepEqual((await readAll(kinesis, winner)).map((r) => r.change.eventName), ["INSERT", "MODIFY", "INSERT"], "the changes before the refused one went");
  });

  it("under IAM enforcement, enabling also needs kinesis:PutRecords and kinesis:DescribeStream on the stream", async () => {
    await makeTable(dynamodb, "guarded");
    await kinesis.send(new CreateStreamCommand({ StreamName: "guarded-changes", ShardCount: 1 }));
    const iam = new IAMClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const user = async (name: string, actions: string[]) => {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }) }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return clients(unkai.url, { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" }).dynamodb;
    };
    const dynamoOnly = await user("kds-dynamo-only", ["dynamodb:EnableKinesisStreamingDestination"]);
    const enable = (client: DynamoDBClient) => client.send(new EnableKinesisStreamingDestinationCommand({ TableName: "guarded", StreamArn: streamArn("guarded-changes") }));
    await assert.rejects(enable(dynamoOnly), (e: Error) => e.name === "AccessDeniedException" && /kinesis:/.test(e.message));
    const allowed = await user("kds-allowed", ["dynamodb:EnableKinesisStreamingDestination", "kinesis:ListStreams", "kinesis:PutRecords", "kinesis:DescribeStream"]);
    assert.equal((await enable(allowed)).DestinationStatus, "ENABLING");
    for (const client of [iam, dynamoOnly, allowed]) client.destroy();
  });
});

describe("DynamoDB's Kinesis destination across a restart", () => {
  it("forwards after a restart the changes captured before it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-kds-restart-"));
    try {
      // The forwarder waits a minute: the writes are captured, none is forwarded before the stop.
      let unkai = await startUnkai({ UNKAI_DYNAMODB_KINESIS_INTERVAL_MS: "60000" }, dataDir);
      let { dynamodb, kinesis } = clients(unkai.url);
      await makeTable(dynamodb, "durable");
      await kinesis.send(new CreateStreamCommand({ StreamName: "durable-changes", ShardCount: 2 }));
      await dynamodb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "durable", StreamArn: streamArn("durable-changes") }));
      for (let i = 0; i < 5; i++) await dynamodb.send(new PutItemCommand({ TableName: "durable", Item: { ...key("k"), n: { N: String(i) } } }));
      assert.equal((await readAll(kinesis, "durable-changes")).length, 0, "nothing forwarded yet");
      dynamodb.destroy();
      kinesis.destroy();
      assert.equal(await unkai.stop(), 0);

      unkai = await startUnkai({}, dataDir);
      ({ dynamodb, kinesis } = clients(unkai.url));
      const reads = await waitForCount(kinesis, "durable-changes", 5);
      assert.deepEqual(reads.map((r) => (r.change.dynamodb.NewImage?.n as { N: string }).N), ["0", "1", "2", "3", "4"], "every change, in order");
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await readAll(kinesis, "durable-changes")).length, 5, "each once");
      dynamodb.destroy();
      kinesis.destroy();
      assert.equal(await unkai.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
