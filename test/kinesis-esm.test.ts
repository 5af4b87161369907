/**
 * Lambda event source mappings on Kinesis streams against a real Unkai (the ShardPoller DynamoDB
 * streams use, fed by Kinesis's ShardSource): records delivered in order per shard with Lambda's
 * Kinesis event shape, a poison record bisected to and sent to the OnFailure queue while the rest of
 * its shard goes on in order, ReportBatchItemFailures, AT_TIMESTAMP, and mappings that must be refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateStreamCommand, KinesisClient, PutRecordCommand, PutRecordsCommand, RegisterStreamConsumerCommand } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, UpdateEventSourceMappingCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda, ROLE } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

interface KinesisEventRecord {
  kinesis: { kinesisSchemaVersion: string; partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  eventSource: string;
  eventVersion: string;
  eventID: string;
  eventName: string;
  invokeIdentityArn: string;
  awsRegion: string;
  eventSourceARN: string;
}

describe("Kinesis event source mappings", () => {
  const collector = new Collector();
  let unkai: TestUnkai;
  let fn: LambdaClient;
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  before(async () => {
    await collector.start();
    unkai = await startUnkai(await collector.env());
    fn = lambda(unkai.url);
    kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    sqs = new SQSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(async () => {
    kinesis.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
    await collector.close();
  });

  const batches = (channel: string) => collector.recorded(channel).filter((r) => r.phase === "start").map((r) => (r.event as { Records: KinesisEventRecord[] }).Records);
  const dataOf = (records: KinesisEventRecord[]) => records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8"));
  const consumer = (name: string) => createFromFixture(fn, name, "kinesis-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
  async function stream(name: string, shards: number): Promise<string> {
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    return `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
  }
  /** Writes `values` with their own text as partition key, one shard each when `shard` names it by ExplicitHashKey. */
  const put = (name: string, values: readonly string[], partitionKey?: string) =>
    kinesis.send(new PutRecordsCommand({ StreamName: name, Records: values.map((value) => ({ PartitionKey: partitionKey ?? value, Data: Buffer.from(value) })) }));

  it("delivers each shard's records in order, in batches of at most BatchSize, with Lambda's Kinesis event shape", async () => {
    const arn = await stream("k-order", 2);
    await consumer("k-order");
    const values = Array.from({ length: 120 }, (_, i) => `v${String(i).padStart(3, "0")}`);
    await put("k-order", values.slice(0, 40));
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "k-order", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 15 }));
    assert.equal(mapping.StartingPosition, "TRIM_HORIZON");
    await put("k-order", values.slice(40));
    await waitFor("all 120 records", () => (batches("k-order").flat().length >= 120 ? true : undefined), 60_000);
    const delivered = batches("k-order").flat();
    assert.deepEqual([...dataOf(delivered)].sort(), values, "each record once");
    for (const shard of ["shardId-000000000000", "shardId-000000000001"]) {
      const inShard = delivered.filter((r) => r.eventID.startsWith(`${shard}:`));
      assert.ok(inShard.length > 0, shard);
      assert.deepEqual(dataOf(inShard), values.filter((v) => dataOf(inShard).includes(v)), `${shard} in write order`);
    }
    assert.ok(batches("k-order").every((b) => b.length <= 15 && new Set(b.map((r) => r.eventID.split(":")[0])).size === 1), "a batch comes from one shard");
    const [record] = delivered as [KinesisEventRecord];
    assert.equal(record.eventSource, "aws:kinesis");
    assert.equal(record.eventName, "aws:kinesis:record");
    assert.equal(record.eventVersion, "1.0");
    assert.equal(record.eventSourceARN, arn);
    assert.equal(record.invokeIdentityArn, ROLE);
    assert.equal(record.awsRegion, "us-east-1");
    assert.equal(record.kinesis.kinesisSchemaVersion, "1.0");
    assert.equal(record.kinesis.partitionKey, "v000");
    assert.match(record.kinesis.sequenceNumber, /^\d{56}$/);
    assert.equal(record.eventID, `shardId-00000000000${record.eventID.at(19)}:${record.kinesis.sequenceNumber}`);
    assert.equal(typeof record.kinesis.approximateArrivalTimestamp, "number");
    await waitFor("LastProcessingResult OK", async () => ((await fn.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).LastProcessingResult === "OK" ? true : undefined));
  });

  it("bisects to a poison record, sends its KinesisBatchInfo to the OnFailure queue, and the shard goes on in order", async () => {
    const arn = await stream("k-bisect", 1);
    await consumer("k-bisect");
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: "k-bisect-failures" }));
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn as string;
    const values = ["r0", "r1", "r2", "r3", "r4", "poison", "r6", "r7"];
    await put("k-bisect", values, "one-key");
    await fn.send(new CreateEventSourceMappingCommand({
      FunctionName: "k-bisect", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 8,
      BisectBatchOnFunctionError: true, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: queueArn } },
    }));
    const message = await waitFor("the OnFailure record", async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0], 60_000);
    const failure = JSON.parse(message.Body as string) as { requestContext: { condition: string }; KinesisBatchInfo: { batchSize: number; startSequenceNumber: string; endSequenceNumber: string; streamArn: string; shardId: string } };
    assert.equal(failure.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(failure.KinesisBatchInfo.batchSize, 1);
    assert.equal(failure.KinesisBatchInfo.streamArn, arn);
    assert.equal(failure.KinesisBatchInfo.shardId, "shardId-000000000000");
    const poison = batches("k-bisect").flat().find((r) => dataOf([r])[0] === "poison") as KinesisEventRecord;
    assert.equal(failure.KinesisBatchInfo.startSequenceNumber, poison.kinesis.sequenceNumber);
    await waitFor("r6 and r7 after the poison", () => (batches("k-bisect").some((b) => dataOf(b).join() === "r6,r7") ? true : undefined), 30_000);
    assert.deepEqual(batches("k-bisect").map((b) => dataOf(b).join()), ["r0,r1,r2,r3,r4,poison,r6,r7", "r0,r1,r2,r3", "r4,poison,r6,r7", "r4,poison", "r4", "poison", "poison", "r6,r7"]);
  });

  it("ReportBatchItemFailures retries from the first reported record", async () => {
    const arn = await stream("k-partial", 1);
    await consumer("k-partial");
    await put("k-partial", ["p0", "fail", "p2"], "one-key");
    await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "k-partial", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", MaximumRetryAttempts: 1, FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    await waitFor("the retry", () => (batches("k-partial").length >= 2 ? true : undefined), 30_000);
    await put("k-partial", ["p3"], "one-key");
    await waitFor("p3", () => (batches("k-partial").some((b) => dataOf(b).includes("p3")) ? true : undefined), 30_000);
    assert.deepEqual(batches("k-partial").map(dataOf), [["p0", "fail", "p2"], ["fail", "p2"], ["p3"]]);
  });

  it("FilterCriteria match the Kinesis record with its data decoded and parsed: fields of JSON data, and the partition key", async () => {
    const arn = await stream("k-filter", 1);
    await consumer("k-filter");
    await fn.send(new CreateEventSourceMappingCommand({
      FunctionName: "k-filter", EventSourceArn: arn, StartingPosition: "TRIM_HORIZON",
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { kind: ["keep"] } }) }, { Pattern: JSON.stringify({ partitionKey: ["vip"] }) }] },
    }));
    const records = [["a", { kind: "keep", n: 1 }], ["b", { kind: "drop", n: 2 }], ["vip", "not json"], ["c", { kind: "keep", n: 4 }]] as const;
    await kinesis.send(new PutRecordsCommand({ StreamName: "k-filter", Records: records.map(([key, value]) => ({ PartitionKey: key, ExplicitHashKey: "0", Data: Buffer.from(typeof value === "string" ? value : JSON.stringify(value)) })) }));
    await put("k-filter", ["last"], "vip");
    await waitFor("the last record", () => (batches("k-filter").flat().some((r) => dataOf([r])[0] === "last") ? true : undefined), 30_000);
    assert.deepEqual(batches("k-filter").flat().map((r) => r.kinesis.partitionKey), ["a", "vip", "c", "vip"]);
  });

  it("AT_TIMESTAMP starts with the first record written at or after the time; LATEST with the next one", async () => {
    const arn = await stream("k-time", 1);
    await put("k-time", ["old0", "old1"], "k");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const at = Date.now();
    await put("k-time", ["new0", "new1"], "k");
    await consumer("k-time");
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "k-time", EventSourceArn: arn, StartingPosition: "AT_TIMESTAMP", StartingPositionTimestamp: new Date(at) }));
    assert.equal(mapping.StartingPosition, "AT_TIMESTAMP");
    assert.equal(mapping.StartingPositionTimestamp?.getTime(), at);
    await waitFor("the records since the time", () => (batches("k-time").flat().length >= 2 ? true : undefined), 30_000);
    assert.deepEqual(dataOf(batches("k-time").flat()), ["new0", "new1"]);
    await fn.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
  });

  it("a mapping may name an enhanced fan-out consumer's ARN (CDK's KinesisConsumerEventSource): it reads the consumer's stream", async () => {
    const arn = await stream("k-efo", 1);
    const consumerArn = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "lambda" }))).Consumer?.ConsumerARN ?? "";
    await consumer("k-efo");
    await put("k-efo", ["e0", "e1"], "k");
    await assert.rejects(fn.send(new CreateEventSourceMappingCommand({ FunctionName: "k-efo", EventSourceArn: `${arn}/consumer/nobody:1`, StartingPosition: "TRIM_HORIZON" })), (e: Error) => /Stream not found/.test(e.message));
    const mapping = await fn.send(new CreateEventSourceMappingCommand({ FunctionName: "k-efo", EventSourceArn: consumerArn, StartingPosition: "TRIM_HORIZON" }));
    assert.equal(mapping.EventSourceArn, consumerArn);
    await waitFor("the two records", () => (batches("k-efo").flat().length >= 2 ? true : undefined), 30_000);
    assert.deepEqual(dataOf(batches("k-efo").flat()), ["e0", "e1"]);
  });

  it("refuses mappings on a missing or another account's stream, and AT_TIMESTAMP without its time", async () => {
    const arn = await stream("k-refused", 1);
    await consumer("k-refused");
    await kinesis.send(new PutRecordCommand({ StreamName: "k-refused", PartitionKey: "k", Data: Buffer.from("x") }));
    const refuse = (input: Record<string, unknown>, message: RegExp) =>
      assert.rejects(fn.send(new CreateEventSourceMappingCommand({ FunctionName: "k-refused", EventSourceArn: arn, StartingPosition: "LATEST", ...input })), (e: Error) => e.name === "InvalidParameterValueException" && message.test(e.message));
    await refuse({ EventSourceArn: arn.replace(/:\d{12}:/, ":999999999999:") }, /Stream not found/);
    await refuse({ EventSourceArn: `${arn}-missing` }, /Stream not found/);
    await refuse({ StartingPosition: undefined }, /StartingPosition is required/);
    await refuse({ StartingPosition: "AT_TIMESTAMP" }, /StartingPositionTimestamp is required/);
    await refuse({ StartingPositionTimestamp: new Date() }, /StartingPositionTimestamp is required/);
  });
});
