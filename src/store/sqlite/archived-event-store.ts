/**
 * SQLite ArchivedEventStore: appends go through group commit (PutEvents from many callers in one turn
 * share one fsync); retention deletes and forgets commit durably.
 */
import type { ArchivedEventAppend, ArchivedEventRow, ArchivedEventStore } from "../ports.js";
import { durably, type Db } from "./database.js";
import { groupCommit } from "./group-commit.js";
import type { SyncPort } from "./promised.js";

interface Row {
  readonly event_time: number;
  readonly sequence: number;
  readonly body: string;
}

const rowOf = (row: Row): ArchivedEventRow => ({ eventTime: row.event_time, sequence: row.sequence, body: row.body });

export function sqliteArchivedEventStore(db: Db): SyncPort<ArchivedEventStore> {
  const insert = db.prepare("INSERT INTO archived_events (archive, event_time, archived_at, size, body) VALUES (?, ?, ?, ?, ?)");
  const first = db.prepare<[string, number, number, number], Row>(
    "SELECT event_time, sequence, body FROM archived_events WHERE archive = ? AND event_time >= ? AND event_time < ? ORDER BY event_time, sequence LIMIT ?",
  );
  const next = db.prepare<[string, number, number, number, number], Row>(
    `SELECT event_time, sequence, body FROM archived_events
     WHERE archive = ? AND (event_time, sequence) > (?, ?) AND event_time < ?
     ORDER BY event_time, sequence LIMIT ?`,
  );
  const stats = db.prepare<[string], { count: number; bytes: number }>("SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM archived_events WHERE archive = ?");
  const expired = db.prepare(
    "DELETE FROM archived_events WHERE sequence IN (SELECT sequence FROM archived_events WHERE archive = ? AND archived_at < ? LIMIT ?)",
  );
  const forget = db.prepare("DELETE FROM archived_events WHERE archive = ?");
  const soon = groupCommit(db);
  const appendNow = (events: readonly ArchivedEventAppend[]) => {
    for (const e of events) insert.run(e.archive, e.eventTime, e.archivedAt, Buffer.byteLength(e.body, "utf8"), e.body);
  };
  return {
    append: (events) => (events.length === 0 ? undefined : soon(() => appendNow(events))),
    read(archive, from, to, after, limit) {
      // A cursor before the window's start reads from the start.
      const rows = after === undefined || after.eventTime < from
        ? first.all(archive, from, to, limit)
        : next.all(archive, after.eventTime, after.sequence, to, limit);
      return rows.map(rowOf);
    },
    stats: (archive) => {
      const row = stats.get(archive);
      return { count: row?.count ?? 0, bytes: row?.bytes ?? 0 };
    },
    deleteArchivedBefore: durably(db, (archive: string, time: number, limit: number) => expired.run(archive, time, limit).changes),
    forget: durably(db, (archive: string) => void forget.run(archive)),
  };
}
