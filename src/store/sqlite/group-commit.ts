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
 *
 * Where other processes write the file too (DynamoDB's endpoint workers), one may hold the write lock. SQLite's
 * busy handler would sleep in this thread, a millisecond and more, stopping every request of the
 * process for a lock held some tens of microseconds; instead a batch that finds it taken is tried again
 * at the next turns of the event loop (which goes on serving: writes that arrive join the batch), then
 * every millisecond, and only after `BUSY_PATIENCE_MS` waits in SQLite's handler as before.
 */
import { durably, type Db } from "./database.js";
import { walSync } from "./wal-sync.js";

/** Retries of a busy batch at the next turn of the event loop, before it is retried every millisecond. */
const BUSY_QUICK_RETRIES = 3;
/** How long a busy batch is retried without blocking before it waits in SQLite's busy handler. */
const BUSY_PATIENCE_MS = 2_000;

interface Pending {
  readonly write: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

/** Files other processes write too (openSqliteStore's `otherProcesses`): only there is a busy lock worth not waiting for. */
const sharedFiles = new WeakSet<Db>();

/** Says that other processes write `db`'s file (DynamoDB's endpoint workers and the main process). */
export function writtenByOtherProcesses(db: Db): void {
  sharedFiles.add(db);
}

export function groupCommit(db: Db): <T>(write: () => T) => Promise<T> {
  let pending: Pending[] = [];
  const inWal = !db.memory && String(db.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
  // Inside the batch's transaction, each write runs in a savepoint of its own (made once, handed the write).
  const inSavepoint = db.transaction((write: () => unknown) => write());
  const run = (batch: Pending[]) => {
    for (const item of batch) {
      try {
        item.outcome = { ok: true, value: inSavepoint(item.write) };
      } catch (error) {
        item.outcome = { ok: false, error };
      }
    }
  };
  const commit = inWal ? db.transaction(run) : durably(db, run);
  const synced = walSync(db);
  const restoreTimeout = `PRAGMA busy_timeout = ${Number(db.pragma("busy_timeout", { simple: true }))}`;
  let busy: { since: number; retries: number } | undefined;
  /** Commits, or returns false (nothing written) when another process holds the write lock and this one should not wait. */
  const commitUnlessBusy = (batch: Pending[]): boolean => {
    if (!sharedFiles.has(db) || (busy !== undefined && Date.now() - busy.since > BUSY_PATIENCE_MS)) {
      commit(batch);
      return true;
    }
    // (A pragma takes effect when its statement is prepared, so a prepared one cannot be kept; exec
    // prepares and runs it inside SQLite, without the Statement object db.pragma builds each time.)
    db.exec("PRAGMA busy_timeout = 0");
    try {
      commit(batch);
      return true;
    } catch (error) {
      // SQLITE_BUSY and its extended codes (SQLITE_BUSY_RECOVERY after a writer died mid-commit…).
      if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY") === true) return false;
      throw error;
    } finally {
      db.exec(restoreTimeout);
    }
  };
  const flush = async () => {
    const batch = pending;
    pending = [];
    try {
      if (!commitUnlessBusy(batch)) {
        busy ??= { since: Date.now(), retries: 0 };
        // Writes that arrived meanwhile wait behind this batch and join it.
        pending = batch.concat(pending);
        if (busy.retries++ < BUSY_QUICK_RETRIES) setImmediate(() => void flush());
        else setTimeout(() => void flush(), 1);
        return;
      }
      busy = undefined;
      if (inWal) await synced();
    } catch (error) {
      busy = undefined;
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
      // While busy, the retry already scheduled takes it along.
      if (pending.length === 1 && busy === undefined) setImmediate(() => void flush());
    });
}
