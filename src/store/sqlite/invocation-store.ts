/** SQLite InvocationStore: one row per finished invocation. */
import type { InvocationRecord, InvocationStatus } from "../../core/invocation.js";
import type { InvocationStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";
import type { WriteBehind } from "./write-behind.js";

interface Row {
  request_id: string;
  function_name: string;
  version: string;
  started_at: number;
  duration_ms: number;
  billed_duration_ms: number;
  init_duration_ms: number | null;
  cold_start: number;
  memory_size_mb: number;
  max_memory_used_mb: number;
  status: string;
  error_type: string | null;
  log_stream: string | null;
}

function fromRow(row: Row): InvocationRecord {
  return {
    requestId: row.request_id,
    functionName: row.function_name,
    version: row.version,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    billedDurationMs: row.billed_duration_ms,
    initDurationMs: row.init_duration_ms ?? undefined,
    coldStart: row.cold_start === 1,
    memorySizeMb: row.memory_size_mb,
    maxMemoryUsedMb: row.max_memory_used_mb,
    status: row.status as InvocationStatus,
    errorType: row.error_type ?? undefined,
    logStream: row.log_stream ?? undefined,
  };
}

export function sqliteInvocationStore(db: Db, writes: WriteBehind): SyncPort<InvocationStore> {
  const insert = db.prepare(`INSERT OR REPLACE INTO invocations VALUES
    (@requestId, @functionName, @version, @startedAt, @durationMs, @billedDurationMs, @initDurationMs,
     @coldStart, @memorySizeMb, @maxMemoryUsedMb, @status, @errorType, @logStream)`);
  const recentStmt = db.prepare<[string, number], Row>(
    "SELECT * FROM invocations WHERE function_name = ? ORDER BY started_at DESC LIMIT ?",
  );
  const getStmt = db.prepare<[string], Row>("SELECT * FROM invocations WHERE request_id = ?");
  const betweenStmt = db.prepare<[string, number, number, number], Row>(
    "SELECT * FROM invocations WHERE function_name = ? AND started_at >= ? AND started_at < ? ORDER BY started_at LIMIT ?",
  );
  const countsStmt = db.prepare<[number], { function_name: string; invocations: number; errors: number }>(
    `SELECT function_name, SUM(status <> 'throttled') AS invocations, SUM(status IN ('error', 'timeout', 'crashed')) AS errors
     FROM invocations WHERE started_at >= ? GROUP BY function_name`,
  );
  const deleteBeforeStmt = db.prepare(
    "DELETE FROM invocations WHERE request_id IN (SELECT request_id FROM invocations WHERE started_at < ? LIMIT ?)",
  );

  return {
    add(record) {
      writes.enqueue(() => {
        insert.run({
          ...record,
          initDurationMs: record.initDurationMs ?? null,
          coldStart: record.coldStart ? 1 : 0,
          errorType: record.errorType ?? null,
          logStream: record.logStream ?? null,
        });
      });
    },
    recent(functionName, limit) {
      writes.flush();
      return recentStmt.all(functionName, limit).map(fromRow);
    },
    get(requestId) {
      writes.flush();
      const row = getStmt.get(requestId);
      return row ? fromRow(row) : undefined;
    },
    between(functionName, fromMs, toMs, limit) {
      writes.flush();
      return betweenStmt.all(functionName, fromMs, toMs, limit).map(fromRow);
    },
    countsSince(fromMs) {
      writes.flush();
      return countsStmt.all(fromMs).map((row) => ({ functionName: row.function_name, invocations: row.invocations, errors: row.errors }));
    },
    deleteStartedBefore(beforeMs, limit) {
      writes.flush();
      return deleteBeforeStmt.run(beforeMs, limit).changes;
    },
  };
}
