// Firing accuracy of the schedule runner (issue 18): `node bench/schedule-lateness.js` after `npm run build`.
// 150 one-shot timers (as at() schedules) due 100 ms apart on a real SQLite store, fired by one
// ScheduleRunner on the real clock; prints p50/p99/max lateness (fire time − due time). Not part of
// `npm run bench` (BENCHMARKS.md), which measures the HTTP paths.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { pino } from "pino";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { ScheduleRunner } = await import(join(ROOT, "dist/src/async/schedule-runner.js"));
const { openSqliteStore } = await import(join(ROOT, "dist/src/store/sqlite/index.js"));

const COUNT = Number(process.env.UNKAI_BENCH_FIRINGS ?? 150);
const SPACING_MS = 100;
const dir = mkdtempSync(join(tmpdir(), "unkai-sched-bench-"));
const store = openSqliteStore(join(dir, "unkai.db"), (error) => { throw error; });
const fired = new Map();
const runner = new ScheduleRunner(
  store.scheduleTimers,
  { fire: async (id) => void fired.set(id, Date.now()), nextAfter: async () => undefined },
  { owner: "bench", leaseMs: 30_000, pollMs: 30_000, batch: 64, missedAfterMs: 60_000, now: Date.now },
  pino({ level: "silent" }),
);
runner.start();
const start = Date.now() + 1_000;
const due = new Map();
for (let i = 0; i < COUNT; i++) {
  const at = start + i * SPACING_MS;
  due.set(`at/${i}`, at);
  await store.scheduleTimers.set(`at/${i}`, at);
}
runner.wake();
const deadline = start + COUNT * SPACING_MS + 10_000;
while (fired.size < COUNT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await runner.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

const late = [...due].map(([id, at]) => (fired.get(id) ?? Infinity) - at).sort((a, b) => a - b);
const pct = (p) => late[Math.min(late.length - 1, Math.floor((p / 100) * late.length))];
console.log(JSON.stringify({ firings: COUNT, fired: fired.size, p50Ms: pct(50), p99Ms: pct(99), maxMs: late.at(-1), minMs: late[0] }));
