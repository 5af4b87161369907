// Same-run before/after of the warm invoke path: two Unkai builds side by side, requests alternating.
// Usage: node bench/ab.js <before repo> <after repo>   (each a built checkout: <repo>/bin/unkai.js)
// Prints JSON: per build, warm latency (one client, p50/p99 ms) and throughput (req/s at 8 and 32 clients),
// each measured in alternating rounds so machine noise falls on both alike.
import { mkdtempSync, openSync, closeSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { closeAgent, median, percentile, request, runJson, spawnUntilLine, stopProcess, zipFiles } from "./lib.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const LOADGEN = join(HERE, "loadgen.js");
const READY = /Unkai ready at (http:\/\/[^\s]+) \(/;
const HELLO_JS = `exports.handler = async () => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) });\n`;
const ROUNDS = Number(process.env.AB_ROUNDS ?? 4);
const [beforeRoot, afterRoot] = process.argv.slice(2).map((p) => resolve(p));
if (!beforeRoot || !afterRoot) throw new Error("usage: node bench/ab.js <before repo> <after repo>");

const work = mkdtempSync(join(tmpdir(), "unkai-ab-"));
const loadgen = (opts) => runJson(LOADGEN, [JSON.stringify(opts)]);

async function start(name, root) {
  const logFd = openSync(join(work, `${name}.log`), "a");
  const { child, match } = await spawnUntilLine(process.execPath, [join(root, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", join(work, name)], {
    env: { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn" }, cwd: root, pattern: READY, stderrFd: logFd,
  });
  closeSync(logFd);
  child.stdout.resume();
  const url = match[1];
  const zip = await zipFiles({ "index.js": HELLO_JS });
  const res = await request(`${url}/2015-03-31/functions`, {
    method: "POST",
    body: { FunctionName: "ab-hello", Runtime: "nodejs20.x", Role: "arn:aws:iam::000000000000:role/ab", Handler: "index.handler", Timeout: 10, MemorySize: 128, Code: { ZipFile: zip.toString("base64") } },
  });
  if (res.status !== 201) throw new Error(`${name}: CreateFunction HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return { name, child, target: `${url}/2015-03-31/functions/ab-hello/invocations`, latency: [], errors: 0, rps: { 8: [], 32: [] } };
}

const servers = [await start("before", beforeRoot), await start("after", afterRoot)];
try {
  for (const s of servers) await loadgen({ url: s.target, concurrency: 1, count: 2000 });
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so neither always runs on a warmer (or busier) machine.
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      const r = await loadgen({ url: s.target, concurrency: 1, warmupCount: 200, count: 1500 });
      s.latency.push(...r.samples);
      s.errors += r.errors;
    }
    for (const c of [8, 32]) {
      for (const s of order) {
        const r = await loadgen({ url: s.target, concurrency: c, warmupMs: 1000, durationMs: 4000 });
        s.rps[c].push(r.rps);
        s.errors += r.errors;
      }
    }
  }
  const summary = Object.fromEntries(servers.map((s) => [s.name, {
    p50Ms: median(s.latency), p99Ms: percentile(s.latency, 99), samples: s.latency.length, errors: s.errors,
    rps8: median(s.rps[8]), rps32: median(s.rps[32]), rps8Rounds: s.rps[8], rps32Rounds: s.rps[32],
  }]));
  console.log(JSON.stringify({ rounds: ROUNDS, ...summary }, null, 2));
} finally {
  closeAgent();
  for (const s of servers) await stopProcess(s.child, 12_000);
  rmSync(work, { recursive: true, force: true });
}
