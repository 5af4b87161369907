/**
 * PostgreSQL ScheduleTimerStore: one row per schedule, the lease and its fencing counter on the row.
 * Due timers are claimed in one statement with SKIP LOCKED, so nodes claiming at once split them.
 */
import type { ScheduleTimerStore } from "../ports.js";
import { scheduleTimerFrom as fromRow, type ScheduleTimerRow as Row } from "../rows/schedule-timer-row.js";
import type { PgDb } from "./database.js";

export function pgScheduleTimerStore(db: PgDb, deadAfterMs: number): ScheduleTimerStore {
  return {
    async set(id, nextFireAt) {
      await db.query(
        `INSERT INTO schedule_timers (id, next_fire_at) VALUES ($1, $2)
         ON CONFLICT (id) DO UPDATE SET next_fire_at = excluded.next_fire_at, lease_owner = NULL, lease_until = NULL,
           lease_counter = schedule_timers.lease_counter + 1`,
        [id, nextFireAt ?? null],
      );
    },
    async get(id) {
      const row = (await db.query<Row>("SELECT * FROM schedule_timers WHERE id = $1", [id])).rows[0];
      return row ? fromRow(row) : undefined;
    },
    remove: async (id) => (await db.query("DELETE FROM schedule_timers WHERE id = $1", [id])).rowCount === 1,
    // A runner's timers by id prefix: starts_with, not LIKE (`_` or `%` in a prefix would be wildcards).
    async claimDue(prefix, now, owner, leaseUntil, limit) {
      const rows = await db.query<Row>(
        `UPDATE schedule_timers SET lease_owner = $2, lease_until = $3, lease_counter = lease_counter + 1
         WHERE id IN (
           SELECT id FROM schedule_timers WHERE starts_with(id, $5)
             AND next_fire_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
           ORDER BY next_fire_at LIMIT $4 FOR UPDATE SKIP LOCKED
         ) RETURNING *`,
        [now, owner, leaseUntil, limit, prefix],
      );
      return rows.rows.map(fromRow).sort((a, b) => (a.nextFireAt ?? 0) - (b.nextFireAt ?? 0));
    },
    advance: async (id, leaseCounter, nextFireAt) =>
      (await db.query("UPDATE schedule_timers SET next_fire_at = $1, lease_owner = NULL, lease_until = NULL WHERE id = $2 AND lease_counter = $3", [
        nextFireAt ?? null, id, leaseCounter,
      ])).rowCount === 1,
    clearLeases: async () =>
      (
        await db.query(
          `UPDATE schedule_timers SET lease_owner = NULL, lease_until = NULL, lease_counter = lease_counter + 1
           WHERE lease_until IS NOT NULL AND (lease_owner IS NULL OR lease_owner NOT IN (SELECT id FROM unkai_nodes WHERE heartbeat_at > $1))`,
          [Date.now() - deadAfterMs],
        )
      ).rowCount ?? 0,
    async nextDueAt(prefix) {
      const row = (await db.query<{ at: number | null }>(
        `SELECT MIN(GREATEST(next_fire_at, COALESCE(lease_until, next_fire_at))) AS at FROM schedule_timers
         WHERE next_fire_at IS NOT NULL AND starts_with(id, $1)`,
        [prefix],
      )).rows[0];
      return row?.at ?? undefined;
    },
  };
}
