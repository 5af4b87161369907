/**
 * Kinesis's data plane: PutRecord and PutRecords route each record to a shard and append it with a
 * sequence number; GetShardIterator turns a position into a sealed iterator (src/core/shard-iterators.ts,
 * valid 5 minutes); GetRecords reads a shard after it (at most 10,000 records or 10 MiB) and always
 * answers a fresh NextShardIterator, empty or not, until a closed shard is read to its end (then its ChildShards).
 */
import { performance } from "node:perf_hooks";
import { UnkaiError } from "../../core/errors.js";
import type { KinesisShard, KinesisStreamRecord } from "../../core/kinesis.js";
import type { KinesisRecordAppend, KinesisRecordRow } from "../../store/ports.js";
import { invalid, loadStream, notFound, type KinesisContext, type StreamNaming } from "./context.js";
import { reportGet, reportPut } from "./metrics.js";
import { reopenInterrupted } from "./reshard.js";
import { childrenOf, formatSequenceNumber, parseSequenceNumber, shardForExplicitHashKey, shardForPartitionKey, shardIdOf, shardNamed } from "./shards.js";

/** GetRecords' cap on the data one call returns. */
export const MAX_READ_BYTES = 10 * 1024 * 1024;
/** PutRecords' cap on one call's data and partition keys (AWS: 5 MiB; 10 MiB once records may be larger). */
const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;

export interface RecordEntry {
  readonly Data: Uint8Array;
  readonly PartitionKey: string;
  readonly ExplicitHashKey?: string;
}

/** Where one record goes, checked against the stream's record size; `at` names it in a PutRecords error. */
function routed(stream: KinesisStreamRecord, entry: RecordEntry, now: number, at: string): KinesisRecordAppend {
  const size = entry.Data.byteLength + Buffer.byteLength(entry.PartitionKey);
  const max = stream.maxRecordSizeKiB * 1024;
  if (size > max) throw new UnkaiError("ValidationException", `1 validation error detected: Value at '${at}data' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
  let shard = shardForPartitionKey(stream, entry.PartitionKey);
  if (entry.ExplicitHashKey !== undefined) {
    const explicit = shardForExplicitHashKey(stream, entry.ExplicitHashKey);
    if (explicit === undefined) throw invalid(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${entry.ExplicitHashKey}`);
    shard = explicit;
  }
  return { shard: shard.index, partitionKey: entry.PartitionKey, data: entry.Data, arrivedAt: now };
}

/** The listed shard a request's ShardId names; ResourceNotFoundException naming it when the stream has none such. */
function shardOf(ctx: KinesisContext, stream: KinesisStreamRecord, shardId: string): KinesisShard {
  const shard = shardNamed(stream, shardId);
  if (shard === undefined) throw new UnkaiError("ResourceNotFoundException", `Shard ${shardId} in stream ${stream.name} under account ${ctx.account.accountId} does not exist`);
  return shard;
}

/** Tries at appending a batch while a resharding closes the shards it was routed to (each try routes it again). */
const APPEND_TRIES = 5;

/**
 * Routes `entries` with the stream's current shards and appends them: a resharding that closed a shard
 * in between refuses the append, and the batch is routed again on the stream as it is then.
 */
export async function appendRecords(ctx: KinesisContext, input: StreamNaming, entries: readonly RecordEntry[], single: boolean) {
  // Low on disk: Kinesis's throttling error, which the SDKs, the KPL and Lambda's pollers back off from and retry.
  const shortfall = ctx.space?.shortfall();
  if (shortfall) throw new UnkaiError("ProvisionedThroughputExceededException", `Rate exceeded: ${shortfall}`);
  for (let attempt = 1; ; attempt += 1) {
    const stream = await loadStream(ctx, input);
    const now = ctx.now();
    const records = entries.map((entry, i) => routed(stream, entry, now, single ? "" : `records.${i + 1}.member.`));
    const total = records.reduce((sum, r) => sum + r.data.byteLength + Buffer.byteLength(r.partitionKey), 0);
    if (!single && total > Math.max(MAX_PUT_RECORDS_BYTES, stream.maxRecordSizeKiB * 1024)) throw invalid(`Records size exceeds ${MAX_PUT_RECORDS_BYTES / 1024 / 1024} MB limit`);
    const sequences = await ctx.records.append(stream.arn, records);
    if (sequences !== undefined) {
      ctx.signals.wake(stream.arn);
      return { stream, records, sequences };
    }
    // A shard the stream shows open but the store keeps closed past a resharding's time was left so by an
    // interrupted one (reshard.ts): reopened, the batch is routed again at once.
    if ((await reopenInterrupted(ctx, stream.arn, records.map((r) => r.shard))).length > 0) continue;
    if (attempt >= APPEND_TRIES) throw new UnkaiError("ResourceInUseException", `Stream ${stream.name} under account ${ctx.account.accountId} is being resharded; try again.`);
    await new Promise((resolve) => setTimeout(resolve, 10 * attempt));
  }
}

export type IteratorType = "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER" | "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";

/** Where a reader starts: an iterator type and the sequence number or time it names. */
export interface StartSpec {
  readonly type: IteratorType;
  readonly sequenceNumber?: string | undefined;
  readonly timestamp?: Date | undefined;
}

