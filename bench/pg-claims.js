// Claim throughput of the async queue on PostgreSQL with 1, 3 and 10 pollers (each its own store and
// connection pool, as separate nodes), and on SQLite with one: `npm run build && node bench/pg-claims.js`.
// Starts its own PostgreSQL 15 (test/helpers/postgres.ts, fsync off like the tests: this measures
// claiming, not the disk). Each poller loops: ready(now, 50) → lease(those ids) until nothing is left.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../dist/test/helpers/postgres.js";
import { openPostgresStore } from "../dist/src/store/postgres/index.js";
import { openSqliteStore, DEFAULT_LOG_POLICY } from "../dist/src/store/sqlite/index.js";

const EVENTS = Number(process.env.CLAIM_EVENTS ?? 5_000);
const BATCH = 50;
const NOW = 2_000_000_000_000;

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

async function measure(label, stores) {
  for (let i = 0; i < EVENTS; i += 1_000) await stores[0].asyncQueue.enqueue(events(EVENTS).slice(i, i + 1_000));
  const started = performance.now();
  const results = await Promise.all(stores.map(poller));
  const seconds = (performance.now() - started) / 1000;
  const claimed = results.reduce((sum, r) => sum + r.claimed, 0);
  if (claimed !== EVENTS) throw new Error(`${label}: claimed ${claimed} of ${EVENTS}`);
  const wasted = results.reduce((sum, r) => sum + r.wasted, 0);
  console.log(`| ${label} | ${stores.length} | ${Math.round(claimed / seconds)} | ${(wasted / (claimed + wasted) * 100).toFixed(0)} % |`);
}

const pg = await startPostgres();
try {
  console.log(`${EVENTS} events, batches of ${BATCH}\n\n| backend | pollers | claims/s | ids already taken when leased |\n|---|---|---|---|`);
  const dir = mkdtempSync(join(tmpdir(), "unkai-claims-"));
  const sqlite = openSqliteStore(join(dir, "unkai.db"), () => undefined);
  await measure("SQLite", [sqlite]);
  await sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  for (const pollers of [1, 3, 10]) {
    const url = await pg.createDatabase(`claims_${pollers}`);
    const stores = await Promise.all(Array.from({ length: pollers }, () => openPostgresStore({ url, logPolicy: DEFAULT_LOG_POLICY, maxConnections: 2 }, () => undefined)));
    await measure("PostgreSQL", stores);
    for (const store of stores) await store.close();
  }
} finally {
  await pg.stop();
}
