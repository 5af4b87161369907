/**
 * A table's streams: its latest one and those disabled in the last 24 hours. As on AWS, disabling a
 * stream closes it but keeps it listed and readable until its records expire (24 hours); enabling
 * again starts a new stream (a new label and ARN) beside it. The disabled ones are kept in the
 * table's definition (`DisabledStreams`) and dropped from it once past their retention; their
 * records go with the stream records' usual trimming. DeleteTable disables the table's streams and
 * retires them (DynamoDbStore's retired streams): listed and readable, beside any new table of the
 * name, for 24 hours as a disabled stream is. "24 hours" is the context's `streamRetentionMs`
 * (`--stream-retention-ms`, which tests shorten).
 */
import type { DynamoRetiredStream } from "../../store/ports.js";
import { loadedTable, type DynamoContext, type LoadedTable } from "./context.js";
import { STREAM_RETENTION_MS, streamArn, streamLabel } from "./stream-records.js";
import type { DisabledStream, TableDefinition } from "./table-definition.js";

export interface TableStream {
  readonly table: LoadedTable;
  readonly arn: string;
  readonly label: string;
  readonly enabled: boolean;
  readonly viewType: string;
}

/** A moment as streams see it: the time and how long records (and gone streams) are kept. */
export interface StreamTime {
  /** Epoch ms. */
  readonly nowMs: number;
  readonly retentionMs: number;
}

/** The context's present moment for streams. */
export function streamTime(ctx: DynamoContext, nowMs = ctx.now()): StreamTime {
  return { nowMs, retentionMs: ctx.streamRetentionMs ?? STREAM_RETENTION_MS };
}

/** A disabled stream is gone once every record it could hold has expired (the trim's rule: older than the retention). */
function readable(stream: DisabledStream, at: StreamTime): boolean {
  return at.nowMs - stream.DisabledAt <= at.retentionMs;
}

/** The table's disabled streams past their retention, still named in its definition until UpdateTable next changes its stream. */
export function goneStreamsOf(table: LoadedTable, at: StreamTime): string[] {
  return (table.definition.DisabledStreams ?? []).filter((stream) => !readable(stream, at)).map((stream) => streamArn(table, stream.Label));
}

/** The table's streams still listed, oldest first. */
export function streamsOf(table: LoadedTable, at: StreamTime): TableStream[] {
  const definition = table.definition;
  const disabled = (definition.DisabledStreams ?? []).filter((stream) => readable(stream, at));
  const streams = disabled.map((stream): TableStream => ({ table, arn: streamArn(table, stream.Label), label: stream.Label, enabled: false, viewType: stream.ViewType }));
  const latest = definition.LatestStreamLabel;
  const enabled = definition.StreamSpecification?.StreamEnabled === true;
  // A latest stream disabled before disabled streams were recorded has no entry: it stays, as it did then.
  if (latest !== undefined && (enabled || !(definition.DisabledStreams ?? []).some((stream) => stream.Label === latest))) {
    streams.push({ table, arn: streamArn(table, latest), label: latest, enabled, viewType: definition.StreamSpecification?.StreamViewType ?? "KEYS_ONLY" });
  }
  return streams;
}

/** The definition's stream settings once UpdateTable disables its enabled stream (kept readable) at `at`. */
export function disablingStream(definition: TableDefinition, at: StreamTime): Partial<TableDefinition> {
  const kept = (definition.DisabledStreams ?? []).filter((stream) => readable(stream, at));
  const closed: DisabledStream = { Label: definition.LatestStreamLabel as string, ViewType: definition.StreamSpecification?.StreamViewType ?? "KEYS_ONLY", DisabledAt: at.nowMs };
  return { StreamSpecification: undefined, DisabledStreams: [...kept, closed] };
}

/**
 * The definition's stream settings once UpdateTable enables a new stream at `at`. Its label is
 * the time, at least a millisecond after the previous stream's, so two streams never share an ARN.
 */
export function enablingStream(definition: TableDefinition, spec: { StreamEnabled: boolean; StreamViewType?: string }, at: StreamTime): Partial<TableDefinition> {
  const kept = (definition.DisabledStreams ?? []).filter((stream) => readable(stream, at));
  const previous = definition.LatestStreamLabel === undefined ? Number.NEGATIVE_INFINITY : Date.parse(`${definition.LatestStreamLabel}Z`);
  return { StreamSpecification: spec, LatestStreamLabel: streamLabel(Math.max(at.nowMs, previous + 1)), DisabledStreams: kept.length > 0 ? kept : undefined };
}

/** The streams DeleteTable keeps: the table's listed ones, the enabled one disabled at `at`. */
export function retiringStreams(table: LoadedTable, at: StreamTime): DynamoRetiredStream[] {
  const enabled = table.definition.StreamSpecification?.StreamEnabled === true;
  const definition = enabled ? { ...table.definition, ...disablingStream(table.definition, at) } : table.definition;
  const record = { name: table.name, createdAt: table.createdAt, definition: JSON.stringify(definition) };
  return streamsOf({ ...table, definition }, at).map((stream) => ({ stream: stream.arn, table: record, retiredAt: at.nowMs }));
}

/** Deleted tables' streams still readable, by table name and then oldest first. */
export async function retiredStreamsOf(ctx: DynamoContext): Promise<TableStream[]> {
  const rows = await ctx.store.retiredStreams();
  return rows.flatMap((row) => streamsOf(loadedTable(ctx, row.table), streamTime(ctx)).filter((stream) => stream.arn === row.stream));
}

/**
 * When a new table's stream may start: now, or a millisecond after the last stream a deleted table of
 * that name left (labels are times), so the new stream never takes a retired one's ARN and records.
 */
export async function freshStreamMs(ctx: DynamoContext, tableName: string): Promise<number> {
  const labels = (await ctx.store.retiredStreams()).filter((row) => row.table.name === tableName).map((row) => Date.parse(`${row.stream.split("/stream/")[1] ?? ""}Z`));
  return Math.max(ctx.now(), ...labels.filter((ms) => !Number.isNaN(ms)).map((ms) => ms + 1));
}
