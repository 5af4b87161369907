/** ReceiveMessage with long polling, and what a receipt handle allows: DeleteMessage(Batch), ChangeMessageVisibility(Batch). */
import { UnkaiError } from "../../core/errors.js";
import type { QueueRecord, StoredQueueMessage } from "../../store/ports.js";
import { queueArn, queueNameFromArn } from "./addresses.js";
import { type BatchFailure, checkBatch, entryFailure } from "./batches.js";
import { type SqsContext, countQueue, integerParameter, queueByUrl } from "./context.js";
import { type AttributeValue, attributesMd5 } from "./digests.js";
import { decodeMeta } from "./message-meta.js";
import { newReceiptToken, parseReceipt, receiptHandle } from "./receipts.js";
import { settingsOf } from "./queue-attributes.js";
import { sequenceNumber } from "./send-ops.js";

export interface ReceiveInput {
  readonly QueueUrl: string;
  readonly AttributeNames?: readonly string[];
  readonly MessageSystemAttributeNames?: readonly string[];
  readonly MessageAttributeNames?: readonly string[];
  readonly MaxNumberOfMessages?: number;
  readonly VisibilityTimeout?: number;
  readonly WaitTimeSeconds?: number;
  readonly ReceiveRequestAttemptId?: string;
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes?: Record<string, string>;
  MD5OfMessageAttributes?: string;
  MessageAttributes?: Record<string, AttributeValue>;
}

const MAX_VISIBILITY_SECONDS = 43_200;
/** How often a waiting long poll looks again without a wake-up (for messages sent through another Unkai on the same store). */
const OTHER_NODES_CHECK_MS = 1_000;
/** How long SQS keeps a FIFO receive's ReceiveRequestAttemptId. */
const RECEIVE_ATTEMPT_MS = 5 * 60_000;

/** A message attribute name filter: `All`, `.*`, an exact name, or `prefix.*`. */
function attributeWanted(filters: readonly string[], name: string): boolean {
  return filters.some((f) => f === "All" || f === ".*" || f === name || (f.endsWith(".*") && name.startsWith(f.slice(0, -1))));
}

function systemAttributes(context: SqsContext, message: StoredQueueMessage, names: ReadonlySet<string>): Record<string, string> | undefined {
  const meta = decodeMeta(message.meta);
  const all = names.has("All");
  const values: Record<string, string | undefined> = {
    SenderId: meta.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceivedAt === undefined ? undefined : String(message.firstReceivedAt),
    SequenceNumber: meta.dedupId === undefined ? undefined : sequenceNumber(message.seq),
    MessageDeduplicationId: meta.dedupId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: meta.system.AWSTraceHeader?.StringValue,
    DeadLetterQueueSourceArn: meta.sentTo === message.queue ? undefined : queueArn(context.account, meta.sentTo),
  };
  const chosen = Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined && (all || names.has(e[0])));
  return chosen.length > 0 ? Object.fromEntries(chosen) : undefined;
}

function shape(context: SqsContext, message: StoredQueueMessage, input: ReceiveInput, token: string): ReceivedMessage {
  const meta = decodeMeta(message.meta);
  const names = new Set([...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])]);
  const attributes = systemAttributes(context, message, names);
  const filters = input.MessageAttributeNames ?? [];
  const chosen = Object.fromEntries(Object.entries(meta.attributes).filter(([name]) => attributeWanted(filters, name)));
  const md5 = attributesMd5(chosen);
  return {
    MessageId: message.id,
    ReceiptHandle: receiptHandle({ queue: message.queue, seq: message.seq, token }),
    MD5OfBody: meta.md5OfBody,
    Body: message.body,
    ...(attributes ? { Attributes: attributes } : {}),
    ...(md5 ? { MD5OfMessageAttributes: md5, MessageAttributes: chosen } : {}),
  };
}

