/** SQLite InvocationStore: one row per finished invocation. */
import type { InvocationStore } from "../ports.js";
import { invocationFrom, type InvocationRow } from "../rows/invocation-row.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";
import type { WriteBehind } from "./write-behind.js";

export function sqliteInvocationStore(db: Db, writes: WriteBehind): SyncPort<InvocationStore> {
  // Positional parameters: binding an object by name costs a lookup per column on every invocation.
  const insert = db.prepare("INSERT OR REPLACE INTO invocations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const recentStmt = db.prepare<[string, number], InvocationRow>(
    "SELECT * FROM invocations WHERE function_name = ? ORDER BY started_at DESC LIMIT ?",
  );
  const getStmt = db.prepare<[string], InvocationRow>("SELECT * FROM invocations WHERE request_id = ?");
  const betweenStmt = db.prepare<[string, number, number, number], InvocationRow>(
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
        insert.run(
          record.requestId, record.functionName, record.version, record.startedAt, record.durationMs, record.billedDurationMs,
          record.initDurationMs ?? null, record.coldStart ? 1 : 0, record.memorySizeMb, record.maxMemoryUsedMb, record.status,
          record.errorType ?? null, record.logStream ?? null,
        );
      });
    },
    recent(functionName, limit) {
      writes.flush();
      return recentStmt.all(functionName, limit).map(invocationFrom);
    },
    get(requestId) {
      writes.flush();
      const row = getStmt.get(requestId);
      return row ? invocationFrom(row) : undefined;
    },
    between(functionName, fromMs, toMs, limit) {
      writes.flush();
      return betweenStmt.all(functionName, fromMs, toMs, limit).map(invocationFrom);
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
