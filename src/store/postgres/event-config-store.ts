/** PostgreSQL EventInvokeConfigStore and TestEventStore: small JSON rows per function. */
import type { EventInvokeConfig } from "../../core/event-invoke-config.js";
import type { EventInvokeConfigStore, TestEventStore } from "../ports.js";
import type { PgDb } from "./database.js";

const parse = (row: { config: string }) => JSON.parse(row.config) as EventInvokeConfig;

export function pgEventConfigStore(db: PgDb): EventInvokeConfigStore {
  return {
    async get(functionName, qualifier) {
      const row = (await db.query<{ config: string }>("SELECT config FROM event_invoke_configs WHERE function_name = $1 AND qualifier = $2", [functionName, qualifier])).rows[0];
      return row ? parse(row) : undefined;
    },
    async put(config) {
      await db.query(
        `INSERT INTO event_invoke_configs (function_name, qualifier, config) VALUES ($1, $2, $3)
         ON CONFLICT (function_name, qualifier) DO UPDATE SET config = excluded.config`,
        [config.functionName, config.qualifier, JSON.stringify(config)],
      );
    },
    delete: async (functionName, qualifier) =>
      (await db.query("DELETE FROM event_invoke_configs WHERE function_name = $1 AND qualifier = $2", [functionName, qualifier])).rowCount === 1,
    list: async (functionName) =>
      (await db.query<{ config: string }>("SELECT config FROM event_invoke_configs WHERE function_name = $1 ORDER BY qualifier", [functionName])).rows.map(parse),
  };
}

export function pgTestEventStore(db: PgDb): TestEventStore {
  return {
    list: async (functionName) =>
      (await db.query<{ name: string; event: string; updated_at: number }>("SELECT name, event, updated_at FROM test_events WHERE function_name = $1 ORDER BY name", [functionName])).rows.map(
        (row) => ({ name: row.name, event: row.event, updatedAt: row.updated_at }),
      ),
    async put(functionName, event) {
      await db.query(
        `INSERT INTO test_events (function_name, name, event, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (function_name, name) DO UPDATE SET event = excluded.event, updated_at = excluded.updated_at`,
        [functionName, event.name, event.event, event.updatedAt],
      );
    },
    delete: async (functionName, name) => ((await db.query("DELETE FROM test_events WHERE function_name = $1 AND name = $2", [functionName, name])).rowCount ?? 0) > 0,
  };
}
