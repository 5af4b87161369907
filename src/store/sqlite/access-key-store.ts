/** SQLite AccessKeyStore: one row per key, written durably (a created key must survive a crash). */
import type { AccessKeyRecord, AccessKeyStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  access_key_id: string;
  secret_access_key: string;
  name: string;
  created_at: number;
}

const toRecord = (row: Row): AccessKeyRecord => ({ accessKeyId: row.access_key_id, secretAccessKey: row.secret_access_key, name: row.name, createdAt: row.created_at });

export function sqliteAccessKeyStore(db: Db): SyncPort<AccessKeyStore> {
  const get = db.prepare<[string], Row>("SELECT * FROM access_keys WHERE access_key_id = ?");
  const list = db.prepare<[], Row>("SELECT * FROM access_keys ORDER BY created_at, access_key_id");
  const count = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM access_keys");
  const insert = db.prepare("INSERT INTO access_keys (access_key_id, secret_access_key, name, created_at) VALUES (?, ?, ?, ?)");
  const remove = db.prepare("DELETE FROM access_keys WHERE access_key_id = ?");
  return {
    get: (accessKeyId) => {
      const row = get.get(accessKeyId);
      return row ? toRecord(row) : undefined;
    },
    list: () => list.all().map(toRecord),
    count: () => count.get()?.n ?? 0,
    add: durably(db, (record: AccessKeyRecord) => {
      insert.run(record.accessKeyId, record.secretAccessKey, record.name, record.createdAt);
    }),
    remove: durably(db, (accessKeyId: string) => remove.run(accessKeyId).changes > 0),
  };
}
