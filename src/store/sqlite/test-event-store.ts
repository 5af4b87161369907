/** SQLite TestEventStore: the console's saved test events, one row per function and name. */
import type { SavedTestEvent, TestEventStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  name: string;
  event: string;
  updated_at: number;
}

export function sqliteTestEventStore(db: Db): SyncPort<TestEventStore> {
  const listStmt = db.prepare<[string], Row>("SELECT name, event, updated_at FROM test_events WHERE function_name = ? ORDER BY name");
  const putStmt = db.prepare("INSERT OR REPLACE INTO test_events VALUES (?, ?, ?, ?)");
  const deleteStmt = db.prepare("DELETE FROM test_events WHERE function_name = ? AND name = ?");
  const put = durably(db, (functionName: string, event: SavedTestEvent) => {
    putStmt.run(functionName, event.name, event.event, event.updatedAt);
  });
  const remove = durably(db, (functionName: string, name: string) => deleteStmt.run(functionName, name).changes > 0);
  return {
    list: (functionName) => listStmt.all(functionName).map((row) => ({ name: row.name, event: row.event, updatedAt: row.updated_at })),
    put,
    delete: remove,
  };
}
