/** PostgreSQL ArchivedEventStore, shared by every node: an append is one multi-row INSERT, so its events commit together. */
import type { ArchivedEventRow, ArchivedEventStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface Row {
  readonly event_time: string;
  readonly sequence: string;
  readonly body: string;
}

const rowOf = (row: Row): ArchivedEventRow => ({ eventTime: Number(row.event_time), sequence: Number(row.sequence), body: row.body });

export function pgArchivedEventStore(db: PgDb): ArchivedEventStore {
  return {
    async append(events) {
      if (events.length === 0) return;
      const values: unknown[] = [];
      const tuples = events.map((e, i) => {
        values.push(e.archive, e.eventTime, e.archivedAt, Buffer.byteLength(e.body, "utf8"), e.body);
        const at = i * 5;
        return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`;
      });
      await db.query(`INSERT INTO archived_events (archive, event_time, archived_at, size, body) VALUES ${tuples.join(", ")}`, values);
    },
    async read(archive, from, to, after, limit) {
      const { rows } = after === undefined || after.eventTime < from
        ? await db.query<Row>(
          "SELECT event_time, sequence, body FROM archived_events WHERE archive = $1 AND event_time >= $2 AND event_time < $3 ORDER BY event_time, sequence LIMIT $4",
          [archive, from, to, limit],
        )
        : await db.query<Row>(
          `SELECT event_time, sequence, body FROM archived_events
           WHERE archive = $1 AND (event_time, sequence) > ($2, $3) AND event_time < $4 ORDER BY event_time, sequence LIMIT $5`,
          [archive, after.eventTime, after.sequence, to, limit],
        );
      return rows.map(rowOf);
    },
    async stats(archive) {
      const row = (await db.query<{ count: string; bytes: string }>(
        "SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM archived_events WHERE archive = $1", [archive],
      )).rows[0];
      return { count: Number(row?.count ?? 0), bytes: Number(row?.bytes ?? 0) };
    },
    async deleteArchivedBefore(archive, time, limit) {
      const result = await db.query(
        "DELETE FROM archived_events WHERE sequence IN (SELECT sequence FROM archived_events WHERE archive = $1 AND archived_at < $2 LIMIT $3)",
        [archive, time, limit],
      );
      return result.rowCount ?? 0;
    },
    async forget(archive) {
      await db.query("DELETE FROM archived_events WHERE archive = $1", [archive]);
    },
  };
}
