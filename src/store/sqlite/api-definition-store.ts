/** SQLite stores of the API definitions: HTTP and REST API documents (cached in memory: only this store writes them) and Function URL configs. */
import type { FunctionUrlConfig } from "../../core/api-definitions.js";
import type { DocumentStore, FunctionUrlStore } from "../ports.js";
import type { DocumentTable } from "../document-tables.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  record: string;
}

export function sqliteDocumentStore<T>(db: Db, table: DocumentTable): SyncPort<DocumentStore<T>> {
  const putStatement = db.prepare(`INSERT OR REPLACE INTO ${table} (api_id, record) VALUES (?, ?)`);
  const removeStatement = db.prepare(`DELETE FROM ${table} WHERE api_id = ?`);
  const put = durably(db, (id: string, record: string) => putStatement.run(id, record));
  const remove = durably(db, (id: string) => removeStatement.run(id).changes);
  const all = db.prepare<[], { api_id: string; record: string }>(`SELECT api_id, record FROM ${table} ORDER BY api_id`);
  const cache = new Map<string, T>(all.all().map((row) => [row.api_id, JSON.parse(row.record) as T]));
  return {
    get: (id) => cache.get(id),
    put(id, document) {
      put(id, JSON.stringify(document));
      cache.set(id, document);
    },
    delete(id) {
      cache.delete(id);
      return remove(id) === 1;
    },
    list: () => [...cache.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, document]) => document),
  };
}

/**
 * A document store read from its table, not a cache: for documents another transaction writes too
 * (S3's pending notifications, written by Store.commit with the object change they announce).
 */
export function sqliteTableDocumentStore<T>(db: Db, table: "s3_deliveries"): SyncPort<DocumentStore<T>> {
  const putStatement = db.prepare(`INSERT OR REPLACE INTO ${table} (api_id, record) VALUES (?, ?)`);
  const removeStatement = db.prepare(`DELETE FROM ${table} WHERE api_id = ?`);
  const put = durably(db, (id: string, record: string) => putStatement.run(id, record));
  // A delivered entry's removal commits without its own fsync (a process crash keeps it; the next
  // fsynced commit makes it survive a power loss): losing it would only send the message again, and
  // S3 sends at least once. That keeps a notified upload at one fsync, not two.
  const remove = (id: string) => removeStatement.run(id).changes;
  const one = db.prepare<[string], Row>(`SELECT record FROM ${table} WHERE api_id = ?`);
  const all = db.prepare<[], Row>(`SELECT record FROM ${table} ORDER BY api_id`);
  return {
    get: (id) => {
      const row = one.get(id);
      return row ? (JSON.parse(row.record) as T) : undefined;
    },
    put: (id, document) => void put(id, JSON.stringify(document)),
    delete: (id) => remove(id) === 1,
    list: () => all.all().map((row) => JSON.parse(row.record) as T),
  };
}

/**
 * Read from the table, not a cache: FunctionStore.delete removes a function's URL rows in its own
 * transaction, and a cached URL would keep routing to a deleted (or recreated) function.
 */
export function sqliteFunctionUrlStore(db: Db): SyncPort<FunctionUrlStore> {
  const putStatement = db.prepare("INSERT OR REPLACE INTO function_urls (function_name, qualifier, url_id, record) VALUES (?, ?, ?, ?)");
  const removeStatement = db.prepare("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?");
  const put = durably(db, (c: FunctionUrlConfig) => putStatement.run(c.functionName, c.qualifier, c.urlId, JSON.stringify(c)));
  const remove = durably(db, (functionName: string, qualifier: string) => removeStatement.run(functionName, qualifier).changes);
  const get = db.prepare<[string, string], Row>("SELECT record FROM function_urls WHERE function_name = ? AND qualifier = ?");
  const byUrlId = db.prepare<[string], Row>("SELECT record FROM function_urls WHERE url_id = ?");
  const list = db.prepare<[string], Row>("SELECT record FROM function_urls WHERE function_name = ? ORDER BY qualifier");
  const parse = (row: Row | undefined) => (row ? (JSON.parse(row.record) as FunctionUrlConfig) : undefined);
  return {
    get: (functionName, qualifier) => parse(get.get(functionName, qualifier)),
    byUrlId: (urlId) => parse(byUrlId.get(urlId)),
    put: (config) => void put(config),
    delete: (functionName, qualifier) => remove(functionName, qualifier) === 1,
    list: (functionName) => list.all(functionName).map((row) => parse(row) as FunctionUrlConfig),
  };
}