async function receiveOnce(context: SqsContext, queue: QueueRecord, limit: number, visibilitySeconds: number, token: string): Promise<StoredQueueMessage[]> {
  const settings = settingsOf(queue.attributes);
  const now = context.now();
  const targetName = settings.redrive ? queueNameFromArn(settings.redrive.deadLetterTargetArn, context.account) : undefined;
  const target = targetName === undefined ? undefined : await context.queues.get(targetName);
  const { delivered, movedToDeadLetter } = await context.messages.receive({
    queue: queue.name, now, limit, visibleUntil: now + visibilitySeconds * 1000, receipt: token,
    sentAfter: now - settings.retentionSeconds * 1000, fifo: queue.fifo,
    // A FIFO dead-letter queue starts the moved message's retention again; a standard one keeps its first enqueue time.
    deadLetter: settings.redrive && target ? { queue: target.name, maxReceiveCount: settings.redrive.maxReceiveCount, resetSentAt: target.fifo } : undefined,
  });
  if (movedToDeadLetter > 0 && target) context.signals.wake(target.name);
  return delivered;
}

export async function receiveMessage(context: SqsContext, input: ReceiveInput): Promise<{ Messages?: ReceivedMessage[] }> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const settings = settingsOf(queue.attributes);
  const limit = integerParameter("MaxNumberOfMessages", input.MaxNumberOfMessages, 1, 10, 1);
  const visibilitySeconds = integerParameter("VisibilityTimeout", input.VisibilityTimeout, 0, MAX_VISIBILITY_SECONDS, settings.visibilitySeconds);
  const waitSeconds = integerParameter("WaitTimeSeconds", input.WaitTimeSeconds, 0, 20, settings.waitSeconds);
  const attemptKey = queue.fifo && input.ReceiveRequestAttemptId !== undefined ? `${queue.name}\n${input.ReceiveRequestAttemptId}` : undefined;
  const retried = attemptKey === undefined ? undefined : await sameAttempt(context, queue, attemptKey);
  if (retried && retried.messages.length > 0) {
    countQueue(context, queue.name, "NumberOfMessagesReceived", retried.messages.length);
    return { Messages: retried.messages.map((m) => shape(context, m, input, retried.token)) };
  }
  const deadline = context.now() + waitSeconds * 1000;
  const token = newReceiptToken();
  for (;;) {
    // Armed before looking, so a send committed between the look and the wait still wakes this receive.
    const ticket = context.signals.arm(queue.name);
    const delivered = await receiveOnce(context, queue, limit, visibilitySeconds, token);
    const now = context.now();
    if (delivered.length > 0 || now >= deadline) {
      ticket.cancel();
      if (attemptKey !== undefined && delivered.length > 0) {
        context.receiveAttempts.set(attemptKey, { token, seqs: delivered.map((m) => m.seq), expiresAt: now + RECEIVE_ATTEMPT_MS });
      }
      // A receive that found nothing, Lambda's own polls included, is an empty receive, as AWS bills and counts it.
      countQueue(context, queue.name, delivered.length > 0 ? "NumberOfMessagesReceived" : "NumberOfEmptyReceives", Math.max(1, delivered.length));
      return delivered.length > 0 ? { Messages: delivered.map((m) => shape(context, m, input, token)) } : {};
    }
    const next = await context.messages.nextVisibleAt(queue.name, now, now - settings.retentionSeconds * 1000);
    // Sends on this node wake the ticket at once; a look every second also catches another node's (a shared store).
    ticket.until(Math.min(deadline, next ?? deadline, now + OTHER_NODES_CHECK_MS));
    await ticket.fired;
    if (context.signals.isClosed || !(await context.queues.get(queue.name))) return {};
  }
}

