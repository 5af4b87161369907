/**
 * The DynamoDB Streams API (awsJson1.0, `DynamoDBStreams_20120810.*`): ListStreams, DescribeStream,
 * GetShardIterator and GetRecords over the records item writes append (stream-records.ts), in shards
 * that roll over (stream-shards.ts); the open one closes when the stream is disabled, and a disabled
 * stream stays readable for 24 hours beside the table's newer one, and a deleted table's streams for
 * 24 hours after DeleteTable (table-streams.ts).
 */
import { UnkaiError } from "../../core/errors.js";
import { loadTable, type DynamoContext } from "./context.js";
import { formatSequence, recordOf } from "./stream-records.js";
import type { ShardIterators } from "../../core/shard-iterators.js";
import { shardBounds, shardOf, shardRecords, shardsOf, type StreamsContext } from "./stream-shards.js";
import { invalid } from "./table-definition.js";
import { retiredStreamsOf, streamsOf, streamTime, type TableStream } from "./table-streams.js";

const MAX_RECORDS = 1000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

type Stream = TableStream;

const streamNotFound = (arn: string) => new UnkaiError("ResourceNotFoundException", `Requested resource not found: Stream: ${arn} not found`);

/**
 * The stream an ARN names in this account and region: its table must exist and the label be the
 * table's latest stream or one disabled in the last 24 hours (table-streams.ts).
 */
export async function loadStream(ctx: DynamoContext, arn: string): Promise<Stream> {
  const prefix = `arn:aws:dynamodb:${ctx.account.region}:${ctx.account.accountId}:table/`;
  const match = /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})\/stream\/([0-9T:.-]+)$/.exec(arn);
  if (match === null) throw invalid(`Invalid StreamArn: ${arn}`);
  if (!arn.startsWith(prefix)) throw streamNotFound(arn);
  const table = await loadTable(ctx, match[1] as string).catch(() => undefined);
  const stream = table === undefined ? undefined : streamsOf(table, streamTime(ctx)).find((s) => s.arn === arn);
  if (stream !== undefined) return stream;
  const retired = (await retiredStreamsOf(ctx)).find((s) => s.arn === arn);
  if (retired === undefined) throw streamNotFound(arn);
  return retired;
}

/** By table name, then each table's oldest first (labels are times). */
const byTableAndAge = (a: Stream, b: Stream) => (a.table.name === b.table.name ? compare(a.label, b.label) : compare(a.table.name, b.table.name));
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function listStreams(ctx: DynamoContext, input: { TableName?: string; Limit?: number; ExclusiveStartStreamArn?: string }): Promise<object> {
  const limit = Math.min(input.Limit ?? 100, 100);
  const retired = await retiredStreamsOf(ctx);
  const streams: Stream[] = [];
  if (input.TableName !== undefined) {
    const name = input.TableName;
    const mine = retired.filter((s) => s.table.name === name);
    const table = await loadTable(ctx, name, `Requested resource not found: Table: ${name} not found`).catch((error: unknown) => {
      // A deleted table's streams are still listed under its name.
      if (mine.length === 0) throw error;
      return undefined;
    });
    streams.push(...mine, ...(table === undefined ? [] : streamsOf(table, streamTime(ctx))));
  } else {
    streams.push(...retired);
    let after: string | undefined;
    for (;;) {
      const records = await ctx.store.tables(after, 100);
      for (const record of records) streams.push(...streamsOf(await loadTable(ctx, record.name), streamTime(ctx)));
      if (records.length < 100) break;
      after = records[records.length - 1]?.name;
    }
  }
  streams.sort(byTableAndAge);
  const start = input.ExclusiveStartStreamArn === undefined ? 0 : streams.findIndex((s) => s.arn === input.ExclusiveStartStreamArn) + 1;
  const page = streams.slice(start, start + limit);
  return {
    Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.table.name, StreamLabel: s.label })),
    ...(start + limit < streams.length ? { LastEvaluatedStreamArn: page[page.length - 1]?.arn } : {}),
  };
}

export async function describeStream(ctx: StreamsContext, input: { StreamArn: string; Limit?: number; ExclusiveStartShardId?: string }): Promise<object> {
  const stream = await loadStream(ctx, input.StreamArn);
  const all = await shardsOf(ctx, stream);
  const start = input.ExclusiveStartShardId === undefined ? 0 : all.findIndex((shard) => shard.id === input.ExclusiveStartShardId) + 1;
  const limit = input.Limit ?? 100;
  const page = start === 0 && input.ExclusiveStartShardId !== undefined ? [] : all.slice(start, start + limit);
  const shards = [];
  for (const shard of page) {
    const bounds = await shardBounds(ctx, stream.arn, shard);
    shards.push({
      ShardId: shard.id,
      SequenceNumberRange: {
        StartingSequenceNumber: formatSequence(bounds.oldest),
        ...(shard.end === undefined ? {} : { EndingSequenceNumber: formatSequence(shard.end) }),
      },
      ...(shard.parentId === undefined ? {} : { ParentShardId: shard.parentId }),
    });
  }
  const more = start + limit < all.length && page.length > 0;
  return {
    StreamDescription: {
      StreamArn: stream.arn,
      StreamLabel: stream.label,
      StreamStatus: stream.enabled ? "ENABLED" : "DISABLED",
      StreamViewType: stream.viewType,
      CreationRequestDateTime: new Date(`${stream.label}Z`),
      TableName: stream.table.name,
      KeySchema: stream.table.definition.KeySchema,
      Shards: shards,
      ...(more ? { LastEvaluatedShardId: page[page.length - 1]?.id } : {}),
    },
  };
}

