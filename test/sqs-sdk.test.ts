/**
 * SQS over AWS JSON 1.0 (awsQueryCompatible), driven by SDK v3's @aws-sdk/client-sqs against a real
 * Unkai: the SDK verifies MD5OfBody / MD5OfMessageBody itself, so every send and receive here is
 * also a digest check. Error shapes and refused calls are read off the wire.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChangeMessageVisibilityCommand, CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand,
  GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, ListQueueTagsCommand, PurgeQueueCommand, ReceiveMessageCommand,
  SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, TagQueueCommand, UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS, invoke, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "111122223333";

function sqs(url: string | undefined): SQSClient {
  return new SQSClient({ ...(url ? { endpoint: url } : {}), region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
}

/** A raw AWS JSON 1.0 call, signed for `sqs`, as SDK v3 sends it. */
async function jsonCall(url: string, operation: string, input: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return signedFetch(`${url}/`, {
    method: "POST",
    service: "sqs",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${operation}`, "x-amzn-query-mode": "true", ...headers },
    body: JSON.stringify(input),
  });
}

describe("SQS with SDK v3 (AWS JSON 1.0)", () => {
  const suite = unkaiSuite({ UNKAI_ACCOUNT_ID: ACCOUNT });
  const client = () => sqs(suite.unkai.url);

  it("creates, finds, lists, tags, configures and deletes queues", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-life", Attributes: { VisibilityTimeout: "45" }, tags: { team: "a" } }));
    assert.equal(QueueUrl, `${suite.unkai.url}/${ACCOUNT}/sdk-life`);
    assert.equal((await c.send(new CreateQueueCommand({ QueueName: "sdk-life", Attributes: { VisibilityTimeout: "45" } }))).QueueUrl, QueueUrl);
    await assert.rejects(c.send(new CreateQueueCommand({ QueueName: "sdk-life", Attributes: { VisibilityTimeout: "46" } })), { name: "QueueNameExists" });
    assert.equal((await c.send(new GetQueueUrlCommand({ QueueName: "sdk-life" }))).QueueUrl, QueueUrl);
    assert.ok((await c.send(new ListQueuesCommand({ QueueNamePrefix: "sdk-l" }))).QueueUrls?.includes(QueueUrl ?? ""));
    await c.send(new TagQueueCommand({ QueueUrl, Tags: { env: "test" } }));
    await c.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["team"] }));
    assert.deepEqual((await c.send(new ListQueueTagsCommand({ QueueUrl }))).Tags, { env: "test" });
    await c.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { DelaySeconds: "5" } }));
    const { Attributes } = await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    assert.equal(Attributes?.DelaySeconds, "5");
    assert.equal(Attributes?.VisibilityTimeout, "45");
    assert.equal(Attributes?.QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:sdk-life`);
    await c.send(new DeleteQueueCommand({ QueueUrl }));
    await assert.rejects(c.send(new GetQueueUrlCommand({ QueueName: "sdk-life" })), (error: Error & { Code?: string }) => {
      // awsQueryCompatible: the SDK restores the legacy code from x-amzn-query-error.
      assert.equal(error.name, "QueueDoesNotExist");
      assert.equal(error.Code, "AWS.SimpleQueueService.NonExistentQueue");
      return true;
    });
  });

  it("sends and receives with attributes; the SDK's MD5 checks pass and attribute digests are SQS's", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-md5" }));
    const sent = await c.send(new SendMessageCommand({
      QueueUrl, MessageBody: "derp ünïcødé 🎉",
      MessageAttributes: { timestamp: { DataType: "Number", StringValue: "1493147359900" } },
    }));
    assert.equal(sent.MD5OfMessageAttributes, "235c5c510d26fb653d073faed50ae77c");
    const batch = await c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [
      { Id: "b1", MessageBody: "one", MessageAttributes: { bin: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 2, 255]) } } },
      { Id: "b2", MessageBody: "two" },
    ] }));
    assert.deepEqual(batch.Successful?.map((s) => s.Id), ["b1", "b2"]);
    assert.deepEqual(batch.Failed ?? [], []);
    const got = await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["All"] }));
    assert.deepEqual(got.Messages?.map((m) => m.Body), ["derp ünïcødé 🎉", "one", "two"]);
    const [first, second] = got.Messages ?? [];
    assert.equal(first?.MessageId, sent.MessageId);
    assert.equal(first?.MD5OfMessageAttributes, "235c5c510d26fb653d073faed50ae77c");
    assert.deepEqual(second?.MessageAttributes?.bin?.BinaryValue, new Uint8Array([0, 1, 2, 255]));
    assert.equal(first?.Attributes?.ApproximateReceiveCount, "1");
    assert.match(first?.Attributes?.SentTimestamp ?? "", /^\d{13}$/);
    await c.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: (got.Messages ?? []).map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
    const attributes = (await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes;
    assert.deepEqual(attributes, { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
  });

  it("sends to the queue URL itself when the client has no endpoint (as SDK v3 does by default)", async () => {
    const { QueueUrl } = await client().send(new CreateQueueCommand({ QueueName: "sdk-by-url" }));
    const bare = sqs(undefined);
    const originalWarn = console.warn;
    console.warn = () => {}; // the SDK warns that it uses the QueueUrl's host
    try {
      await bare.send(new SendMessageCommand({ QueueUrl, MessageBody: "by url" }));
      assert.equal((await bare.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body, "by url");
    } finally {
      console.warn = originalWarn;
    }
  });

  it("a function uses the queue with its own SDK v3, through the queue URL a client outside got", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-inside" }));
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "from outside", MessageAttributes: { kind: { DataType: "String", StringValue: "outer" } } }));
    await createFromFixture(suite.client, "sqs-inside", "sqs-sdk-node", { Handler: "index.handler", Timeout: 20, Role: `arn:aws:iam::${ACCOUNT}:role/unkai-test` });
    const result = await invoke(suite.client, "sqs-inside", { queueUrl: QueueUrl, queueName: "sdk-inside" });
    assert.equal(result.functionError, undefined, result.payload);
    const answer = result.json as { received?: string; attribute?: string; ownLookup?: string };
    assert.deepEqual([answer.received, answer.attribute], ["from outside", "outer"]);
    assert.match(answer.ownLookup ?? "", new RegExp(`/${ACCOUNT}/sdk-inside$`), "the function's own GetQueueUrl names the queue");
    const reply = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MessageAttributeNames: ["All"] }));
    assert.equal(reply.Messages?.[0]?.Body, "reply to from outside");
    assert.equal(reply.Messages?.[0]?.MessageAttributes?.from?.StringValue, "function");
  });

  it("FIFO: one group's messages in order, a group held while one of its messages is in flight, duplicates answered with the first id", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-order.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }));
    for (let i = 0; i < 5; i++) await c.send(new SendMessageCommand({ QueueUrl, MessageBody: `a${i}`, MessageGroupId: "A" }));
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "b0", MessageGroupId: "B" }));
    const duplicate = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "a0", MessageGroupId: "A" }));
    const first = await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2 }));
    assert.deepEqual(first.Messages?.map((m) => m.Body), ["a0", "a1"]);
    assert.ok(duplicate.MessageId);
    assert.deepEqual((await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages?.map((m) => m.Body), ["b0"]);
    for (const m of first.Messages ?? []) await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    const rest = await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["SequenceNumber", "MessageGroupId"] }));
    assert.deepEqual(rest.Messages?.map((m) => m.Body), ["a2", "a3", "a4"]);
    const sequence = rest.Messages?.map((m) => BigInt(m.Attributes?.SequenceNumber ?? "0")) ?? [];
    assert.ok(sequence.every((s, i) => i === 0 || s > (sequence[i - 1] ?? 0n)), "sequence numbers increase");
    await assert.rejects(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "no group" })), { name: "MissingParameter" });
  });

  it("FIFO high throughput: DeduplicationScope messageGroup deduplicates within each group only; the attributes read back", async () => {
    const c = client();
    const Attributes = { FifoQueue: "true", DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" };
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-high.fifo", Attributes }));
    const read = await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["DeduplicationScope", "FifoThroughputLimit"] }));
    assert.deepEqual(read.Attributes, { DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
    const inA = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "a", MessageGroupId: "A", MessageDeduplicationId: "same" }));
    const inB = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "b", MessageGroupId: "B", MessageDeduplicationId: "same" }));
    const againA = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "a again", MessageGroupId: "A", MessageDeduplicationId: "same" }));
    assert.notEqual(inB.MessageId, inA.MessageId, "another group's id is not a duplicate");
    assert.equal(againA.MessageId, inA.MessageId, "the same group's is");
    const got = await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(got.Messages?.map((m) => m.Body).sort(), ["a", "b"]);
    // The default scope is the queue: the same id in another group is a duplicate there.
    const { QueueUrl: plain } = await c.send(new CreateQueueCommand({ QueueName: "sdk-plain.fifo", Attributes: { FifoQueue: "true" } }));
    const first = await c.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: "a", MessageGroupId: "A", MessageDeduplicationId: "same" }));
    assert.equal((await c.send(new SendMessageCommand({ QueueUrl: plain, MessageBody: "b", MessageGroupId: "B", MessageDeduplicationId: "same" }))).MessageId, first.MessageId);
    await assert.rejects(c.send(new CreateQueueCommand({ QueueName: "sdk-bad-scope.fifo", Attributes: { FifoQueue: "true", DeduplicationScope: "everywhere" } })), { name: "InvalidAttributeValue" });
  });

  it("delays: a message sent with DelaySeconds, or to a delay queue, is hidden until its delay ends, and a long poll gets it then", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-delay", Attributes: { DelaySeconds: "2" } }));
    const queued = Date.now();
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "queue delay" }));
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "own delay", DelaySeconds: 1 }));
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages, undefined, "both delayed");
    const counts = await c.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessagesDelayed"] }));
    assert.equal(counts.Attributes?.ApproximateNumberOfMessagesDelayed, "2");
    const first = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    assert.equal(first.Messages?.[0]?.Body, "own delay", "the per-message delay (1 s) overrides the queue's (2 s)");
    assert.ok(Date.now() - queued >= 1_000, "not before its second");
    const second = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10 }));
    assert.equal(second.Messages?.[0]?.Body, "queue delay");
    assert.ok(Date.now() - queued >= 2_000, "not before the queue's two seconds");
  });

  it("an unreceived message's visibility expires and it is delivered again, counted", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-vis" }));
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "again" }));
    const first = await c.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 1 }));
    assert.equal(first.Messages?.length, 1);
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined, "in flight");
    const again = await c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(again.Messages?.[0]?.Body, "again");
    assert.equal(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount, "2");
    await assert.rejects(c.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: "not-a-handle", VisibilityTimeout: 5 })), { name: "ReceiptHandleIsInvalid" });
  });

  it("a long poll is woken by a send within 200 ms (best of three)", async (t) => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-wake" }));
    const latencies: number[] = [];
    for (let round = 0; round < 3; round++) {
      const waiting = c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const sender = client();
      const sentAt = performance.now();
      await sender.send(new SendMessageCommand({ QueueUrl, MessageBody: `wake ${round}` }));
      const got = await waiting;
      latencies.push(performance.now() - sentAt);
      assert.equal(got.Messages?.[0]?.Body, `wake ${round}`);
      await c.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }));
    }
    t.diagnostic(`send → long-poll answer: ${latencies.map((ms) => ms.toFixed(1)).join(", ")} ms`);
    assert.ok(Math.min(...latencies) < 200, `woken after ${latencies.join(", ")} ms`);
  });

  it("redrives a message received maxReceiveCount times to its dead-letter queue", async () => {
    const c = client();
    const dlq = await c.send(new CreateQueueCommand({ QueueName: "sdk-dlq" }));
    const policy = JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:sdk-dlq`, maxReceiveCount: 2 });
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-src", Attributes: { RedrivePolicy: policy } }));
    await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison" }));
    for (let i = 0; i < 2; i++) {
      const got = await c.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
      assert.equal(got.Messages?.[0]?.Body, "poison");
    }
    assert.equal((await c.send(new ReceiveMessageCommand({ QueueUrl }))).Messages, undefined);
    const moved = await c.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageSystemAttributeNames: ["All"] }));
    assert.equal(moved.Messages?.[0]?.Body, "poison");
    assert.equal(moved.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:sdk-src`);
    await c.send(new PurgeQueueCommand({ QueueUrl: dlq.QueueUrl }));
    await assert.rejects(c.send(new PurgeQueueCommand({ QueueUrl: dlq.QueueUrl })), { name: "PurgeQueueInProgress" });
  });

  it("answers errors as AWS JSON with the legacy code in x-amzn-query-error", async () => {
    const missing = await jsonCall(suite.unkai.url, "GetQueueUrl", { QueueName: "nope" });
    assert.equal(missing.status, 400);
    assert.equal(missing.headers.get("x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
    const body = (await missing.json()) as { __type?: string; message?: string };
    assert.match(body.__type ?? "", /QueueDoesNotExist$/);
    assert.equal(body.message, "The specified queue does not exist.");
    const batch = await jsonCall(suite.unkai.url, "SendMessageBatch", {
      QueueUrl: `${suite.unkai.url}/${ACCOUNT}/nope`, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "m" })),
    });
    assert.equal(batch.status, 400);
    assert.match(batch.headers.get("x-amzn-query-error") ?? "", /^AWS\.SimpleQueueService\.TooManyEntriesInBatchRequest;Sender$/);
  });

  it("refuses an unsigned call in SQS's JSON shape", async () => {
    const response = await fetch(`${suite.unkai.url}/`, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
      body: "{}",
    });
    assert.equal(response.status, 403);
    const body = (await response.json()) as { __type?: string };
    assert.match(body.__type ?? "", /MissingAuthenticationToken/);
  });

  it("hostile input: a 1,000-entry batch, invalid characters, oversized bodies and attributes get SQS's errors", async () => {
    const c = client();
    const { QueueUrl } = await c.send(new CreateQueueCommand({ QueueName: "sdk-hostile" }));
    const entries = Array.from({ length: 1000 }, (_, i) => ({ Id: `e${i}`, MessageBody: "m" }));
    await assert.rejects(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries })), { name: "TooManyEntriesInBatchRequest" });
    await assert.rejects(c.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "x", MessageBody: "a" }, { Id: "x", MessageBody: "b" }] })), { name: "BatchEntryIdsNotDistinct" });
    await assert.rejects(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "bell \u0007" })), { name: "InvalidMessageContents" });
    await assert.rejects(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_577) })), { name: "InvalidParameterValue" });
    const huge = { DataType: "String", StringValue: "v".repeat(1_048_576) };
    await assert.rejects(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageAttributes: { huge } })), { name: "InvalidParameterValue" });
    await assert.rejects(c.send(new SendMessageCommand({ QueueUrl, MessageBody: "m", MessageAttributes: { "bad name!": { DataType: "String", StringValue: "v" } } })), { name: "InvalidParameterValue" });
    await assert.rejects(c.send(new CreateQueueCommand({ QueueName: "q", Attributes: { Nonsense: "1" } as Record<string, string> })), { name: "InvalidAttributeName" });
    await assert.rejects(c.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })), { name: "InvalidParameterValue" });
    await assert.rejects(c.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })), { name: "InvalidParameterValue" });
    const ok = await c.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1_048_576) }));
    assert.ok(ok.MessageId, "exactly the maximum size is accepted");
  });
});