/** The stream sequence reading `shard` starts after, for `spec` (GetShardIterator's and SubscribeToShard's starting positions). */
export async function startAfter(ctx: KinesisContext, stream: KinesisStreamRecord, shard: KinesisShard, spec: StartSpec): Promise<number> {
  switch (spec.type) {
    case "TRIM_HORIZON":
      return shard.openedAfter;
    case "LATEST":
      return shard.closed?.sequence ?? ctx.records.latest(stream.arn);
    case "AT_TIMESTAMP": {
      if (spec.timestamp === undefined) throw invalid("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.");
      const time = spec.timestamp.getTime();
      if (time > ctx.now()) throw invalid(`The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${time}, currentTimestampInMillis: ${ctx.now()}`);
      return ctx.records.before(stream.arn, shard.index, time);
    }
    default: {
      const given = spec.sequenceNumber;
      if (given === undefined) throw invalid(`Must specify StartingSequenceNumber for iterator of type ${spec.type}.`);
      const parsed = parseSequenceNumber(given);
      if (parsed === undefined || parsed.shard !== shard.index) {
        throw invalid(`StartingSequenceNumber ${given} used in GetShardIterator on shard ${shardIdOf(shard.index)} in stream ${stream.name} under account ${ctx.account.accountId} is invalid.`);
      }
      return spec.type === "AT_SEQUENCE_NUMBER" ? parsed.sequence - 1 : parsed.sequence;
    }
  }
}

/** A page of a shard's records as GetRecords and SubscribeToShard answer them. */
export function wireRecords(stream: KinesisStreamRecord, shard: KinesisShard, rows: readonly KinesisRecordRow[]) {
  return rows.map((row) => ({
    SequenceNumber: formatSequenceNumber(shard.index, row.sequence), ApproximateArrivalTimestamp: new Date(row.arrivedAt), Data: row.data, PartitionKey: row.partitionKey,
    ...(stream.encryption ? { EncryptionType: "KMS" } : {}),
  }));
}

/** Whether a page read up to `limit` and MAX_READ_BYTES was cut short (more records may follow at once). */
export function pageFull(rows: readonly KinesisRecordRow[], limit: number): boolean {
  return rows.length === limit || rows.reduce((sum, row) => sum + row.data.byteLength, 0) >= MAX_READ_BYTES;
}

export function recordOperations(ctx: KinesisContext) {
  return {
    async PutRecord(input: StreamNaming & RecordEntry & { SequenceNumberForOrdering?: string }) {
      const startedAt = performance.now();
      const { stream, records, sequences } = await appendRecords(ctx, input, [input], true);
      const [record] = records as [KinesisRecordAppend];
      reportPut(ctx.metrics, stream, records, performance.now() - startedAt, false);
      return { ShardId: shardIdOf(record.shard), SequenceNumber: formatSequenceNumber(record.shard, sequences[0] ?? 0), ...encryptionType(stream) };
    },

    async PutRecords(input: StreamNaming & { Records: readonly RecordEntry[] }) {
      const startedAt = performance.now();
      const { stream, records, sequences } = await appendRecords(ctx, input, input.Records, false);
      reportPut(ctx.metrics, stream, records, performance.now() - startedAt, true);
      return {
        FailedRecordCount: 0,
        Records: records.map((r, i) => ({ ShardId: shardIdOf(r.shard), SequenceNumber: formatSequenceNumber(r.shard, sequences[i] ?? 0) })),
        ...encryptionType(stream),
      };
    },

    async GetShardIterator(input: StreamNaming & { ShardId: string; ShardIteratorType: IteratorType; StartingSequenceNumber?: string; Timestamp?: Date }) {
      const stream = await loadStream(ctx, input);
      const shard = shardOf(ctx, stream, input.ShardId);
      const afterSequence = await startAfter(ctx, stream, shard, { type: input.ShardIteratorType, sequenceNumber: input.StartingSequenceNumber, timestamp: input.Timestamp });
      return { ShardIterator: await ctx.iterators.issue({ streamArn: stream.arn, shardId: shardIdOf(shard.index), afterSequence, issuedAt: ctx.now() }) };
    },

    async GetRecords(input: { ShardIterator: string; Limit?: number; StreamARN?: string }) {
      const startedAt = performance.now();
      const position = await ctx.iterators.read(input.ShardIterator, ctx.now());
      if (input.StreamARN !== undefined && input.StreamARN !== position.streamArn) throw invalid("StreamARN does not name the stream of the ShardIterator.");
      const stream = await ctx.streams.get(position.streamArn);
      if (!stream) throw notFound(ctx, position.streamArn.slice(position.streamArn.indexOf("/") + 1));
      const shard = shardOf(ctx, stream, position.shardId);
      const limit = input.Limit ?? 10_000;
      const rows = await ctx.records.read(stream.arn, shard.index, position.afterSequence, limit, MAX_READ_BYTES);
      const last = rows.at(-1);
      const now = ctx.now();
      reportGet(ctx.metrics, stream, shard.index, rows, performance.now() - startedAt, now);
      // Behind the tip only when the page was cut short by its limit or its size.
      const full = pageFull(rows, limit);
      // A closed shard read to its end hands on its children instead of an iterator.
      const ended = shard.closed !== undefined && !full;
      return {
        Records: wireRecords(stream, shard, rows),
        ...(ended
          ? { ChildShards: childrenOf(stream, shard.index) }
          : { NextShardIterator: await ctx.iterators.issue({ streamArn: stream.arn, shardId: position.shardId, afterSequence: last?.sequence ?? position.afterSequence, issuedAt: now }) }),
        MillisBehindLatest: full ? Math.max(0, now - (last?.arrivedAt ?? now)) : 0,
      };
    },
  };
}

function encryptionType(stream: KinesisStreamRecord) {
  return { EncryptionType: stream.encryption ? "KMS" : "NONE" };
}
