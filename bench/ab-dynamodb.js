// Same-run before/after of DynamoDB's JSON path (phase (k)): two Unkai builds and dynalite side by side,
// wrk rounds alternating between them, GetItem, PutItem and Query (100 items) at 8 connections.
// Usage: node bench/ab-dynamodb.js <before repo> <after repo>   (each a built checkout: <repo>/bin/unkai.js)
// AB_ROUNDS (3), AB_SECONDS (3), AB_OPS (get,put,query); AB_BEFORE_ARGS / AB_AFTER_ARGS: more `unkai start`
// flags for a side (with --dynamodb-workers, its DynamoDB endpoint is measured). Prints JSON: per side and
// operation, the medians over the rounds of req/s, p50 (ms) and server CPU per request (ms: the server's
// process and its children, so workers count).
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { closeAgent, median, spawnUntilLine, stopProcess } from "./lib.js";
import { dataSet, headersFor, loadUnkai, OPS, startDynalite } from "./dynamodb.js";
import { measured } from "./throughput.js";
import { ensureWrk } from "./wrk.js";

const READY = /Unkai ready at (http:\/\/[^\s]+) \(/;
const DYNAMODB_READY = /DynamoDB endpoint at (http:\/\/[^\s]+) \(/;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 3);
const SECONDS = Number(process.env.AB_SECONDS ?? 3);
const WANTED = (process.env.AB_OPS ?? "get,put,query").split(",");
const [beforeRoot, afterRoot] = process.argv.slice(2).map((p) => resolve(p));
if (!beforeRoot || !afterRoot) throw new Error("usage: node bench/ab-dynamodb.js <before repo> <after repo>");
ensureWrk();
const work = mkdtempSync(join(tmpdir(), "unkai-ab-dynamodb-"));
const ops = OPS.filter((op) => WANTED.includes(op.key));

async function startUnkai(name, root, extraArgs) {
  const logFd = openSync(join(work, `${name}.log`), "a");
  const args = extraArgs.split(" ").filter((arg) => arg !== "");
  const workers = args.includes("--dynamodb-workers");
  if (workers && !args.includes("--dynamodb-port")) args.push("--dynamodb-port", "0");
  const { child, match } = await spawnUntilLine(process.execPath, [join(root, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", join(work, name), ...args], {
    env: { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn" }, cwd: root, pattern: workers ? DYNAMODB_READY : READY, stderrFd: logFd,
  });
  closeSync(logFd);
  child.stdout.resume();
  return { name, child, pid: child.pid, url: match[1], runs: {} };
}

const items = dataSet();
const sides = [await startUnkai("before", beforeRoot, process.env.AB_BEFORE_ARGS ?? ""), await startUnkai("after", afterRoot, process.env.AB_AFTER_ARGS ?? "")];
const peer = await startDynalite({ work, log: (line) => console.error(line) });
sides.push({ name: "dynalite", child: peer.child, pid: peer.pid, url: peer.url, runs: {} });
try {
  for (const s of sides) await loadUnkai(s.url, items, ops);
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const op of ops) {
      for (const s of order) {
        const target = { url: `${s.url}/`, method: "POST", headers: headersFor(op.target), body: JSON.stringify(op.body), sign: "dynamodb" };
        const run = await measured(s.pid, target, 8, SECONDS, 1);
        if (run.errors || run.non2xx) throw new Error(`${s.name} ${op.label}: ${run.errors} socket errors, ${run.non2xx} non-2xx`);
        (s.runs[op.key] ??= []).push(run);
      }
    }
  }
  const pick = (runs, field) => median(runs.map((r) => r[field]));
  const summary = Object.fromEntries(sides.map((s) => [s.name, Object.fromEntries(Object.entries(s.runs).map(([key, runs]) => [key, {
    rps: Math.round(pick(runs, "rps")), p50Ms: pick(runs, "p50"), serverMsPerReq: Number(median(runs.map((r) => r.serverMsPerReq + r.childMsPerReq)).toFixed(4)),
    wrkCpuPct: Math.round(Math.max(...runs.map((r) => r.cpuPct))), rpsRounds: runs.map((r) => Math.round(r.rps)),
  }]))]));
  console.log(JSON.stringify({ rounds: ROUNDS, seconds: SECONDS, dynaliteVersion: peer.version, ...summary }, null, 2));
} finally {
  closeAgent();
  for (const s of sides) await stopProcess(s.child, 12_000);
  rmSync(work, { recursive: true, force: true });
}
