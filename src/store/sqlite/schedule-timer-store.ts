/** SQLite ScheduleTimerStore: one row per schedule; the lease and its fencing counter live on the row. */
import type { ScheduleTimer, ScheduleTimerStore } from "../ports.js";
import { scheduleTimerFrom as fromRow, type ScheduleTimerRow as Row } from "../rows/schedule-timer-row.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

export function sqliteScheduleTimerStore(db: Db): SyncPort<ScheduleTimerStore> {
  const upsert = db.prepare(
    `INSERT INTO schedule_timers (id, next_fire_at) VALUES (?, ?)
     ON CONFLICT (id) DO UPDATE SET next_fire_at = excluded.next_fire_at, lease_owner = NULL, lease_until = NULL, lease_counter = lease_counter + 1`,
  );
  const get = db.prepare<[string], Row>("SELECT * FROM schedule_timers WHERE id = ?");
  const remove = db.prepare("DELETE FROM schedule_timers WHERE id = ?");
  // A runner's timers by id prefix: substr, not LIKE (SQLite's LIKE ignores ASCII case, and `_` or `%`
  // in a prefix would be wildcards).
  const due = db.prepare<{ prefix: string; now: number; limit: number }, { id: string }>(
    `SELECT id FROM schedule_timers WHERE substr(id, 1, length(@prefix)) = @prefix
       AND next_fire_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
     ORDER BY next_fire_at LIMIT @limit`,
  );
  // Compare-and-set per row: a timer another claimer took between the SELECT and here is left out.
  const take = db.prepare<{ id: string; now: number; owner: string; leaseUntil: number }, Row>(
    `UPDATE schedule_timers SET lease_owner = @owner, lease_until = @leaseUntil, lease_counter = lease_counter + 1
     WHERE id = @id AND next_fire_at <= @now AND (lease_until IS NULL OR lease_until <= @now) RETURNING *`,
  );
  const advance = db.prepare(
    `UPDATE schedule_timers SET next_fire_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_counter = ?`,
  );
  const next = db.prepare<{ prefix: string }, { at: number | null }>(
    `SELECT MIN(MAX(next_fire_at, COALESCE(lease_until, next_fire_at))) AS at FROM schedule_timers
     WHERE next_fire_at IS NOT NULL AND substr(id, 1, length(@prefix)) = @prefix`,
  );

  return {
    set: durably(db, (id: string, nextFireAt: number | undefined) => void upsert.run(id, nextFireAt ?? null)),
    get: (id) => {
      const row = get.get(id);
      return row ? fromRow(row) : undefined;
    },
    remove: durably(db, (id: string) => remove.run(id).changes > 0),
    claimDue: durably(db, (prefix: string, now: number, owner: string, leaseUntil: number, limit: number) => {
      const claimed: ScheduleTimer[] = [];
      for (const { id } of due.all({ prefix, now, limit })) {
        const row = take.get({ id, now, owner, leaseUntil });
        if (row) claimed.push(fromRow(row));
      }
      return claimed;
    }),
    // The firing this commits must not be fired again after a crash: fsynced.
    advance: durably(db, (id: string, leaseCounter: number, nextFireAt: number | undefined) => advance.run(nextFireAt ?? null, id, leaseCounter).changes > 0),
    clearLeases: () =>
      db.prepare("UPDATE schedule_timers SET lease_owner = NULL, lease_until = NULL, lease_counter = lease_counter + 1 WHERE lease_until IS NOT NULL").run().changes,
    nextDueAt: (prefix) => next.get({ prefix })?.at ?? undefined,
  };
}
