/**
 * PostgreSQL AsyncQueueStore: one row per event; leases, their fencing tokens and attempts live on
 * the row. Claims take a batch with FOR UPDATE SKIP LOCKED: claimers on several nodes never wait
 * on each other's rows and never both get one.
 */
import type { AsyncQueueStore, QueuedEventRow } from "../ports.js";
import { asyncEventFrom as fromRow, type AsyncEventRow as Row } from "../rows/async-event-row.js";
import type { PgDb, PgTx } from "./database.js";

/** Queues events in one statement, inside a caller's transaction or on its own; an id that exists keeps its first event. */
export async function insertEvents(tx: PgTx | PgDb, events: readonly QueuedEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO async_events (id, function_name, qualifier, payload, enqueued_at, available_at)
     SELECT id, fn, q, p, t, t FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[]) WITH ORDINALITY AS e(id, fn, q, p, t, n)
     ORDER BY n ON CONFLICT (id) DO NOTHING`,
    [events.map((e) => e.id), events.map((e) => e.functionName), events.map((e) => e.qualifier), events.map((e) => e.payload), events.map((e) => e.enqueuedAt)],
  );
}

/** The current lease's holder, while it holds it: the fence every acknowledgement passes (ports.ts). */
const HELD = "id = $1 AND lease_token = $2 AND lease_until IS NOT NULL";

/**
 * `nodeId` owns every lease this store takes; `deadAfterMs` is how old a node's heartbeat may be
 * before its leases are anyone's (ClusterStore).
 */
export function pgAsyncQueueStore(db: PgDb, nodeId: string, deadAfterMs: number): AsyncQueueStore {
  return {
    enqueue: (events) => insertEvents(db, events),
    // Only leases of nodes not alive: another node's running events stay its own (at-least-once
    // without needless second runs). A node that stopped cleanly left no row and no leases.
    clearLeases: async () =>
      (
        await db.query(
          `UPDATE async_events SET lease_until = NULL, lease_owner = NULL, lease_token = lease_token + 1
           WHERE lease_until IS NOT NULL AND (lease_owner IS NULL OR lease_owner NOT IN (SELECT id FROM unkai_nodes WHERE heartbeat_at > $1))`,
          [Date.now() - deadAfterMs],
        )
      ).rowCount ?? 0,
    async ready(now, limit) {
      const { rows } = await db.query<{ id: string; function_name: string; qualifier: string; enqueued_at: number }>(
        `SELECT id, function_name, qualifier, enqueued_at FROM async_events
         WHERE status = 'queued' AND available_at <= $1 AND (lease_until IS NULL OR lease_until <= $1) ORDER BY available_at, enqueued_at, id LIMIT $2`,
        [now, limit],
      );
      return rows.map((row) => ({ id: row.id, functionName: row.function_name, qualifier: row.qualifier, enqueuedAt: row.enqueued_at }));
    },
    async lease(ids, now, leaseUntil) {
      if (ids.length === 0) return [];
      // SKIP LOCKED: a row another claimer is taking right now is left to it; a row it took and
      // committed since this statement began is re-checked against the WHERE and left out too.
      const { rows } = await db.query<Row>(
        `UPDATE async_events e SET lease_until = $3, lease_owner = $4, attempts = e.attempts + 1, lease_token = e.lease_token + 1
         FROM (SELECT id FROM async_events WHERE id = ANY($1::text[]) AND status = 'queued' AND (lease_until IS NULL OR lease_until <= $2)
               FOR UPDATE SKIP LOCKED) AS free
         WHERE e.id = free.id RETURNING e.*`,
        [ids, now, leaseUntil, nodeId],
      );
      const order = new Map(ids.map((id, i) => [id, i]));
      return rows.map(fromRow).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    },
    complete: async (id, token) => (await db.query(`DELETE FROM async_events WHERE ${HELD}`, [id, token])).rowCount === 1,
    retry: async (id, token, availableAt, throttled) =>
      (
        await db.query(`UPDATE async_events SET lease_until = NULL, available_at = $3, attempts = attempts - $4, throttles = throttles + $4 WHERE ${HELD}`, [
          id, token, availableAt, throttled ? 1 : 0,
        ])
      ).rowCount === 1,
    fail: async (id, token, failure) =>
      (await db.query(`UPDATE async_events SET lease_until = NULL, status = 'failed', failure = $3 WHERE ${HELD}`, [id, token, JSON.stringify(failure)])).rowCount === 1,
    failed: async (functionName, limit) =>
      (await db.query<Row>("SELECT * FROM async_events WHERE function_name = $1 AND status = 'failed' ORDER BY enqueued_at, id LIMIT $2", [functionName, limit])).rows.map(fromRow),
    async redrive(functionName, ids, now) {
      const result = await db.query(
        `UPDATE async_events SET status = 'queued', failure = NULL, attempts = 0, throttles = 0, enqueued_at = $2, available_at = $2
         WHERE function_name = $1 AND status = 'failed' AND ($3::text[] IS NULL OR id = ANY($3::text[]))`,
        [functionName, now, ids ? [...ids] : null],
      );
      return result.rowCount ?? 0;
    },
    async stats() {
      const { rows } = await db.query<{ function_name: string; queued: number; oldest: number | null; failed: number }>(
        `SELECT function_name, COUNT(*) FILTER (WHERE status = 'queued') AS queued, MIN(enqueued_at) FILTER (WHERE status = 'queued') AS oldest,
                COUNT(*) FILTER (WHERE status = 'failed') AS failed FROM async_events GROUP BY function_name ORDER BY function_name`,
      );
      return rows.map((row) => ({ functionName: row.function_name, queued: row.queued, oldestEnqueuedAt: row.oldest ?? undefined, failed: row.failed }));
    },
    nextAvailableAt: async () =>
      (await db.query<{ at: number | null }>("SELECT MIN(GREATEST(available_at, COALESCE(lease_until, available_at))) AS at FROM async_events WHERE status = 'queued'")).rows[0]?.at ??
      undefined,
  };
}
