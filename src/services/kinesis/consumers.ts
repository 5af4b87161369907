/**
 * Enhanced fan-out: consumers registered on a stream (kept in its document) and SubscribeToShard,
 * an event stream (`application/vnd.amazon.eventstream`, over HTTP/2 or HTTP/1.1) that pushes a shard's
 * records to one consumer as they arrive: an event at once, then one whenever records come (or every
 * 5 s without any, as AWS's heartbeat), each with its ContinuationSequenceNumber; it ends after 5
 * minutes (the client subscribes again from the continuation), or with ChildShards once a closed shard
 * is read to its end. Per consumer and shard, as on AWS: a call within 5 s of the last successful one is
 * ResourceInUseException; a later one takes the subscription over, and the earlier stream ends with a
 * ResourceInUseException event (kept per node).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { UnkaiError } from "../../core/errors.js";
import { consumerArn, KINESIS_CONSUMER_ARN, type KinesisConsumer, type KinesisStreamRecord } from "../../core/kinesis.js";
import { EventStreamOutput, type StreamedEvent } from "../../protocol/codecs/event-stream-output.js";
import { invalid, loadStream, notFound, readToken, writeToken, type KinesisContext } from "./context.js";
import { MAX_READ_BYTES, pageFull, startAfter, wireRecords, type IteratorType } from "./record-ops.js";
import { childrenOf, formatSequenceNumber, shardNamed } from "./shards.js";
import { checkTags } from "./tags.js";

/** AWS's limit on consumers per stream. */
const MAX_CONSUMERS = 20;
/** A subscription lasts 5 minutes on AWS. */
const SUBSCRIPTION_MS = 5 * 60 * 1000;
const HEARTBEAT_MS = 5_000;
/** How soon after a successful SubscribeToShard another for the same consumer and shard is refused. */
const RESUBSCRIBE_MS = 5_000;
/** Records one event carries at most. */
const EVENT_RECORDS = 10_000;
/** Records arriving close together go out in one event: a woken subscription waits this long before it reads. */
const COALESCE_MS = 50;


interface ConsumerNaming {
  readonly StreamARN?: string;
  readonly ConsumerName?: string;
  readonly ConsumerARN?: string;
}


function consumerOutput(consumer: KinesisConsumer, status: "CREATING" | "ACTIVE") {
  return { ConsumerName: consumer.name, ConsumerARN: consumer.arn, ConsumerStatus: status, ConsumerCreationTimestamp: new Date(consumer.createdAt) };
}

/** The stream and consumer a request names (by ARN, or by stream ARN and name); ResourceNotFoundException when either is gone. */
export async function loadConsumer(ctx: KinesisContext, input: ConsumerNaming): Promise<{ stream: KinesisStreamRecord; consumer: KinesisConsumer }> {
  const byArn = input.ConsumerARN === undefined ? undefined : KINESIS_CONSUMER_ARN.exec(input.ConsumerARN);
  if (input.ConsumerARN !== undefined && !byArn) throw invalid(`ConsumerARN ${input.ConsumerARN} is not a Kinesis consumer ARN.`);
  const streamArn = byArn?.[1] ?? input.StreamARN;
  if (streamArn === undefined || (byArn === undefined && input.ConsumerName === undefined)) {
    throw invalid("Either ConsumerARN, or StreamARN and ConsumerName, must be provided.");
  }
  const stream = await loadStream(ctx, { StreamARN: streamArn });
  const consumer = (stream.consumers ?? []).find((c) => (byArn ? c.arn === input.ConsumerARN : c.name === input.ConsumerName));
  if (!consumer) throw new UnkaiError("ResourceNotFoundException", `Consumer ${input.ConsumerARN ?? input.ConsumerName} under stream ${stream.name} under account ${ctx.account.accountId} not found.`);
  return { stream, consumer };
}

