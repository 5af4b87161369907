/** Opens the SQLite file in WAL mode and brings its schema up to date. */
import { chmodSync, existsSync } from "node:fs";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.js";

export type Db = Database.Database;

export function openDatabase(path: string): Db {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL for most writes (no fsync per commit: WAL frames reach the disk at checkpoints);
  // writes that must survive a power loss go through `durably`, which fsyncs their commit.
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  beginImmediately(db);
  migrate(db);
  // The file holds access-key secrets: readable by Unkai's user only.
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  return db;
}

/**
 * Runs `write` in a transaction whose commit is fsynced before it returns. In WAL mode that fsync
 * also makes every earlier commit durable. (`synchronous` may change between transactions.)
 */
export function durably<A extends unknown[], R>(db: Db, write: (...args: A) => R): (...args: A) => R {
  const transaction = db.transaction(write);
  return (...args: A) => {
    db.pragma("synchronous = FULL");
    try {
      return transaction(...args);
    } finally {
      db.pragma("synchronous = NORMAL");
    }
  };
}

/**
 * Makes every transaction of this connection begin IMMEDIATE: it takes the write lock (waiting up to
 * busy_timeout) before its first read. Another process may write the file (DynamoDB's endpoint
 * workers, `unkai keys`); a deferred transaction that read and then wrote would fail at once with
 * "database is locked" whenever one committed in between, its snapshot being stale, which no wait cures.
 */
function beginImmediately(db: Db): void {
  const deferred = db.transaction.bind(db);
  // better-sqlite3's variants are free functions (each passes its own `this` on to `fn`), safe to hand out.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  db.transaction = ((fn: Parameters<Db["transaction"]>[0]) => deferred(fn).immediate) as Db["transaction"];
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let version = current; version < MIGRATIONS.length; version++) {
    const sql = MIGRATIONS[version] ?? "";
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
