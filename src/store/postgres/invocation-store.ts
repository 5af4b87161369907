/** PostgreSQL InvocationStore: one row per finished invocation, written behind. */
import type { InvocationStore } from "../ports.js";
import { invocationFrom, type InvocationRow } from "../rows/invocation-row.js";
import type { PgDb } from "./database.js";
import type { PgWriteBehind } from "./write-behind.js";

const INSERT = `INSERT INTO invocations VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (request_id) DO UPDATE SET function_name = excluded.function_name, version = excluded.version, started_at = excluded.started_at,
    duration_ms = excluded.duration_ms, billed_duration_ms = excluded.billed_duration_ms, init_duration_ms = excluded.init_duration_ms,
    cold_start = excluded.cold_start, memory_size_mb = excluded.memory_size_mb, max_memory_used_mb = excluded.max_memory_used_mb,
    status = excluded.status, error_type = excluded.error_type, log_stream = excluded.log_stream`;

export function pgInvocationStore(db: PgDb, writes: PgWriteBehind): InvocationStore {
  return {
    async add(r) {
      const params = [
        r.requestId, r.functionName, r.version, r.startedAt, r.durationMs, r.billedDurationMs, r.initDurationMs ?? null,
        r.coldStart, r.memorySizeMb, r.maxMemoryUsedMb, r.status, r.errorType ?? null, r.logStream ?? null,
      ];
      writes.enqueue(async (tx) => void (await tx.query(INSERT, params)));
    },
    async recent(functionName, limit) {
      await writes.flush();
      return (await db.query<InvocationRow>("SELECT * FROM invocations WHERE function_name = $1 ORDER BY started_at DESC LIMIT $2", [functionName, limit])).rows.map(invocationFrom);
    },
    async get(requestId) {
      await writes.flush();
      const row = (await db.query<InvocationRow>("SELECT * FROM invocations WHERE request_id = $1", [requestId])).rows[0];
      return row ? invocationFrom(row) : undefined;
    },
    async between(functionName, fromMs, toMs, limit) {
      await writes.flush();
      return (
        await db.query<InvocationRow>("SELECT * FROM invocations WHERE function_name = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at LIMIT $4", [
          functionName, fromMs, toMs, limit,
        ])
      ).rows.map(invocationFrom);
    },
    async countsSince(fromMs) {
      await writes.flush();
      const { rows } = await db.query<{ function_name: string; invocations: number; errors: number }>(
        `SELECT function_name, COUNT(*) FILTER (WHERE status <> 'throttled') AS invocations,
                COUNT(*) FILTER (WHERE status IN ('error', 'timeout', 'crashed')) AS errors
         FROM invocations WHERE started_at >= $1 GROUP BY function_name`,
        [fromMs],
      );
      return rows.map((row) => ({ functionName: row.function_name, invocations: row.invocations, errors: row.errors }));
    },
    async deleteStartedBefore(beforeMs, limit) {
      await writes.flush();
      const result = await db.query("DELETE FROM invocations WHERE request_id IN (SELECT request_id FROM invocations WHERE started_at < $1 LIMIT $2)", [beforeMs, limit]);
      return result.rowCount ?? 0;
    },
  };
}
