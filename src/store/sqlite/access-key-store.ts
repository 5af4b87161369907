/**
 * SQLite AccessKeyStore: one row per key, written durably (a created key must survive a crash).
 * Every signed request looks its key up, so reads come from an in-memory copy of the (small) table,
 * taken again whenever it may have changed: after this connection's own writes, and whenever
 * `PRAGMA data_version` says another connection committed (`unkai keys create|delete` works on the
 * database from its own process, DynamoDB's endpoint workers share the file). That pragma reads a
 * counter in SQLite's pager, no table, but it is still a statement with a read transaction's locks, so
 * it is asked at most once per turn of the event loop: requests read in one turn (those that arrived
 * together) share its answer, and a key deleted elsewhere is refused from the next turn on.
 */
import type { AccessKeyRecord, AccessKeyStore } from "../ports.js";
import { accessKeyFrom, type AccessKeyRow } from "../rows/access-key-row.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

export function sqliteAccessKeyStore(db: Db): SyncPort<AccessKeyStore> {
  const list = db.prepare<[], AccessKeyRow>("SELECT * FROM access_keys ORDER BY created_at, access_key_id");
  const dataVersion = db.prepare<[], number>("PRAGMA data_version").pluck();
  const insert = db.prepare("INSERT INTO access_keys (access_key_id, secret_access_key, name, created_at, user_name) VALUES (?, ?, ?, ?, ?)");
  const remove = db.prepare("DELETE FROM access_keys WHERE access_key_id = ?");
  const setStatus = db.prepare("UPDATE access_keys SET status = ? WHERE access_key_id = ?");
  const recordUse = db.prepare("UPDATE access_keys SET last_used_at = ?, last_used_service = ?, last_used_region = ? WHERE access_key_id = ?");
  let copy: { version: number; byId: Map<string, AccessKeyRecord>; rootKeys: number } | undefined;
  /** Whether this turn of the event loop has asked for the data version already (and the copy is of it). */
  let checkedThisTurn = false;
  const nextTurn = () => {
    checkedThisTurn = false;
  };
  /** The table as it is now: the copy, unless another connection has committed since it was taken. */
  const current = (): { byId: Map<string, AccessKeyRecord>; rootKeys: number } => {
    if (copy !== undefined && checkedThisTurn) return copy;
    if (!checkedThisTurn) {
      checkedThisTurn = true;
      setImmediate(nextTurn);
    }
    const version = dataVersion.get() ?? 0;
    if (copy?.version !== version) {
      const byId = new Map(list.all().map((row) => [row.access_key_id, accessKeyFrom(row)]));
      copy = { version, byId, rootKeys: [...byId.values()].filter((k) => k.userName === undefined).length };
    }
    return copy;
  };
  const changed = <A extends unknown[], R>(write: (...args: A) => R) => (...args: A): R => {
    copy = undefined;
    try {
      return write(...args);
    } finally {
      copy = undefined;
    }
  };
  return {
    get: (accessKeyId) => current().byId.get(accessKeyId),
    list: () => list.all().map(accessKeyFrom),
    // Counted once per copy: every signed request asks (UnkaiCredentials).
    count: () => current().rootKeys,
    add: changed(durably(db, (record: AccessKeyRecord) => {
      insert.run(record.accessKeyId, record.secretAccessKey, record.name, record.createdAt, record.userName ?? null);
    })),
    remove: changed(durably(db, (accessKeyId: string) => remove.run(accessKeyId).changes > 0)),
    setStatus: changed(durably(db, (accessKeyId: string, status: "Active" | "Inactive") => setStatus.run(status, accessKeyId).changes > 0)),
    // Last use is advisory: an ordinary (not fsynced) commit, at most once a minute per key (UnkaiCredentials).
    recordUse: changed((accessKeyId, use) => {
      recordUse.run(use.atMs, use.service, use.region, accessKeyId);
    }),
  };
}
