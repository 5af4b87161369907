/** SQLite LogStore: CloudWatch-Logs-like groups, streams and events. */
import type { LogStore, StoredLogEvent } from "../ports.js";
import type { Db } from "./database.js";
import type { WriteBehind } from "./write-behind.js";

interface EventRow {
  id: number;
  log_stream: string;
  timestamp: number;
  ingestion_time: number;
  message: string;
}

export function sqliteLogStore(db: Db, writes: WriteBehind): LogStore {
  const insertEvent = db.prepare(
    "INSERT INTO log_events (log_group, log_stream, timestamp, ingestion_time, message) VALUES (?, ?, ?, ?, ?)",
  );
  const upsertStream = db.prepare(`
    INSERT INTO log_streams (log_group, log_stream, creation_time, first_event, last_event, stored_bytes)
    VALUES (@group, @stream, @now, @first, @last, @bytes)
    ON CONFLICT (log_group, log_stream) DO UPDATE SET
      first_event = COALESCE(first_event, excluded.first_event),
      last_event = excluded.last_event,
      stored_bytes = stored_bytes + excluded.stored_bytes`);
  const deleteEvents = db.prepare("DELETE FROM log_events WHERE log_group = ?");
  const deleteStreams = db.prepare("DELETE FROM log_streams WHERE log_group = ?");

  return {
    append(group, stream, events) {
      if (events.length === 0) return;
      const now = Date.now();
      writes.enqueue(() => {
        let bytes = 0;
        for (const event of events) {
          insertEvent.run(group, stream, Math.round(event.timestamp), now, event.message);
          bytes += Buffer.byteLength(event.message);
        }
        upsertStream.run({ group, stream, now, first: Math.round(events[0]?.timestamp ?? now), last: Math.round(events.at(-1)?.timestamp ?? now), bytes });
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
      const rows = db
        .prepare<(string | number)[], EventRow>(
          `SELECT id, log_stream, timestamp, ingestion_time, message FROM log_events WHERE ${clauses.join(" AND ")} ORDER BY id LIMIT ?`,
        )
        .all(...params, query.limit);
      const events: StoredLogEvent[] = rows.map((row) => ({
        logStreamName: row.log_stream,
        timestamp: row.timestamp,
        ingestionTime: row.ingestion_time,
        message: row.message,
        eventId: String(row.id),
      }));
      return { events, lastId: rows.length === query.limit ? rows.at(-1)?.id : undefined };
    },

    groups(prefix) {
      writes.flush();
      return db
        .prepare<{ prefix: string }, { name: string; creation: number; bytes: number }>(
          `SELECT log_group AS name, MIN(creation_time) AS creation, SUM(stored_bytes) AS bytes FROM log_streams
           WHERE substr(log_group, 1, length(@prefix)) = @prefix GROUP BY log_group ORDER BY log_group`,
        )
        .all({ prefix: prefix ?? "" })
        .map((row) => ({ name: row.name, creationTime: row.creation, storedBytes: row.bytes }));
    },

    streams(group, prefix, limit) {
      writes.flush();
      return db
        .prepare<{ group: string; prefix: string; limit: number }, { log_stream: string; creation_time: number; first_event: number | null; last_event: number | null; stored_bytes: number }>(
          `SELECT * FROM log_streams WHERE log_group = @group AND substr(log_stream, 1, length(@prefix)) = @prefix
           ORDER BY last_event DESC LIMIT @limit`,
        )
        .all({ group, prefix: prefix ?? "", limit })
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
      })();
    },
  };
}
