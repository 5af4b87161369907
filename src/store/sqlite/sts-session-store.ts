/** SQLite StsSessionStore: one row per AssumeRole session, fsynced like every acknowledged write (a session handed out must outlive a crash). */
import type { StsSessionRecord, StsSessionStore } from "../ports.js";
import { durably, type Db } from "./database.js";
import type { SyncPort } from "./promised.js";

interface Row {
  access_key_id: string;
  secret_access_key: string;
  session_token: string;
  principal: string;
  expires_at: number;
}

export function sqliteStsSessionStore(db: Db): SyncPort<StsSessionStore> {
  const insert = db.prepare("INSERT INTO sts_sessions (access_key_id, secret_access_key, session_token, principal, expires_at) VALUES (?, ?, ?, ?, ?)");
  const live = db.prepare<[string, number], Row>("SELECT * FROM sts_sessions WHERE access_key_id = ? AND expires_at > ?");
  const expired = db.prepare("DELETE FROM sts_sessions WHERE access_key_id IN (SELECT access_key_id FROM sts_sessions WHERE expires_at <= ? LIMIT ?)");
  return {
    put: durably(db, (s: StsSessionRecord) => void insert.run(s.accessKeyId, s.secretAccessKey, s.sessionToken, s.principal, s.expiresAt)),
    get(accessKeyId, now) {
      const row = live.get(accessKeyId, now);
      return row && { accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, sessionToken: row.session_token, principal: row.principal, expiresAt: row.expires_at };
    },
    deleteExpired: durably(db, (now: number, limit: number) => expired.run(now, limit).changes),
  };
}
