/**
 * Whether anything has committed to a WAL database since a moment, for the price of one read and no
 * lock. Every commit, by any connection of any process, rewrites the WAL-index header at the start of
 * the `-shm` file (SQLite's documented WAL-index format: its first 48 bytes, the header's first copy,
 * hold the change counter, the last valid frame, the salts and a checksum), and no two states of the
 * database share a header: the frame count only grows until the WAL restarts, and a restart draws new
 * salts. So the same 48 bytes read twice mean no commit in between, while different bytes mean only
 * "maybe": the caller then asks SQLite (`PRAGMA data_version`, which takes a read lock).
 */
import { closeSync, openSync, readSync } from "node:fs";
import type { Db } from "./database.js";

const HEADER_BYTES = 48;

export interface WalIndexHeader {
  /** The header as it is now; undefined when it cannot be read (the caller then trusts nothing to it). */
  read(): Buffer | undefined;
  /** Whether the header is still exactly `seen` (read before): nothing has committed since. */
  unchangedSince(seen: Buffer): boolean;
}

/** The header of `db`'s WAL index; undefined for a database with none (in memory, or not in WAL mode). */
export function walIndexHeader(db: Db): WalIndexHeader | undefined {
  if (db.memory || String(db.pragma("journal_mode", { simple: true })).toLowerCase() !== "wal") return undefined;
  let fd: number | undefined;
  try {
    // Opening the database in WAL mode made the file; this connection keeps it for as long as it is open.
    fd = openSync(`${db.name}-shm`, "r");
  } catch {
    return undefined;
  }
  const now = Buffer.alloc(HEADER_BYTES);
  /** The header into `into`, or false once the connection has closed (the descriptor goes with it) or the read came short. */
  const readInto = (into: Buffer): boolean => {
    if (fd === undefined) return false;
    if (!db.open) {
      closeSync(fd);
      fd = undefined;
      return false;
    }
    try {
      return readSync(fd, into, 0, HEADER_BYTES, 0) === HEADER_BYTES;
    } catch {
      return false;
    }
  };
  return {
    read() {
      const header = Buffer.alloc(HEADER_BYTES);
      return readInto(header) ? header : undefined;
    },
    unchangedSince(seen) {
      return readInto(now) && now.equals(seen);
    },
  };
}
