/**
 * Lambda event source mappings on DynamoDB streams against a real Unkai: records delivered strictly in
 * order with Lambda's DynamoDB event shape, a failing batch blocking its shard and retried, bisection
 * down to the poison record and its OnFailure record in SQS, ReportBatchItemFailures checkpoints,
 * FilterCriteria, a restart continuing at the checkpoint, a mapping on a disabled stream reading it to
 * its end, and mappings that must be refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateTableCommand, DynamoDBClient, PutItemCommand, UpdateTableCommand } from "@aws-sdk/client-dynamodb";
import type { LambdaClient} from "@aws-sdk/client-lambda";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

interface StreamEventRecord {
  eventID: string;
  eventName: string;
  eventSource: string;
  eventSourceARN: string;
  eventVersion: string;
  awsRegion: string;
  dynamodb: { Keys: { pk: { S: string } }; NewImage?: Record<string, { S?: string }>; SequenceNumber: string; SizeBytes: number; StreamViewType: string; ApproximateCreationDateTime: number };
}

describe("DynamoDB stream event source mappings", () => {
  const collector = new Collector();
  let unkai: TestUnkai;
  let fn: LambdaClient;
  let ddb: DynamoDBClient;
  let sqs: SQSClient;
  const clients = () => {
    fn = lambda(unkai.url);
    ddb = new DynamoDBClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  };
  // Our own data directory: the restart case starts a second Unkai on it (startUnkai removes only the ones it made).
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-ddb-esm-"));
  before(async () => {
    await collector.start();
    unkai = await startUnkai(await collector.env(), dataDir);
    clients();
  });
  after(async () => {
    if (unkai) assert.equal(await unkai.stop(), 0);
    await collector.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const batches = (channel: string) => collector.recorded(channel).filter((r) => r.phase === "start").map((r) => (r.event as { Records: StreamEventRecord[] }).Records);
  const keysOf = (records: StreamEventRecord[]) => records.map((r) => r.dynamodb.Keys.pk.S);
  const consumer = (name: string) => createFromFixture(fn, name, "ddb-stream-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });

  async function streamedTable(name: string): Promise<string> {
    const out = await ddb.send(new CreateTableCommand({
      TableName: name, BillingMode: "PAY_PER_REQUEST",
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }));
    return out.TableDescription?.LatestStreamArn as string;
  }
  const put = (table: string, pk: string, kind = "ok") => ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, kind: { S: kind } } }));

  it("delivers 200 writes strictly in order, in batches of at most BatchSize, with Lambda's DynamoDB event shape", async () => {
    const arn = await streamedTable("esm-order");
    await consumer("esm-order");
    const expected = Array.from({ length: 200 }, (_, i) => `k${String(i).padStart(3, "0")}`);
    for (const key of expected.slice(0, 50)) await put("esm-order", key);
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-order", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 25 }));
    assert.equal(mapping.StartingPosition, "TRIM_HORIZON");
    assert.equal(mapping.BatchSize, 25);
    assert.equal(mapping.MaximumRetryAttempts, -1);
    for (const key of expected.slice(50)) await put("esm-order", key);
    await waitFor("all 200 records", () => (batches("esm-order").flat().length >= 200 ? true : undefined), 60_000);
    assert.deepEqual(keysOf(batches("esm-order").flat()), expected, "each record once, in write order");
    assert.ok(batches("esm-order").every((b) => b.length <= 25));
    const [record] = batches("esm-order")[0] as [StreamEventRecord];
    assert.equal(record.eventSource, "aws:dynamodb");
    assert.equal(record.eventSourceARN, arn);
    assert.equal(record.eventName, "INSERT");
    assert.equal(record.eventVersion, "1.1");
    assert.equal(record.awsRegion, "us-east-1");
    assert.equal(record.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
    assert.deepEqual(record.dynamodb.NewImage, { pk: { S: "k000" }, kind: { S: "ok" } });
    assert.match(record.dynamodb.SequenceNumber, /^\d{21}$/);
    assert.equal(typeof record.dynamodb.ApproximateCreationDateTime, "number");
    assert.ok(record.dynamodb.SizeBytes > 0);
    await waitFor("LastProcessingResult OK", async () => ((await fn.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).LastProcessingResult === "OK" ? true : undefined));
  });

  it("a failing batch blocks its shard and is retried whole until MaximumRetryAttempts, then the shard goes on", async () => {
    const arn = await streamedTable("esm-block");
    await consumer("esm-block");
    for (const [key, kind] of [["a", "ok"], ["b", "poison"], ["c", "ok"]] as const) await put("esm-block", key, kind);
    await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-block", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10, MaximumRetryAttempts: 2 }));
    await waitFor("three attempts at the batch", () => (batches("esm-block").length >= 3 ? true : undefined), 30_000);
    await put("esm-block", "d");
    await waitFor("the next record after the batch is given up", () => (batches("esm-block").some((b) => keysOf(b).includes("d")) ? true : undefined), 30_000);
    const seen = batches("esm-block").map(keysOf);
    assert.deepEqual(seen.slice(0, 3), [["a", "b", "c"], ["a", "b", "c"], ["a", "b", "c"]], "the same batch, in order, tried 1 + 2 times and nothing after it meanwhile");
    assert.deepEqual(seen.slice(3), [["d"]]);
  });

  it("bisects a failing batch down to the poison record, sends its OnFailure record to SQS, and keeps the rest in order", async () => {
    const arn = await streamedTable("esm-bisect");
    await consumer("esm-bisect");
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: "esm-bisect-failures" }));
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn as string;
    const keys = Array.from({ length: 8 }, (_, i) => `r${i}`);
    for (const key of keys) await put("esm-bisect", key, key === "r5" ? "poison" : "ok");
    await fn.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-bisect", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 8,
      BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: queueArn } },
    }));
    const message = await waitFor("the OnFailure record", async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0], 60_000);
    const failure = JSON.parse(message.Body as string) as { requestContext: { condition: string; approximateInvokeCount: number }; DDBStreamBatchInfo: { batchSize: number; startSequenceNumber: string; endSequenceNumber: string; streamArn: string; shardId: string } };
    assert.equal(failure.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(failure.DDBStreamBatchInfo.batchSize, 1, "bisection isolated the poison record");
    assert.equal(failure.DDBStreamBatchInfo.streamArn, arn);
    const poison = batches("esm-bisect").flat().find((r) => r.dynamodb.Keys.pk.S === "r5") as StreamEventRecord;
    assert.equal(failure.DDBStreamBatchInfo.startSequenceNumber, poison.dynamodb.SequenceNumber);
    assert.equal(failure.DDBStreamBatchInfo.endSequenceNumber, poison.dynamodb.SequenceNumber);
    await waitFor("r6 and r7 after the poison", () => (batches("esm-bisect").some((b) => keysOf(b).join() === "r6,r7") ? true : undefined), 30_000);
    const seen = batches("esm-bisect").map(keysOf);
    const succeeded = seen.filter((b) => !b.includes("r5")).flat();
    assert.deepEqual([...new Set(succeeded)], ["r0", "r1", "r2", "r3", "r4", "r6", "r7"].filter((k) => succeeded.includes(k)));
    assert.deepEqual(seen.map((b) => b.join()), ["r0,r1,r2,r3,r4,r5,r6,r7", "r0,r1,r2,r3", "r4,r5,r6,r7", "r4,r5", "r4", "r5", "r5", "r6,r7"], "halves, in order; the poison alone tried twice");
  });

  it("ReportBatchItemFailures checkpoints before the first reported record and retries from there; FilterCriteria drops what does not match", async () => {
    const arn = await streamedTable("esm-partial");
    await consumer("esm-partial");
    for (const [key, kind] of [["p0", "ok"], ["p1", "fail"], ["skip", "ignored"], ["p2", "ok"]] as const) await put("esm-partial", key, kind);
    await fn.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-partial", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10, MaximumRetryAttempts: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"], FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { kind: { S: ["ok", "fail"] } } } }) }] },
    }));
    await waitFor("the retry", () => (batches("esm-partial").length >= 2 ? true : undefined), 30_000);
    await put("esm-partial", "p3");
    await waitFor("p3", () => (batches("esm-partial").some((b) => keysOf(b).includes("p3")) ? true : undefined), 30_000);
    assert.deepEqual(batches("esm-partial").map(keysOf), [["p0", "p1", "p2"], ["p1", "p2"], ["p3"]], "retried from p1 once, then given up; the filtered record never delivered");
  });

  it("MaximumBatchingWindowInSeconds waits from the first record's arrival for a fuller batch", async () => {
    const arn = await streamedTable("esm-window");
    await consumer("esm-window");
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-window", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10, MaximumBatchingWindowInSeconds: 6 }));
    assert.equal(mapping.MaximumBatchingWindowInSeconds, 6);
    const started = Date.now();
    for (const key of ["w0", "w1", "w2"]) await put("esm-window", key);
    await waitFor("the batch", () => (batches("esm-window").length > 0 ? true : undefined), 30_000);
    assert.ok(Date.now() - started < 6_000 + 5_000, "the window ended the wait");
    assert.deepEqual(batches("esm-window").map(keysOf), [["w0", "w1", "w2"]], "one batch: the poller waited for more instead of sending w0 alone");
  });

  it("refuses mappings on another account's or a missing stream, and without StartingPosition", async () => {
    const arn = await streamedTable("esm-refused");
    await consumer("esm-refused");
    const refuse = (input: Record<string, unknown>, message: RegExp) =>
      assert.rejects(fn.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-refused", EventSourceArn: arn, StartingPosition: "LATEST", ...input })), (e: Error) => e.name === "InvalidParameterValueException" && message.test(e.message));
    await refuse({ EventSourceArn: arn.replace(/:\d{12}:/, ":999999999999:") }, /Stream not found/);
    await refuse({ StartingPosition: undefined }, /StartingPosition is required/);
    await refuse({ StartingPosition: "AT_TIMESTAMP" }, /only for Kinesis/);
    await refuse({ DestinationConfig: { OnFailure: { Destination: "arn:aws:dynamodb:us-east-1:000000000000:table/not-a-destination" } } }, /destination/i);
    await refuse({ EventSourceArn: arn.replace(/\/stream\/.*$/, "/stream/2000-01-01T00:00:00.000") }, /Stream not found/);
  });

  it("a mapping on a stream disabled and re-enabled reads the old stream to its closed shard's end and nothing of the new one", async () => {
    const arn = await streamedTable("esm-reenabled");
    await consumer("esm-reenabled");
    // Created disabled so the old stream still holds unread records when it is disabled.
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-reenabled", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 2, Enabled: false }));
    for (const key of ["r0", "r1", "r2"]) await put("esm-reenabled", key);
    await ddb.send(new UpdateTableCommand({ TableName: "esm-reenabled", StreamSpecification: { StreamEnabled: false } }));
    await ddb.send(new UpdateTableCommand({ TableName: "esm-reenabled", StreamSpecification: { StreamEnabled: true, StreamViewType: "KEYS_ONLY" } }));
    await put("esm-reenabled", "n0");
    await fn.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: true }));
    await waitFor("the old stream's three records", () => (batches("esm-reenabled").flat().length >= 3 ? true : undefined), 30_000);
    await waitFor("LastProcessingResult OK", async () => ((await fn.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).LastProcessingResult === "OK" ? true : undefined));
    assert.deepEqual(keysOf(batches("esm-reenabled").flat()), ["r0", "r1", "r2"]);
    assert.ok(batches("esm-reenabled").flat().every((r) => r.eventSourceARN === arn));
    await fn.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
  });

  it("continues after the last processed record when Unkai restarts: nothing again, nothing skipped", async () => {
    const arn = await streamedTable("esm-restart");
    await consumer("esm-restart");
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-restart", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 2 }));
    for (const key of ["s0", "s1", "s2", "s3", "s4"]) await put("esm-restart", key);
    await waitFor("the first five", () => (batches("esm-restart").flat().length >= 5 ? true : undefined), 30_000);
    assert.equal(await unkai.stop(), 0);
    unkai = await startUnkai(await collector.env(), dataDir);
    clients();
    for (const key of ["s5", "s6", "s7"]) await put("esm-restart", key);
    await waitFor("the next three", () => (batches("esm-restart").flat().length >= 8 ? true : undefined), 30_000);
    assert.deepEqual(keysOf(batches("esm-restart").flat()), ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]);
    await fn.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
  });
});
