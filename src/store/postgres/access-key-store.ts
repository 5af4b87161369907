/** PostgreSQL AccessKeyStore: one row per key. */
import type { AccessKeyRecord, AccessKeyStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface Row {
  access_key_id: string;
  secret_access_key: string;
  name: string;
  created_at: number;
  user_name: string | null;
  status: string | null;
  last_used_at: number | null;
  last_used_service: string | null;
  last_used_region: string | null;
}

const toRecord = (row: Row): AccessKeyRecord => ({
  accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, name: row.name, createdAt: Number(row.created_at),
  ...(row.user_name !== null ? { userName: row.user_name } : {}),
  ...(row.status === "Inactive" ? { status: "Inactive" as const } : {}),
  ...(row.last_used_at !== null ? { lastUsed: { atMs: Number(row.last_used_at), service: row.last_used_service ?? "", region: row.last_used_region ?? "" } } : {}),
});

export function pgAccessKeyStore(db: PgDb): AccessKeyStore {
  return {
    async get(accessKeyId) {
      const row = (await db.query<Row>("SELECT * FROM access_keys WHERE access_key_id = $1", [accessKeyId])).rows[0];
      return row ? toRecord(row) : undefined;
    },
    list: async () => (await db.query<Row>("SELECT * FROM access_keys ORDER BY created_at, access_key_id")).rows.map(toRecord),
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
