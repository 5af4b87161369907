/** SQLite FunctionStore: one row per function, the record kept as JSON. */
import type { FunctionRecord } from "../../core/function.js";
import type { FunctionStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  record: string;
}

export function sqliteFunctionStore(db: Db): SyncPort<FunctionStore> {
  // Function changes are rare and must survive a power loss once the API has answered.
  const durable = durably(db, <T>(write: () => T): T => write());
  const getStmt = db.prepare<[string], Row>("SELECT record FROM functions WHERE name = ?");
  const insertStmt = db.prepare(
    "INSERT OR IGNORE INTO functions (name, record, revision_id, code_size, reserved_concurrency) VALUES (?, ?, ?, ?, ?)",
  );
  const updateStmt = db.prepare(
    "UPDATE functions SET record = ?, revision_id = ?, code_size = ?, reserved_concurrency = ? WHERE name = ? AND revision_id = ?",
  );
  const deleteStmt = db.prepare("DELETE FROM functions WHERE name = ?");
  // What DeleteFunction removes with the function, in this order, inside the same transaction.
  const dependents = ["function_versions", "aliases", "event_invoke_configs", "function_urls", "test_events"].map((table) =>
    db.prepare(`DELETE FROM ${table} WHERE function_name = ?`),
  );
  const deleteWithDependents = durably(db, (name: string): boolean => {
    if (deleteStmt.run(name).changes === 0) return false;
    for (const statement of dependents) statement.run(name);
    return true;
  });
  const listStmt = db.prepare<[string, number], Row>("SELECT record FROM functions WHERE name > ? ORDER BY name LIMIT ?");
  const countStmt = db.prepare<[], { n: number; size: number | null }>("SELECT COUNT(*) AS n, SUM(code_size) AS size FROM functions");
  const reservedStmt = db.prepare<[string], { total: number | null }>(
    "SELECT SUM(reserved_concurrency) AS total FROM functions WHERE name != ?",
  );
  const parse = (row: Row | undefined) => (row ? (JSON.parse(row.record) as FunctionRecord) : undefined);

  return {
    get: (name) => parse(getStmt.get(name)),
    create(record) {
      const result = durable(() => insertStmt.run(record.name, JSON.stringify(record), record.revisionId, record.codeSize, record.reservedConcurrency ?? null));
      return result.changes === 1;
    },
    update(record, expectedRevision) {
      const result = durable(() =>
        updateStmt.run(JSON.stringify(record), record.revisionId, record.codeSize, record.reservedConcurrency ?? null, record.name, expectedRevision),
      );
      return result.changes === 1;
    },
    delete: (name) => deleteWithDependents(name),
    list: (afterName, limit) => listStmt.all(afterName ?? "", limit).map((row) => parse(row) as FunctionRecord),
    count: () => countStmt.get()?.n ?? 0,
    totalCodeSize: () => countStmt.get()?.size ?? 0,
    reservedConcurrencyTotal: (exceptName) => reservedStmt.get(exceptName ?? "")?.total ?? 0,
  };
}
