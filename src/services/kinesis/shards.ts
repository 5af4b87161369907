/**
 * A Kinesis stream's shards and sequence numbers. Shards are fixed at creation and split the 128-bit
 * hash key space evenly (the last takes the remainder); a record goes to the shard whose range holds
 * MD5(partition key) as an unsigned integer, or its ExplicitHashKey. A sequence number is 56 digits:
 * `49`, the shard's number (6 digits) and the store's sequence (48 digits), so it increases within a
 * shard, is not contiguous, and says which shard it belongs to.
 */
import { createHash } from "node:crypto";

const HASH_SPACE = 1n << 128n;
const SHARD_DIGITS = 6;
const SEQUENCE_DIGITS = 48;
const SEQUENCE_NUMBER = /^49(\d{6})(\d{48})$/;

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, "0")}`;
}

/** The shard's number in a `shardId-000000000003`-style id, when the stream has it. */
export function shardIndexOf(shardId: string, shardCount: number): number | undefined {
  const match = /^shardId-(\d{12})$/.exec(shardId);
  const index = match ? Number(match[1]) : -1;
  return index >= 0 && index < shardCount ? index : undefined;
}

export function hashKeyRange(index: number, shardCount: number): { StartingHashKey: string; EndingHashKey: string } {
  const start = (HASH_SPACE * BigInt(index)) / BigInt(shardCount);
  const end = (HASH_SPACE * BigInt(index + 1)) / BigInt(shardCount) - 1n;
  return { StartingHashKey: start.toString(), EndingHashKey: end.toString() };
}

/** The shard holding `hashKey` (0 ≤ hashKey < 2^128). */
function shardForHash(hashKey: bigint, shardCount: number): number {
  return Number((hashKey * BigInt(shardCount)) / HASH_SPACE);
}

export function shardForPartitionKey(partitionKey: string, shardCount: number): number {
  return shardForHash(BigInt(`0x${createHash("md5").update(partitionKey, "utf8").digest("hex")}`), shardCount);
}

/** The shard an ExplicitHashKey names; undefined when it is no decimal integer in [0, 2^128 - 1]. */
export function shardForExplicitHashKey(hashKey: string, shardCount: number): number | undefined {
  if (!/^\d{1,39}$/.test(hashKey)) return undefined;
  const value = BigInt(hashKey);
  return value < HASH_SPACE ? shardForHash(value, shardCount) : undefined;
}

export function formatSequenceNumber(shard: number, sequence: number): string {
  return `49${String(shard).padStart(SHARD_DIGITS, "0")}${String(sequence).padStart(SEQUENCE_DIGITS, "0")}`;
}

/** The shard and store sequence a sequence number names; undefined for one Unkai did not write. */
export function parseSequenceNumber(text: string): { shard: number; sequence: number } | undefined {
  const match = SEQUENCE_NUMBER.exec(text);
  if (!match) return undefined;
  const sequence = Number(match[2]);
  return Number.isSafeInteger(sequence) ? { shard: Number(match[1]), sequence } : undefined;
}
