/** SQLite stores of the gateway: API documents and Function URL configs, cached in memory (this process owns the file). */
import type { FunctionUrlConfig } from "../../core/gateway.js";
import type { DocumentStore, FunctionUrlStore } from "../ports.js";
import { durably, type Db } from "./database.js";

export function sqliteDocumentStore<T>(db: Db, table: "http_apis" | "rest_apis"): DocumentStore<T> {
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

export function sqliteFunctionUrlStore(db: Db): FunctionUrlStore {
  const putStatement = db.prepare("INSERT OR REPLACE INTO function_urls (function_name, qualifier, url_id, record) VALUES (?, ?, ?, ?)");
  const removeStatement = db.prepare("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?");
  const put = durably(db, (c: FunctionUrlConfig) => putStatement.run(c.functionName, c.qualifier, c.urlId, JSON.stringify(c)));
  const remove = durably(db, (functionName: string, qualifier: string) => removeStatement.run(functionName, qualifier).changes);
  const all = db.prepare<[], { record: string }>("SELECT record FROM function_urls");
  const byId = new Map<string, FunctionUrlConfig>(all.all().map((row) => {
    const config = JSON.parse(row.record) as FunctionUrlConfig;
    return [config.urlId, config];
  }));
  const find = (functionName: string, qualifier: string) => [...byId.values()].find((c) => c.functionName === functionName && c.qualifier === qualifier);
  return {
    get: find,
    byUrlId: (urlId) => byId.get(urlId),
    put(config) {
      put(config);
      const previous = find(config.functionName, config.qualifier);
      if (previous) byId.delete(previous.urlId);
      byId.set(config.urlId, config);
    },
    delete(functionName, qualifier) {
      const previous = find(functionName, qualifier);
      if (previous) byId.delete(previous.urlId);
      return remove(functionName, qualifier) === 1;
    },
    list: (functionName) => [...byId.values()].filter((c) => c.functionName === functionName).sort((a, b) => (a.qualifier < b.qualifier ? -1 : 1)),
  };
}
