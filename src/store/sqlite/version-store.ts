/** SQLite VersionStore and AliasStore: published snapshots and aliases, one JSON row each. */
import type { AliasRecord } from "../../core/alias.js";
import type { FunctionRecord } from "../../core/function.js";
import type { AliasStore, VersionStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  record: string;
}

export function sqliteVersionStore(db: Db): SyncPort<VersionStore> {
  const put = durably(db, (record: FunctionRecord) =>
    db.prepare("INSERT INTO function_versions (function_name, version, record) VALUES (?, ?, ?)").run(record.name, Number(record.version), JSON.stringify(record)),
  );
  const get = db.prepare<[string, number], Row>("SELECT record FROM function_versions WHERE function_name = ? AND version = ?");
  const list = db.prepare<[string, number, number], Row>("SELECT record FROM function_versions WHERE function_name = ? AND version > ? ORDER BY version LIMIT ?");
  const latest = db.prepare<[string], Row>("SELECT record FROM function_versions WHERE function_name = ? ORDER BY version DESC LIMIT 1");
  const removeRow = db.prepare("DELETE FROM function_versions WHERE function_name = ? AND version = ?");
  const removeConfig = db.prepare("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?");
  const remove = durably(db, (name: string, version: string): boolean => {
    if (removeRow.run(name, Number(version)).changes === 0) return false;
    removeConfig.run(name, version);
    return true;
  });
  const parse = (row: Row | undefined) => (row ? (JSON.parse(row.record) as FunctionRecord) : undefined);
  return {
    put: (record) => void put(record),
    get: (name, version) => (/^[0-9]+$/.test(version) ? parse(get.get(name, Number(version))) : undefined),
    list: (name, after, limit) => list.all(name, after, limit).map((row) => parse(row) as FunctionRecord),
    latest: (name) => parse(latest.get(name)),
    delete: (name, version) => remove(name, version),
  };
}

export function sqliteAliasStore(db: Db): SyncPort<AliasStore> {
  const get = db.prepare<[string, string], Row>("SELECT record FROM aliases WHERE function_name = ? AND name = ?");
  const insert = db.prepare("INSERT OR IGNORE INTO aliases (function_name, name, record) VALUES (?, ?, ?)");
  const update = db.prepare("UPDATE aliases SET record = ? WHERE function_name = ? AND name = ? AND json_extract(record, '$.revisionId') = ?");
  const list = db.prepare<[string], Row>("SELECT record FROM aliases WHERE function_name = ? ORDER BY name");
  const removeRow = db.prepare("DELETE FROM aliases WHERE function_name = ? AND name = ?");
  const removeUrl = db.prepare("DELETE FROM function_urls WHERE function_name = ? AND qualifier = ?");
  // The alias's URL goes with it, in the same transaction: no URL is left routing to a deleted alias.
  const remove = durably(db, (fn: string, name: string): boolean => {
    if (removeRow.run(fn, name).changes === 0) return false;
    removeUrl.run(fn, name);
    return true;
  });
  const parse = (row: Row) => JSON.parse(row.record) as AliasRecord;
  return {
    get: (fn, name) => {
      const row = get.get(fn, name);
      return row ? parse(row) : undefined;
    },
    create: (alias) => insert.run(alias.functionName, alias.name, JSON.stringify(alias)).changes === 1,
    update: (alias, expected) => update.run(JSON.stringify(alias), alias.functionName, alias.name, expected).changes === 1,
    list: (fn) => list.all(fn).map(parse),
    delete: (fn, name) => remove(fn, name),
  };
}