interface GetShardIteratorInput {
  readonly StreamArn: string;
  readonly ShardId: string;
  readonly ShardIteratorType: "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER";
  readonly SequenceNumber?: string;
}

/** The position (last sequence number read past) an iterator type starts at, within the shard's kept records. */
function startingPoint(input: GetShardIteratorInput, bounds: { oldest: number; latest: number }): number {
  if (input.ShardIteratorType === "TRIM_HORIZON") return bounds.oldest - 1;
  if (input.ShardIteratorType === "LATEST") return bounds.latest;
  if (input.SequenceNumber === undefined) throw invalid(`SequenceNumber is required for ShardIteratorType ${input.ShardIteratorType}`);
  if (!/^\d{21,40}$/.test(input.SequenceNumber)) throw invalid(`Invalid SequenceNumber: ${input.SequenceNumber}`);
  const sequence = Number(input.SequenceNumber);
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence > bounds.latest) throw invalid(`Invalid SequenceNumber: ${input.SequenceNumber} is beyond the shard's last record`);
  if (sequence < bounds.oldest) throw new UnkaiError("TrimmedDataAccessException", `The operation attempted to read past the oldest stream record in a shard: SequenceNumber ${input.SequenceNumber} has been trimmed`);
  return input.ShardIteratorType === "AT_SEQUENCE_NUMBER" ? sequence - 1 : sequence;
}

const shardNotFound = (shardId: string, arn: string) => new UnkaiError("ResourceNotFoundException", `Requested resource not found: Shard: ${shardId} in Stream: ${arn} not found`);

export async function getShardIterator(ctx: StreamsContext, iterators: ShardIterators, input: GetShardIteratorInput): Promise<object> {
  const stream = await loadStream(ctx, input.StreamArn);
  const shard = await shardOf(ctx, stream, input.ShardId);
  if (shard === undefined) throw shardNotFound(input.ShardId, stream.arn);
  const bounds = await shardBounds(ctx, stream.arn, shard);
  if (input.ShardIteratorType !== "TRIM_HORIZON" && input.ShardIteratorType !== "LATEST" && input.SequenceNumber !== undefined && /^\d{21,40}$/.test(input.SequenceNumber) && Number(input.SequenceNumber) < shard.start) {
    throw invalid(`Invalid SequenceNumber: ${input.SequenceNumber} is not in shard ${shard.id}`);
  }
  const afterSequence = startingPoint(input, bounds);
  return { ShardIterator: await iterators.issue({ streamArn: stream.arn, shardId: shard.id, afterSequence, issuedAt: ctx.now() }) };
}

export async function getRecords(ctx: StreamsContext, iterators: ShardIterators, input: { ShardIterator: string; Limit?: number }): Promise<object> {
  const limit = input.Limit ?? MAX_RECORDS;
  if (limit > MAX_RECORDS) throw invalid(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RECORDS}`);
  const position = await iterators.read(input.ShardIterator, ctx.now());
  const stream = await loadStream(ctx, position.streamArn);
  const shard = await shardOf(ctx, stream, position.shardId);
  if (shard === undefined) throw shardNotFound(position.shardId, stream.arn);
  const bounds = await shardBounds(ctx, stream.arn, shard);
  if (position.afterSequence < bounds.oldest - 1) {
    throw new UnkaiError("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.");
  }
  const rows = await shardRecords(ctx, stream, shard.id, position.afterSequence, limit);
  const records = [];
  let bytes = 0;
  for (const row of rows) {
    bytes += row.record.length;
    if (records.length > 0 && bytes > MAX_RESPONSE_BYTES) break;
    const { userIdentity, ...record } = recordOf(row);
    records.push({
      ...record,
      dynamodb: { ...record.dynamodb, ApproximateCreationDateTime: new Date(record.dynamodb.ApproximateCreationDateTime * 1000) },
      // Lambda's events spell it `{type, principalId}`; the Streams API's model `{Type, PrincipalId}`.
      ...(userIdentity ? { userIdentity: { Type: userIdentity.type, PrincipalId: userIdentity.principalId } } : {}),
    });
  }
  const last = rows[records.length - 1]?.sequence ?? position.afterSequence;
  // A closed shard read to its end has no next iterator: its reader moves on to the child shard.
  const end = (await shardOf(ctx, stream, shard.id))?.end;
  const closed = end !== undefined && last >= end;
  return { Records: records, ...(closed ? {} : { NextShardIterator: await iterators.issue({ streamArn: stream.arn, shardId: shard.id, afterSequence: last, issuedAt: ctx.now() }) }) };
}
