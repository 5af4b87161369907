/**
 * Publish and PublishBatch. FIFO topics remember deduplication ids for five minutes (a duplicate
 * answers the first MessageId and is not delivered again) and number their messages; both are kept
 * in the store, shared by every node and through a restart.
 */
import { randomUUID } from "node:crypto";
import { MissingTargetError } from "../../async/destinations.js";
import { UnkaiError } from "../../core/errors.js";
import type { SnsTopicRecord } from "../../core/sns.js";
import type { SnsDeduplicationStore } from "../../store/ports.js";
import { countTopic, invalid, topicByArn, type Caller, type SnsContext } from "./context.js";
import type { Published } from "./envelope.js";
import type { Fanout } from "./fanout.js";
import { checkMessage, fifoIds, MAX_MESSAGE_BYTES, type MessageInput } from "./message-rules.js";

const DEDUP_WINDOW_MS = 5 * 60_000;
/** How often ended deduplication records are swept (one write, not one per publish). */
const SWEEP_EVERY_MS = 60_000;
/** Where SNS's FIFO sequence numbers start: 20 digits, as SNS's are, increasing with the store's counter. */
const SEQUENCE_BASE = 10_000_000_000_000_000_000n;

interface PublishInput extends MessageInput {
  TopicArn?: string;
  TargetArn?: string;
  PhoneNumber?: string;
}

interface BatchEntry extends MessageInput {
  Id: string;
}

export class Publisher {
  private sweptAt = 0;

  constructor(private readonly context: SnsContext, private readonly dedup: SnsDeduplicationStore, private readonly fanout: Fanout) {}

  async publish(input: PublishInput, caller: Caller): Promise<object> {
    if (input.PhoneNumber !== undefined) throw invalid("PhoneNumber Reason: Unkai does not send SMS");
    const arn = input.TopicArn ?? input.TargetArn;
    if (arn === undefined) throw invalid("TopicArn or TargetArn Reason: no value for required parameter");
    const topic = await topicByArn(this.context, arn);
    const { messageId, sequenceNumber } = await this.publishOne(topic, input, caller.baseUrl);
    return { MessageId: messageId, ...(sequenceNumber !== undefined ? { SequenceNumber: sequenceNumber } : {}) };
  }

  /** Another service's message (destinations.send): published as if by Publish, on Unkai's own address. */
  async publishFrom(topicArn: string, input: MessageInput, baseUrl: string): Promise<void> {
    const topic = await this.context.topics.get(topicArn);
    if (!topic) throw new MissingTargetError(`topic ${topicArn} does not exist`);
    await this.publishOne(topic, input, baseUrl);
  }

  async publishBatch(input: { TopicArn: string; PublishBatchRequestEntries: BatchEntry[] }, caller: Caller): Promise<object> {
    const topic = await topicByArn(this.context, input.TopicArn);
    const entries = input.PublishBatchRequestEntries;
    if (entries.length === 0) throw new UnkaiError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
    if (entries.length > 10) throw new UnkaiError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
    if (new Set(entries.map((e) => e.Id)).size !== entries.length) throw new UnkaiError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
    for (const entry of entries) {
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(entry.Id)) throw new UnkaiError("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.");
    }
    const total = entries.reduce((sum, e) => sum + Buffer.byteLength(e.Message, "utf8"), 0);
    if (total > MAX_MESSAGE_BYTES) throw new UnkaiError("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
    const Successful: object[] = [];
    const Failed: object[] = [];
    for (const entry of entries) {
      try {
        const { messageId, sequenceNumber } = await this.publishOne(topic, entry, caller.baseUrl);
        Successful.push({ Id: entry.Id, MessageId: messageId, ...(sequenceNumber !== undefined ? { SequenceNumber: sequenceNumber } : {}) });
      } catch (error) {
        if (!(error instanceof UnkaiError)) throw error;
        Failed.push({ Id: entry.Id, Code: error.code, Message: error.message, SenderFault: true });
      }
    }
    return { Successful, Failed };
  }

  private async publishOne(topic: SnsTopicRecord, input: MessageInput, baseUrl: string): Promise<{ messageId: string; sequenceNumber: string | undefined }> {
    const messageFor = checkMessage(input);
    const ids = fifoIds(topic, input);
    const now = this.context.now();
    let messageId: string = randomUUID();
    let sequenceNumber: string | undefined;
    if (ids) {
      await this.sweep(now);
      const claim = await this.dedup.claim(topic.arn, ids.deduplicationId, messageId, now, now + DEDUP_WINDOW_MS);
      sequenceNumber = String(SEQUENCE_BASE + BigInt(claim.sequence));
      if (!claim.fresh) return { messageId: claim.messageId, sequenceNumber };
      messageId = claim.messageId;
    }
    const published: Published = {
      messageId, topicArn: topic.arn, subject: input.Subject, messageFor, attributes: input.MessageAttributes ?? {},
      timestamp: new Date(now).toISOString(), fifo: ids && sequenceNumber !== undefined ? { ...ids, sequenceNumber } : undefined,
    };
    try {
      await this.fanout.publish(topic, published, baseUrl);
    } catch (error) {
      // Not published: a retry with the same deduplication id must be published, not taken for a duplicate.
      if (ids) await this.dedup.release(topic.arn, ids.deduplicationId, messageId);
      throw error;
    }
    countTopic(this.context.metrics, topic.arn, "NumberOfMessagesPublished");
    countTopic(this.context.metrics, topic.arn, "PublishSize", Buffer.byteLength(input.Message, "utf8"), "Bytes");
    return { messageId, sequenceNumber };
  }

  private async sweep(now: number): Promise<void> {
    if (now - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = now;
    await this.dedup.deleteExpired(now);
  }
}
