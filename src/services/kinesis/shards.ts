/**
 * A Kinesis stream's shards and sequence numbers. A new stream's shards split the 128-bit hash key
 * space evenly (the last takes the remainder); a record goes to the open shard whose range holds
 * MD5(partition key) as an unsigned integer, or its ExplicitHashKey. Resharding (reshard.ts) closes
 * shards and opens children over the same space. A sequence number is 56 digits: `49`, the shard's
 * index (6 digits) and the stream's sequence (48 digits), so it increases within a shard, is not
 * contiguous, and says which shard it belongs to.
 */
import { createHash } from "node:crypto";
import type { KinesisShard, KinesisStreamRecord } from "../../core/kinesis.js";

export const HASH_SPACE = 1n << 128n;
const SHARD_DIGITS = 6;
const SEQUENCE_DIGITS = 48;
const SEQUENCE_NUMBER = /^49(\d{6})(\d{48})$/;

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** `count` shards splitting the key space evenly, opened after `openedAfter`, numbered from `firstIndex`. */
export function evenShards(count: number, firstIndex: number, openedAfter: number): KinesisShard[] {
  return Array.from({ length: count }, (_, i) => ({
    index: firstIndex + i,
    startingHashKey: ((HASH_SPACE * BigInt(i)) / BigInt(count)).toString(),
    endingHashKey: ((HASH_SPACE * BigInt(i + 1)) / BigInt(count) - 1n).toString(),
    openedAfter,
  }));
}

export const openShards = (stream: KinesisStreamRecord) => stream.shards.filter((shard) => shard.closed === undefined);

/** The listed shard a `shardId-000000000003`-style id names. */
export function shardNamed(stream: KinesisStreamRecord, shardId: string): KinesisShard | undefined {
  const match = /^shardId-(\d{12})$/.exec(shardId);
  const index = match ? Number(match[1]) : -1;
  return stream.shards.find((shard) => shard.index === index);
}

/** The open shard holding `hashKey` (0 ≤ hashKey < 2^128). */
function shardForHash(stream: KinesisStreamRecord, hashKey: bigint): KinesisShard {
  const shard = openShards(stream).find((s) => BigInt(s.startingHashKey) <= hashKey && hashKey <= BigInt(s.endingHashKey));
  if (!shard) throw new Error(`stream ${stream.name}'s open shards do not cover hash key ${hashKey}`);
  return shard;
}

export function shardForPartitionKey(stream: KinesisStreamRecord, partitionKey: string): KinesisShard {
  return shardForHash(stream, BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`));
}

/** A decimal hash key in [0, 2^128 - 1]; undefined for anything else. */
export function parseHashKey(text: string): bigint | undefined {
  if (!/^\d{1,39}$/.test(text)) return undefined;
  const value = BigInt(text);
  return value < HASH_SPACE ? value : undefined;
}

/** The open shard an ExplicitHashKey names; undefined when it is no decimal integer in [0, 2^128 - 1]. */
export function shardForExplicitHashKey(stream: KinesisStreamRecord, hashKey: string): KinesisShard | undefined {
  const value = parseHashKey(hashKey);
  return value === undefined ? undefined : shardForHash(stream, value);
}

export function formatSequenceNumber(shard: number, sequence: number): string {
  return `49${String(shard).padStart(SHARD_DIGITS, "0")}${String(sequence).padStart(SEQUENCE_DIGITS, "0")}`;
}

/** The shard and stream sequence a sequence number names; undefined for one Unkai did not write. */
export function parseSequenceNumber(text: string): { shard: number; sequence: number } | undefined {
  const match = SEQUENCE_NUMBER.exec(text);
  if (!match) return undefined;
  const sequence = Number(match[2]);
  return Number.isSafeInteger(sequence) ? { shard: Number(match[1]), sequence } : undefined;
}

/** A shard as DescribeStream and ListShards answer it. */
export function describeShard(shard: KinesisShard) {
  return {
    ShardId: shardIdOf(shard.index),
    ...(shard.parent !== undefined ? { ParentShardId: shardIdOf(shard.parent) } : {}),
    ...(shard.adjacentParent !== undefined ? { AdjacentParentShardId: shardIdOf(shard.adjacentParent) } : {}),
    HashKeyRange: { StartingHashKey: shard.startingHashKey, EndingHashKey: shard.endingHashKey },
    SequenceNumberRange: {
      StartingSequenceNumber: formatSequenceNumber(shard.index, shard.openedAfter),
      ...(shard.closed ? { EndingSequenceNumber: formatSequenceNumber(shard.index, shard.closed.sequence) } : {}),
    },
  };
}

/** The shards that continue `parent` (GetRecords' ChildShards once a closed shard is read to its end). */
export function childrenOf(stream: KinesisStreamRecord, parent: number) {
  return stream.shards
    .filter((shard) => shard.parent === parent || shard.adjacentParent === parent)
    .map((shard) => ({
      ShardId: shardIdOf(shard.index),
      ParentShards: [shard.parent, shard.adjacentParent].filter((p): p is number => p !== undefined).map(shardIdOf),
      HashKeyRange: { StartingHashKey: shard.startingHashKey, EndingHashKey: shard.endingHashKey },
    }));
}
