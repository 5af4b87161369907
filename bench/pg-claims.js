// Claim throughput of the async queue on PostgreSQL with 1, 3 and 10 pollers (each its own store and
// connection pool, as separate nodes), and on SQLite with one poller, printing events/s. Part of
// `npm run bench` (phase `claims`); alone: `npm run build && node bench/pg-claims.js`.
// Starts its own PostgreSQL 15 (test/helpers/postgres.ts, fsync off like the tests: this measures
// claiming, not the disk). Each poller loops: ready(now, 50) → lease(those ids) until nothing is left.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fmt } from "./lib.js";

const BATCH = 50;
const NOW = 2_000_000_000_000;
const POLLERS = [1, 3, 10];

function events(n) {
  return Array.from({ length: n }, (_, i) => ({ id: `ev-${i}`, functionName: `fn-${i % 8}`, qualifier: "$LATEST", payload: Buffer.from("{}"), enqueuedAt: NOW - n + i }));
}

async function poller(store) {
  let claimed = 0;
  let wasted = 0;
  for (let idle = 0; idle < 2; ) {
    const ready = await store.asyncQueue.ready(NOW, BATCH);
    if (ready.length === 0) {
      idle++;
      continue;
    }
    const got = await store.asyncQueue.lease(ready.map((e) => e.id), NOW, NOW + 60_000);
    claimed += got.length;
    wasted += ready.length - got.length;
  }
  return { claimed, wasted };
}

async function measure(backend, stores, count) {
  const all = events(count);
  for (let i = 0; i < count; i += 1_000) await stores[0].asyncQueue.enqueue(all.slice(i, i + 1_000));
  const started = performance.now();
  const results = await Promise.all(stores.map(poller));
  const seconds = (performance.now() - started) / 1000;
  const claimed = results.reduce((sum, r) => sum + r.claimed, 0);
  if (claimed !== count) throw new Error(`${backend}: claimed ${claimed} of ${count}`);
  const wasted = results.reduce((sum, r) => sum + r.wasted, 0);
  return { backend, pollers: stores.length, perSecond: claimed / seconds, wastedShare: wasted / (claimed + wasted) };
}

/** SQLite with one poller, then PostgreSQL with 1, 3 and 10; `{ events, rows }`. */
export async function phaseClaims({ log = () => undefined, quick = false } = {}) {
  // dist/ is built by `npm run bench` before this runs; imported late so the module loads without it.
  const { startPostgres } = await import("../dist/test/helpers/postgres.js");
  const { openPostgresStore } = await import("../dist/src/store/postgres/index.js");
  const { openSqliteStore, DEFAULT_LOG_POLICY } = await import("../dist/src/store/sqlite/index.js");
  const count = Number(process.env.CLAIM_EVENTS ?? (quick ? 1_000 : 5_000));
  const rows = [];
  const dir = mkdtempSync(join(tmpdir(), "unkai-claims-"));
  try {
    const sqlite = openSqliteStore(join(dir, "unkai.db"), () => undefined);
    rows.push(await measure("SQLite", [sqlite], count));
    await sqlite.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pg = await startPostgres();
  try {
    for (const pollers of POLLERS) {
      log(`claims: PostgreSQL, ${pollers} poller(s)`);
      const url = await pg.createDatabase(`claims_${pollers}`);
      const stores = await Promise.all(Array.from({ length: pollers }, () => openPostgresStore({ url, logPolicy: DEFAULT_LOG_POLICY, maxConnections: 2 }, () => undefined)));
      try {
        rows.push(await measure("PostgreSQL", stores, count));
      } finally {
        for (const store of stores) await store.close();
      }
    }
  } finally {
    await pg.stop();
  }
  return { events: count, rows };
}

/** Summary rows for BENCHMARKS.md: each PostgreSQL poller count beside one SQLite poller (no target). */
export function claimsSummaryRows(claims) {
  if (!claims) return ["| (i) async claims | not measured | | | | |"];
  const sqlite = claims.rows.find((r) => r.backend === "SQLite");
  return claims.rows.filter((r) => r.backend === "PostgreSQL").map((r) =>
    `| (i) async claims, PostgreSQL, ${r.pollers} poller${r.pollers > 1 ? "s" : ""} | ${fmt(r.perSecond, 0)} events/s | ${fmt(sqlite?.perSecond, 0)} events/s (SQLite, 1 poller) | ${fmt(r.perSecond / sqlite?.perSecond)}× | — | |`);
}

/** The BENCHMARKS.md section. */
export function claimsSection(claims) {
  const lines = ["## (i) Async claim throughput: PostgreSQL pollers vs SQLite", ""];
  lines.push("How fast the async queue hands out due events: the queue filled with events of 8 functions, then pollers loop `ready(now, 50)` → `lease(those ids)` (`FOR UPDATE SKIP LOCKED` on PostgreSQL, with leases and fencing tokens) until nothing is left. Each PostgreSQL poller has its own store and 2 connections, as separate nodes would; the PostgreSQL server is the test suite's (Debian's 15, on this host, `fsync` off: claims, not the disk). SQLite has one node and so one poller. `bench/pg-claims.js`.");
  lines.push("");
  if (!claims) return [...lines, "Not measured in this run.", ""];
  lines.push(`${claims.events} events per row.`, "", "| backend | pollers | events/s | ratio to SQLite | ids already taken when leased |", "|---|---|---|---|---|");
  const sqlite = claims.rows.find((r) => r.backend === "SQLite");
  for (const r of claims.rows) lines.push(`| ${r.backend} | ${r.pollers} | ${fmt(r.perSecond, 0)} | ${fmt(r.perSecond / sqlite?.perSecond)}× | ${fmt(r.wastedShare * 100, 0)} % |`);
  lines.push("", "Pollers read the same oldest ready events and then race to lease them: the last column is the share of ids a poller saw as ready that another had leased by then — the waste a claim taking due rows directly (`… ORDER BY available_at LIMIT n FOR UPDATE SKIP LOCKED`) would remove.", "");
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const line of claimsSection(await phaseClaims({ log: (m) => console.error(m) }))) console.log(line);
}
