/** SQLite EventInvokeConfigStore: one JSON row per function and qualifier. */
import type { EventInvokeConfig } from "../../core/event-invoke-config.js";
import type { EventInvokeConfigStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";

export function sqliteEventConfigStore(db: Db): SyncPort<EventInvokeConfigStore> {
  const get = db.prepare<[string, string], { config: string }>("SELECT config FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?");
  const put = db.prepare("INSERT OR REPLACE INTO event_invoke_configs (function_name, qualifier, config) VALUES (?, ?, ?)");
  const remove = db.prepare("DELETE FROM event_invoke_configs WHERE function_name = ? AND qualifier = ?");
  const list = db.prepare<[string], { config: string }>("SELECT config FROM event_invoke_configs WHERE function_name = ? ORDER BY qualifier");
  const parse = (row: { config: string }) => JSON.parse(row.config) as EventInvokeConfig;
  return {
    get: (functionName, qualifier) => {
      const row = get.get(functionName, qualifier);
      return row ? parse(row) : undefined;
    },
    put: (config) => void put.run(config.functionName, config.qualifier, JSON.stringify(config)),
    delete: (functionName, qualifier) => remove.run(functionName, qualifier).changes === 1,
    list: (functionName) => list.all(functionName).map(parse),
  };
}
