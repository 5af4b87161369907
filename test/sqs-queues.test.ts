/**
 * SQS's queue domain against a real SQLite store, below the wire protocols: the rules a client
 * cannot see the store keep (digests, idempotency, FIFO order and dedup, visibility, redrive,
 * retention, long polls woken by sends, batch limits). The protocols are tested in sqs-*.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Store } from "../src/store/ports.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import type { Caller, SqsContext } from "../src/services/sqs/context.js";
import { attributesMd5, md5Hex } from "../src/services/sqs/digests.js";
import { createQueue, deleteQueue, getQueueAttributes, getQueueUrl, listDeadLetterSourceQueues, listQueues, purgeQueue, setQueueAttributes } from "../src/services/sqs/queue-ops.js";
import { listQueueTags, tagQueue, untagQueue } from "../src/services/sqs/tag-ops.js";
import { changeMessageVisibility, deleteMessage, receiveMessage } from "../src/services/sqs/receive-ops.js";
import { sendMessage, sendMessageBatch } from "../src/services/sqs/send-ops.js";
import { WakeSignals } from "../src/core/wake-signals.js";
import { MoveTasks } from "../src/services/sqs/move-tasks.js";
import { sqsRetentionJob } from "../src/services/sqs/retention.js";
import { reportedFailures } from "../src/services/sqs/esm-records.js";
import { waitFor } from "./helpers/wait.js";

const caller: Caller = { baseUrl: "http://localhost:9", senderId: "AKIDTEST" };
const account = { region: "us-east-1", accountId: "000000000000" };
const url = (name: string) => `${caller.baseUrl}/${account.accountId}/${name}`;

describe("SQS queue domain", () => {
  let dir = "";
  let store: Store;
  let clock = 1_700_000_000_000;
  let context: SqsContext;
  let fake: SqsContext;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "unkai-sqs-"));
    store = openSqliteStore(join(dir, "unkai.db"), (error) => assert.fail(String(error)));
    const base = { queues: store.queues, messages: store.messages, account, purgedAt: new Map<string, number>(), receiveAttempts: new Map() };
    context = { ...base, signals: new WakeSignals(), now: Date.now };
    fake = { ...base, signals: new WakeSignals(), now: () => clock };
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const code = (expected: string) => (error: unknown) => {
    assert.equal((error as { code?: string }).code, expected, String(error));
    return true;
  };

  it("digests attributes as SQS does (vectors AWS returned, as pinned by moto's suite)", () => {
    const number = (StringValue: string) => ({ DataType: "Number", StringValue });
    assert.equal(attributesMd5({ timestamp: number("1493147359900") }), "235c5c510d26fb653d073faed50ae77c");
    assert.equal(attributesMd5({ timestamp: number("1493147359901") }), "994258b45346a2cc3f9cbb611aa7af30");
    assert.equal(attributesMd5({ "SOME_Valid.attribute-Name": number("1493147359900") }), "36655e7e9d7c0e8479fa3f3f42247ae7");
    assert.equal(attributesMd5({}), undefined);
    assert.equal(md5Hex("derp"), "58fd9edd83341c29f1aebba81c31e257");
  });

  it("CreateQueue is idempotent with the same attributes and refuses different ones", async () => {
    const first = await createQueue(context, { QueueName: "idem", Attributes: { VisibilityTimeout: "40" } }, caller);
    assert.equal(first.QueueUrl, url("idem"));
    assert.deepEqual(await createQueue(context, { QueueName: "idem", Attributes: { VisibilityTimeout: "40" } }, caller), first);
    assert.deepEqual(await createQueue(context, { QueueName: "idem" }, caller), first, "no attributes given: nothing differs");
    assert.deepEqual(await createQueue(context, { QueueName: "idem", Attributes: { DelaySeconds: "0" } }, caller), first, "a default equals itself");
    await assert.rejects(createQueue(context, { QueueName: "idem", Attributes: { VisibilityTimeout: "41" } }, caller), code("QueueNameExists"));
    await assert.rejects(createQueue(context, { QueueName: "bad.name" }, caller), code("InvalidParameterValue"));
    await assert.rejects(createQueue(context, { QueueName: "x.fifo" }, caller), code("InvalidParameterValue"), "a .fifo name needs FifoQueue=true");
    await assert.rejects(createQueue(context, { QueueName: "nofifo", Attributes: { FifoQueue: "true" } }, caller), code("InvalidParameterValue"));
    await assert.rejects(createQueue(context, { QueueName: "x", Attributes: { Bogus: "1" } }, caller), code("InvalidAttributeName"));
    await assert.rejects(createQueue(context, { QueueName: "x", Attributes: { ContentBasedDeduplication: "true" } }, caller), code("InvalidAttributeName"));
    await assert.rejects(createQueue(context, { QueueName: "x", Attributes: { VisibilityTimeout: "43201" } }, caller), code("InvalidAttributeValue"));
    await assert.rejects(createQueue(context, { QueueName: "x", Attributes: { MaximumMessageSize: "1048577" } }, caller), code("InvalidAttributeValue"));
    await assert.rejects(createQueue(context, { QueueName: "x", Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:nope","maxReceiveCount":3}' } }, caller), code("InvalidParameterValue"));
  });

  it("attribute names every JavaScript object inherits are unknown queue attributes, and a message attribute __proto__ is kept", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "inherited-names" }, caller);
    for (const name of ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"]) {
      const attributes = JSON.parse(`{"${name}": "x"}`) as Record<string, string>;
      await assert.rejects(createQueue(context, { QueueName: "inherited-x", Attributes: attributes }, caller), code("InvalidAttributeName"), name);
      await assert.rejects(setQueueAttributes(context, { QueueUrl, Attributes: attributes }), code("InvalidAttributeName"), name);
    }
    const proto = JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "p"}}') as Record<string, { DataType: string; StringValue: string }>;
    const sent = await sendMessage(context, { QueueUrl, MessageBody: "m", MessageAttributes: proto }, caller);
    assert.equal(sent.MD5OfMessageAttributes, "b78eb25587ad8b69395270ab4a4896c1");
    const got = await receiveMessage(context, { QueueUrl, MessageAttributeNames: ["All"] });
    assert.deepEqual(Object.keys(got.Messages?.[0]?.MessageAttributes ?? {}), ["__proto__"]);
  });

  it("GetQueueAttributes reports defaults, computed attributes and exact counts", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "attrs" }, caller);
    await sendMessage(context, { QueueUrl, MessageBody: "one" }, caller);
    await sendMessage(context, { QueueUrl, MessageBody: "later", DelaySeconds: 900 }, caller);
    const { Attributes } = await getQueueAttributes(context, { QueueUrl, AttributeNames: ["All"] });
    assert.equal(Attributes?.MaximumMessageSize, "1048576");
    assert.equal(Attributes?.MessageRetentionPeriod, "345600");
    assert.equal(Attributes?.QueueArn, "arn:aws:sqs:us-east-1:000000000000:attrs");
    assert.equal(Attributes?.ApproximateNumberOfMessages, "1");
    assert.equal(Attributes?.ApproximateNumberOfMessagesDelayed, "1");
    assert.deepEqual(await getQueueAttributes(context, { QueueUrl, AttributeNames: [] }), {});
    await assert.rejects(getQueueAttributes(context, { QueueUrl, AttributeNames: ["Nope"] }), code("InvalidAttributeName"));
    await assert.rejects(getQueueAttributes(context, { QueueUrl: url("missing") }), code("QueueDoesNotExist"));
    await assert.rejects(getQueueAttributes(context, { QueueUrl: "not a url" }), code("InvalidAddress"));
  });

  it("ListQueues pages by MaxResults with a NextToken bound to the prefix", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) await createQueue(context, { QueueName: name }, caller);
    const first = await listQueues(context, { QueueNamePrefix: "page-", MaxResults: 2 }, caller);
    assert.deepEqual(first.QueueUrls, [url("page-a"), url("page-b")]);
    assert.ok(first.NextToken);
    const second = await listQueues(context, { QueueNamePrefix: "page-", MaxResults: 2, NextToken: first.NextToken }, caller);
    assert.deepEqual(second, { QueueUrls: [url("page-c")] });
    await assert.rejects(listQueues(context, { QueueNamePrefix: "other", MaxResults: 2, NextToken: first.NextToken }, caller), code("InvalidParameterValue"));
    await assert.rejects(listQueues(context, { MaxResults: 1001 }, caller), code("InvalidParameterValue"));
  });

  it("FIFO: group order, one receive per group in flight, dedup by id and by content", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "order.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }, caller);
    const sent = [];
    for (const [group, body] of [["A", "a1"], ["B", "b1"], ["A", "a2"]] as const) sent.push(await sendMessage(context, { QueueUrl, MessageBody: body, MessageGroupId: group }, caller));
    const again = await sendMessage(context, { QueueUrl, MessageBody: "a1", MessageGroupId: "A" }, caller);
    assert.equal(again.MessageId, sent[0]?.MessageId, "content-based dedup answers the first message");
    assert.ok(BigInt(sent[2]?.SequenceNumber ?? "0") > BigInt(sent[1]?.SequenceNumber ?? "0"));
    const byId = await sendMessage(context, { QueueUrl, MessageBody: "other body", MessageGroupId: "A", MessageDeduplicationId: "x" }, caller);
    assert.equal((await sendMessage(context, { QueueUrl, MessageBody: "third body", MessageGroupId: "A", MessageDeduplicationId: "x" }, caller)).MessageId, byId.MessageId);
    const first = await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 1, AttributeNames: ["All"] });
    assert.equal(first.Messages?.[0]?.Body, "a1");
    assert.equal(first.Messages?.[0]?.Attributes?.MessageGroupId, "A");
    const rest = await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10 });
    assert.deepEqual(rest.Messages?.map((m) => m.Body), ["b1"], "A is locked while a1 is in flight");
    await deleteMessage(context, { QueueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle ?? "" });
    assert.deepEqual((await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10 })).Messages?.map((m) => m.Body), ["a2", "other body"]);
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "x" }, caller), code("MissingParameter"));
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "x", MessageGroupId: "A", DelaySeconds: 5 }, caller), code("InvalidParameterValue"));
  });

  it("visibility: a message comes back after its timeout, counted; ChangeMessageVisibility extends or releases it", async () => {
    const { QueueUrl } = await createQueue(fake, { QueueName: "vis" }, caller);
    await sendMessage(fake, { QueueUrl, MessageBody: "m" }, caller);
    const first = (await receiveMessage(fake, { QueueUrl, VisibilityTimeout: 10 })).Messages?.[0];
    assert.ok(first);
    clock += 9_999;
    assert.deepEqual(await receiveMessage(fake, { QueueUrl }), {});
    clock += 1;
    const second = (await receiveMessage(fake, { QueueUrl, VisibilityTimeout: 10, AttributeNames: ["ApproximateReceiveCount"] })).Messages?.[0];
    assert.equal(second?.Attributes?.ApproximateReceiveCount, "2");
    await assert.rejects(changeMessageVisibility(fake, { QueueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 100 }), code("InvalidParameterValue"), "an older receipt");
    await changeMessageVisibility(fake, { QueueUrl, ReceiptHandle: second?.ReceiptHandle ?? "", VisibilityTimeout: 0 });
    assert.equal((await receiveMessage(fake, { QueueUrl })).Messages?.length, 1);
    await assert.rejects(changeMessageVisibility(fake, { QueueUrl, ReceiptHandle: "garbage!", VisibilityTimeout: 1 }), code("ReceiptHandleIsInvalid"));
  });

  it("redrive: after maxReceiveCount receives the message moves to the DLQ, which names its source", async () => {
    await createQueue(fake, { QueueName: "dlq" }, caller);
    const policy = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:dlq", maxReceiveCount: 2 });
    const { QueueUrl } = await createQueue(fake, { QueueName: "src", Attributes: { RedrivePolicy: policy, VisibilityTimeout: "1" } }, caller);
    await sendMessage(fake, { QueueUrl, MessageBody: "poison" }, caller);
    for (let i = 0; i < 2; i++) {
      assert.equal((await receiveMessage(fake, { QueueUrl })).Messages?.[0]?.Body, "poison");
      clock += 1_000;
    }
    assert.deepEqual(await receiveMessage(fake, { QueueUrl }), {}, "moved instead of delivered a third time");
    const moved = (await receiveMessage(fake, { QueueUrl: url("dlq"), AttributeNames: ["All"] })).Messages?.[0];
    assert.equal(moved?.Body, "poison");
    assert.equal(moved?.Attributes?.DeadLetterQueueSourceArn, "arn:aws:sqs:us-east-1:000000000000:src");
    await assert.rejects(setQueueAttributes(fake, { QueueUrl, Attributes: { RedrivePolicy: '{"deadLetterTargetArn":"x","maxReceiveCount":0}' } }), code("InvalidAttributeValue"));
  });

  it("retention: messages older than MessageRetentionPeriod are never delivered", async () => {
    const { QueueUrl } = await createQueue(fake, { QueueName: "short", Attributes: { MessageRetentionPeriod: "60" } }, caller);
    await sendMessage(fake, { QueueUrl, MessageBody: "old" }, caller);
    clock += 60_000;
    assert.deepEqual(await receiveMessage(fake, { QueueUrl }), {});
  });

  it("a long poll is woken by a send, not by a timer", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "wake" }, caller);
    const started = Date.now();
    const waiting = receiveMessage(context, { QueueUrl, WaitTimeSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sentAt = Date.now();
    await sendMessage(context, { QueueUrl, MessageBody: "hello" }, caller);
    const got = await waiting;
    const latencyMs = Date.now() - sentAt;
    assert.equal(got.Messages?.[0]?.Body, "hello");
    assert.ok(Date.now() - started < 10_000);
    assert.ok(latencyMs < 1_000, `woken ${latencyMs} ms after the send`);
  });

  it("messages: invalid characters, sizes and attributes get SQS's errors; batches their limits", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "rules" }, caller);
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "bad \u0001 char" }, caller), code("InvalidMessageContents"));
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "lone \ud800 surrogate" }, caller), code("InvalidMessageContents"));
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "x".repeat(1_048_577) }, caller), code("InvalidParameterValue"));
    await sendMessage(context, { QueueUrl, MessageBody: "x".repeat(1_048_576) }, caller);
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "m", MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } }, caller), code("InvalidParameterValue"));
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "m", MessageAttributes: { n: { DataType: "Number", StringValue: "abc" } } }, caller), code("InvalidParameterValue"));
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "m", MessageAttributes: { n: { DataType: "Strin", StringValue: "abc" } } }, caller), code("InvalidParameterValue"));
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }]));
    await assert.rejects(sendMessage(context, { QueueUrl, MessageBody: "m", MessageAttributes: eleven }, caller), code("InvalidParameterValue"));
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` }));
    await assert.rejects(sendMessageBatch(context, { QueueUrl, Entries: entries(11) }, caller), code("TooManyEntriesInBatchRequest"));
    await assert.rejects(sendMessageBatch(context, { QueueUrl, Entries: entries(1000) }, caller), code("TooManyEntriesInBatchRequest"));
    await assert.rejects(sendMessageBatch(context, { QueueUrl, Entries: [] }, caller), code("EmptyBatchRequest"));
    await assert.rejects(sendMessageBatch(context, { QueueUrl, Entries: [{ Id: "a", MessageBody: "1" }, { Id: "a", MessageBody: "2" }] }, caller), code("BatchEntryIdsNotDistinct"));
    await assert.rejects(sendMessageBatch(context, { QueueUrl, Entries: [{ Id: "a b", MessageBody: "1" }] }, caller), code("InvalidBatchEntryId"));
    await assert.rejects(sendMessageBatch(context, { QueueUrl, Entries: [{ Id: "a", MessageBody: "x".repeat(600_000) }, { Id: "b", MessageBody: "x".repeat(600_000) }] }, caller), code("BatchRequestTooLong"));
    const mixed = await sendMessageBatch(context, { QueueUrl, Entries: [{ Id: "ok", MessageBody: "fine" }, { Id: "bad", MessageBody: "\u0000" }] }, caller);
    assert.deepEqual(mixed.Successful.map((s) => [s.Id, s.MD5OfMessageBody]), [["ok", md5Hex("fine")]]);
    assert.deepEqual(mixed.Failed.map((f) => [f.Id, f.Code, f.SenderFault]), [["bad", "InvalidMessageContents", true]]);
  });

  it("PurgeQueue empties the queue once per 60 seconds", async () => {
    const { QueueUrl } = await createQueue(fake, { QueueName: "purge" }, caller);
    await sendMessage(fake, { QueueUrl, MessageBody: "m" }, caller);
    await purgeQueue(fake, { QueueUrl });
    assert.deepEqual(await receiveMessage(fake, { QueueUrl }), {});
    await assert.rejects(purgeQueue(fake, { QueueUrl }), code("PurgeQueueInProgress"));
    clock += 60_000;
    await purgeQueue(fake, { QueueUrl });
  });

  it("a message move task redrives a DLQ back to each message's source queue", async () => {
    await createQueue(context, { QueueName: "move-dlq" }, caller);
    const policy = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:move-dlq", maxReceiveCount: 1 });
    const { QueueUrl } = await createQueue(context, { QueueName: "move-src", Attributes: { RedrivePolicy: policy } }, caller);
    for (const body of ["one", "two", "three"]) await sendMessage(context, { QueueUrl, MessageBody: body }, caller);
    await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    assert.deepEqual(await receiveMessage(context, { QueueUrl }), {}, "all three moved to the DLQ");
    const moves = new MoveTasks(context, store.sqsMoveTasks);
    await assert.rejects(moves.start({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:move-src" }), code("InvalidParameterValue"), "not a DLQ");
    const { TaskHandle } = await moves.start({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:move-dlq", MaxNumberOfMessagesPerSecond: 100 });
    assert.ok(TaskHandle);
    const done = await waitFor("the move to complete", async () => {
      const [task] = (await moves.list({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:move-dlq" })).Results;
      return task?.Status === "COMPLETED" ? task : undefined;
    });
    assert.deepEqual([done.ApproximateNumberOfMessagesMoved, done.ApproximateNumberOfMessagesToMove], [3, 3]);
    const back = await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"] });
    assert.deepEqual(back.Messages?.map((m) => m.Body).sort(), ["one", "three", "two"]);
    assert.equal(back.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn, undefined);
    await assert.rejects(moves.cancel({ TaskHandle }), code("ResourceNotFoundException"), "a finished task cannot be cancelled");
    await moves.close();
  });

  it("a move task outlives its node: another node lists it, a restart resumes it where it stopped, and a cancel from any node stops it", async () => {
    await createQueue(context, { QueueName: "resume-dlq" }, caller);
    const policy = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:resume-dlq", maxReceiveCount: 1 });
    const { QueueUrl } = await createQueue(context, { QueueName: "resume-src", Attributes: { RedrivePolicy: policy } }, caller);
    for (let i = 0; i < 6; i++) await sendMessage(context, { QueueUrl, MessageBody: `m${i}` }, caller);
    await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    assert.deepEqual(await receiveMessage(context, { QueueUrl }), {}, "all six moved to the DLQ");
    const SourceArn = "arn:aws:sqs:us-east-1:000000000000:resume-dlq";
    const timing = { staleAfterMs: 200, resumeCheckMs: 50 };
    const first = new MoveTasks(context, store.sqsMoveTasks, timing);
    await first.start({ SourceArn, MaxNumberOfMessagesPerSecond: 5 });
    await waitFor("a first batch moved", async () => (((await first.list({ SourceArn })).Results[0]?.ApproximateNumberOfMessagesMoved as number) >= 1 ? true : undefined));
    await first.close(); // the node stops mid-task
    const stopped = (await first.list({ SourceArn })).Results[0];
    assert.equal(stopped?.Status, "RUNNING", "a stopped node leaves its task running for another to resume");
    const second = new MoveTasks(context, store.sqsMoveTasks, timing);
    second.startResuming();
    const done = await waitFor("the resumed move to complete", async () => {
      const [task] = (await second.list({ SourceArn })).Results;
      return task?.Status === "COMPLETED" ? task : undefined;
    });
    assert.deepEqual([done.ApproximateNumberOfMessagesMoved, done.ApproximateNumberOfMessagesToMove], [6, 6]);
    const back = await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10 });
    assert.deepEqual(back.Messages?.map((m) => m.Body).sort(), ["m0", "m1", "m2", "m3", "m4", "m5"], "each message moved once");
    for (const m of back.Messages ?? []) await deleteMessage(context, { QueueUrl, ReceiptHandle: m.ReceiptHandle ?? "" });

    // Cancelled through another node's view of the store.
    for (let i = 0; i < 6; i++) await sendMessage(context, { QueueUrl, MessageBody: `c${i}` }, caller);
    await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 });
    assert.deepEqual(await receiveMessage(context, { QueueUrl }), {}, "all six in the DLQ again");
    const { TaskHandle } = await second.start({ SourceArn, MaxNumberOfMessagesPerSecond: 1 });
    const other = new MoveTasks(context, store.sqsMoveTasks, timing);
    await other.cancel({ TaskHandle });
    const cancelled = await waitFor("the cancel to take effect", async () => {
      const [task] = (await second.list({ SourceArn })).Results;
      return task?.Status === "CANCELLED" ? task : undefined;
    });
    assert.ok((cancelled.ApproximateNumberOfMessagesMoved as number) < 6, "it stopped before moving everything");
    await Promise.all([second.close(), other.close()]);
  });

  it("the retention job deletes expired messages queue by queue", async () => {
    const { QueueUrl } = await createQueue(fake, { QueueName: "sweep", Attributes: { MessageRetentionPeriod: "60" } }, caller);
    await sendMessage(fake, { QueueUrl, MessageBody: "old" }, caller);
    const job = sqsRetentionJob(fake);
    await job.deleteExpired(clock, 100); // what earlier cases left past its retention
    assert.equal((await store.messages.peek("sweep", 0, 10)).length, 1, "within its retention: kept");
    assert.ok((await job.deleteExpired(clock + 60_000, 100)) >= 1);
    assert.deepEqual(await store.messages.peek("sweep", 0, 10), []);
  });

  it("reads partial batch responses as Lambda does", () => {
    const ids = new Set(["a", "b"]);
    const answer = (value: unknown) => reportedFailures(Buffer.from(typeof value === "string" ? value : JSON.stringify(value)), ids);
    assert.deepEqual(answer(""), new Set());
    assert.deepEqual(answer("null"), new Set());
    assert.deepEqual(answer({ batchItemFailures: null }), new Set());
    assert.deepEqual(answer({ batchItemFailures: [] }), new Set());
    assert.deepEqual(answer({ something: "else" }), new Set());
    assert.deepEqual(answer({ batchItemFailures: [{ itemIdentifier: "b" }] }), new Set(["b"]));
    assert.equal(answer("{not json"), "all");
    assert.equal(answer({ batchItemFailures: [{ itemIdentifier: "" }] }), "all");
    assert.equal(answer({ batchItemFailures: [{ itemIdentifier: null }] }), "all");
    assert.equal(answer({ batchItemFailures: [{ id: "a" }] }), "all");
    assert.equal(answer({ batchItemFailures: [{ itemIdentifier: "zzz" }] }), "all");
  });

  it("ListDeadLetterSourceQueues, RedriveAllowPolicy, tags, GetQueueUrl and DeleteQueue", async () => {
    const dlq = await createQueue(context, { QueueName: "allow-dlq", Attributes: { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: ["arn:aws:sqs:us-east-1:000000000000:allowed"] }) } }, caller);
    const policy = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:allow-dlq", maxReceiveCount: 3 });
    await createQueue(context, { QueueName: "allowed", Attributes: { RedrivePolicy: policy } }, caller);
    await assert.rejects(createQueue(context, { QueueName: "refused", Attributes: { RedrivePolicy: policy } }, caller), code("InvalidParameterValue"));
    const asString = JSON.stringify({ maxReceiveCount: "3", deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:allow-dlq" });
    assert.equal((await createQueue(context, { QueueName: "allowed", Attributes: { RedrivePolicy: asString } }, caller)).QueueUrl, url("allowed"), "the same policy, spelled otherwise");
    assert.equal((await getQueueAttributes(context, { QueueUrl: url("allowed"), AttributeNames: ["RedrivePolicy"] })).Attributes?.RedrivePolicy, policy, "kept as SQS answers it");
    await assert.rejects(createQueue(context, { QueueName: "x", Attributes: { RedriveAllowPolicy: '{"redrivePermission":"byQueue"}' } }, caller), code("InvalidAttributeValue"));
    assert.deepEqual((await listDeadLetterSourceQueues(context, { QueueUrl: dlq.QueueUrl }, caller)).queueUrls, [url("allowed")]);
    await tagQueue(context, { QueueUrl: dlq.QueueUrl, Tags: { a: "1", b: "2" } });
    await untagQueue(context, { QueueUrl: dlq.QueueUrl, TagKeys: ["a"] });
    assert.deepEqual(await listQueueTags(context, { QueueUrl: dlq.QueueUrl }), { Tags: { b: "2" } });
    await assert.rejects(tagQueue(context, { QueueUrl: dlq.QueueUrl, Tags: { "aws:x": "1" } }), code("InvalidParameterValue"));
    assert.equal((await getQueueUrl(context, { QueueName: "allowed" }, caller)).QueueUrl, url("allowed"));
    await assert.rejects(getQueueUrl(context, { QueueName: "allowed", QueueOwnerAWSAccountId: "999999999999" }, caller), code("QueueDoesNotExist"));
    await deleteQueue(context, { QueueUrl: url("allowed") });
    await assert.rejects(getQueueUrl(context, { QueueName: "allowed" }, caller), code("QueueDoesNotExist"));
    await assert.rejects(getQueueAttributes(context, { QueueUrl: "http://elsewhere:1/999999999999/allowed" }), code("QueueDoesNotExist"), "another account's queue");
  });

  it("a long poll ends empty at its wait time, and answers at once when the queue is deleted", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "empty-wait" }, caller);
    let started = Date.now();
    assert.deepEqual(await receiveMessage(context, { QueueUrl, WaitTimeSeconds: 1 }), {});
    assert.ok(Date.now() - started >= 950, `waited ${Date.now() - started} ms`);
    started = Date.now();
    const waiting = receiveMessage(context, { QueueUrl, WaitTimeSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await deleteQueue(context, { QueueUrl });
    assert.deepEqual(await waiting, {});
    assert.ok(Date.now() - started < 10_000);
  });

  it("FIFO: a receive retried with the same ReceiveRequestAttemptId gets the same messages and handles", async () => {
    const { QueueUrl } = await createQueue(context, { QueueName: "attempt.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }, caller);
    for (const body of ["a1", "a2"]) await sendMessage(context, { QueueUrl, MessageBody: body, MessageGroupId: "A" }, caller);
    const first = await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, ReceiveRequestAttemptId: "try-1" });
    const again = await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, ReceiveRequestAttemptId: "try-1" });
    assert.deepEqual(again.Messages?.map((m) => [m.Body, m.ReceiptHandle]), first.Messages?.map((m) => [m.Body, m.ReceiptHandle]));
    assert.deepEqual(await receiveMessage(context, { QueueUrl, MaxNumberOfMessages: 10, ReceiveRequestAttemptId: "try-2" }), {}, "another attempt: the group is in flight");
    await deleteMessage(context, { QueueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle ?? "" });
    assert.deepEqual((await receiveMessage(context, { QueueUrl, ReceiveRequestAttemptId: "try-1" })).Messages?.map((m) => m.Body), ["a2"], "what is still held under the attempt");
  });
});
