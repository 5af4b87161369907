// Baseline for async acknowledgement: raw SQLite inserts of the same rows as Unkai's queue, with the
// same durability (WAL, synchronous=FULL), in its own process.
// Usage: node bench/sqlite-baseline.js '{"path","rows","batch","payloadBytes"}' → JSON on stdout.
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";

const opts = JSON.parse(process.argv[2] ?? "{}");
const db = new Database(opts.path);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`CREATE TABLE IF NOT EXISTS async_events (
  id TEXT PRIMARY KEY, function_name TEXT NOT NULL, qualifier TEXT NOT NULL, payload BLOB NOT NULL,
  enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, throttles INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL, lease_until INTEGER, status TEXT NOT NULL DEFAULT 'queued', failure TEXT) STRICT;
  CREATE INDEX IF NOT EXISTS async_events_ready ON async_events (status, available_at);
  CREATE INDEX IF NOT EXISTS async_events_by_function ON async_events (function_name, status);`);
const insert = db.prepare("INSERT INTO async_events (id, function_name, qualifier, payload, enqueued_at, available_at) VALUES (?, ?, ?, ?, ?, ?)");
const payload = Buffer.alloc(opts.payloadBytes ?? 64, 0x61);
const commit = db.transaction((n) => {
  const now = Date.now();
  for (let i = 0; i < n; i++) insert.run(randomUUID(), "bench-async", "$LATEST", payload, now, now);
});

const commitMs = [];
const started = performance.now();
for (let done = 0; done < opts.rows; done += opts.batch) {
  const t = performance.now();
  commit(Math.min(opts.batch, opts.rows - done));
  commitMs.push(performance.now() - t);
}
const seconds = (performance.now() - started) / 1000;
db.close();
process.stdout.write(JSON.stringify({ rowsPerSec: opts.rows / seconds, commitMs }));
