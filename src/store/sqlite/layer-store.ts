/** SQLite LayerStore: one JSON row per layer version, and a counter so numbers are never reused. */
import type { LayerVersionRecord } from "../../core/layer.js";
import type { LayerStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  record: string;
}

export function sqliteLayerStore(db: Db): SyncPort<LayerStore> {
  const bump = db.prepare<[string], { last_version: number }>(
    "INSERT INTO layer_counters (layer_name, last_version) VALUES (?, 1) ON CONFLICT (layer_name) DO UPDATE SET last_version = last_version + 1 RETURNING last_version",
  );
  const insert = db.prepare("INSERT INTO layer_versions (layer_name, version, record) VALUES (?, ?, ?)");
  const get = db.prepare<[string, number], Row>("SELECT record FROM layer_versions WHERE layer_name = ? AND version = ?");
  const versions = db.prepare<[string, number, number], Row>("SELECT record FROM layer_versions WHERE layer_name = ? AND version < ? ORDER BY version DESC LIMIT ?");
  const latest = db.prepare<[string, number], Row>(
    `SELECT record FROM layer_versions v WHERE layer_name > ? AND version = (SELECT MAX(version) FROM layer_versions w WHERE w.layer_name = v.layer_name)
     ORDER BY layer_name LIMIT ?`,
  );
  const remove = db.prepare("DELETE FROM layer_versions WHERE layer_name = ? AND version = ?");
  const replace = db.prepare("UPDATE layer_versions SET record = ? WHERE layer_name = ? AND version = ?");
  const parse = (row: Row) => JSON.parse(row.record) as LayerVersionRecord;
  const publish = durably(db, (record: Omit<LayerVersionRecord, "version">): LayerVersionRecord => {
    const version = bump.get(record.layerName)?.last_version ?? 1;
    const stored = { ...record, version };
    insert.run(record.layerName, version, JSON.stringify(stored));
    return stored;
  });
  return {
    publish,
    get: (name, version) => {
      const row = get.get(name, version);
      return row ? parse(row) : undefined;
    },
    versions: (name, before, limit) => versions.all(name, before ?? Number.MAX_SAFE_INTEGER, limit).map(parse),
    latest: (after, limit) => latest.all(after ?? "", limit).map(parse),
    delete: (name, version) => remove.run(name, version).changes === 1,
    // One transaction: better-sqlite3 runs `change` between the read and the write with no other statement.
    update: durably(db, (name: string, version: number, change: (current: LayerVersionRecord) => LayerVersionRecord): LayerVersionRecord | undefined => {
      const row = get.get(name, version);
      if (!row) return undefined;
      const changed = { ...change(parse(row)), layerName: name, version };
      replace.run(JSON.stringify(changed), name, version);
      return changed;
    }),
  };
}
