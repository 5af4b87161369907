/**
 * DynamoDB Streams as a ShardSource for Lambda's event source mappings (src/sources/shard-poller.ts):
 * a stream of this account and region with its one shard, and its records as Lambda's DynamoDB event
 * carries them (images in the wire's JSON form, ApproximateCreationDateTime in epoch seconds).
 */
import type { JsonValue } from "../../core/event-pattern/types.js";
import type { ShardSource } from "../../sources/shard-source.js";
import type { DynamoContext } from "./context.js";
import { formatSequence, STREAM_RETENTION_MS } from "./stream-records.js";
import { loadStream } from "./streams-api.js";

const STREAM_ARN = /^arn:aws[a-zA-Z-]*:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\/.+$/;

export function dynamoStreamSource(ctx: DynamoContext): ShardSource {
  return {
    eventSource: "aws:dynamodb",
    batchInfoKey: "DDBStreamBatchInfo",
    retentionMs: STREAM_RETENTION_MS,
    accepts: (arn) => STREAM_ARN.test(arn),
    async shards(arn) {
      const stream = await loadStream(ctx, arn).catch(() => undefined);
      return stream === undefined ? undefined : [stream.shardId];
    },
    bounds: (arn) => ctx.store.streamBounds(arn),
    async read(arn, _shardId, afterPosition, limit) {
      const rows = await ctx.store.streamRecords(arn, afterPosition, limit);
      return rows.map((row) => {
        const event = JSON.parse(row.record) as Record<string, JsonValue> & { dynamodb: Record<string, JsonValue> };
        const sequenceNumber = formatSequence(row.sequence);
        return { position: row.sequence, sequenceNumber, partitionKey: JSON.stringify(event.dynamodb.Keys), createdAtMs: row.createdAt, event: { ...event, dynamodb: { ...event.dynamodb, SequenceNumber: sequenceNumber } } };
      });
    },
  };
}
