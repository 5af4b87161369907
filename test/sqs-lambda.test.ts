/**
 * SQS event source mappings end to end: a real function consumes a real queue through Unkai's poller.
 * The mapping API's rules (SDK v3 Lambda client), batches in the `Records` shape, deletion of what
 * succeeded, partial batch responses (and malformed ones failing the whole batch), failed messages
 * returning after the visibility timeout and reaching the queue's DLQ after maxReceiveCount.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, GetEventSourceMappingCommand, ListEventSourceMappingsCommand,
  PutFunctionConcurrencyCommand, UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const arn = (queue: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue}`;

interface SqsRecord {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource: string;
  readonly eventSourceARN: string;
  readonly attributes: Record<string, string>;
  readonly messageAttributes: Record<string, { stringValue?: string; dataType: string }>;
  readonly md5OfBody: string;
}

describe("SQS event source mappings", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ ...(await collector.env()) }));
  let sqs: SQSClient;
  before(async () => {
    await collector.start();
    sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(() => collector.close());

  const batches = (channel: string) => collector.recorded(channel).filter((r) => r.phase === "start").map((r) => (r.event as { Records: SqsRecord[] }).Records);
  const consumer = (name: string) => createFromFixture(suite.client, name, "sqs-consumer", { Timeout: 2, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
  const counts = async (QueueUrl: string | undefined) => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  };

  it("validates mappings as Lambda does, and lists, gets, updates and deletes them", async () => {
    await consumer("esm-api");
    await sqs.send(new CreateQueueCommand({ QueueName: "esm-api-q", Attributes: { VisibilityTimeout: "1" } }));
    await assert.rejects(suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-api", EventSourceArn: arn("esm-api-q") })), /less than Function timeout/);
    await sqs.send(new CreateQueueCommand({ QueueName: "esm-api-ok", Attributes: { VisibilityTimeout: "30" } }));
    await assert.rejects(suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-api", EventSourceArn: arn("missing") })), { name: "InvalidParameterValueException" });
    await assert.rejects(suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-api", EventSourceArn: arn("esm-api-ok"), BatchSize: 50 })), /greater than 0 if maximum batch size is greater than 10/);
    const created = await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-api", EventSourceArn: arn("esm-api-ok"), Enabled: false, BatchSize: 5 }));
    assert.equal(created.State, "Creating");
    assert.equal(created.BatchSize, 5);
    await assert.rejects(suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-api", EventSourceArn: arn("esm-api-ok") })), { name: "ResourceConflictException" });
    assert.equal((await suite.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID }))).State, "Disabled");
    const listed = await suite.client.send(new ListEventSourceMappingsCommand({ FunctionName: "esm-api" }));
    assert.deepEqual(listed.EventSourceMappings?.map((m) => m.UUID), [created.UUID]);
    const updated = await suite.client.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, BatchSize: 7, FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    assert.deepEqual([updated.BatchSize, updated.FunctionResponseTypes], [7, ["ReportBatchItemFailures"]]);
    assert.equal((await suite.client.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }))).State, "Deleting");
    await assert.rejects(suite.client.send(new GetEventSourceMappingCommand({ UUID: created.UUID })), { name: "ResourceNotFoundException" });
  });

  it("delivers batches, deletes what succeeded, and brings back only the items a partial batch response names", async () => {
    await consumer("esm-partial");
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "esm-partial-dlq" }));
    const policy = JSON.stringify({ deadLetterTargetArn: arn("esm-partial-dlq"), maxReceiveCount: 2 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "esm-partial-q", Attributes: { VisibilityTimeout: "2", RedrivePolicy: policy } }));
    await suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-partial", EventSourceArn: arn("esm-partial-q"), BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"],
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: ["ok-1", "fail-1", "ok-2"].map((body, i) => ({
      Id: `m${i}`, MessageBody: body, MessageAttributes: { kind: { DataType: "String", StringValue: body.split("-")[0] ?? "" } },
    })) }));
    const first = await waitFor("the first batch", () => batches("esm-partial").flat().length >= 3 ? batches("esm-partial").flat() : undefined);
    const sample = first.find((r) => r.body === "ok-1");
    assert.equal(sample?.eventSource, "aws:sqs");
    assert.equal(sample?.eventSourceARN, arn("esm-partial-q"));
    assert.equal(sample?.attributes.ApproximateReceiveCount, "1");
    assert.deepEqual(sample?.messageAttributes.kind, { stringValue: "ok", stringListValues: [], binaryListValues: [], dataType: "String" });
    // fail-1 comes back after the 2 s visibility timeout, once more, then moves to the DLQ.
    await waitFor("fail-1 in the DLQ", async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, VisibilityTimeout: 0 }));
      return got.Messages?.[0]?.Body === "fail-1" ? true : undefined;
    }, 30_000);
    const bodies = batches("esm-partial").flat().map((r) => r.body);
    assert.equal(bodies.filter((b) => b === "ok-1").length, 1, "a success is deleted, never redelivered");
    assert.equal(bodies.filter((b) => b === "fail-1").length, 2, "the failed item came back once, then went to the DLQ");
    assert.equal(await counts(QueueUrl), 0);
  });

  it("a malformed partial batch response fails the whole batch", async () => {
    await consumer("esm-fails");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "esm-fails-q", Attributes: { VisibilityTimeout: "2" } }));
    const mapping = await suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-fails", EventSourceArn: arn("esm-fails-q"), BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"],
    }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "malformed" }, { Id: "b", MessageBody: "innocent" }] }));
    await waitFor("the batch to be tried twice", () => (batches("esm-fails").length >= 2 ? true : undefined), 20_000);
    const tries = batches("esm-fails").slice(0, 2).map((records) => records.map((r) => r.body).sort());
    assert.deepEqual(tries, [["innocent", "malformed"], ["innocent", "malformed"]], "every item of the batch came back");
    await suite.client.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
    const result = await suite.client.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }));
    assert.match(result.LastProcessingResult ?? "", /PROBLEM/);
  });

  it("discards (deletes) the messages no FilterCriteria pattern matches, without invoking for them", async () => {
    await consumer("esm-filter");
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "esm-filter-q" }));
    await assert.rejects(suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-filter", EventSourceArn: arn("esm-filter-q"), FilterCriteria: { Filters: [{ Pattern: "{not json" }] },
    })), { name: "InvalidParameterValueException" });
    const mapping = await suite.client.send(new CreateEventSourceMappingCommand({
      FunctionName: "esm-filter", EventSourceArn: arn("esm-filter-q"), FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["keep"] } }) }] },
    }));
    assert.equal(mapping.FilterCriteria?.Filters?.length, 1);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
      { Id: "a", MessageBody: JSON.stringify({ kind: "keep", n: 1 }) }, { Id: "b", MessageBody: JSON.stringify({ kind: "drop" }) }, { Id: "c", MessageBody: "not json" },
    ] }));
    await waitFor("the queue to be empty", async () => ((await counts(QueueUrl)) === 0 ? true : undefined), 20_000);
    const bodies = batches("esm-filter").flat().map((r) => r.body);
    assert.deepEqual(bodies, [JSON.stringify({ kind: "keep", n: 1 })]);
  });

  it("gathers up to BatchSize messages within the batching window", async () => {
    await consumer("esm-window");
    // One batch in flight at a time (the mapping's ceiling follows reserved concurrency), so the first
    // batch shows the gathering; with several pollers the backlog would be shared among them, as on AWS.
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "esm-window", ReservedConcurrentExecutions: 1 }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "esm-window-q" }));
    for (let i = 0; i < 3; i++) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `m${j}`, MessageBody: `w${i * 10 + j}` })) }));
    }
    await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "esm-window", EventSourceArn: arn("esm-window-q"), BatchSize: 25, MaximumBatchingWindowInSeconds: 2 }));
    await waitFor("all 30 messages", () => (batches("esm-window").flat().length >= 30 ? true : undefined), 20_000);
    const sizes = batches("esm-window").map((records) => records.length);
    assert.equal(sizes[0], 25, `batch sizes ${sizes.join(", ")}`);
    await waitFor("the queue to be empty", async () => ((await counts(QueueUrl)) === 0 ? true : undefined));
  });
});
