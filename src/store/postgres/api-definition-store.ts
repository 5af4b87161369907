/**
 * PostgreSQL stores of the API definitions: HTTP and REST API documents and Function URL configs. Read from the table on
 * every call, never a cache: another node may have changed them.
 */
import type { FunctionUrlConfig } from "../../core/api-definitions.js";
import type { DocumentStore, FunctionUrlStore } from "../ports.js";
import type { DocumentTable } from "../document-tables.js";
import type { PgDb } from "./database.js";

interface Row {
  record: string;
}

export function pgDocumentStore<T>(db: PgDb, table: DocumentTable): DocumentStore<T> {
  return {
    async get(id) {
      const row = (await db.query<Row>(`SELECT record FROM ${table} WHERE api_id = $1`, [id])).rows[0];
      return row ? (JSON.parse(row.record) as T) : undefined;
    },
    async put(id, document) {
      await db.query(`INSERT INTO ${table} (api_id, record) VALUES ($1, $2) ON CONFLICT (api_id) DO UPDATE SET record = excluded.record`, [id, JSON.stringify(document)]);
    },
    delete: async (id) => (await db.query(`DELETE FROM ${table} WHERE api_id = $1`, [id])).rowCount === 1,
    list: async () => (await db.query<Row>(`SELECT record FROM ${table} ORDER BY api_id`)).rows.map((row) => JSON.parse(row.record) as T),
  };
}

const parse = (row: Row | undefined) => (row ? (JSON.parse(row.record) as FunctionUrlConfig) : undefined);

export function pgFunctionUrlStore(db: PgDb): FunctionUrlStore {
  return {
    get: async (functionName, qualifier) =>
      parse((await db.query<Row>("SELECT record FROM function_urls WHERE function_name = $1 AND qualifier = $2", [functionName, qualifier])).rows[0]),
    byUrlId: async (urlId) => parse((await db.query<Row>("SELECT record FROM function_urls WHERE url_id = $1", [urlId])).rows[0]),
    put: (c) =>
      // A replaced config may carry a new url id: remove the old row first, in one transaction.
      db.transaction(async (tx) => {
        await tx.query("DELETE FROM function_urls WHERE (function_name = $1 AND qualifier = $2) OR url_id = $3", [c.functionName, c.qualifier, c.urlId]);
        await tx.query("INSERT INTO function_urls (function_name, qualifier, url_id, record) VALUES ($1, $2, $3, $4)", [c.functionName, c.qualifier, c.urlId, JSON.stringify(c)]);
      }),
    delete: async (functionName, qualifier) =>
      (await db.query("DELETE FROM function_urls WHERE function_name = $1 AND qualifier = $2", [functionName, qualifier])).rowCount === 1,
    list: async (functionName) =>
      (await db.query<Row>("SELECT record FROM function_urls WHERE function_name = $1 ORDER BY qualifier", [functionName])).rows.map((row) => parse(row) as FunctionUrlConfig),
  };
}
