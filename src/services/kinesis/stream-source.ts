/**
 * Kinesis streams as a ShardSource for Lambda's event source mappings (src/sources/shard-poller.ts):
 * a stream of this account and region with its shards and their lineage (resharding closes parents and
 * opens children, which the poller reads once their parents are finished), and its records
 * as Lambda's Kinesis event carries them (data in base64, arrival in epoch seconds). A mapping may name
 * an enhanced fan-out consumer's ARN instead of the stream's (CDK's KinesisConsumerEventSource): it
 * reads the consumer's stream while the consumer is registered.
 */
import { kinesisRecordForFilter } from "../../core/event-pattern/event-source-filter.js";
import type { JsonValue } from "../../core/event-pattern/types.js";
import { KINESIS_CONSUMER_ARN, KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import type { ShardSource } from "../../sources/shard-source.js";
import type { KinesisContext } from "./context.js";
import { formatSequenceNumber, shardIdOf, shardNamed } from "./shards.js";

/** A batch's data at most, so its event (base64, a third larger) stays within an invocation's 6 MB payload. */
const BATCH_DATA_BYTES = 4 * 1024 * 1024;

export function kinesisStreamSource(ctx: KinesisContext): ShardSource {
  /** The stream a mapping's ARN reads: a stream's own, or an enhanced fan-out consumer's (which must still be registered). */
  const streamOf = async (arn: string) => {
    if (KINESIS_STREAM_ARN.test(arn)) return ctx.streams.get(arn);
    const streamArn = KINESIS_CONSUMER_ARN.exec(arn)?.[1];
    const stream = streamArn === undefined ? undefined : await ctx.streams.get(streamArn);
    return stream?.consumers?.some((consumer) => consumer.arn === arn) ? stream : undefined;
  };
  const shardOf = async (arn: string, shardId: string) => {
    const stream = await streamOf(arn);
    return stream && { stream, shard: shardNamed(stream, shardId) };
  };
  return {
    eventSource: "aws:kinesis",
    batchInfoKey: "KinesisBatchInfo",
    // The stream's own retention (24 hours once it is gone).
    retentionMs: async (arn) => ((await streamOf(arn))?.retentionHours ?? 24) * 3_600_000,
    namesInvokeIdentity: true,
    filterView: (event) => kinesisRecordForFilter(event.kinesis as { data: string } & Record<string, JsonValue>),
    accepts: (arn) => KINESIS_STREAM_ARN.test(arn) || KINESIS_CONSUMER_ARN.test(arn),
    async shards(arn) {
      const stream = await streamOf(arn);
      if (!stream) return undefined;
      return stream.shards.map((shard) => ({
        shardId: shardIdOf(shard.index), parentShardId: shard.parent === undefined ? undefined : shardIdOf(shard.parent),
        adjacentParentShardId: shard.adjacentParent === undefined ? undefined : shardIdOf(shard.adjacentParent), endPosition: shard.closed?.sequence,
      }));
    },
    async bounds(arn, shardId) {
      const found = await shardOf(arn, shardId);
      const streamArn = found?.stream.arn ?? arn;
      const latest = found?.shard?.closed?.sequence ?? (await ctx.records.latest(streamArn));
      const oldest = found?.shard === undefined ? undefined : await ctx.records.oldest(streamArn, found.shard.index);
      return { oldest: oldest ?? latest + 1, latest };
    },
    async positionAt(arn, shardId, timeMs) {
      const found = await shardOf(arn, shardId);
      const streamArn = found?.stream.arn ?? arn;
      return found?.shard === undefined ? ctx.records.latest(streamArn) : ctx.records.before(streamArn, found.shard.index, timeMs);
    },
    async read(arn, shardId, afterPosition, limit) {
      const found = await shardOf(arn, shardId);
      const shard = found?.shard;
      if (found === undefined || shard === undefined) return [];
      const rows = await ctx.records.read(found.stream.arn, shard.index, afterPosition, limit, BATCH_DATA_BYTES);
      return rows.map((row) => {
        const sequenceNumber = formatSequenceNumber(shard.index, row.sequence);
        return {
          position: row.sequence, sequenceNumber, partitionKey: row.partitionKey, createdAtMs: row.arrivedAt,
          event: {
            kinesis: { kinesisSchemaVersion: "1.0", partitionKey: row.partitionKey, sequenceNumber, data: row.data.toString("base64"), approximateArrivalTimestamp: row.arrivedAt / 1000 },
            eventSource: "aws:kinesis", eventVersion: "1.0", eventID: `${shardId}:${sequenceNumber}`, eventName: "aws:kinesis:record", awsRegion: ctx.account.region,
          },
        };
      });
    },
  };
}
