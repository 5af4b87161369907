/** PostgreSQL LayerStore: one JSON row per layer version, and a counter so numbers are never reused. */
import type { LayerVersionRecord } from "../../core/layer.js";
import type { LayerStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface Row {
  record: string;
}

const parse = (row: Row) => JSON.parse(row.record) as LayerVersionRecord;

export function pgLayerStore(db: PgDb): LayerStore {
  return {
    publish: (record) =>
      db.transaction(async (tx) => {
        // The upsert takes the counter row's lock: two nodes publishing at once get consecutive numbers.
        const { rows } = await tx.query<{ last_version: number }>(
          `INSERT INTO layer_counters (layer_name, last_version) VALUES ($1, 1)
           ON CONFLICT (layer_name) DO UPDATE SET last_version = layer_counters.last_version + 1 RETURNING last_version`,
          [record.layerName],
        );
        const stored = { ...record, version: rows[0]?.last_version ?? 1 };
        await tx.query("INSERT INTO layer_versions (layer_name, version, record) VALUES ($1, $2, $3)", [record.layerName, stored.version, JSON.stringify(stored)]);
        return stored;
      }),
    async get(name, version) {
      const row = (await db.query<Row>("SELECT record FROM layer_versions WHERE layer_name = $1 AND version = $2", [name, version])).rows[0];
      return row ? parse(row) : undefined;
    },
    versions: async (name, before, limit) =>
      (
        await db.query<Row>("SELECT record FROM layer_versions WHERE layer_name = $1 AND version < $2 ORDER BY version DESC LIMIT $3", [
          name, Math.min(before ?? 2_147_483_647, 2_147_483_647), limit,
        ])
      ).rows.map(parse),
    latest: async (after, limit) =>
      (
        await db.query<Row>(
          `SELECT DISTINCT ON (layer_name) record FROM layer_versions WHERE layer_name > $1
           ORDER BY layer_name, version DESC LIMIT $2`,
          [after ?? "", limit],
        )
      ).rows.map(parse),
    delete: async (name, version) => (await db.query("DELETE FROM layer_versions WHERE layer_name = $1 AND version = $2", [name, version])).rowCount === 1,
    update: (name, version, change) =>
      db.transaction(async (tx) => {
        // The row lock makes two nodes' updates of one version take turns.
        const row = (await tx.query<Row>("SELECT record FROM layer_versions WHERE layer_name = $1 AND version = $2 FOR UPDATE", [name, version])).rows[0];
        if (!row) return undefined;
        const changed = { ...change(parse(row)), layerName: name, version };
        await tx.query("UPDATE layer_versions SET record = $3 WHERE layer_name = $1 AND version = $2", [name, version, JSON.stringify(changed)]);
        return changed;
      }),
  };
}
