/**
 * Removing log events while keeping the running byte totals of their streams and group right:
 * eviction of a group's oldest events past its cap, and the retention sweep's expired events.
 * Both work in bounded batches, so no transaction holds the database for long.
 */
import { LOG_EVENT_OVERHEAD_BYTES } from "../../core/log-limits.js";
import type { Db } from "./database.js";

interface SizedRow {
  id: number;
  log_stream: string;
  bytes: number;
}

const BATCH = 1000;
const SIZE = `length(CAST(message AS BLOB)) + ${LOG_EVENT_OVERHEAD_BYTES}`;

export interface LogTrimmer {
  /** Deletes the group's oldest events until at least `bytes` are freed (or the group is empty). */
  evictOldest(group: string, bytes: number): void;
  /** Deletes at most `limit` events of retention-bound groups older than their retention at `now`. */
  deleteExpired(now: number, limit: number): number;
}

export function logTrimmer(db: Db): LogTrimmer {
  const oldest = db.prepare<[string, number, number], SizedRow>(
    `SELECT id, log_stream, ${SIZE} AS bytes FROM log_events WHERE log_group = ? AND id > ? ORDER BY id LIMIT ?`,
  );
  const deleteThrough = db.prepare("DELETE FROM log_events WHERE log_group = ? AND id <= ?");
  const expiredOf = db.prepare<[string, number, number], SizedRow>(
    `SELECT id, log_stream, ${SIZE} AS bytes FROM log_events WHERE log_group = ? AND timestamp < ? LIMIT ?`,
  );
  const deleteIds = db.prepare("DELETE FROM log_events WHERE id IN (SELECT value FROM json_each(?))");
  const retained = db.prepare<[], { name: string; retention_days: number }>(
    "SELECT name, retention_days FROM log_groups WHERE retention_days IS NOT NULL ORDER BY creation_time, name",
  );
  const lessStream = db.prepare("UPDATE log_streams SET stored_bytes = MAX(0, stored_bytes - ?) WHERE log_group = ? AND log_stream = ?");
  const lessGroup = db.prepare("UPDATE log_groups SET stored_bytes = MAX(0, stored_bytes - ?) WHERE name = ?");

  /** Subtracts the removed rows from their streams' and group's totals. */
  function uncount(group: string, rows: readonly SizedRow[]): void {
    const perStream = new Map<string, number>();
    let total = 0;
    for (const row of rows) {
      perStream.set(row.log_stream, (perStream.get(row.log_stream) ?? 0) + row.bytes);
      total += row.bytes;
    }
    for (const [stream, bytes] of perStream) lessStream.run(bytes, group, stream);
    lessGroup.run(total, group);
  }

  const evictOldest = (group: string, bytes: number): void => {
    const removed: SizedRow[] = [];
    let freed = 0;
    let lastId = 0;
    while (freed < bytes) {
      const batch = oldest.all(group, lastId, BATCH);
      for (const row of batch) {
        removed.push(row);
        freed += row.bytes;
        lastId = row.id;
        if (freed >= bytes) break;
      }
      if (batch.length < BATCH) break;
    }
    if (removed.length === 0) return;
    deleteThrough.run(group, lastId);
    uncount(group, removed);
  };

  const deleteExpired = db.transaction((now: number, limit: number): number => {
    let deleted = 0;
    for (const { name, retention_days } of retained.all()) {
      if (deleted >= limit) break;
      const rows = expiredOf.all(name, now - retention_days * 86_400_000, limit - deleted);
      if (rows.length === 0) continue;
      deleteIds.run(JSON.stringify(rows.map((row) => row.id)));
      uncount(name, rows);
      deleted += rows.length;
    }
    return deleted;
  });

  return { evictOldest, deleteExpired };
}
