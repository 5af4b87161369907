/**
 * Removing log events while keeping the running byte totals of their streams and group right:
 * eviction of a group's oldest events past its cap, and the retention sweep's expired events.
 * Both run inside the caller's transaction, in bounded batches.
 */
import { LOG_EVENT_OVERHEAD_BYTES } from "../../core/log-limits.js";
import type { PgDb, PgTx } from "./database.js";

interface SizedRow {
  id: number;
  log_stream: string;
  bytes: number;
}

const BATCH = 1000;
const SIZE = `octet_length(message) + ${LOG_EVENT_OVERHEAD_BYTES}`;

/** Subtracts the removed rows from their streams' and group's totals. */
async function uncount(tx: PgTx, group: string, rows: readonly SizedRow[]): Promise<void> {
  const perStream = new Map<string, number>();
  let total = 0;
  for (const row of rows) {
    perStream.set(row.log_stream, (perStream.get(row.log_stream) ?? 0) + row.bytes);
    total += row.bytes;
  }
  for (const [stream, bytes] of perStream) {
    await tx.query("UPDATE log_streams SET stored_bytes = GREATEST(0, stored_bytes - $1) WHERE log_group = $2 AND log_stream = $3", [bytes, group, stream]);
  }
  await tx.query("UPDATE log_groups SET stored_bytes = GREATEST(0, stored_bytes - $1) WHERE name = $2", [total, group]);
}

/** Deletes the group's oldest events until at least `bytes` are freed (or the group is empty). */
export async function evictOldest(tx: PgTx, group: string, bytes: number): Promise<void> {
  const removed: SizedRow[] = [];
  let freed = 0;
  let lastId = 0;
  while (freed < bytes) {
    const batch = (
      await tx.query<SizedRow>(`SELECT id, log_stream, ${SIZE} AS bytes FROM log_events WHERE log_group = $1 AND id > $2 ORDER BY id LIMIT $3`, [group, lastId, BATCH])
    ).rows;
    for (const row of batch) {
      removed.push(row);
      freed += row.bytes;
      lastId = row.id;
      if (freed >= bytes) break;
    }
    if (batch.length < BATCH) break;
  }
  if (removed.length === 0) return;
  await tx.query("DELETE FROM log_events WHERE log_group = $1 AND id <= $2", [group, lastId]);
  await uncount(tx, group, removed);
}

/** Deletes at most `limit` events of retention-bound groups older than their retention at `now`, oldest groups first. */
export function deleteExpired(db: PgDb, now: number, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    const retained = (
      await tx.query<{ name: string; retention_days: number }>("SELECT name, retention_days FROM log_groups WHERE retention_days IS NOT NULL ORDER BY creation_time, name")
    ).rows;
    let deleted = 0;
    for (const { name, retention_days } of retained) {
      if (deleted >= limit) break;
      const rows = (
        await tx.query<SizedRow>(`SELECT id, log_stream, ${SIZE} AS bytes FROM log_events WHERE log_group = $1 AND timestamp < $2 LIMIT $3`, [
          name, now - retention_days * 86_400_000, limit - deleted,
        ])
      ).rows;
      if (rows.length === 0) continue;
      await tx.query("DELETE FROM log_events WHERE id = ANY($1::bigint[])", [rows.map((row) => row.id)]);
      await uncount(tx, name, rows);
      deleted += rows.length;
    }
    return deleted;
  });
}
