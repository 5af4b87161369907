/** SendMessage and SendMessageBatch: validation, FIFO groups and deduplication, delays, digests. */
import { createHash, randomUUID } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { NewQueueMessage, QueueRecord } from "../../store/ports.js";
import { doesNotExist } from "./addresses.js";
import { type BatchFailure, checkBatch, entryFailure } from "./batches.js";
import { type Caller, type SqsContext, countQueue, queueByUrl } from "./context.js";
import { attributesMd5, md5Hex } from "./digests.js";
import { encodeMeta } from "./message-meta.js";
import { type AttributeInput, checkBody, checkMessageAttributes, checkSystemAttributes, checkToken, messageSize } from "./message-rules.js";
import { DEDUP_WINDOW_MS, MAX_MESSAGE_BYTES, settingsOf } from "./queue-attributes.js";

export interface SendInput {
  readonly MessageBody: string;
  readonly DelaySeconds?: number;
  readonly MessageAttributes?: Readonly<Record<string, AttributeInput>>;
  readonly MessageSystemAttributes?: Readonly<Record<string, AttributeInput>>;
  readonly MessageDeduplicationId?: string;
  readonly MessageGroupId?: string;
}

export interface SendOutput {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

/** A message ready to store, with what the answer says about it. */
interface Prepared {
  readonly message: NewQueueMessage;
  readonly answer: Omit<SendOutput, "MessageId" | "SequenceNumber">;
  readonly size: number;
}

const notForThisQueue = (name: string, value: unknown) =>
  new UnkaiError("InvalidParameterValue", `Value ${String(value)} for parameter ${name} is invalid. Reason: The request include parameter that is not valid for this queue type.`);

function fifoKeys(queue: QueueRecord, input: SendInput): { groupId: string; dedupId: string; dedupKey: string } {
  const settings = settingsOf(queue.attributes);
  if (input.MessageGroupId === undefined) throw new UnkaiError("MissingParameter", "The request must contain the parameter MessageGroupId.");
  checkToken("MessageGroupId", input.MessageGroupId);
  if (input.DelaySeconds !== undefined && input.DelaySeconds !== 0) throw notForThisQueue("DelaySeconds", input.DelaySeconds);
  let dedupId = input.MessageDeduplicationId;
  if (dedupId !== undefined) checkToken("MessageDeduplicationId", dedupId);
  else if (settings.contentBasedDeduplication) dedupId = createHash("sha256").update(input.MessageBody, "utf8").digest("hex");
  else throw new UnkaiError("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  const scope = settings.dedupPerGroup ? input.MessageGroupId : "";
  return { groupId: input.MessageGroupId, dedupId, dedupKey: `${scope}\n${dedupId}` };
}

function prepare(queue: QueueRecord, input: SendInput, now: number, caller: Caller): Prepared {
  const settings = settingsOf(queue.attributes);
  checkBody(input.MessageBody);
  const attributes = checkMessageAttributes(input.MessageAttributes);
  const system = checkSystemAttributes(input.MessageSystemAttributes);
  const size = messageSize(input.MessageBody, attributes);
  if (size > settings.maximumMessageSize) {
    throw new UnkaiError("InvalidParameterValue", `One or more parameters are invalid. Reason: Message must be shorter than ${settings.maximumMessageSize} bytes.`);
  }
  let delaySeconds = settings.delaySeconds;
  let fifo: ReturnType<typeof fifoKeys> | undefined;
  if (queue.fifo) fifo = fifoKeys(queue, input);
  else {
    if (input.MessageDeduplicationId !== undefined) throw notForThisQueue("MessageDeduplicationId", input.MessageDeduplicationId);
    if (input.MessageGroupId !== undefined) checkToken("MessageGroupId", input.MessageGroupId);
    if (input.DelaySeconds !== undefined) {
      if (!Number.isInteger(input.DelaySeconds) || input.DelaySeconds < 0 || input.DelaySeconds > 900) {
        throw new UnkaiError("InvalidParameterValue", `Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
      }
      delaySeconds = input.DelaySeconds;
    }
  }
  const md5OfBody = md5Hex(input.MessageBody);
  const md5OfAttributes = attributesMd5(attributes);
  const md5OfSystem = attributesMd5(system);
  const meta = { attributes, system, md5OfBody, senderId: caller.senderId, dedupId: fifo?.dedupId, sentTo: queue.name };
  return {
    message: {
      id: randomUUID(), body: input.MessageBody, meta: encodeMeta(meta),
      // A standard queue keeps a group id (fair queues) but never orders or locks by it.
      groupId: fifo?.groupId, dedupKey: fifo?.dedupKey, sentAt: now, visibleAt: now + delaySeconds * 1000,
    },
    answer: {
      MD5OfMessageBody: md5OfBody,
      ...(md5OfAttributes ? { MD5OfMessageAttributes: md5OfAttributes } : {}),
      ...(md5OfSystem ? { MD5OfMessageSystemAttributes: md5OfSystem } : {}),
    },
    size,
  };
}

/** FIFO sequence numbers: 20 decimal digits, increasing with the queue's counter. */
export const sequenceNumber = (seq: number): string => (10n ** 19n + BigInt(seq)).toString();

async function store(context: SqsContext, queue: QueueRecord, prepared: readonly Prepared[], now: number): Promise<SendOutput[]> {
  const sent = await context.messages.send(queue.name, prepared.map((p) => p.message), now, now + DEDUP_WINDOW_MS);
  if (!sent) throw doesNotExist();
  context.signals.wake(queue.name);
  for (const p of prepared) {
    countQueue(context, queue.name, "NumberOfMessagesSent");
    countQueue(context, queue.name, "SentMessageSize", p.size, "Bytes");
  }
  return sent.map((result, i) => ({
    MessageId: result.id,
    ...prepared[i]?.answer,
    ...(queue.fifo ? { SequenceNumber: sequenceNumber(result.seq) } : {}),
  }) as SendOutput);
}

export async function sendMessage(context: SqsContext, input: SendInput & { QueueUrl: string }, caller: Caller): Promise<SendOutput> {
  const queue = await queueByUrl(context, input.QueueUrl);
  const now = context.now();
  const [answer] = await store(context, queue, [prepare(queue, input, now, caller)], now);
  if (!answer) throw doesNotExist();
  return answer;
}

export async function sendMessageBatch(
  context: SqsContext,
  input: { QueueUrl: string; Entries: readonly (SendInput & { Id: string })[] },
  caller: Caller,
): Promise<{ Successful: (SendOutput & { Id: string })[]; Failed: BatchFailure[] }> {
  checkBatch(input.Entries, "SendMessageBatchRequestEntry");
  const queue = await queueByUrl(context, input.QueueUrl);
  const now = context.now();
  const ok: { id: string; prepared: Prepared }[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of input.Entries) {
    try {
      ok.push({ id: entry.Id, prepared: prepare(queue, entry, now, caller) });
    } catch (error) {
      Failed.push(entryFailure(entry.Id, error));
    }
  }
  const total = ok.reduce((sum, e) => sum + e.prepared.size, 0);
  if (total > MAX_MESSAGE_BYTES) {
    throw new UnkaiError("BatchRequestTooLong", `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
  }
  const answers = ok.length > 0 ? await store(context, queue, ok.map((e) => e.prepared), now) : [];
  const Successful = answers.map((answer, i) => ({ Id: ok[i]?.id ?? "", ...answer }));
  return { Successful, Failed };
}
