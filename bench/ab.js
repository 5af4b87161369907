// Same-run before/after of the warm invoke path: two Unkai builds side by side, wrk runs alternating.
// Usage: node bench/ab.js <before repo> <after repo>   (each a built checkout: <repo>/bin/unkai.js)
// AB_BEFORE_ENV / AB_AFTER_ENV ('{"UNKAI_HANDOFF_WAIT_MS":"0"}') add settings to one side, so one build
// can also be compared with itself under two settings. AB_ROUNDS (4), AB_SECONDS (4), AB_GATEWAY=1 adds
// the HTTP API (payload 2.0) rows. AB_ENVIRONMENTS=N starts N warm environments of the function on each side
// first (N concurrent invokes that each hold their environment 300 ms), as npm run bench's burst before a row does.
// Prints JSON: per side and row, medians over the rounds of req/s, p50/p99 (ms), and CPU per request
// (ms) of the server and of everything under it (environments), with wrk's own CPU share.
import { mkdtempSync, openSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { closeAgent, median, request, startHelloServer, stopProcess } from "./lib.js";
import { measured } from "./throughput.js";
import { ensureWrk, runWrk } from "./wrk.js";

const HELLO_JS = `exports.handler = async (event) => {
  if (event && event.holdMs) await new Promise((resolve) => setTimeout(resolve, event.holdMs));
  return { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ hello: "world" }) };
};\n`;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const SECONDS = Number(process.env.AB_SECONDS ?? 4);
const [beforeRoot, afterRoot] = process.argv.slice(2).map((p) => resolve(p));
if (!beforeRoot || !afterRoot) throw new Error("usage: node bench/ab.js <before repo> <after repo>");
ensureWrk();

const work = mkdtempSync(join(tmpdir(), "unkai-ab-"));

async function start(name, root, extraEnv) {
  const logFd = openSync(join(work, `${name}.log`), "a");
  const { child, targets } = await startHelloServer({
    root, dataDir: join(work, name), name: "ab-hello", handlerJs: HELLO_JS, gateway: process.env.AB_GATEWAY === "1", env: extraEnv, stderrFd: logFd,
  });
  closeSync(logFd);
  return { name, child, targets, runs: {} };
}

const sides = [
  await start("before", beforeRoot, JSON.parse(process.env.AB_BEFORE_ENV ?? "{}")),
  await start("after", afterRoot, JSON.parse(process.env.AB_AFTER_ENV ?? "{}")),
];
try {
  // The function's first invocations (a cold start, then warm ones at one connection) before any row.
  for (const s of sides) for (const target of Object.values(s.targets)) await runWrk({ ...target, connections: 1, seconds: 2 });
  const environments = Number(process.env.AB_ENVIRONMENTS ?? 0);
  for (const s of sides) {
    await Promise.all(Array.from({ length: environments }, () => request(s.targets.invoke.url, { method: "POST", body: { holdMs: 300 } })));
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so neither always runs on a warmer (or busier) machine.
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const [kind, connections] of [["invoke", 1], ["invoke", 32], ["gateway", 1], ["gateway", 32]]) {
      for (const s of order) {
        const target = s.targets[kind];
        if (!target) continue;
        const key = `${kind}@${connections}`;
        (s.runs[key] ??= []).push(await measured(s.child.pid, target, connections, SECONDS, 2));
      }
    }
  }
  const pick = (runs, field) => median(runs.map((r) => r[field]));
  const summary = Object.fromEntries(sides.map((s) => [s.name, Object.fromEntries(Object.entries(s.runs).map(([key, runs]) => [key, {
    rps: Math.round(pick(runs, "rps")), p50Ms: pick(runs, "p50"), p99Ms: pick(runs, "p99"),
    serverMsPerReq: Number(pick(runs, "serverMsPerReq").toFixed(4)), environmentsMsPerReq: Number(pick(runs, "childMsPerReq").toFixed(4)),
    wrkCpuPct: Math.round(Math.max(...runs.map((r) => r.cpuPct))), processes: runs.at(-1).processes,
    errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0), rpsRounds: runs.map((r) => Math.round(r.rps)),
  }]))]));
  console.log(JSON.stringify({ rounds: ROUNDS, seconds: SECONDS, ...summary }, null, 2));
} finally {
  closeAgent();
  for (const s of sides) await stopProcess(s.child, 12_000);
  rmSync(work, { recursive: true, force: true });
}
