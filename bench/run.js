// Unkai's benchmark suite: `npm run bench` (builds, then runs this file). Not part of the tests.
// Measures Unkai side by side with bare-Node/Python baselines in the same run and writes BENCHMARKS.md.
// Everything listens on 127.0.0.1 only; the whole run takes about two minutes on a 2-core machine.
// Environment: UNKAI_BENCH_QUICK=1 shortens every phase (for trying the script), UNKAI_BENCH_KEEP=1 keeps
// the scratch directory (server logs, data dirs, results.json), UNKAI_BENCH_ONLY=<phase>[,<phase>…] runs
// only those phases (startup, memory, cold, latency, tput, async, gateway, s3, isolation, claims, sqs, kinesis, dynamodb, cloudwatch, scheduler, iam) and prints the
// report to stdout (BENCHMARKS.md is left as it is); UNKAI_BENCH_ONLY=isolation prints that section alone.
// Throughput and latency rows use wrk (bench/wrk.js), installed with apt-get when missing. The gateway phase
// installs serverless-offline, its peer row, into ~/.cache/unkai-bench on first use (bench/serverless-offline.js).
import { asyncSection, asyncSummaryRows, phaseAsync, startCollector } from "./async.js";
import { isolationSection, isolationSummaryRows, phaseIsolation } from "./isolation.js";
import { gatewaySection, gatewaySummaryRows, phaseGateway } from "./gateway.js";
import { phaseS3, s3Section, s3SummaryRows } from "./s3.js";
import { dynamoDbSection, dynamoDbSummaryRows, dynamoDbWhy, phaseDynamoDb } from "./dynamodb.js";
import { claimsSection, claimsSummaryRows, phaseClaims } from "./pg-claims.js";
import { phaseSqs, sqsSection, sqsSummaryRows } from "./sqs.js";
import { kinesisSection, kinesisSummaryRows, phaseKinesis } from "./kinesis.js";
import { cloudWatchSection, cloudWatchSummaryRows, phaseCloudWatch } from "./cloudwatch.js";
import { phaseScheduler, schedulerSection, schedulerSummaryRows } from "./scheduler.js";
import { iamSection, iamSummaryRows, phaseIam } from "./iam.js";
import { latencySection, phaseLatencyWrk, phaseThroughputWrk, throughputSection } from "./throughput.js";
import { ensureWrk } from "./wrk.js";
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  childrenOf, closeAgent, fmt, loadAverage, machineInfo, median, request, rssMb, runJson, sleep,
  spawnUntilLine, stopProcess, timeProcess, zipFiles, ensureBenchRole,
} from "./lib.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "..");
const UNKAI_BIN = join(ROOT, "bin", "unkai.js");
const LOADGEN = join(HERE, "loadgen.js");
const BASELINE = join(HERE, "baseline-server.js");
const FLOOR = join(HERE, "floor-server.js");
const OUT = join(ROOT, "BENCHMARKS.md");
const PYTHON = "/usr/bin/python3";
const QUICK = process.env.UNKAI_BENCH_QUICK === "1";

const P = QUICK
  ? { startRuns: 2, latencyRounds: 1, wrkRounds: 2, jitWarm: 500, latencySec: 1, latencyWarmSec: 1, latencyCount: 300, latencyWarm: 50, tputSec: 2, tputWarmSec: 1, concurrencies: [1, 8, 32], coldN: 2, bareRuns: 3, envK: 4, coldGapMs: 500, splitCount: 50 }
  : { startRuns: 5, latencyRounds: 3, wrkRounds: 4, jitWarm: 2500, latencySec: 3, latencyWarmSec: 2, latencyCount: 1500, latencyWarm: 200, tputSec: 5, tputWarmSec: 1, concurrencies: [1, 8, 32], coldN: 5, bareRuns: 7, envK: 8, coldGapMs: 700, splitCount: 300 };
/** UNKAI_BENCH_ONLY=latency,tput,… runs only those phases and prints their sections (BENCHMARKS.md is left as it is). */
const ONLY = process.env.UNKAI_BENCH_ONLY ? new Set(process.env.UNKAI_BENCH_ONLY.split(",").map((x) => x.trim())) : undefined;
const wanted = (phase) => !ONLY || ONLY.has(phase);

