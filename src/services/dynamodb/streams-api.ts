/**
 * The DynamoDB Streams API (awsJson1.0, `DynamoDBStreams_20120810.*`): ListStreams, DescribeStream,
 * GetShardIterator and GetRecords over the records item writes append (stream-records.ts). Each
 * stream has one shard that never rolls over; it closes when the stream is disabled.
 */
import { createHash } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import { loadTable, type DynamoContext, type LoadedTable } from "./context.js";
import { formatSequence, recordOf, streamArn } from "./stream-records.js";
import type { ShardIterators } from "./stream-iterators.js";
import { invalid } from "./table-definition.js";

const MAX_RECORDS = 1000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

interface Stream {
  readonly table: LoadedTable;
  readonly arn: string;
  readonly label: string;
  readonly enabled: boolean;
  readonly shardId: string;
}

const streamNotFound = (arn: string) => new UnkaiError("ResourceNotFoundException", `Requested resource not found: Stream: ${arn} not found`);

/** The single shard's id: stable for the stream, different for each stream. */
function shardIdOf(arn: string): string {
  return `shardId-00000000000000000001-${createHash("sha256").update(arn).digest("hex").slice(0, 8)}`;
}

function streamOf(table: LoadedTable): Stream | undefined {
  const label = table.definition.LatestStreamLabel;
  if (label === undefined) return undefined;
  const arn = streamArn(table, label);
  return { table, arn, label, enabled: table.definition.StreamSpecification?.StreamEnabled === true, shardId: shardIdOf(arn) };
}

/** The stream an ARN names in this account and region: its table must exist and the label be the table's latest stream. */
export async function loadStream(ctx: DynamoContext, arn: string): Promise<Stream> {
  const prefix = `arn:aws:dynamodb:${ctx.account.region}:${ctx.account.accountId}:table/`;
  const match = /^arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table\/([A-Za-z0-9_.-]{3,255})\/stream\/([0-9T:.-]+)$/.exec(arn);
  if (match === null) throw invalid(`Invalid StreamArn: ${arn}`);
  if (!arn.startsWith(prefix)) throw streamNotFound(arn);
  const table = await loadTable(ctx, match[1] as string).catch(() => undefined);
  const stream = table === undefined ? undefined : streamOf(table);
  if (stream === undefined || stream.arn !== arn) throw streamNotFound(arn);
  return stream;
}

export async function listStreams(ctx: DynamoContext, input: { TableName?: string; Limit?: number; ExclusiveStartStreamArn?: string }): Promise<object> {
  const limit = Math.min(input.Limit ?? 100, 100);
  const streams: Stream[] = [];
  if (input.TableName !== undefined) {
    const stream = streamOf(await loadTable(ctx, input.TableName, `Requested resource not found: Table: ${input.TableName} not found`));
    if (stream) streams.push(stream);
  } else {
    let after: string | undefined;
    for (;;) {
      const records = await ctx.store.tables(after, 100);
      for (const record of records) {
        const stream = streamOf(await loadTable(ctx, record.name));
        if (stream) streams.push(stream);
      }
      if (records.length < 100) break;
      after = records[records.length - 1]?.name;
    }
  }
  const start = input.ExclusiveStartStreamArn === undefined ? 0 : streams.findIndex((s) => s.arn === input.ExclusiveStartStreamArn) + 1;
  const page = streams.slice(start, start + limit);
  return {
    Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.table.name, StreamLabel: s.label })),
    ...(start + limit < streams.length ? { LastEvaluatedStreamArn: page[page.length - 1]?.arn } : {}),
  };
}

export async function describeStream(ctx: DynamoContext, input: { StreamArn: string; Limit?: number; ExclusiveStartShardId?: string }): Promise<object> {
  const stream = await loadStream(ctx, input.StreamArn);
  const bounds = await ctx.store.streamBounds(stream.arn);
  const shard = {
    ShardId: stream.shardId,
    SequenceNumberRange: {
      StartingSequenceNumber: formatSequence(Math.min(bounds.oldest, bounds.latest + 1)),
      ...(stream.enabled ? {} : { EndingSequenceNumber: formatSequence(bounds.latest) }),
    },
  };
  const shards = input.ExclusiveStartShardId === stream.shardId ? [] : [shard];
  return {
    StreamDescription: {
      StreamArn: stream.arn,
      StreamLabel: stream.label,
      StreamStatus: stream.enabled ? "ENABLED" : "DISABLED",
      StreamViewType: stream.table.definition.StreamSpecification?.StreamViewType ?? "KEYS_ONLY",
      CreationRequestDateTime: new Date(`${stream.label}Z`),
      TableName: stream.table.name,
      KeySchema: stream.table.definition.KeySchema,
      Shards: shards,
    },
  };
}

interface GetShardIteratorInput {
  readonly StreamArn: string;
  readonly ShardId: string;
  readonly ShardIteratorType: "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER";
  readonly SequenceNumber?: string;
}

/** The position (last sequence number read past) an iterator type starts at. */
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

export async function getShardIterator(ctx: DynamoContext, iterators: ShardIterators, input: GetShardIteratorInput): Promise<object> {
  const stream = await loadStream(ctx, input.StreamArn);
  if (input.ShardId !== stream.shardId) throw new UnkaiError("ResourceNotFoundException", `Requested resource not found: Shard: ${input.ShardId} in Stream: ${stream.arn} not found`);
  const bounds = await ctx.store.streamBounds(stream.arn);
  const afterSequence = startingPoint(input, bounds);
  return { ShardIterator: iterators.issue({ streamArn: stream.arn, afterSequence, issuedAt: ctx.now() }) };
}

export async function getRecords(ctx: DynamoContext, iterators: ShardIterators, input: { ShardIterator: string; Limit?: number }): Promise<object> {
  const limit = input.Limit ?? MAX_RECORDS;
  if (limit > MAX_RECORDS) throw invalid(`1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_RECORDS}`);
  const position = iterators.read(input.ShardIterator, ctx.now());
  const stream = await loadStream(ctx, position.streamArn);
  const bounds = await ctx.store.streamBounds(stream.arn);
  if (position.afterSequence < bounds.oldest - 1) {
    throw new UnkaiError("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.");
  }
  const rows = await ctx.store.streamRecords(stream.arn, position.afterSequence, limit);
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
  // A disabled stream's shard is closed: once read to its end there is no next iterator.
  const closed = !stream.enabled && last >= bounds.latest;
  return { Records: records, ...(closed ? {} : { NextShardIterator: iterators.issue({ streamArn: stream.arn, afterSequence: last, issuedAt: ctx.now() }) }) };
}