export function consumerOperations(ctx: KinesisContext) {
  const tooManySubscriptions = () => `This node already serves ${ctx.maxSubscriptions} SubscribeToShard subscriptions, the most it keeps open at once; try again when one has ended.`;
  /** The latest subscription of each `consumer ARN/shard` on this node: when it began, and its id (a later one replaces it). */
  const subscribed = new Map<string, { startedAt: number; id: symbol }>();
  /**
   * Subscriptions whose events are being read. One joins when its response starts pulling (a generator
   * never started never runs its `finally`, so counting any earlier could leak) and leaves when it ends.
   */
  const open = new Set<symbol>();

  /**
   * The events of one subscription, from `afterSequence` until it ends, the client goes away or the
   * service closes. It reads its shard when woken (records arrived on this node, the stream changed),
   * then COALESCE_MS later to take what came meanwhile in the same event, and otherwise every
   * `subscriptionPollMs` (another node's records, the heartbeat).
   */
  async function* subscription(key: string, id: symbol, consumerArn: string, streamArn: string, shardId: string, afterSequence: number): AsyncGenerator<StreamedEvent, void, undefined> {
    const endAt = ctx.now() + SUBSCRIPTION_MS;
    let position = afterSequence;
    let sentAt: number | undefined;
    try {
      // Calls that raced past SubscribeToShard's own check are refused here, in the stream.
      if (open.size >= ctx.maxSubscriptions) {
        yield { member: "ResourceInUseException", value: { message: tooManySubscriptions() } };
        return;
      }
      open.add(id);
      while (ctx.now() < endAt && !ctx.signals.isClosed) {
        // Armed before the read: records appended between the read and the wait still wake it.
        const ticket = ctx.signals.arm(streamArn);
        try {
          if (subscribed.get(key)?.id !== id) {
            yield { member: "ResourceInUseException", value: { message: `Another active subscription exists for this consumer: ${consumerArn} on shard ${shardId}; this one was taken over.` } };
            return;
          }
          const stream = await ctx.streams.get(streamArn);
          const shard = stream && shardNamed(stream, shardId);
          if (!stream || !shard || !(stream.consumers ?? []).some((c) => c.arn === consumerArn)) {
            yield { member: "ResourceNotFoundException", value: { message: `Consumer ${consumerArn} or shard ${shardId} no longer exists.` } };
            return;
          }
          const rows = await ctx.records.read(streamArn, shard.index, position, EVENT_RECORDS, MAX_READ_BYTES);
          const full = pageFull(rows, EVENT_RECORDS);
          const ended = shard.closed !== undefined && !full;
          const now = ctx.now();
          if (rows.length > 0 || ended || sentAt === undefined || now - sentAt >= HEARTBEAT_MS) {
            position = rows.at(-1)?.sequence ?? position;
            sentAt = now;
            yield {
              member: "SubscribeToShardEvent",
              value: {
                Records: wireRecords(stream, shard, rows), ContinuationSequenceNumber: formatSequenceNumber(shard.index, position),
                MillisBehindLatest: full ? Math.max(0, now - (rows.at(-1)?.arrivedAt ?? now)) : 0,
                ...(ended ? { ChildShards: childrenOf(stream, shard.index) } : {}),
              },
            };
            if (ended) return;
          }
          if (full) continue;
          const waitMs = Math.max(0, Math.min(ctx.subscriptionPollMs, HEARTBEAT_MS - (ctx.now() - sentAt)));
          const armedAt = Date.now();
          ticket.until(armedAt + waitMs);
          await ticket.fired;
          // Woken early by a write: let the writes right behind it land, so that one event carries them all.
          if (Date.now() - armedAt < waitMs && !ctx.signals.isClosed) await sleep(COALESCE_MS);
        } finally {
          ticket.cancel();
        }
      }
    } finally {
      open.delete(id);
      if (subscribed.get(key)?.id === id) subscribed.delete(key);
    }
  }

  return {
    async RegisterStreamConsumer(input: { StreamARN: string; ConsumerName: string; Tags?: Readonly<Record<string, string>> }) {
      checkTags(input.Tags ?? {}, {}, "consumer");
      const stream = await loadStream(ctx, { StreamARN: input.StreamARN });
      const consumers = stream.consumers ?? [];
      if (consumers.some((c) => c.name === input.ConsumerName)) {
        throw new UnkaiError("ResourceInUseException", `Consumer ${input.ConsumerName} under stream ${stream.name} under account ${ctx.account.accountId} already exists.`);
      }
      if (consumers.length >= MAX_CONSUMERS) throw new UnkaiError("LimitExceededException", `Stream ${stream.name} under account ${ctx.account.accountId} already has ${MAX_CONSUMERS} consumers, the most a stream may have.`);
      const createdAt = ctx.now();
      const consumer = { name: input.ConsumerName, arn: consumerArn(stream.arn, input.ConsumerName, createdAt), createdAt, tags: { ...input.Tags } };
      const fresh = await loadStream(ctx, { StreamARN: input.StreamARN });
      await ctx.streams.put(fresh.arn, { ...fresh, consumers: [...(fresh.consumers ?? []), consumer] });
      // Usable at once; the answer says CREATING as AWS's does, DescribeStreamConsumer ACTIVE.
      return { Consumer: consumerOutput(consumer, "CREATING") };
    },

    async DescribeStreamConsumer(input: ConsumerNaming) {
      const { stream, consumer } = await loadConsumer(ctx, input);
      return { ConsumerDescription: { ...consumerOutput(consumer, "ACTIVE"), StreamARN: stream.arn } };
    },

    async ListStreamConsumers(input: { StreamARN: string; MaxResults?: number; NextToken?: string }) {
      const stream = await loadStream(ctx, { StreamARN: input.StreamARN });
      const consumers = [...(stream.consumers ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
      const after = input.NextToken === undefined ? undefined : readToken(input.NextToken);
      const from = after === undefined ? 0 : consumers.findIndex((c) => c.name > after);
      const page = from === -1 ? [] : consumers.slice(from, from + (input.MaxResults ?? 100));
      const more = from !== -1 && from + page.length < consumers.length;
      return { Consumers: page.map((c) => consumerOutput(c, "ACTIVE")), ...(more ? { NextToken: writeToken(page.at(-1)?.name ?? "") } : {}) };
    },

    async DeregisterStreamConsumer(input: ConsumerNaming) {
      const { stream, consumer } = await loadConsumer(ctx, input);
      const fresh = await loadStream(ctx, { StreamARN: stream.arn });
      await ctx.streams.put(fresh.arn, { ...fresh, consumers: (fresh.consumers ?? []).filter((c) => c.arn !== consumer.arn) });
      return {};
    },

    async SubscribeToShard(input: { ConsumerARN: string; ShardId: string; StartingPosition: { Type: IteratorType; SequenceNumber?: string; Timestamp?: Date } }) {
      const { stream, consumer } = await loadConsumer(ctx, { ConsumerARN: input.ConsumerARN });
      const shard = shardNamed(stream, input.ShardId);
      if (!shard) throw notFound(ctx, `${stream.name} shard ${input.ShardId}`);
      const afterSequence = await startAfter(ctx, stream, shard, { type: input.StartingPosition.Type, sequenceNumber: input.StartingPosition.SequenceNumber, timestamp: input.StartingPosition.Timestamp });
      if (open.size >= ctx.maxSubscriptions) throw new UnkaiError("LimitExceededException", tooManySubscriptions());
      const key = `${consumer.arn}/${input.ShardId}`;
      const now = ctx.now();
      const last = subscribed.get(key);
      if (last && now - last.startedAt < RESUBSCRIBE_MS) {
        throw new UnkaiError("ResourceInUseException", `Another active subscription exists for this consumer: ${consumer.arn} on shard ${input.ShardId}. Subscribe again no sooner than ${RESUBSCRIBE_MS / 1000} seconds after the last successful call.`);
      }
      const id = Symbol(key);
      subscribed.set(key, { startedAt: now, id });
      return new EventStreamOutput("EventStream", subscription(key, id, consumer.arn, stream.arn, input.ShardId, afterSequence));
    },
  };
}
