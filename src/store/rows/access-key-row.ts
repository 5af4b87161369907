/** The access_keys row, as both backends read it (PostgreSQL's bigints may come back as text, hence Number). */
import type { AccessKeyRecord } from "../ports.js";

export interface AccessKeyRow {
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

export function accessKeyFrom(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, name: row.name, createdAt: Number(row.created_at),
    ...(row.user_name !== null ? { userName: row.user_name } : {}),
    ...(row.status === "Inactive" ? { status: "Inactive" as const } : {}),
    ...(row.last_used_at !== null ? { lastUsed: { atMs: Number(row.last_used_at), service: row.last_used_service ?? "", region: row.last_used_region ?? "" } } : {}),
  };
}
