/** SQLite AsyncQueueStore: one row per event; leases and attempts live on the row. */
import type { AsyncQueueStore } from "../ports.js";
import type { AsyncEvent } from "../../core/event-invoke-config.js";
import { asyncEventFrom as fromRow, type AsyncEventRow as Row } from "../rows/async-event-row.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";
import { walSync } from "./wal-sync.js";

export function sqliteAsyncQueueStore(db: Db): SyncPort<AsyncQueueStore> {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO async_events (id, function_name, qualifier, payload, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  // A lease ends at its lease_until: from then on the event is free to take again.
  const ready = db.prepare<{ now: number; limit: number }, { id: string; function_name: string; qualifier: string; enqueued_at: number }>(
    `SELECT id, function_name, qualifier, enqueued_at FROM async_events
     WHERE status = 'queued' AND available_at <= @now AND (lease_until IS NULL OR lease_until <= @now) ORDER BY available_at LIMIT @limit`,
  );
  const take = db.prepare<{ id: string; now: number; leaseUntil: number }, Row>(
    `UPDATE async_events SET lease_until = @leaseUntil, attempts = attempts + 1, lease_token = lease_token + 1
     WHERE id = @id AND status = 'queued' AND (lease_until IS NULL OR lease_until <= @now) RETURNING *`,
  );
  // Acknowledgements are fenced: only the current lease's holder, while it holds it (see ports.ts).
  const HELD = "id = @id AND lease_token = @token AND lease_until IS NOT NULL";
  const remove = db.prepare(`DELETE FROM async_events WHERE ${HELD}`);
  const retry = db.prepare(
    `UPDATE async_events SET lease_until = NULL, available_at = @at, attempts = attempts - @back, throttles = throttles + @back WHERE ${HELD}`,
  );
  const fail = db.prepare(`UPDATE async_events SET lease_until = NULL, status = 'failed', failure = @failure WHERE ${HELD}`);
  const failed = db.prepare<[string, number], Row>(
    "SELECT * FROM async_events WHERE function_name = ? AND status = 'failed' ORDER BY enqueued_at LIMIT ?",
  );
  const redriveAll = db.prepare(
    "UPDATE async_events SET status = 'queued', failure = NULL, attempts = 0, throttles = 0, enqueued_at = @now, available_at = @now WHERE function_name = @fn AND status = 'failed'",
  );
  const redriveOne = db.prepare(
    "UPDATE async_events SET status = 'queued', failure = NULL, attempts = 0, throttles = 0, enqueued_at = @now, available_at = @now WHERE function_name = @fn AND status = 'failed' AND id = @id",
  );
  const stats = db.prepare<[], { function_name: string; queued: number; oldest: number | null; failed: number }>(
    `SELECT function_name, SUM(status = 'queued') AS queued, MIN(CASE WHEN status = 'queued' THEN enqueued_at END) AS oldest,
            SUM(status = 'failed') AS failed FROM async_events GROUP BY function_name ORDER BY function_name`,
  );
  const next = db.prepare<[], { at: number | null }>(
    "SELECT MIN(MAX(available_at, COALESCE(lease_until, available_at))) AS at FROM async_events WHERE status = 'queued'",
  );

  const insertAll = db.transaction((events: Parameters<AsyncQueueStore["enqueue"]>[0]) => {
    for (const e of events) insert.run(e.id, e.functionName, e.qualifier, e.payload, e.enqueuedAt, e.enqueuedAt);
  });
  const synced = walSync(db);

  return {
    // The one write that must be on disk before Unkai answers: an acknowledged event. Resolves
    // once the WAL holding its commit is fsynced (wal-sync.ts), without blocking the event loop.
    enqueue: (events) => {
      insertAll(events);
      return synced();
    },
    clearLeases: () => db.prepare("UPDATE async_events SET lease_until = NULL, lease_token = lease_token + 1 WHERE lease_until IS NOT NULL").run().changes,
    ready: (now, limit) =>
      ready.all({ now, limit }).map((row) => ({ id: row.id, functionName: row.function_name, qualifier: row.qualifier, enqueuedAt: row.enqueued_at })),
    lease: db.transaction((ids: readonly string[], now: number, leaseUntil: number) => {
      const leased: AsyncEvent[] = [];
      for (const id of ids) {
        const row = take.get({ id, now, leaseUntil });
        if (row) leased.push(fromRow(row));
      }
      return leased;
    }),
    complete: (id, token) => remove.run({ id, token }).changes === 1,
    retry: (id, token, at, throttled) => retry.run({ id, token, at, back: throttled ? 1 : 0 }).changes === 1,
    fail: (id, token, failure) => fail.run({ id, token, failure: JSON.stringify(failure) }).changes === 1,
    failed: (functionName, limit) => failed.all(functionName, limit).map(fromRow),
    redrive: db.transaction((functionName: string, ids: readonly string[] | undefined, now: number) => {
      if (!ids) return redriveAll.run({ fn: functionName, now }).changes;
      let changed = 0;
      for (const id of ids) changed += redriveOne.run({ fn: functionName, now, id }).changes;
      return changed;
    }),
    stats: () =>
      stats.all().map((row) => ({ functionName: row.function_name, queued: row.queued, oldestEnqueuedAt: row.oldest ?? undefined, failed: row.failed })),
    nextAvailableAt: () => next.get()?.at ?? undefined,
  };
}

/** Queues events inside a caller's transaction, for writes that must commit together with the events they announce. */
export function asyncEventInserter(db: Db): (events: readonly Parameters<AsyncQueueStore["enqueue"]>[0][number][]) => void {
  const insert = db.prepare(
    "INSERT OR IGNORE INTO async_events (id, function_name, qualifier, payload, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  return (events) => {
    for (const e of events) insert.run(e.id, e.functionName, e.qualifier, e.payload, e.enqueuedAt, e.enqueuedAt);
  };
}
