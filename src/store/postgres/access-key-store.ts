/** PostgreSQL AccessKeyStore: one row per key. */
import type { AccessKeyStore } from "../ports.js";
import { accessKeyFrom, type AccessKeyRow } from "../rows/access-key-row.js";
import type { PgDb } from "./database.js";

export function pgAccessKeyStore(db: PgDb): AccessKeyStore {
  return {
    async get(accessKeyId) {
      const row = (await db.query<AccessKeyRow>("SELECT * FROM access_keys WHERE access_key_id = $1", [accessKeyId])).rows[0];
      return row ? accessKeyFrom(row) : undefined;
    },
    list: async () => (await db.query<AccessKeyRow>("SELECT * FROM access_keys ORDER BY created_at, access_key_id")).rows.map(accessKeyFrom),
    count: async () => (await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM access_keys WHERE user_name IS NULL")).rows[0]?.n ?? 0,
    async add(record) {
      await db.query("INSERT INTO access_keys (access_key_id, secret_access_key, name, created_at, user_name) VALUES ($1, $2, $3, $4, $5)", [
        record.accessKeyId, record.secretAccessKey, record.name, record.createdAt, record.userName ?? null,
      ]);
    },
    remove: async (accessKeyId) => ((await db.query("DELETE FROM access_keys WHERE access_key_id = $1", [accessKeyId])).rowCount ?? 0) > 0,
    setStatus: async (accessKeyId, status) =>
      ((await db.query("UPDATE access_keys SET status = $1 WHERE access_key_id = $2", [status, accessKeyId])).rowCount ?? 0) > 0,
    async recordUse(accessKeyId, use) {
      await db.query("UPDATE access_keys SET last_used_at = $1, last_used_service = $2, last_used_region = $3 WHERE access_key_id = $4", [use.atMs, use.service, use.region, accessKeyId]);
    },
  };
}
