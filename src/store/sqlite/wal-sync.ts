/**
 * Durable commits without blocking the event loop. `durably` commits with `synchronous = FULL`, so
 * SQLite fsyncs the WAL inside the commit and the whole process waits for the disk. Here the commit
 * runs at the default `synchronous = NORMAL` (its frames are written to the WAL, not yet synced)
 * and the WAL file is then fsynced on libuv's thread pool: the same fsync of the same file FULL
 * would have done, so a caller answered after it holds exactly the same guarantee, while the
 * process goes on parsing the next requests. One fsync serves every commit made before it began;
 * a commit made while one is running waits for the next, shared by all such commits.
 */
import { fdatasync, openSync } from "node:fs";
import type { Db } from "./database.js";

/** One syncer per connection, shared by every writer on it (group commit, the async queue), so their fsyncs coalesce. */
const syncers = new WeakMap<Db, () => Promise<void>>();

export function walSync(db: Db): () => Promise<void> {
  let syncer = syncers.get(db);
  if (!syncer) {
    syncer = newWalSync(db);
    syncers.set(db, syncer);
  }
  return syncer;
}

function newWalSync(db: Db): () => Promise<void> {
  // Opened at the first sync, after a commit has surely created the WAL; SQLite keeps that file
  // (the same inode) for as long as this connection is open, only rewinding it after checkpoints.
  let fd: number | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;
  const fsyncWal = () =>
    new Promise<void>((resolve, reject) => {
      fd ??= openSync(`${db.name}-wal`, "r");
      fdatasync(fd, (error) => (error ? reject(error) : resolve()));
    });
  const start = (): Promise<void> => {
    const sync = fsyncWal().finally(() => {
      if (running === sync) running = undefined;
    });
    running = sync;
    return sync;
  };
  return () => {
    if (!running) return start();
    // The running fsync may have begun before this caller's commit: it cannot count for it.
    next ??= running.catch(() => undefined).then(() => {
      next = undefined;
      return start();
    });
    return next;
  };
}
