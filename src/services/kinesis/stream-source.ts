/**
 * Kinesis streams as a ShardSource for Lambda's event source mappings (src/sources/shard-poller.ts):
 * a stream of this account and region with its shards and their lineage (resharding closes parents and
 * opens children, which the poller reads once their parents are finished), and its records
 * as Lambda's Kinesis event carries them (data in base64, arrival in epoch seconds).
 */
import { kinesisRecordForFilter } from "../../core/event-pattern/event-source-filter.js";
import type { JsonValue } from "../../core/event-pattern/types.js";
import type { ShardSource } from "../../sources/shard-source.js";
import type { KinesisContext } from "./context.js";
import { formatSequenceNumber, shardIdOf, shardNamed } from "./shards.js";

/** A batch's data at most, so its event (base64, a third larger) stays within an invocation's 6 MB payload. */
const BATCH_DATA_BYTES = 4 * 1024 * 1024;

const STREAM_ARN = /^arn:aws[a-zA-Z-]*:kinesis:[^:]*:[^:]*:stream\/[^/]+$/;

export function kinesisStreamSource(ctx: KinesisContext): ShardSource {
  const shardOf = async (arn: string, shardId: string) => {
    const stream = await ctx.streams.get(arn);
    return stream && shardNamed(stream, shardId);
  };
  return {
    eventSource: "aws:kinesis",
    batchInfoKey: "KinesisBatchInfo",
    // The stream's own retention (24 hours once it is gone).
    retentionMs: async (arn) => ((await ctx.streams.get(arn))?.retentionHours ?? 24) * 3_600_000,
    namesInvokeIdentity: true,
    filterView: (event) => kinesisRecordForFilter(event.kinesis as { data: string } & Record<string, JsonValue>),
    accepts: (arn) => STREAM_ARN.test(arn),
    async shards(arn) {
      const stream = await ctx.streams.get(arn);
      if (!stream) return undefined;
      return stream.shards.map((shard) => ({
        shardId: shardIdOf(shard.index), parentShardId: shard.parent === undefined ? undefined : shardIdOf(shard.parent),
        adjacentParentShardId: shard.adjacentParent === undefined ? undefined : shardIdOf(shard.adjacentParent), endPosition: shard.closed?.sequence,
      }));
    },
    async bounds(arn, shardId) {
      const shard = await shardOf(arn, shardId);
      const latest = shard?.closed?.sequence ?? (await ctx.records.latest(arn));
      const oldest = shard === undefined ? undefined : await ctx.records.oldest(arn, shard.index);
      return { oldest: oldest ?? latest + 1, latest };
    },
    async positionAt(arn, shardId, timeMs) {
      const shard = await shardOf(arn, shardId);
      return shard === undefined ? ctx.records.latest(arn) : ctx.records.before(arn, shard.index, timeMs);
    },
    async read(arn, shardId, afterPosition, limit) {
      const shard = await shardOf(arn, shardId);
      if (shard === undefined) return [];
      const rows = await ctx.records.read(arn, shard.index, afterPosition, limit, BATCH_DATA_BYTES);
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
