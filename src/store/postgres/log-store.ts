/** PostgreSQL LogStore: CloudWatch-Logs-like groups, streams and events, with running byte totals; appends are written behind. */
import { LOG_EVENT_OVERHEAD_BYTES } from "../../core/log-limits.js";
import type { LogGroupInfo, LogStore, LogStorePolicy, LogStreamInfo, LogStreamOrder, StoredLogEvent } from "../ports.js";
import type { PgDb, PgTx } from "./database.js";
import { deleteExpired, evictOldest } from "./log-trim.js";
import type { PgWriteBehind } from "./write-behind.js";

interface GroupRow {
  name: string;
  creation_time: number;
  retention_days: number | null;
  stored_bytes: number;
}

/** Eviction frees this share of the cap below it, so a group at its cap is not trimmed on every append. */
const EVICTION_SLACK = 0.1;

const groupInfo = (row: GroupRow): LogGroupInfo => ({
  name: row.name,
  creationTime: row.creation_time,
  retentionInDays: row.retention_days ?? undefined,
  storedBytes: row.stored_bytes,
});

/** A group's tags as stored: a JSON object, or NULL for none. */
const tagsText = (tags: Readonly<Record<string, string>> | undefined) => (tags && Object.keys(tags).length > 0 ? JSON.stringify(tags) : null);

/** PostgreSQL text cannot hold U+0000: a NUL a function printed is stored as U+FFFD (and counted as such). */
const storable = (message: string) => (message.includes("\0") ? message.replaceAll("\0", "\uFFFD") : message);

async function writeEvents(tx: PgTx, policy: LogStorePolicy, group: string, stream: string, events: readonly { timestamp: number; message: string }[], now: number): Promise<void> {
  await tx.query("INSERT INTO log_groups (name, creation_time, retention_days) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", [group, now, policy.defaultRetentionDays ?? null]);
  const messages = events.map((event) => storable(event.message));
  const bytes = messages.reduce((sum, message) => sum + Buffer.byteLength(message) + LOG_EVENT_OVERHEAD_BYTES, 0);
  // One statement for the batch; WITH ORDINALITY keeps the events' order in their ids.
  await tx.query(
    `INSERT INTO log_events (log_group, log_stream, timestamp, ingestion_time, message)
     SELECT $1, $2, t, $3, m FROM unnest($4::bigint[], $5::text[]) WITH ORDINALITY AS e(t, m, n) ORDER BY n`,
    [group, stream, now, events.map((event) => Math.round(event.timestamp)), messages],
  );
  await tx.query(
    `INSERT INTO log_streams (log_group, log_stream, creation_time, first_event, last_event, stored_bytes) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (log_group, log_stream) DO UPDATE SET
       first_event = COALESCE(log_streams.first_event, excluded.first_event),
       last_event = COALESCE(excluded.last_event, log_streams.last_event),
       stored_bytes = log_streams.stored_bytes + excluded.stored_bytes`,
    [group, stream, now, Math.round(events[0]?.timestamp ?? now), Math.round(events.at(-1)?.timestamp ?? now), bytes],
  );
  const { rows } = await tx.query<{ stored_bytes: number }>("UPDATE log_groups SET stored_bytes = stored_bytes + $1 WHERE name = $2 RETURNING stored_bytes", [bytes, group]);
  const total = rows[0]?.stored_bytes ?? 0;
  if (total > policy.groupMaxBytes) await evictOldest(tx, group, total - Math.floor(policy.groupMaxBytes * (1 - EVICTION_SLACK)));
}

