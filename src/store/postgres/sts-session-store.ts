/** PostgreSQL StsSessionStore: AssumeRole sessions shared by every node of a cluster. */
import type { StsSessionStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface Row {
  access_key_id: string;
  secret_access_key: string;
  session_token: string;
  principal: string;
  expires_at: string;
}

export function pgStsSessionStore(db: PgDb): StsSessionStore {
  return {
    async put(s) {
      await db.query(
        "INSERT INTO sts_sessions (access_key_id, secret_access_key, session_token, principal, expires_at) VALUES ($1, $2, $3, $4, $5)",
        [s.accessKeyId, s.secretAccessKey, s.sessionToken, s.principal, s.expiresAt],
      );
    },
    async get(accessKeyId, now) {
      const row = (await db.query<Row>("SELECT * FROM sts_sessions WHERE access_key_id = $1 AND expires_at > $2", [accessKeyId, now])).rows[0];
      return row && { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, sessionToken: row.session_token, principal: row.principal, expiresAt: Number(row.expires_at) };
    },
    deleteExpired: async (now, limit) =>
      (await db.query("DELETE FROM sts_sessions WHERE access_key_id IN (SELECT access_key_id FROM sts_sessions WHERE expires_at <= $1 LIMIT $2)", [now, limit])).rowCount ?? 0,
  };
}
