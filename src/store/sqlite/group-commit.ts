/**
 * Group commit: writes that arrive in the same turn of the event loop run in one transaction, each in
 * its own savepoint (one failing write does not undo the others), and each caller is answered only
 * after that commit is on disk.
 *
 * In WAL mode the commit itself runs with `synchronous = NORMAL` (it only appends to the WAL) and the
 * WAL file is then fsynced on libuv's thread pool, so the event loop serves other requests while the
 * disk works instead of blocking in SQLite's own fsync. That is the same guarantee FULL gives: FULL
 * fsyncs the WAL at commit, and NORMAL fsyncs it before any checkpoint copies frames out of it (and
 * the database file after), so frames reach the disk either through our fsync or a checkpoint's.
 * The fsync is wal-sync.ts's, shared with the async queue's acknowledged inserts.
 * Without WAL (an in-memory database) the commit is fsynced by SQLite as before.
 */
import { durably, type Db } from "./database.js";
import { walSync } from "./wal-sync.js";

interface Pending {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export function groupCommit(db: Db): <T>(write: () => T) => Promise<T> {
  let pending: Pending[] = [];
  const inWal = !db.memory && String(db.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
  const run = (batch: Pending[]) => {
    for (const item of batch) {
      try {
        item.outcome = { ok: true, value: db.transaction(item.write)() };
      } catch (error) {
        item.outcome = { ok: false, error };
      }
    }
  };
  const commit = inWal ? db.transaction(run) : durably(db, run);
  const synced = walSync(db);
  const flush = async () => {
    const batch = pending;
    pending = [];
    try {
      commit(batch);
      if (inWal) await synced();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      if (item.outcome?.ok) item.resolve(item.outcome.value);
      else item.reject(item.outcome?.error);
    }
  };
  return <T>(write: () => T) =>
    new Promise<T>((resolve, reject) => {
      pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (pending.length === 1) setImmediate(() => void flush());
    });
}
