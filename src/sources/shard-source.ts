/**
 * Ordered, sharded event sources (DynamoDB Streams now, Kinesis next) as Lambda's event source
 * mappings see them: a stream's shards, and the records of a shard after a position. The service
 * that owns the stream registers a ShardSource; Lambda's mapping API checks ARNs against them, and
 * the ShardPoller (shard-poller.ts) reads them, so neither names the other service.
 */
import type { JsonValue } from "../core/event-pattern/types.js";

export interface ShardRecord {
  /** The position to checkpoint at: a record's number, increasing within its shard. */
  readonly position: number;
  /** The sequence number as the source writes it (for on-failure records). */
  readonly sequenceNumber: string;
  /** What ParallelizationFactor keeps in one lane, in order (DynamoDB: the item's key; Kinesis: the partition key). */
  readonly partitionKey: string;
  /** When the record was written (MaximumRecordAgeInSeconds counts from here), epoch ms. */
  readonly createdAtMs: number;
  /** The record as Lambda's event carries it, without `eventSourceARN` (the poller adds it). */
  readonly event: Record<string, JsonValue>;
}

/** One shard of a stream as the poller follows it: a child is read only once its parent is finished. */
export interface ShardInfo {
  readonly shardId: string;
  /** The shard this one continues (its records come first); none for a first shard. */
  readonly parentShardId: string | undefined;
  /** A merged shard's second parent (Kinesis MergeShards), whose records come first too. */
  readonly adjacentParentShardId?: string | undefined;
  /** A closed shard's last position: once read past it, the shard is finished. */
  readonly endPosition: number | undefined;
}

export interface ShardSource {
  /** The event source name (`aws:dynamodb`, `aws:kinesis`). */
  readonly eventSource: string;
  /** The on-failure record's batch member (`DDBStreamBatchInfo`, `KinesisBatchInfo`). */
  readonly batchInfoKey: string;
  /** How long the stream keeps records: a batch blocked longer is given up (its records have expired). */
  retentionMs(arn: string): Promise<number>;
  /** What FilterCriteria patterns match a record against (Kinesis: its `kinesis` member with `data` decoded); the whole event without it. */
  readonly filterView?: (event: Record<string, JsonValue>) => JsonValue;
  /** Whether each record names the function's execution role as `invokeIdentityArn` (Kinesis's do). */
  readonly namesInvokeIdentity?: boolean;
  accepts(arn: string): boolean;
  /** The stream's shards still listed, parents before children, or undefined when there is no such stream in this account. */
  shards(arn: string): Promise<ShardInfo[] | undefined>;
  /** The shard's last position given (`latest`; its end once closed) and the oldest still kept (`latest + 1` when none is). */
  bounds(arn: string, shardId: string): Promise<{ oldest: number; latest: number }>;
  /** AT_TIMESTAMP: the position just before the shard's first record written at or after `timeMs`; a source without it has no AT_TIMESTAMP. */
  positionAt?(arn: string, shardId: string, timeMs: number): Promise<number>;
  /** The shard's records after `afterPosition`, in order, at most `limit` (none past a closed shard's end). */
  read(arn: string, shardId: string, afterPosition: number, limit: number): Promise<ShardRecord[]>;
}

/** The registered sources, by the ARNs they accept. */
export class ShardSources {
  private readonly sources: ShardSource[] = [];

  add(source: ShardSource): void {
    this.sources.push(source);
  }

  sourceFor(arn: string): ShardSource | undefined {
    return this.sources.find((source) => source.accepts(arn));
  }
}
