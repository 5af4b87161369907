/** PostgreSQL VersionStore and AliasStore: published snapshots and aliases, one JSON row each. */
import type { AliasRecord } from "../../core/alias.js";
import type { FunctionRecord } from "../../core/function.js";
import type { AliasStore, VersionStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface Row {
  record: string;
}

const parseRecord = (row: Row | undefined) => (row ? (JSON.parse(row.record) as FunctionRecord) : undefined);
const parseAlias = (row: Row | undefined) => (row ? (JSON.parse(row.record) as AliasRecord) : undefined);

export function pgVersionStore(db: PgDb): VersionStore {
  return {
    async put(record) {
      await db.query("INSERT INTO function_versions (function_name, version, record) VALUES ($1, $2, $3)", [record.name, Number(record.version), JSON.stringify(record)]);
    },
    async get(name, version) {
      if (!/^[0-9]+$/.test(version) || Number(version) > 2_147_483_647) return undefined;
      return parseRecord((await db.query<Row>("SELECT record FROM function_versions WHERE function_name = $1 AND version = $2", [name, Number(version)])).rows[0]);
    },
    list: async (name, after, limit) =>
      (await db.query<Row>("SELECT record FROM function_versions WHERE function_name = $1 AND version > $2 ORDER BY version LIMIT $3", [name, after, limit])).rows.map(
        (row) => parseRecord(row) as FunctionRecord,
      ),
    latest: async (name) => parseRecord((await db.query<Row>("SELECT record FROM function_versions WHERE function_name = $1 ORDER BY version DESC LIMIT 1", [name])).rows[0]),
    delete: (name, version) =>
      db.transaction(async (tx) => {
        if (!/^[0-9]+$/.test(version) || Number(version) > 2_147_483_647) return false;
        if ((await tx.query("DELETE FROM function_versions WHERE function_name = $1 AND version = $2", [name, Number(version)])).rowCount === 0) return false;
        await tx.query("DELETE FROM event_invoke_configs WHERE function_name = $1 AND qualifier = $2", [name, version]);
        return true;
      }),
  };
}

export function pgAliasStore(db: PgDb): AliasStore {
  return {
    get: async (fn, name) => parseAlias((await db.query<Row>("SELECT record FROM aliases WHERE function_name = $1 AND name = $2", [fn, name])).rows[0]),
    create: async (alias) =>
      (
        await db.query("INSERT INTO aliases (function_name, name, revision_id, record) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", [
          alias.functionName, alias.name, alias.revisionId, JSON.stringify(alias),
        ])
      ).rowCount === 1,
    update: async (alias, expected) =>
      (
        await db.query("UPDATE aliases SET record = $1, revision_id = $2 WHERE function_name = $3 AND name = $4 AND revision_id = $5", [
          JSON.stringify(alias), alias.revisionId, alias.functionName, alias.name, expected,
        ])
      ).rowCount === 1,
    list: async (fn) => (await db.query<Row>("SELECT record FROM aliases WHERE function_name = $1 ORDER BY name", [fn])).rows.map((row) => parseAlias(row) as AliasRecord),
    // The alias's URL goes with it, in the same transaction: no URL is left routing to a deleted alias.
    delete: (fn, name) =>
      db.transaction(async (tx) => {
        if ((await tx.query("DELETE FROM aliases WHERE function_name = $1 AND name = $2", [fn, name])).rowCount === 0) return false;
        await tx.query("DELETE FROM function_urls WHERE function_name = $1 AND qualifier = $2", [fn, name]);
        return true;
      }),
  };
}