const READY = /Unkai ready at (http:\/\/[^\s]+) \(.*started in (\d+) ms\)/;
const DYNAMODB_READY = /DynamoDB endpoint at (http:\/\/[^\s]+) \((\d+) worker process/;

const HELLO_JS = `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ hello: "world" }) });\n`;
const SLOW_JS = `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, 1500)); return { ok: true }; };\n`;
const HELLO_PY = `import json\n\ndef handler(event, context):\n    return {"statusCode": 200, "body": json.dumps({"hello": "world"})}\n`;
const SLOW_PY = `import time\n\ndef handler(event, context):\n    time.sleep(1.5)\n    return {"ok": True}\n`;

const log = (...args) => console.log(`[bench +${((performance.now()) / 1000).toFixed(1)}s]`, ...args);
const notes = [];

// ---------------------------------------------------------------- Unkai helpers

const work = mkdtempSync(join(tmpdir(), "unkai-bench-"));
const running = new Set();

/** `pattern`: the stdout line that says it is ready (its first group the URL to measure). */
async function startUnkai(name, extraEnv = {}, pattern = READY) {
  const dataDir = join(work, `${name}-data`);
  const logFd = openSync(join(work, `${name}.log`), "a");
  const env = { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn", ...extraEnv };
  const { child, match, ms } = await spawnUntilLine(process.execPath, [UNKAI_BIN, "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir], {
    env, cwd: ROOT, pattern, stderrFd: logFd,
  });
  closeSync(logFd);
  running.add(child);
  child.stdout.resume();
  return { name, child, pid: child.pid, url: match[1], readyMs: ms, internalMs: Number(match[2]) };
}

async function stopUnkai(unkai) {
  await stopProcess(unkai.child, 12_000);
  running.delete(unkai.child);
}

async function createFunction(url, name, runtime, handler, files, timeout = 10) {
  const zip = await zipFiles(files);
  const role = await ensureBenchRole(url);
  const res = await request(`${url}/2015-03-31/functions`, {
    method: "POST",
    body: { FunctionName: name, Runtime: runtime, Role: role, Handler: handler, Timeout: timeout, MemorySize: 128, Code: { ZipFile: zip.toString("base64") } },
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`CreateFunction ${name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
}

const invokePath = (name) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;

/** One Invoke with the log tail; returns client-side ms, Init Duration (ms) and success. */
async function invokeTail(url, name) {
  const res = await request(`${url}${invokePath(name)}`, { method: "POST", headers: { "x-amz-log-type": "Tail" }, body: "{}" });
  const tail = res.headers["x-amz-log-result"] ? Buffer.from(String(res.headers["x-amz-log-result"]), "base64").toString("utf8") : "";
  const init = /Init Duration: ([\d.]+) ms/.exec(tail);
  const duration = /\tDuration: ([\d.]+) ms/.exec(tail);
  const ok = res.status === 200 && res.headers["x-amz-function-error"] === undefined;
  return { ms: res.ms, initMs: init ? Number(init[1]) : undefined, durationMs: duration ? Number(duration[1]) : undefined, ok, detail: ok ? "" : `HTTP ${res.status} ${res.headers["x-amz-function-error"] ?? ""} ${res.body.slice(0, 300)} ${tail.slice(-300)}` };
}

function loadgen(opts) {
  return runJson(LOADGEN, [JSON.stringify(opts)]);
}

// ---------------------------------------------------------------- phases

/** (e) spawn `unkai start` → ready line, vs `node -e ""`. */
async function phaseStartup() {
  log("(e) startup time");
  const fresh = [];
  const reused = [];
  const internal = [];
  const bare = [];
  await timeProcess(process.execPath, ["-e", ""]); // page cache warm-up, not recorded
  for (let i = 0; i < P.startRuns; i++) {
    bare.push(await timeProcess(process.execPath, ["-e", ""]));
    // default settings, as a user would start it: a fresh data dir (first start deploys the example)
    const dir = join(work, `start-${i}`);
    const logFd = openSync(join(work, `start-${i}.log`), "a");
    const first = await spawnUntilLine(process.execPath, [UNKAI_BIN, "start", "--port", "0", "--data-dir", dir], { cwd: ROOT, pattern: READY, stderrFd: logFd });
    fresh.push(first.ms);
    internal.push(Number(first.match[2]));
    await stopProcess(first.child);
    // restart on the same data dir
    const again = await spawnUntilLine(process.execPath, [UNKAI_BIN, "start", "--port", "0", "--data-dir", dir], { cwd: ROOT, pattern: READY, stderrFd: logFd });
    reused.push(again.ms);
    await stopProcess(again.child);
    closeSync(logFd);
  }
  return { fresh, reused, internal, bare };
}

/** (d) RSS of the server process and of its children, a moment after start. */
/** A child process as a table names it: its program, and for a sandbox the command it runs (its last two words). */
function processLabel(cmdline) {
  const words = cmdline.trim().split(/\s+/).map((w) => w.split("/").pop());
  return words[0] === "bwrap" ? `bwrap (${words.slice(-2).join(" ")})` : words[0];
}

async function phaseIdleRss(unkai) {
  await sleep(1500);
  const children = childrenOf(unkai.pid).map((c) => ({ ...c, rss: rssMb(c.pid) }));
  return { server: rssMb(unkai.pid), children };
}

/** (c) first Invoke of never-invoked functions. */
async function phaseCold(unkai, label) {
  log(`(c) cold starts on ${label}`);
  const runtimes = [
    { key: "node", runtime: "nodejs20.x", handler: "index.handler", files: { "index.js": HELLO_JS } },
    { key: "python", runtime: "python3.12", handler: "app.handler", files: { "app.py": HELLO_PY } },
  ];
  const out = { node: { ms: [], initMs: [], errors: [] }, python: { ms: [], initMs: [], errors: [] } };
  for (const r of runtimes) {
    for (let i = 0; i < P.coldN; i++) await createFunction(unkai.url, `cold-${r.key}-${i}`, r.runtime, r.handler, r.files);
  }
  for (let i = 0; i < P.coldN; i++) {
    for (const r of runtimes) {
      await sleep(P.coldGapMs); // lets the pre-start pool refill and boot, as between real cold starts
      try {
        const res = await invokeTail(unkai.url, `cold-${r.key}-${i}`);
        if (res.ok) {
          out[r.key].ms.push(res.ms);
          if (res.initMs !== undefined) out[r.key].initMs.push(res.initMs);
        } else {
          out[r.key].errors.push(res.detail);
        }
      } catch (error) {
        out[r.key].errors.push(String(error.message));
      }
    }
  }
  return out;
}

/** Bare process starts: the same handler file loaded by a fresh interpreter, spawn → exit. */
async function phaseBare(dirs) {
  log("(c) bare process starts");
  const node = [];
  const python = [];
  let pythonError;
  await timeProcess(process.execPath, ["-e", "require('./index.js')"], { cwd: dirs.node });
  try {
    await timeProcess(PYTHON, ["-c", "import app"], { cwd: dirs.python });
  } catch (error) {
    pythonError = error.message;
  }
  for (let i = 0; i < P.bareRuns; i++) {
    node.push(await timeProcess(process.execPath, ["-e", "require('./index.js')"], { cwd: dirs.node }));
    if (!pythonError) python.push(await timeProcess(PYTHON, ["-c", "import app"], { cwd: dirs.python }));
  }
  return { node, python, pythonError };
}

/** (a) where Unkai's time goes: REPORT's Duration spans event delivery to the runtime → its response. */
async function phaseSplit(unkaiUrl) {
  const split = { clientMs: [], durationMs: [] };
  for (let i = 0; i < P.splitCount; i++) {
    const res = await invokeTail(unkaiUrl, "bench-hello");
    if (res.ok && res.durationMs !== undefined) {
      split.clientMs.push(res.ms);
      split.durationMs.push(res.durationMs);
    }
  }
  return { n: split.clientMs.length, clientP50: median(split.clientMs), durationP50: median(split.durationMs) };
}

/** Makes sure `c` environments of bench-hello can exist before a throughput row (every request of the burst completes). */
function burst(unkai, c) {
  return loadgen({ url: `${unkai.url}${invokePath("bench-hello")}`, concurrency: c, count: Math.max(300, c * 8) });
}

/** (d) RSS per warm environment: K concurrent slow invokes force K environments; new children are them. */
async function phaseEnvRss(unkai, key, runtime, handler, files, k) {
  log(`(d) RSS of ${k} warm ${key} environments`);
  const name = `rss-${key}`;
  await createFunction(unkai.url, name, runtime, handler, files);
  const before = new Set(childrenOf(unkai.pid).map((c) => c.pid));
  const results = await Promise.all(Array.from({ length: k }, () => invokeTail(unkai.url, name)));
  const failed = results.filter((r) => !r.ok);
  await sleep(300);
  // Under a sandbox driver the runtime is a descendant (sh → bwrap → runtime): count each new
  // child's whole process tree as one environment.
  const treeRss = (pid) => rssMb(pid) + childrenOf(pid).reduce((sum, c) => sum + treeRss(c.pid), 0);
  const envs = childrenOf(unkai.pid).filter((c) => !before.has(c.pid)).map((c) => ({ ...c, rss: treeRss(c.pid) }));
  // A linux environment's network helpers (slirp4netns, socat relays) are Unkai's children too: they
  // count towards their environment, not as environments.
  const helper = (c) => /^\/usr\/bin\/(slirp4netns|nsenter|socat) /.test(c.cmdline);
  const sandboxes = envs.filter((c) => !helper(c)).length;
  const total = envs.reduce((a, c) => a + c.rss, 0);
  return { k, count: sandboxes, total, perEnv: sandboxes ? total / sandboxes : Number.NaN, helpersMb: envs.filter(helper).reduce((a, c) => a + c.rss, 0), server: rssMb(unkai.pid), failed: failed.map((r) => r.detail), commands: [...new Set(envs.map((e) => e.cmdline))] };
}

// ---------------------------------------------------------------- main

/** Each phase runs on its own: one that fails is reported as not measurable and the others go on. */
async function attempt(results, key, fn) {
  try {
    results[key] = await fn();
  } catch (error) {
    results.failures[key] = String(error?.message ?? error).split("\n")[0].slice(0, 400);
    log(`${key} failed: ${results.failures[key]}`);
  }
}

async function main() {
  if (!existsSync(join(ROOT, "dist", "src", "cli", "main.js"))) throw new Error("dist/ is missing: build first (npm run build or npx tsc -p tsconfig.json).");
  const machine = machineInfo();
  machine.loadBefore = loadAverage();
  log(`scratch dir ${work}${QUICK ? " (QUICK mode)" : ""}`);
  const results = { machine, params: P, failures: {} };

  const nodeDir = join(work, "handler-node");
  const pyDir = join(work, "handler-python");
  mkdirSync(nodeDir);
  mkdirSync(pyDir);
  writeFileSync(join(nodeDir, "index.js"), HELLO_JS);
  writeFileSync(join(pyDir, "app.py"), HELLO_PY);

  if (process.env.UNKAI_BENCH_ONLY === "isolation") return isolationOnly(results, nodeDir, pyDir);
  ensureWrk();
  if (wanted("startup")) await attempt(results, "startup", phaseStartup);

  log("starting baseline and Unkai (default pre-start pool)");
  const baseline = await spawnUntilLine(process.execPath, [BASELINE, nodeDir, "index.handler"], { pattern: /baseline ready at (http:\/\/\S+)/ });
  running.add(baseline.child);
  const base = { url: baseline.match[1], pid: baseline.child.pid };
  // The floor of (a) and (b): a row without it still measures Unkai and the baseline.
  const floorServer = await spawnUntilLine(process.execPath, [FLOOR, nodeDir, "index.handler", String(Math.max(...P.concurrencies))], { pattern: /floor ready at (http:\/\/\S+)/ }).catch((error) => {
    log(`floor server not started: ${error.message}`);
    return undefined;
  });
  if (floorServer) running.add(floorServer.child);
  const floor = floorServer ? { url: floorServer.match[1], pid: floorServer.child.pid } : undefined;
  // The async phase's function reports to this collector on the host's loopback, relayed into its sandbox.
  const asyncCollector = await startCollector();
  let kA;
  await attempt(results, "serverA", async () => {
    kA = await startUnkai("pooled", { UNKAI_SANDBOX_HOST_PORTS: String(asyncCollector.port) });
    return { readyMs: kA.readyMs };
  });
  if (kA) {
    if (wanted("memory")) await attempt(results, "idleA", () => phaseIdleRss(kA));
    if (wanted("cold")) await attempt(results, "coldA", () => phaseCold(kA, "pooled server"));
    let warm = false;
    await attempt(results, "warmup", async () => {
      await createFunction(kA.url, "bench-hello", "nodejs20.x", "index.handler", { "index.js": HELLO_JS });
      const first = await invokeTail(kA.url, "bench-hello");
      if (!first.ok) throw new Error(`warm-up invoke failed: ${first.detail}`);
      warm = true;
      return true;
    });
    if (warm) {
      const invokeUrl = `${kA.url}${invokePath("bench-hello")}`;
      if (wanted("latency")) {
        await attempt(results, "latency", async () => ({ ...(await phaseLatencyWrk({ unkai: kA, baseline: base, floor, invokeUrl, log, P: { ...P, latencyRounds: P.wrkRounds } })), split: await phaseSplit(kA.url) }));
      }
      if (wanted("tput")) await attempt(results, "tput", () => phaseThroughputWrk({ unkai: kA, baseline: base, floor, invokeUrl, burst: (c) => burst(kA, c), log, P }));
      results.rssAfterLoad = rssMb(kA.pid);
      if (wanted("async")) {
        await attempt(results, "async", () =>
          phaseAsync({ unkai: kA, collector: asyncCollector, createFunction, work, here: HERE, log, seconds: QUICK ? 2 : 5, concurrency: 32 }),
        );
      }
      if (wanted("gateway")) await attempt(results, "gateway", () => phaseGateway({ unkai: kA, createFunction, work, log, seconds: QUICK ? 2 : 5, warmSeconds: P.tputWarmSec }));
      if (wanted("s3")) await attempt(results, "s3", () => phaseS3({ unkai: kA, work, log, quick: QUICK }));
      if (wanted("dynamodb")) {
        // DynamoDB's own endpoint, one worker process per core (docs/dynamodb-endpoint.md), in an Unkai of its own.
        const startEndpoint = async (workers) => startUnkai("dynamodb-workers", { UNKAI_DYNAMODB_WORKERS: String(workers), UNKAI_DYNAMODB_PORT: "0" }, DYNAMODB_READY);
        await attempt(results, "dynamodb", () => phaseDynamoDb({ unkai: kA, startEndpoint, stopEndpoint: stopUnkai, work, log, quick: QUICK }));
      }
      if (wanted("scheduler")) await attempt(results, "scheduler", () => phaseScheduler({ unkai: kA, log, quick: QUICK }));
    }
    await stopUnkai(kA);
  }
  await stopProcess(baseline.child);
  running.delete(baseline.child);
  if (floorServer) {
    await stopProcess(floorServer.child);
    running.delete(floorServer.child);
  }

  let kB;
  if (wanted("cold") || wanted("memory")) log("starting Unkai with UNKAI_PRESTART=0");
  if (wanted("cold") || wanted("memory")) await attempt(results, "serverB", async () => {
    kB = await startUnkai("unpooled", { UNKAI_PRESTART: "0" });
    return { readyMs: kB.readyMs };
  });
  if (kB) {
    if (wanted("memory")) await attempt(results, "idleB", () => phaseIdleRss(kB));
    await attempt(results, "coldB", () => phaseCold(kB, "server without pool"));
    if (wanted("memory")) await attempt(results, "envNode", () => phaseEnvRss(kB, "node", "nodejs20.x", "index.handler", { "index.js": SLOW_JS }, P.envK));
    if (wanted("memory") && results.coldB?.python.ms.length > 0) {
      await attempt(results, "envPy", () => phaseEnvRss(kB, "python", "python3.12", "app.handler", { "app.py": SLOW_PY }, Math.max(2, P.envK / 2)));
    }
    await stopUnkai(kB);
  }

  if (wanted("isolation")) {
    await attempt(results, "isolation", () =>
      phaseIsolation({ startUnkai, stopUnkai, createFunction, invokeTail, loadgen, phaseEnvRss, invokePath, log, P, helloJs: HELLO_JS, slowJs: SLOW_JS }),
    );
  }
  if (wanted("cold")) await attempt(results, "bare", () => phaseBare({ node: nodeDir, python: pyDir }));
  if (wanted("claims")) await attempt(results, "claims", () => phaseClaims({ log, quick: QUICK }));
  if (wanted("sqs")) await attempt(results, "sqs", () => phaseSqs({ startUnkai, stopUnkai, createFunction, work, here: HERE, log, quick: QUICK }));
  if (wanted("kinesis")) await attempt(results, "kinesis", () => phaseKinesis({ startUnkai, stopUnkai, work, here: HERE, log, quick: QUICK }));
  if (wanted("cloudwatch")) await attempt(results, "cloudwatch", () => phaseCloudWatch({ startUnkai, stopUnkai, log, quick: QUICK }));
  if (wanted("iam")) await attempt(results, "iam", () => phaseIam({ startUnkai, stopUnkai, createFunction, invokePath, log, P }));

  machine.loadAfter = loadAverage();
  if (ONLY) {
    // A partial run prints what it measured and leaves BENCHMARKS.md as it is.
    console.log(render(results));
    if (Object.keys(results.failures).length) process.exitCode = 1;
    return;
  }
  writeFileSync(OUT, render(results));
  if (process.env.UNKAI_BENCH_KEEP === "1") writeFileSync(join(work, "results.json"), JSON.stringify(results, null, 2));
  log(`wrote ${OUT}`);
  if (Object.keys(results.failures).length) {
    log(`some phases failed: ${Object.keys(results.failures).join(", ")} (see BENCHMARKS.md)`);
    process.exitCode = 1;
  }
}

/** The isolation section alone, with the pooled-cold-start-to-bare-node ratio per driver. */
async function isolationOnly(results, nodeDir, pyDir) {
  await attempt(results, "isolation", () =>
    phaseIsolation({ startUnkai, stopUnkai, createFunction, invokeTail, loadgen, phaseEnvRss, invokePath, log, P, helloJs: HELLO_JS, slowJs: SLOW_JS }),
  );
  await attempt(results, "bare", () => phaseBare({ node: nodeDir, python: pyDir }));
  for (const line of isolationSection(results.isolation)) console.log(line);
  const bare = median(results.bare?.node ?? []);
  for (const driver of ["process", "linux"]) {
    const pooled = median(results.isolation?.pooled[driver] ?? []);
    console.log(`pooled Node cold start, ${driver} driver: ${fmt(pooled, 1)} ms = ${fmt(pooled / bare)}× a bare node start (${fmt(bare, 1)} ms)`);
  }
  if (Object.keys(results.failures).length) console.log("failures:", JSON.stringify(results.failures));
}

// ---------------------------------------------------------------- report

function verdict(ok) {
  if (ok === undefined) return "not measured";
  return ok ? "**hit**" : "**MISS**";
}

const medianOr = (xs) => (xs && xs.length ? median(xs) : Number.NaN);
const known = (x) => typeof x === "number" && !Number.isNaN(x);

function render(r) {
  const m = r.machine;
  const F = r.failures;
  const lines = [];
  const p = (s = "") => lines.push(s);
  const failed = (key, what) => p(`Not measurable in this run: ${what} failed: ${escapeCell(F[key] ?? "an earlier step failed")}`);

  const L = r.latency;
  const addedP50 = L ? L.unkai.p50 - L.base.p50 : Number.NaN;
  const addedP99 = L ? L.unkai.p99 - L.base.p99 : Number.NaN;
  const bareNode = medianOr(r.bare?.node);
  const barePy = medianOr(r.bare?.python);
  const cold = (which, rt) => r[which]?.[rt];
  const pooledNode = medianOr(cold("coldA", "node")?.ms);
  const coldRatio = pooledNode / bareNode;
  const startMed = medianOr(r.startup?.fresh);
  const bareStart = medianOr(r.startup?.bare);

  p("# Unkai benchmarks");
  p();
  p("Generated by `npm run bench` (bench/run.js); every figure below comes from one run, with Unkai and its baseline measured side by side in that run.");
  p("Absolute times are noisy on a small shared machine; the ratios against the baseline are the figures to compare across runs.");
  p();
  p(`**Machine:** ${m.model}, ${m.cores} cores, ${fmt(m.memGiB, 1)} GiB RAM, Linux ${m.kernel}, Node ${m.node}. **Date:** ${m.date}. Load average before / after the run: ${m.loadBefore} / ${m.loadAfter} (other work on the host skews absolute figures).`);
  p();
  p("**How to run:** `npm run bench` (about 13 minutes; loopback only; writes this file; installs `wrk` with apt-get when it is missing, and serverless-offline into `~/.cache/unkai-bench` on first use). `UNKAI_BENCH_QUICK=1 npm run bench` for a short trial, `UNKAI_BENCH_KEEP=1` to keep logs and raw results, `UNKAI_BENCH_ONLY=latency,tput,gateway` (any of startup, memory, cold, latency, tput, async, gateway, s3, isolation, claims, sqs, kinesis, dynamodb, cloudwatch, scheduler, iam) to run some phases and print them without touching this file. `node bench/ab.js <before repo> <after repo>` compares two builds in one run (wrk rounds alternating); `node bench/ab-dynamodb.js <before repo> <after repo>` does the same for (k)'s GetItem, PutItem and Query at 8 connections, with dynalite beside them (`AB_AFTER_ARGS=\"--dynamodb-workers 2\"` measures DynamoDB's endpoint on one side).");
  p();
  for (const line of METHOD) p(line);
  p("## Summary");
  p();
  p("| Measure | Unkai | Baseline | Ratio (Unkai / baseline) | Target | Result |");
  p("|---|---|---|---|---|---|");
  p(`| (a) warm invoke latency p50, 1 connection (wrk) | ${fmt(L?.unkai.p50, 3)} ms | ${fmt(L?.base.p50, 3)} ms | ${fmt(L?.unkai.p50 / L?.base.p50)}× | added p50 ≤ 0.2 ms (got +${fmt(addedP50, 3)} ms) | ${verdict(known(addedP50) ? addedP50 <= 0.2 : undefined)} |`);
  p(`| (a) warm invoke latency p99, 1 connection | ${fmt(L?.unkai.p99, 3)} ms | ${fmt(L?.base.p99, 3)} ms | ${fmt(L?.unkai.p99 / L?.base.p99)}× | — (added +${fmt(addedP99, 3)} ms) | |`);
  for (const c of P.concurrencies) {
    const row = r.tput?.find((x) => x.c === c);
    const ratio = row ? row.unkai.rps / row.base.rps : Number.NaN;
    p(`| (b) Invoke API throughput, ${c} connection${c > 1 ? "s" : ""} (wrk) | ${fmt(row?.unkai.rps, 0)} req/s | ${fmt(row?.base.rps, 0)} req/s (bare node:http) | ${fmt(ratio * 100, 1)} % | ${c === 32 ? "≥ 25 %" : "—"} | ${c === 32 ? verdict(known(ratio) ? ratio >= 0.25 : undefined) : ""} |`);
  }
  const row32 = r.tput?.find((row) => row.c === 32);
  const serverPerReq = row32?.unkai.serverMsPerReq;
  p(`| (b) Unkai server CPU per request, 32 connections | ${fmt(serverPerReq, 3)} ms (+ ${fmt(row32?.unkai.childMsPerReq, 3)} ms in environments) | ${fmt(row32?.base.serverMsPerReq, 3)} ms | ${fmt(serverPerReq / row32?.base.serverMsPerReq)}× | ≤ 0.05 ms | ${verdict(known(serverPerReq) ? serverPerReq <= 0.05 : undefined)} |`);
  if (L?.floor) p(`| (a) the floor's added p50, 1 connection (bench/floor-server.js) | ${fmt(L.floor.p50, 3)} ms | ${fmt(L.base.p50, 3)} ms | ${fmt(L.floor.p50 / L.base.p50)}× | — (the floor adds +${fmt(L.floor.p50 - L.base.p50, 3)} ms; Unkai +${fmt(addedP50, 3)} ms) | |`);
  const floor32 = row32?.floor;
  if (floor32) {
    p(`| (b) the floor's throughput, 32 connections (two processes, two hops) | ${fmt(floor32.rps, 0)} req/s | ${fmt(row32.base.rps, 0)} req/s (bare node:http) | ${fmt((floor32.rps / row32.base.rps) * 100, 1)} % | — (the floor of Unkai's ≥ 25 %) | |`);
    p(`| (b) Unkai against the floor, 32 connections | ${fmt(row32.unkai.rps, 0)} req/s | ${fmt(floor32.rps, 0)} req/s (floor) | ${fmt((row32.unkai.rps / floor32.rps) * 100, 1)} % | — | |`);
    p(`| (b) the floor's server CPU per request, 32 connections | ${fmt(floor32.serverMsPerReq, 3)} ms (+ ${fmt(floor32.childMsPerReq, 3)} ms in its children) | ${fmt(row32.base.serverMsPerReq, 3)} ms | ${fmt(floor32.serverMsPerReq / row32.base.serverMsPerReq)}× | — (the floor of Unkai's ≤ 0.05 ms) | |`);
  }
  p(`| (c) cold start, Node, pooled (client time) | ${fmt(pooledNode, 1)} ms | ${fmt(bareNode, 1)} ms (bare \`node\` + require) | ${fmt(coldRatio)}× | ≤ 0.6× | ${verdict(known(coldRatio) ? coldRatio <= 0.6 : undefined)} |`);
  const coldSummary = (label, which, rt, bare) => {
    const med = medianOr(cold(which, rt)?.ms);
    p(`| (c) cold start, ${label} | ${fmt(med, 1)} ms | ${fmt(bare, 1)} ms | ${fmt(med / bare)}× | — | ${known(med) ? "" : "not measurable"} |`);
  };
  coldSummary("Node, no pool", "coldB", "node", bareNode);
  coldSummary("Python, pooled", "coldA", "python", barePy);
  coldSummary("Python, no pool", "coldB", "python", barePy);
  p(`| (d) idle RSS of the server process | ${fmt(r.idleA?.server, 1)} MB | — | — | ≤ 100 MB | ${verdict(r.idleA ? r.idleA.server <= 100 : undefined)} |`);
  p(`| (d) RSS per warm Node environment | ${fmt(r.envNode?.perEnv, 1)} MB | — | — | — | |`);
  for (const row of asyncSummaryRows(r.async, verdict)) p(row);
  for (const row of isolationSummaryRows(r.isolation, verdict)) p(row);
  for (const row of gatewaySummaryRows(r.gateway, verdict)) p(row);
  for (const row of s3SummaryRows(r.s3, verdict)) p(row);
  for (const row of dynamoDbSummaryRows(r.dynamodb, verdict)) p(row);
  for (const row of claimsSummaryRows(r.claims)) p(row);
  for (const row of sqsSummaryRows(r.sqs, verdict)) p(row);
  for (const row of kinesisSummaryRows(r.kinesis)) p(row);
  for (const row of cloudWatchSummaryRows(r.cloudwatch)) p(row);
  for (const row of schedulerSummaryRows(r.scheduler, verdict)) p(row);
  for (const row of iamSummaryRows(r.iam, verdict)) p(row);
  p(`| (e) spawn → ready line (fresh data dir) | ${fmt(startMed, 0)} ms | ${fmt(bareStart, 0)} ms (\`node -e ""\`) | ${fmt(startMed / bareStart)}× | ≤ 1000 ms | ${verdict(known(startMed) ? startMed <= 1000 : undefined)} |`);
  p();
  const why = [];
  if (known(addedP50) && addedP50 > 0.2 && L.split) {
    why.push(`(a) missed: of Unkai's p50, the runtime round trip (REPORT Duration) is ${fmt(L.split.durationP50, 3)} ms and the API front end plus bookkeeping ${fmt(L.split.clientP50 - L.split.durationP50, 3)} ms (see (a)).`);
  }
  if (row32 && row32.unkai.rps / row32.base.rps < 0.25) {
    const k = row32.unkai;
    why.push(`(b) missed: at 32 connections each Unkai request costs ${fmt(k.serverMsPerReq + k.childMsPerReq, 3)} ms of CPU (server ${fmt(k.serverMsPerReq, 3)} + environments ${fmt(k.childMsPerReq, 3)}) against ${fmt(row32.base.serverMsPerReq, 3)} ms in the baseline server; wrk used ${fmt(k.cpuPct, 0)} % and ${fmt(row32.base.cpuPct, 0)} % of a core in the two runs.`);
    if (floor32) {
      const floorShare = floor32.rps / row32.base.rps;
      const reach = floorShare < 0.25 ? "below the ≥ 25 % target itself" : floorShare < 0.3 ? "within a few points of the ≥ 25 % target" : "above the ≥ 25 % target";
      why.push(`(b) the floor: a server that only passes each event to a child process and back (no signature check, logs, records, metrics or isolation) reaches ${fmt(floorShare * 100, 1)} % of bare at 32 connections (${reach}), spending ${fmt(floor32.serverMsPerReq, 3)} ms of server CPU (the ≤ 0.05 ms target: ${floor32.serverMsPerReq <= 0.05 ? "met by the floor alone" : "missed by the floor alone"}) and ${fmt(floor32.childMsPerReq, 3)} ms in its children per request. Unkai reaches ${fmt((row32.unkai.rps / floor32.rps) * 100, 1)} % of the floor's throughput.`);
    }
  }
  why.push(...dynamoDbWhy(r.dynamodb));
  if (known(coldRatio) && coldRatio > 0.6) why.push(`(c) missed: pooled Node cold start ${fmt(pooledNode, 1)} ms, Init Duration ${fmt(medianOr(cold("coldA", "node").initMs), 1)} ms.`);
  if (why.length) {
    p("Why targets were missed (from this run's figures):");
    p();
    for (const w of why) p(`- ${w}`);
    p();
  }

  for (const line of latencySection(L, `Not measurable in this run: ${escapeCell(F.warmup ? "the warm-up invoke" : "the latency phase")} failed: ${escapeCell(F.warmup ?? F.latency ?? "an earlier step failed")}`)) p(line);
  if (L?.split) {
    p(`Split of Unkai's time (${L.split.n} further sequential invokes with \`X-Amz-Log-Type: Tail\`): client-side p50 ${fmt(L.split.clientP50, 3)} ms, of which the REPORT line's \`Duration\` (event handed to the runtime → its response back in Unkai, handler included) is p50 ${fmt(L.split.durationP50, 3)} ms; the rest (${fmt(L.split.clientP50 - L.split.durationP50, 3)} ms) is the Invoke API front end, placement and bookkeeping.`);
    p();
  }
  for (const line of throughputSection(r.tput, m.cores, `Not measurable in this run: ${escapeCell(F.warmup ? "the warm-up invoke" : "the throughput phase")} failed: ${escapeCell(F.warmup ?? F.tput ?? "an earlier step failed")}`)) p(line);
  if (r.rssAfterLoad !== undefined) {
    p(`Server RSS after the throughput runs: ${fmt(r.rssAfterLoad, 1)} MB.`);
    p();
  }

  for (const line of asyncSection(r.async)) p(line);
  for (const line of isolationSection(r.isolation)) p(line);
  for (const line of gatewaySection(r.gateway)) p(line);
  for (const line of s3Section(r.s3)) p(line);
  for (const line of dynamoDbSection(r.dynamodb)) p(line);
  for (const line of claimsSection(r.claims)) p(line);
  for (const line of sqsSection(r.sqs)) p(line);
  for (const line of kinesisSection(r.kinesis)) p(line);
  for (const line of cloudWatchSection(r.cloudwatch)) p(line);
  for (const line of schedulerSection(r.scheduler)) p(line);
  for (const line of iamSection(r.iam)) p(line);
  p("## (c) Cold start");
  p();
  p(`First Invoke of each of ${P.coldN} never-invoked functions per runtime (hello handler; client-side time of the Invoke, with \`X-Amz-Log-Type: Tail\`), on a server with the default pre-start pool and on a separate server with \`UNKAI_PRESTART=0\`. A ${P.coldGapMs} ms pause before each cold invoke lets the pool refill. Baselines: \`node -e "require('./index.js')"\` and \`/usr/bin/python3 -c "import app"\` in the handler's folder, spawn → exit, median of ${P.bareRuns}.`);
  p();
  p("| | Unkai client time median (min–max), ms | Init Duration median (REPORT), ms | Bare process start median, ms | Unkai / bare |");
  p("|---|---|---|---|---|");
  const coldRow = (label, which, rt, bareMs) => {
    const c = cold(which, rt);
    if (!c || c.ms.length === 0) {
      p(`| ${label} | not measurable: ${escapeCell((c?.errors[0] ?? F[which] ?? "no data").slice(0, 300))} | | ${fmt(bareMs, 1)} | |`);
      return;
    }
    const err = c.errors.length ? ` (${c.errors.length} of ${c.errors.length + c.ms.length} failed)` : "";
    p(`| ${label} | ${fmt(median(c.ms), 1)} (${fmt(Math.min(...c.ms), 1)}–${fmt(Math.max(...c.ms), 1)})${err} | ${c.initMs.length ? fmt(median(c.initMs), 1) : "not reported"} | ${fmt(bareMs, 1)} | **${fmt(median(c.ms) / bareMs)}×** |`);
  };
  coldRow("Node, pooled", "coldA", "node", bareNode);
  coldRow("Node, no pool", "coldB", "node", bareNode);
  coldRow("Python, pooled", "coldA", "python", barePy);
  coldRow("Python, no pool", "coldB", "python", barePy);
  if (r.bare?.pythonError) p(`\nBare Python start failed: ${escapeCell(r.bare.pythonError)}`);
  p();

  p("## (d) Memory");
  p();
  p("| | RSS (MB) |");
  p("|---|---|");
  if (r.idleA) {
    const pool = r.idleA.children.map((c) => `${processLabel(c.cmdline)} ${fmt(c.rss, 1)} MB`).join("; ");
    p(`| Server process, idle, default config | **${fmt(r.idleA.server, 1)}** |`);
    p(`| Pre-started pool processes (children) | ${fmt(r.idleA.children.reduce((a, c) => a + c.rss, 0), 1)} (${r.idleA.children.length}: ${pool || "none"}) |`);
  }
  if (r.idleB) p(`| Server process, idle, \`UNKAI_PRESTART=0\` | ${fmt(r.idleB.server, 1)} |`);
  if (r.envNode) p(`| Node environment, warm (${r.envNode.count} environments after ${r.envNode.k} concurrent slow invokes) | **${fmt(r.envNode.perEnv, 1)}** each, ${fmt(r.envNode.total, 1)} total |`);
  if (r.envPy) p(`| Python environment, warm (${r.envPy.count} environments after ${r.envPy.k} concurrent slow invokes) | **${fmt(r.envPy.perEnv, 1)}** each, ${fmt(r.envPy.total, 1)} total |`);
  p();
  p("Environments are counted as the unkai process's children that appeared during the concurrent invokes (server without a pool, so pool refills are not mixed in); RSS is VmRSS from /proc.");
  p();

  p("## (e) Startup");
  p();
  if (!r.startup) {
    failed("startup", "the startup phase");
  } else {
    const st = r.startup;
    p(`Spawn of \`node bin/unkai.js start --port 0\` → its ready line on stdout, ${st.fresh.length} runs (default settings: fresh data dir, so the first start also deploys the example function; then a restart on the same data dir).`);
    p();
    p("| | median (ms) | min–max (ms) | ratio to `node -e \"\"` |");
    p("|---|---|---|---|");
    p(`| \`unkai start\`, fresh data dir | **${fmt(startMed, 0)}** | ${fmt(Math.min(...st.fresh), 0)}–${fmt(Math.max(...st.fresh), 0)} | ${fmt(startMed / bareStart)}× |`);
    p(`| \`unkai start\`, existing data dir | ${fmt(median(st.reused), 0)} | ${fmt(Math.min(...st.reused), 0)}–${fmt(Math.max(...st.reused), 0)} | ${fmt(median(st.reused) / bareStart)}× |`);
    p(`| "started in" reported by Unkai (fresh) | ${fmt(median(st.internal), 0)} | | |`);
    p(`| \`node -e ""\` | ${fmt(bareStart, 0)} | ${fmt(Math.min(...st.bare), 0)}–${fmt(Math.max(...st.bare), 0)} | 1.00× |`);
  }
  p();

  const anomalies = Object.entries(F).map(([key, message]) => `phase ${key} failed: ${message}`);
  if (L && (L.unkai.errors || L.base.errors)) anomalies.push(`latency phase errors: Unkai ${L.unkai.errors}, baseline ${L.base.errors}`);
  for (const row of r.tput ?? []) {
    const errors = (x) => x.errors + x.non2xx;
    if (errors(row.unkai) || errors(row.base)) anomalies.push(`throughput at ${row.c}: errors Unkai ${errors(row.unkai)}, baseline ${errors(row.base)}`);
    if (row.unkai.endedDuringRun > 0) anomalies.push(`throughput at ${row.c}: ${row.unkai.endedDuringRun} processes under Unkai ended during the measured run (their CPU is not counted)`);
  }
  for (const [label, which, rt] of [["pooled Node", "coldA", "node"], ["pooled Python", "coldA", "python"], ["unpooled Node", "coldB", "node"], ["unpooled Python", "coldB", "python"]]) {
    const c = cold(which, rt);
    if (!c) continue;
    if (c.errors.length) anomalies.push(`${label} cold invokes failed ${c.errors.length}×: ${c.errors[0].slice(0, 300)}`);
    if (c.ms.length && c.initMs.length < c.ms.length) anomalies.push(`${label}: REPORT line had no Init Duration in ${c.ms.length - c.initMs.length} of ${c.ms.length} cold invokes`);
  }
  for (const env of [r.envNode, r.envPy]) {
    if (!env) continue;
    if (env.count !== env.k) anomalies.push(`expected ${env.k} new environments, found ${env.count} (${env.commands.join(" | ")})`);
    if (env.failed.length) anomalies.push(`slow invokes failed: ${env.failed[0]}`);
  }
  anomalies.push(...notes);
  if (anomalies.length) {
    p("## Anomalies seen in this run");
    p();
    for (const a of anomalies) p(`- ${escapeCell(a)}`);
    p();
  }
  return lines.join("\n");
}

/** How the load rows are measured (BENCHMARKS.md's method section). */
const METHOD = [
  "## Method",
  "",
  "- **Load generator.** The throughput and latency rows ((a), (b), (h) gateway) use `wrk` (Debian package), one thread, keep-alive connections, one request in flight per connection, for Unkai and for its bare `node:http` baseline alike. Every row prints wrk's own CPU (utime + stime from `/proc/self/stat`, read by its Lua script when it loads and when the run ends): it stays a fraction of a core, so the load generator is not what limits a row. (The earlier Node load generator spent about a core itself and capped the baseline.) The asynchronous rows (f) still use bench/loadgen.js: they measure acknowledged, fsynced events, far below either tool's limit.",
  "- **Signed requests.** wrk replays one request per row. The bench signs that exact request (method, path, headers, body) once with SigV4 and Unkai's loopback default key; SigV4 accepts a signed request while its `X-Amz-Date` is within 15 minutes of the server's clock and a row lasts seconds, so every replay carries a valid signature that Unkai verifies in full (key lookup, scope, canonical request, HMAC). HTTP API rows are unsigned, as public API calls are.",
  "- **CPU accounting.** For every row: the server process's own CPU, and the sum over every descendant of the Unkai process (each environment's shell, bubblewrap, the runtime and whatever it started, the network helpers), from `/proc/<pid>/stat` before and after the run; per request = CPU ÷ requests completed. A descendant that ends during a run would be missed; the report lists any (none in a warm steady state).",
  "- **Same-run ratios.** Unkai and its baseline run in the same process of this script, one after the other; the machine is shared, so the ratios are the figures to compare across runs.",
  "- **The floor, measured.** An Invoke cannot cost less than two processes and two socket hops per request: the client's request reaches the server over a socket, the event reaches the runtime over its socketpair and back, and the response goes back over the socket; the baseline has one process and one hop. Each hop is a write syscall and a wake-up of the reader. (a) and (b) measure that floor beside Unkai in the same run: bench/floor-server.js does exactly those hops with 32 child Node processes and nothing else (no signature check, logs, records, metrics or isolation). (k) does the same for GetItem with bench/floor-dynamodb.js (node:http, the SigV4 check, one SQLite read), signed and unsigned, which also prices the signature check alone. A target at or beyond its floor cannot be met on this machine by any server that does the work Unkai must do.",
  "- **A loaded host.** The linux driver gives each environment the CPU weight of its memory, as Lambda does (1,769 MB = one vCPU; a 128 MB hello function gets 74 of cgroup v1's default 1,024 shares), while the baseline server runs at the default weight. On a machine other work keeps busy, the runtime's wake-ups therefore wait behind everything else and Unkai's rows fall far more than the baseline's (its server then sits mostly idle, waiting for the runtime); compare runs taken on a quiet machine.",
  "- **serverless-offline** (the peer many pick for local HTTP APIs) runs in the gateway phase (h) beside Unkai and the bare baseline, the same wrk rows against the same handler behind an `httpApi` event. It is not a dependency of Unkai: on first use the bench installs `serverless@3` and `serverless-offline@13` (MIT; 13 is the last major that runs on serverless 3, and serverless 4 needs a login and a licence key) with `npm install --no-save --prefix ~/.cache/unkai-bench/serverless-offline`; without network its rows say \"not run\" and why. It runs with its defaults (handlers in worker threads of its one process), so that process's CPU is its whole cost per request (bench/serverless-offline.js).",
  "",
];

function escapeCell(text) {
  return String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}

try {
  await main();
} catch (error) {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  for (const child of running) await stopProcess(child, 3_000);
  closeAgent();
  if (process.env.UNKAI_BENCH_KEEP === "1") log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