export function pgLogStore(db: PgDb, writes: PgWriteBehind, policy: LogStorePolicy): LogStore {
  /** Reads see this node's appends: wait for the ones still buffered. */
  const read = async <T>(work: () => Promise<T>): Promise<T> => {
    await writes.flush();
    return work();
  };
  return {
    async append(group, stream, events) {
      if (events.length === 0) return;
      const now = Date.now();
      writes.enqueue((tx) => writeEvents(tx, policy, group, stream, events, now));
    },
    query: (query) =>
      read(async () => {
        const clauses = ["log_group = $1", "id > $2"];
        const params: unknown[] = [query.group, query.afterId ?? 0];
        const add = (clause: string, value: unknown) => {
          params.push(value);
          clauses.push(clause.replace("?", `$${params.length}`));
        };
        if (query.streams && query.streams.length > 0) add("log_stream = ANY(?::text[])", query.streams);
        if (query.startTime !== undefined) add("timestamp >= ?", query.startTime);
        if (query.endTime !== undefined) add("timestamp <= ?", query.endTime);
        if (query.contains) add("strpos(message, ?) > 0", storable(query.contains));
        if (query.beforeId !== undefined) add("id < ?", query.beforeId);
        const fromEnd = query.fromEnd === true;
        params.push(query.limit);
        const found = await db.query<{ id: number; log_stream: string; timestamp: number; ingestion_time: number; message: string }>(
          `SELECT id, log_stream, timestamp, ingestion_time, message FROM log_events WHERE ${clauses.join(" AND ")} ORDER BY id ${fromEnd ? "DESC" : ""} LIMIT $${params.length}`,
          params,
        );
        const rows = fromEnd ? found.rows.reverse() : found.rows;
        const events: StoredLogEvent[] = rows.map((row) => ({
          logStreamName: row.log_stream, timestamp: row.timestamp, ingestionTime: row.ingestion_time, message: row.message, eventId: String(row.id),
        }));
        return { events, lastId: !fromEnd && rows.length === query.limit ? rows.at(-1)?.id : undefined };
      }),
    group: (name) =>
      read(async () => {
        const row = (await db.query<GroupRow>("SELECT * FROM log_groups WHERE name = $1", [name])).rows[0];
        return row ? groupInfo(row) : undefined;
      }),
    groups: (prefix) => read(async () => (await db.query<GroupRow>("SELECT * FROM log_groups WHERE starts_with(name, $1) ORDER BY name", [prefix ?? ""])).rows.map(groupInfo)),
    createGroup: (name, now, tags) =>
      read(async () => (await db.query("INSERT INTO log_groups (name, creation_time, tags) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING", [name, now, tagsText(tags)])).rowCount === 1),
    groupTags: (group) =>
      read(async () => {
        const row = (await db.query<{ tags: string | null }>("SELECT tags FROM log_groups WHERE name = $1", [group])).rows[0];
        return row && (row.tags === null ? {} : (JSON.parse(row.tags) as Record<string, string>));
      }),
    setGroupTags: (group, tags) => read(async () => (await db.query("UPDATE log_groups SET tags = $1 WHERE name = $2", [tagsText(tags), group])).rowCount === 1),
    createStream: (group, stream, now) =>
      read(async () => (await db.query("INSERT INTO log_streams (log_group, log_stream, creation_time) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", [group, stream, now])).rowCount === 1),
    hasStream: (group, stream) =>
      read(async () => ((await db.query("SELECT 1 FROM log_streams WHERE log_group = $1 AND log_stream = $2", [group, stream])).rowCount ?? 0) > 0),
    setRetention: (group, days) => read(async () => (await db.query("UPDATE log_groups SET retention_days = $1 WHERE name = $2", [days ?? null, group])).rowCount === 1),
    deleteExpired: (now, limit) => read(() => deleteExpired(db, now, limit)),
    streams: (group, prefix, limit, order) =>
      read(async () => {
        const { rows } = await db.query<{ log_stream: string; creation_time: number; first_event: number | null; last_event: number | null; stored_bytes: number }>(
          `SELECT * FROM log_streams WHERE log_group = $1 AND starts_with(log_stream, $2) ORDER BY ${streamOrderSql(order)} LIMIT $3 OFFSET $4`,
          [group, prefix ?? "", limit, order?.offset ?? 0],
        );
        return rows.map((row): LogStreamInfo => ({
          logStreamName: row.log_stream,
          creationTime: row.creation_time,
          firstEventTimestamp: row.first_event ?? undefined,
          lastEventTimestamp: row.last_event ?? undefined,
          storedBytes: row.stored_bytes,
        }));
      }),
    deleteGroup: (group) =>
      read(() =>
        db.transaction(async (tx) => {
          await tx.query("DELETE FROM log_events WHERE log_group = $1", [group]);
          await tx.query("DELETE FROM log_streams WHERE log_group = $1", [group]);
          await tx.query("DELETE FROM log_groups WHERE name = $1", [group]);
        }),
      ),
    deleteStream: (group, stream) =>
      read(() =>
        db.transaction(async (tx) => {
          // Locks the stream's row, so an append's total update waits for the delete (and then recreates the stream).
          const { rows } = await tx.query<{ stored_bytes: number }>("DELETE FROM log_streams WHERE log_group = $1 AND log_stream = $2 RETURNING stored_bytes", [group, stream]);
          const removed = rows[0];
          if (!removed) return false;
          await tx.query("DELETE FROM log_events WHERE log_group = $1 AND log_stream = $2", [group, stream]);
          await tx.query("UPDATE log_groups SET stored_bytes = GREATEST(0, stored_bytes - $1) WHERE name = $2", [removed.stored_bytes, group]);
          return true;
        }),
      ),
  };
}

/** ORDER BY for LogStore.streams, with SQLite's NULL placement (a stream without events is smallest). */
function streamOrderSql(order: LogStreamOrder | undefined): string {
  if (!order) return "last_event DESC NULLS LAST";
  if (order.by === "LogStreamName") return `log_stream ${order.descending ? "DESC" : "ASC"}`;
  return order.descending ? "last_event DESC NULLS LAST, log_stream DESC" : "last_event ASC NULLS FIRST, log_stream ASC";
}
