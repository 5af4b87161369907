/** SQLite LogStore: CloudWatch-Logs-like groups, streams and events, with running byte totals. */
import { LOG_EVENT_OVERHEAD_BYTES } from "../../core/log-limits.js";
import type { LogGroupInfo, LogStore, LogStorePolicy, LogStreamOrder, StoredLogEvent } from "../ports.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";
import { logTrimmer } from "./log-trim.js";
import type { WriteBehind } from "./write-behind.js";

interface EventRow {
  id: number;
  log_stream: string;
  timestamp: number;
  ingestion_time: number;
  message: string;
}

interface GroupRow {
  name: string;
  creation_time: number;
  retention_days: number | null;
  stored_bytes: number;
}

/** An event waiting in the write-behind queue, with the time it was handed over (CloudWatch's ingestion time). */
interface QueuedEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestedAt: number;
}

/** Eviction frees this share of the cap below it, so a group at its cap is not trimmed on every append. */
const EVICTION_SLACK = 0.1;

const groupInfo = (row: GroupRow): LogGroupInfo => ({
  name: row.name,
  creationTime: row.creation_time,
  retentionInDays: row.retention_days ?? undefined,
  storedBytes: row.stored_bytes,
});

export function sqliteLogStore(db: Db, writes: WriteBehind, policy: LogStorePolicy): SyncPort<LogStore> {
  const insertEvent = db.prepare(
    "INSERT INTO log_events (log_group, log_stream, timestamp, ingestion_time, message) VALUES (?, ?, ?, ?, ?)",
  );
  const upsertStream = db.prepare(`
    INSERT INTO log_streams (log_group, log_stream, creation_time, first_event, last_event, stored_bytes)
    VALUES (@group, @stream, @now, @first, @last, @bytes)
    ON CONFLICT (log_group, log_stream) DO UPDATE SET
      first_event = COALESCE(first_event, excluded.first_event),
      last_event = COALESCE(excluded.last_event, last_event),
      stored_bytes = stored_bytes + excluded.stored_bytes`);
  const ensureGroup = db.prepare("INSERT INTO log_groups (name, creation_time, retention_days) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING");
  const addGroupBytes = db.prepare<[number, string], { stored_bytes: number }>("UPDATE log_groups SET stored_bytes = stored_bytes + ? WHERE name = ? RETURNING stored_bytes");
  const insertGroup = db.prepare("INSERT INTO log_groups (name, creation_time, tags) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING");
  const selectTags = db.prepare<[string], { tags: string | null }>("SELECT tags FROM log_groups WHERE name = ?");
  const updateTags = db.prepare("UPDATE log_groups SET tags = ? WHERE name = ?");
  const selectStreamBytes = db.prepare<[string, string], { stored_bytes: number }>("SELECT stored_bytes FROM log_streams WHERE log_group = ? AND log_stream = ?");
  const deleteStreamEvents = db.prepare("DELETE FROM log_events WHERE log_group = ? AND log_stream = ?");
  const deleteStreamRow = db.prepare("DELETE FROM log_streams WHERE log_group = ? AND log_stream = ?");
  const lessGroupBytes = db.prepare("UPDATE log_groups SET stored_bytes = MAX(0, stored_bytes - ?) WHERE name = ?");
  const insertStream = db.prepare("INSERT INTO log_streams (log_group, log_stream, creation_time) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
  const selectGroup = db.prepare<[string], GroupRow>("SELECT * FROM log_groups WHERE name = ?");
  const selectStream = db.prepare<[string, string], { one: number }>("SELECT 1 AS one FROM log_streams WHERE log_group = ? AND log_stream = ?");
  const updateRetention = db.prepare("UPDATE log_groups SET retention_days = ? WHERE name = ?");
  const deleteEvents = db.prepare("DELETE FROM log_events WHERE log_group = ?");
  const deleteStreams = db.prepare("DELETE FROM log_streams WHERE log_group = ?");
  const deleteGroupRow = db.prepare("DELETE FROM log_groups WHERE name = ?");
  const trimmer = logTrimmer(db);

  /**
   * A group's appends queued since its last write, in append order: consecutive appends to one stream
   * form one segment. Events are inserted in exactly that order, so a group's event ids (the order
   * every query reads, always within one group) are what one write per append gave.
   */
  interface GroupBatch {
    readonly group: string;
    readonly segments: { readonly stream: string; readonly events: QueuedEvent[] }[];
  }

  /**
   * One group's queued appends: the rows, then each stream's and the group's running totals once
   * (not once per append), and eviction past the cap. The group's total is checked once per batch,
   * so a batch that crosses the cap is trimmed at its end, to the same 90 % of the cap.
   */
  const writeRows = ({ group, segments }: GroupBatch): void => {
    const now = segments[0]?.events[0]?.ingestedAt ?? Date.now();
    ensureGroup.run(group, now, policy.defaultRetentionDays ?? null);
    const streams = new Map<string, { first: number; last: number; bytes: number }>();
    let groupBytes = 0;
    for (const { stream, events } of segments) {
      let bytes = 0;
      for (const event of events) {
        insertEvent.run(group, stream, Math.round(event.timestamp), event.ingestedAt, event.message);
        bytes += Buffer.byteLength(event.message) + LOG_EVENT_OVERHEAD_BYTES;
      }
      groupBytes += bytes;
      const last = Math.round(events.at(-1)?.timestamp ?? now);
      const seen = streams.get(stream);
      if (seen) {
        seen.last = last;
        seen.bytes += bytes;
      } else streams.set(stream, { first: Math.round(events[0]?.timestamp ?? now), last, bytes });
    }
    for (const [stream, { first, last, bytes }] of streams) upsertStream.run({ group, stream, now, first, last, bytes });
    const total = addGroupBytes.get(groupBytes, group)?.stored_bytes ?? 0;
    if (total > policy.groupMaxBytes) trimmer.evictOldest(group, total - Math.floor(policy.groupMaxBytes * (1 - EVICTION_SLACK)));
  };
  const writeAtomically = db.transaction(writeRows);
  /**
   * All or nothing. Inside the write-behind's batch that is the batch's own transaction: a failing
   * write rolls the whole batch back, which is then replayed write by write, each in a transaction of
   * its own (here). So a batch needs no savepoint per group.
   */
  const write = (batch: GroupBatch): void => (db.inTransaction ? writeRows(batch) : writeAtomically(batch));

  /**
   * Each group's queued batch, until the write-behind writes it: an append joins its group's batch
   * (one group update, one stream update per stream, instead of one each per append, e.g. per
   * invocation), so the invocation logs of many environments and an API's access log share them.
   */
  const queued = new Map<string, GroupBatch>();

  return {
    append(group, stream, events) {
      if (events.length === 0) return;
      const ingestedAt = Date.now();
      const added = events.map((event) => ({ timestamp: event.timestamp, message: event.message, ingestedAt }));
      const batch = queued.get(group);
      if (batch) {
        const last = batch.segments.at(-1);
        if (last?.stream === stream) last.events.push(...added);
        else batch.segments.push({ stream, events: added });
        return;
      }
      const entry: GroupBatch = { group, segments: [{ stream, events: added }] };
      queued.set(group, entry);
      writes.enqueue(() => {
        if (queued.get(group) === entry) queued.delete(group);
        write(entry);
      });
    },

    query(query) {
      writes.flush();
      const clauses = ["log_group = ?", "id > ?"];
      const params: (string | number)[] = [query.group, query.afterId ?? 0];
      if (query.streams && query.streams.length > 0) {
        clauses.push(`log_stream IN (${query.streams.map(() => "?").join(",")})`);
        params.push(...query.streams);
      }
      if (query.startTime !== undefined) {
        clauses.push("timestamp >= ?");
        params.push(query.startTime);
      }
      if (query.endTime !== undefined) {
        clauses.push("timestamp <= ?");
        params.push(query.endTime);
      }
      if (query.contains) {
        clauses.push("instr(message, ?) > 0");
        params.push(query.contains);
      }
      if (query.beforeId !== undefined) {
        clauses.push("id < ?");
        params.push(query.beforeId);
      }
      const fromEnd = query.fromEnd === true;
      const found = db
        .prepare<(string | number)[], EventRow>(
          `SELECT id, log_stream, timestamp, ingestion_time, message FROM log_events WHERE ${clauses.join(" AND ")} ORDER BY id ${fromEnd ? "DESC" : ""} LIMIT ?`,
        )
        .all(...params, query.limit);
      const rows = fromEnd ? found.reverse() : found;
      const events: StoredLogEvent[] = rows.map((row) => ({
        logStreamName: row.log_stream,
        timestamp: row.timestamp,
        ingestionTime: row.ingestion_time,
        message: row.message,
        eventId: String(row.id),
      }));
      return { events, lastId: !fromEnd && rows.length === query.limit ? rows.at(-1)?.id : undefined };
    },

    // Existence checks (every PutLogEvents makes two) read first and flush only when the row is
    // missing, since a queued append may be what creates it: flushing first made each request
    // commit, and wait on the disk, before it could be answered.
    group(name) {
      let row = selectGroup.get(name);
      if (!row) {
        writes.flush();
        row = selectGroup.get(name);
      }
      return row ? groupInfo(row) : undefined;
    },

    groups(prefix) {
      writes.flush();
      return db
        .prepare<{ prefix: string }, GroupRow>("SELECT * FROM log_groups WHERE substr(name, 1, length(@prefix)) = @prefix ORDER BY name")
        .all({ prefix: prefix ?? "" })
        .map(groupInfo);
    },

    createGroup(name, now, tags) {
      writes.flush();
      return insertGroup.run(name, now, tags && Object.keys(tags).length > 0 ? JSON.stringify(tags) : null).changes === 1;
    },

    groupTags(group) {
      writes.flush();
      const row = selectTags.get(group);
      return row && (row.tags === null ? {} : (JSON.parse(row.tags) as Record<string, string>));
    },

    setGroupTags(group, tags) {
      writes.flush();
      return updateTags.run(Object.keys(tags).length > 0 ? JSON.stringify(tags) : null, group).changes === 1;
    },

    createStream(group, stream, now) {
      writes.flush();
      return insertStream.run(group, stream, now).changes === 1;
    },

    hasStream(group, stream) {
      if (selectStream.get(group, stream) !== undefined) return true;
      writes.flush();
      return selectStream.get(group, stream) !== undefined;
    },

    setRetention(group, days) {
      writes.flush();
      return updateRetention.run(days ?? null, group).changes === 1;
    },

    deleteExpired(now, limit) {
      writes.flush();
      return trimmer.deleteExpired(now, limit);
    },

    streams(group, prefix, limit, order) {
      writes.flush();
      return db
        .prepare<{ group: string; prefix: string; limit: number; offset: number }, { log_stream: string; creation_time: number; first_event: number | null; last_event: number | null; stored_bytes: number }>(
          `SELECT * FROM log_streams WHERE log_group = @group AND substr(log_stream, 1, length(@prefix)) = @prefix
           ORDER BY ${streamOrderSql(order)} LIMIT @limit OFFSET @offset`,
        )
        .all({ group, prefix: prefix ?? "", limit, offset: order?.offset ?? 0 })
        .map((row) => ({
          logStreamName: row.log_stream,
          creationTime: row.creation_time,
          firstEventTimestamp: row.first_event ?? undefined,
          lastEventTimestamp: row.last_event ?? undefined,
          storedBytes: row.stored_bytes,
        }));
    },

    deleteGroup(group) {
      writes.flush();
      db.transaction(() => {
        deleteEvents.run(group);
        deleteStreams.run(group);
        deleteGroupRow.run(group);
      })();
    },

    deleteStream(group, stream) {
      writes.flush();
      return db.transaction(() => {
        const row = selectStreamBytes.get(group, stream);
        if (!row) return false;
        deleteStreamEvents.run(group, stream);
        deleteStreamRow.run(group, stream);
        lessGroupBytes.run(row.stored_bytes, group);
        return true;
      })();
    },
  };
}

/** ORDER BY for LogStore.streams; a stream without events sorts after the others ascending, before them descending (NULL is smallest in SQLite). */
function streamOrderSql(order: LogStreamOrder | undefined): string {
  if (!order) return "last_event DESC";
  const direction = order.descending ? "DESC" : "ASC";
  return order.by === "LogStreamName" ? `log_stream ${direction}` : `last_event ${direction}, log_stream ${direction}`;
}
