/**
 * DynamoDB Streams' shards: a stream's records in shards that roll over. Shard 1 opens with the
 * stream; once the open shard has lived `shardLifetimeMs` (AWS: about four hours) the next look at the
 * stream closes it after the last committed record and opens its child (StreamShardStore.roll), so
 * every record is in exactly one shard and a child holds only records written after its parent's.
 * A closed shard is listed until its records have all expired (24 hours), then it is gone; its child
 * still names it as `ParentShardId`. A disabled stream's open shard is closed at the stream's end.
 */
import { createHash } from "node:crypto";
import type { DynamoStreamRecordRow, StreamShardStore } from "../../store/ports.js";
import type { DynamoContext } from "./context.js";

/** DynamoDB's context with what the streams' shards need. */
export interface StreamsContext extends DynamoContext {
  readonly streamShards: StreamShardStore;
  /** How long a shard stays open before it rolls over (`--stream-shard-lifetime-ms`). */
  readonly shardLifetimeMs: number;
}

export interface StreamShard {
  readonly id: string;
  readonly parentId: string | undefined;
  /** The first sequence number the shard holds. */
  readonly start: number;
  /** The last one, once the shard is closed. */
  readonly end: number | undefined;
  /** Epoch ms. */
  readonly openedAt: number;
}

/** What a stream's shards are worked out from (streams-api.ts's stream). */
export interface ShardedStream {
  readonly arn: string;
  readonly label: string;
  readonly enabled: boolean;
  readonly table: { readonly name: string };
}

/**
 * Shard `index`'s id: `shardId-<20 digits>-<8 hex>` as DynamoDB writes them, ordered by index. Shard
 * 1 keeps the id streams had before shards rolled over, so their mappings' checkpoints stay valid.
 */
export function shardIdOf(arn: string, index: number): string {
  const hash = createHash("sha256").update(index === 1 ? arn : `${arn}#${index}`).digest("hex").slice(0, 8);
  return `shardId-${String(index).padStart(20, "0")}-${hash}`;
}

/** When a stream was enabled (its label is that time). */
function enabledAt(stream: ShardedStream): number {
  return Date.parse(`${stream.label}Z`);
}

/** The stream's shards, oldest first, those whose records all expired left out; rolls the open one over when its time is up. */
export async function shardsOf(ctx: StreamsContext, stream: ShardedStream): Promise<StreamShard[]> {
  let rolls = await ctx.streamShards.rollovers(stream.arn);
  const openedAt = rolls.at(-1)?.openedAt ?? enabledAt(stream);
  if (stream.enabled && ctx.now() - openedAt >= ctx.shardLifetimeMs) {
    // Another reader (or node) may roll it at the same moment: the store opens the next shard once.
    await ctx.streamShards.roll(stream.arn, stream.table.name, (rolls.at(-1)?.index ?? 1) + 1, ctx.now());
    rolls = await ctx.streamShards.rollovers(stream.arn);
  }
  const bounds = await ctx.store.streamBounds(stream.arn);
  const starts = [{ index: 1, startingSequence: 1, openedAt: enabledAt(stream) }, ...rolls];
  const shards = starts.map((start, i): StreamShard => {
    const next = starts[i + 1];
    const end = next !== undefined ? next.startingSequence - 1 : stream.enabled ? undefined : bounds.latest;
    return { id: shardIdOf(stream.arn, start.index), parentId: i === 0 ? undefined : shardIdOf(stream.arn, (starts[i - 1] as { index: number }).index), start: start.startingSequence, end, openedAt: start.openedAt };
  });
  // A closed shard whose every record expired is gone (its child still names it as parent).
  return shards.filter((shard, i) => shard.end === undefined || shard.end >= bounds.oldest || i === shards.length - 1);
}

/** The shard `id` of the stream, if it is still listed. */
export async function shardOf(ctx: StreamsContext, stream: ShardedStream, id: string): Promise<StreamShard | undefined> {
  return (await shardsOf(ctx, stream)).find((shard) => shard.id === id);
}

/** A shard's kept records: the last position given (its end once closed) and the oldest still kept (`latest + 1` when none is). */
export async function shardBounds(ctx: StreamsContext, arn: string, shard: StreamShard): Promise<{ oldest: number; latest: number }> {
  const bounds = await ctx.store.streamBounds(arn);
  const latest = shard.end ?? bounds.latest;
  return { oldest: Math.min(Math.max(shard.start, bounds.oldest), latest + 1), latest };
}

/**
 * The shard's records after `afterSequence`, at most `limit`. The shard's end is looked at again
 * after reading: a rollover committed while reading closed it, and what was appended after the cut
 * is its child's.
 */
export async function shardRecords(ctx: StreamsContext, stream: ShardedStream, shardId: string, afterSequence: number, limit: number): Promise<DynamoStreamRecordRow[]> {
  const rows = await ctx.store.streamRecords(stream.arn, afterSequence, limit);
  const shard = await shardOf(ctx, stream, shardId);
  if (shard === undefined) return [];
  const end = shard.end;
  return end === undefined ? rows : rows.filter((row) => row.sequence <= end);
}
