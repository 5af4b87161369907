/** PostgreSQL FunctionStore: one row per function, the record kept as JSON text. */
import type { FunctionRecord } from "../../core/function.js";
import type { FunctionStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface Row {
  record: string;
}

/** What DeleteFunction removes with the function, inside the same transaction. */
const DEPENDENTS = ["function_versions", "aliases", "event_invoke_configs", "function_urls", "test_events"];

const parse = (row: Row | undefined) => (row ? (JSON.parse(row.record) as FunctionRecord) : undefined);

export function pgFunctionStore(db: PgDb): FunctionStore {
  return {
    get: async (name) => parse((await db.query<Row>("SELECT record FROM functions WHERE name = $1", [name])).rows[0]),
    async create(record) {
      const result = await db.query(
        "INSERT INTO functions (name, record, revision_id, code_size, reserved_concurrency) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING",
        [record.name, JSON.stringify(record), record.revisionId, record.codeSize, record.reservedConcurrency ?? null],
      );
      return result.rowCount === 1;
    },
    async update(record, expectedRevision) {
      const result = await db.query(
        "UPDATE functions SET record = $1, revision_id = $2, code_size = $3, reserved_concurrency = $4 WHERE name = $5 AND revision_id = $6",
        [JSON.stringify(record), record.revisionId, record.codeSize, record.reservedConcurrency ?? null, record.name, expectedRevision],
      );
      return result.rowCount === 1;
    },
    delete: (name) =>
      db.transaction(async (tx) => {
        if ((await tx.query("DELETE FROM functions WHERE name = $1", [name])).rowCount === 0) return false;
        for (const table of DEPENDENTS) await tx.query(`DELETE FROM ${table} WHERE function_name = $1`, [name]);
        return true;
      }),
    list: async (afterName, limit) =>
      (await db.query<Row>("SELECT record FROM functions WHERE name > $1 ORDER BY name LIMIT $2", [afterName ?? "", limit])).rows.map((row) => parse(row) as FunctionRecord),
    count: async () => (await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM functions")).rows[0]?.n ?? 0,
    totalCodeSize: async () => (await db.query<{ size: number | null }>("SELECT SUM(code_size)::bigint AS size FROM functions")).rows[0]?.size ?? 0,
    reservedConcurrencyTotal: async (exceptName) =>
      (await db.query<{ total: number | null }>("SELECT SUM(reserved_concurrency)::bigint AS total FROM functions WHERE name <> $1", [exceptName ?? ""])).rows[0]?.total ?? 0,
  };
}
