/**
 * DynamoDB Streams as a ShardSource for Lambda's event source mappings (src/sources/shard-poller.ts):
 * a stream of this account and region with its shards and their lineage (stream-shards.ts), and its
 * records as Lambda's DynamoDB event carries them (images in the wire's JSON form,
 * ApproximateCreationDateTime in epoch seconds).
 */
import type { JsonValue } from "../../core/event-pattern/types.js";
import type { ShardSource } from "../../sources/shard-source.js";
import { formatSequence } from "./stream-records.js";
import { streamTime } from "./table-streams.js";
import { shardBounds, shardOf, shardRecords, shardsOf, type StreamsContext } from "./stream-shards.js";
import { loadStream } from "./streams-api.js";

const STREAM_ARN = /^arn:aws[a-zA-Z-]*:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/;

export function dynamoStreamSource(ctx: StreamsContext): ShardSource {
  return {
    eventSource: "aws:dynamodb",
    batchInfoKey: "DDBStreamBatchInfo",
    retentionMs: () => Promise.resolve(streamTime(ctx).retentionMs),
    accepts: (arn) => STREAM_ARN.test(arn),
    async shards(arn) {
      const stream = await loadStream(ctx, arn).catch(() => undefined);
      if (stream === undefined) return undefined;
      return (await shardsOf(ctx, stream)).map((shard) => ({ shardId: shard.id, parentShardId: shard.parentId, endPosition: shard.end }));
    },
    async bounds(arn, shardId) {
      const stream = await loadStream(ctx, arn);
      const shard = await shardOf(ctx, stream, shardId);
      if (shard === undefined) {
        const { latest } = await ctx.store.streamBounds(arn);
        return { oldest: latest + 1, latest };
      }
      return shardBounds(ctx, arn, shard);
    },
    async read(arn, shardId, afterPosition, limit) {
      const rows = await shardRecords(ctx, await loadStream(ctx, arn), shardId, afterPosition, limit);
      return rows.map((row) => {
        const event = JSON.parse(row.record) as Record<string, JsonValue> & { dynamodb: Record<string, JsonValue> };
        const sequenceNumber = formatSequence(row.sequence);
        return { position: row.sequence, sequenceNumber, partitionKey: JSON.stringify(event.dynamodb.Keys), createdAtMs: row.createdAt, event: { ...event, dynamodb: { ...event.dynamodb, SequenceNumber: sequenceNumber } } };
      });
    },
  };
}