/** The messages a FIFO receive with this attempt id handed out, those still held under its receipt (none once it expired). */
async function sameAttempt(context: SqsContext, queue: QueueRecord, key: string): Promise<{ token: string; messages: StoredQueueMessage[] } | undefined> {
  const now = context.now();
  for (const [k, attempt] of context.receiveAttempts) if (attempt.expiresAt <= now) context.receiveAttempts.delete(k);
  const attempt = context.receiveAttempts.get(key);
  if (!attempt) return undefined;
  const messages: StoredQueueMessage[] = [];
  for (const seq of attempt.seqs) {
    const [message] = await context.messages.peek(queue.name, seq - 1, 1);
    if (message?.seq === seq && message.receipt === attempt.token) messages.push(message);
  }
  return { token: attempt.token, messages };
}

export async function deleteMessage(context: SqsContext, input: { QueueUrl: string; ReceiptHandle: string }): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  await deleteOne(context, queue, input.ReceiptHandle);
  return {};
}

/** An older receipt deletes nothing and still succeeds, as on SQS (only the latest receive's handle counts). */
async function deleteOne(context: SqsContext, queue: QueueRecord, handle: string): Promise<void> {
  const receipt = parseReceipt(handle, queue.name);
  const deleted = await context.messages.delete(queue.name, receipt.seq, receipt.token);
  if (deleted) countQueue(context, queue.name, "NumberOfMessagesDeleted");
  // Deleting a FIFO message may free its group for a waiting receive.
  if (deleted && queue.fifo) context.signals.wake(queue.name);
}

export async function deleteMessageBatch(
  context: SqsContext,
  input: { QueueUrl: string; Entries: readonly { Id: string; ReceiptHandle: string }[] },
): Promise<{ Successful: { Id: string }[]; Failed: BatchFailure[] }> {
  checkBatch(input.Entries, "DeleteMessageBatchRequestEntry");
  const queue = await queueByUrl(context, input.QueueUrl);
  const Successful: { Id: string }[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of input.Entries) {
    try {
      await deleteOne(context, queue, entry.ReceiptHandle);
      Successful.push({ Id: entry.Id });
    } catch (error) {
      Failed.push(entryFailure(entry.Id, error));
    }
  }
  return { Successful, Failed };
}

async function changeOne(context: SqsContext, queue: QueueRecord, handle: string, timeout: number | undefined): Promise<void> {
  const seconds = integerParameter("VisibilityTimeout", timeout, 0, MAX_VISIBILITY_SECONDS, 0);
  const receipt = parseReceipt(handle, queue.name);
  const now = context.now();
  const outcome = await context.messages.changeVisibility(queue.name, receipt.seq, receipt.token, now + seconds * 1000, now);
  if (outcome === "not-in-flight") throw new UnkaiError("MessageNotInflight", "Message does not exist or is not available for visibility timeout change.");
  if (outcome === "unknown") {
    throw new UnkaiError("InvalidParameterValue", `Value ${handle.slice(0, 200)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
  }
  if (seconds === 0) context.signals.wake(queue.name);
}

export async function changeMessageVisibility(
  context: SqsContext,
  input: { QueueUrl: string; ReceiptHandle: string; VisibilityTimeout: number },
): Promise<Record<string, never>> {
  const queue = await queueByUrl(context, input.QueueUrl);
  await changeOne(context, queue, input.ReceiptHandle, input.VisibilityTimeout);
  return {};
}

export async function changeMessageVisibilityBatch(
  context: SqsContext,
  input: { QueueUrl: string; Entries: readonly { Id: string; ReceiptHandle: string; VisibilityTimeout?: number }[] },
): Promise<{ Successful: { Id: string }[]; Failed: BatchFailure[] }> {
  checkBatch(input.Entries, "ChangeMessageVisibilityBatchRequestEntry");
  const queue = await queueByUrl(context, input.QueueUrl);
  const Successful: { Id: string }[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of input.Entries) {
    try {
      await changeOne(context, queue, entry.ReceiptHandle, entry.VisibilityTimeout);
      Successful.push({ Id: entry.Id });
    } catch (error) {
      Failed.push(entryFailure(entry.Id, error));
    }
  }
  return { Successful, Failed };
}
