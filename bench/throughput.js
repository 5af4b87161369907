// (a) warm latency at one connection and (b) warm throughput at 1, 8 and 32 connections, Unkai's
// Invoke API beside a bare node:http server running the same handler (bench/baseline-server.js), both
// driven by wrk (bench/wrk.js), with the CPU of every process involved: wrk, the server, and every
// descendant of Unkai (environments: shell, bubblewrap, runtime, network helpers).
import { fmt, percentile } from "./lib.js";
import { runWrk, treeCpu } from "./wrk.js";

/** What the floor is, under (a) and (b). */
export const FLOOR_TEXT = "Floor: bench/floor-server.js, the least a server can do that runs the handler as Lambda does, in a separate process serving one invocation at a time: a bare node:http server hands each request's event as one frame to an idle child Node process (32 started up front) over its fd-3 socketpair, and the child's one frame back becomes the response. Two processes and two socket hops per request and nothing else: no signature check, routing, logs, records, metrics or isolation. Unkai cannot be cheaper than this on the same machine; the ratio Unkai / floor is how much of that reach it uses.";

/** CPU per request (ms) from a treeCpu reading. */
const perRequest = (ms, requests) => (requests > 0 ? ms / requests : Number.NaN);

/** One measured wrk run with the CPU of `pid` and its descendants; `warmSeconds` of unmeasured load first. */
export async function measured(pid, target, connections, seconds, warmSeconds) {
  if (warmSeconds > 0) await runWrk({ ...target, connections, seconds: warmSeconds });
  const run = await treeCpu(pid, () => runWrk({ ...target, connections, seconds }));
  const n = run.result.requests;
  return {
    ...run.result,
    serverCpuPct: (run.selfMs / run.wallMs) * 100,
    childCpuPct: (run.kidsMs / run.wallMs) * 100,
    serverMsPerReq: perRequest(run.selfMs, n),
    childMsPerReq: perRequest(run.kidsMs, n),
    /** Time the server's threads (its children's too) were ready to run but waited for a core, per request. */
    waitMsPerReq: perRequest(run.waitMs, n),
    processes: run.processes,
    endedDuringRun: run.ended,
  };
}

/**
 * (a): rounds of one-connection wrk runs, Unkai, the baseline and the floor (bench/floor-server.js, when
 * it started) taking turns; percentiles are the medians over rounds.
 */
export async function phaseLatencyWrk({ unkai, baseline, floor, invokeUrl, log, P }) {
  log("(a) warm latency (wrk, 1 connection)");
  const servers = [["unkai", unkai.pid, { url: invokeUrl, sign: "lambda" }], ["base", baseline.pid, { url: `${baseline.url}/` }]];
  if (floor) servers.push(["floor", floor.pid, { url: `${floor.url}/` }]);
  for (const [, , target] of servers) await runWrk({ ...target, connections: 1, seconds: P.latencyWarmSec });
  const rounds = Object.fromEntries(servers.map(([key]) => [key, []]));
  for (let round = 0; round < P.latencyRounds; round++) {
    // Each round starts one server further on, so none always runs first.
    const order = servers.map((_, i) => servers[(i + round) % servers.length]);
    for (const [key, pid, target] of order) rounds[key].push(await measured(pid, target, 1, P.latencySec, 0));
  }
  const summary = (runs) => ({
    rounds: runs.length,
    requests: runs.reduce((a, r) => a + r.requests, 0),
    errors: runs.reduce((a, r) => a + r.errors + r.non2xx, 0),
    p50: percentile(runs.map((r) => r.p50), 50),
    p90: percentile(runs.map((r) => r.p90), 50),
    p99: percentile(runs.map((r) => r.p99), 50),
    mean: percentile(runs.map((r) => r.mean), 50),
    rps: percentile(runs.map((r) => r.rps), 50),
    wrkCpuPct: Math.max(...runs.map((r) => r.cpuPct)),
    serverMsPerReq: percentile(runs.map((r) => r.serverMsPerReq), 50),
    childMsPerReq: percentile(runs.map((r) => r.childMsPerReq), 50),
  });
  return { unkai: summary(rounds.unkai), base: summary(rounds.base), ...(rounds.floor ? { floor: summary(rounds.floor) } : {}) };
}

/**
 * (b): for each concurrency, a burst that makes sure that many environments can exist (`burst`, the
 * Node load generator's count mode: every request completes), then wrk on Unkai, on the baseline and
 * on the floor (when it started).
 */
export async function phaseThroughputWrk({ unkai, baseline, floor, invokeUrl, burst, log, P }) {
  const rows = [];
  for (const c of P.concurrencies) {
    log(`(b) throughput at ${c} connections (wrk)`);
    await burst(c);
    const k = await measured(unkai.pid, { url: invokeUrl, sign: "lambda" }, c, P.tputSec, P.tputWarmSec);
    const b = await measured(baseline.pid, { url: `${baseline.url}/` }, c, P.tputSec, P.tputWarmSec);
    const f = floor ? await measured(floor.pid, { url: `${floor.url}/` }, c, P.tputSec, P.tputWarmSec) : undefined;
    rows.push({ c, unkai: k, base: b, ...(f ? { floor: f } : {}) });
  }
  return rows;
}

/** The (a) section. */
export function latencySection(L, failedLine) {
  const lines = ["## (a) Warm synchronous invoke latency", ""];
  if (!L) return [...lines, failedLine, ""];
  const added = (key) => L.unkai[key] - L.base[key];
  lines.push(
    `wrk, one keep-alive connection, ${L.unkai.rounds} rounds per server (Unkai, the baseline and the floor taking turns, after an unmeasured warm-up run each); each figure is the median over the rounds of wrk's own percentile (µs resolution).`,
    "Unkai: a signed `POST /2015-03-31/functions/bench-hello/invocations` on an already-warm environment. Baseline: a bare node:http server (bench/baseline-server.js, separate process) that parses the body and calls the same handler in-process.",
    "",
    "| | requests | p50 (ms) | p90 (ms) | p99 (ms) | mean (ms) | req/s | server CPU / request | environment CPU / request | wrk CPU (max, % of a core) | errors |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  const servers = [["Unkai", L.unkai], ["Baseline", L.base], ...(L.floor ? [["Floor", L.floor]] : [])];
  for (const [label, s] of servers) {
    lines.push(`| ${label} | ${s.requests} | ${fmt(s.p50, 3)} | ${fmt(s.p90, 3)} | ${fmt(s.p99, 3)} | ${fmt(s.mean, 3)} | ${fmt(s.rps, 0)} | ${fmt(s.serverMsPerReq, 3)} ms | ${label === "Baseline" ? "—" : `${fmt(s.childMsPerReq, 3)} ms`} | ${fmt(s.wrkCpuPct, 0)} | ${s.errors} |`);
  }
  lines.push(`| **Added by Unkai** | | **+${fmt(added("p50"), 3)}** | +${fmt(added("p90"), 3)} | +${fmt(added("p99"), 3)} | +${fmt(added("mean"), 3)} | | | | | |`);
  if (L.floor) {
    const floorAdded = (key) => L.floor[key] - L.base[key];
    const signed = (ms) => `${ms < 0 ? "−" : "+"}${fmt(Math.abs(ms), 3)}`;
    lines.push(`| Added by the floor | | ${signed(floorAdded("p50"))} | ${signed(floorAdded("p90"))} | ${signed(floorAdded("p99"))} | ${signed(floorAdded("mean"))} | | | | | |`);
  }
  lines.push("");
  if (L.floor) lines.push(FLOOR_TEXT, "");
  return lines;
}

/** The (b) section. */
export function throughputSection(rows, cores, failedLine) {
  const lines = ["## (b) Warm throughput", ""];
  if (!rows) return [...lines, failedLine, ""];
  lines.push(
    `wrk (one thread, N keep-alive connections, one request in flight each); an unmeasured warm-up run, then the measured one. Before each concurrency a burst at that concurrency makes sure the environments it may need exist (no cold start inside a row).`,
    `wrk, the server and (for Unkai) the environments share the machine's ${cores} cores; the wrk column shows the load generator's CPU, well below a core, so it was not the limit.`,
    ...(rows.some((row) => row.floor) ? ["The floor is the one described under (a): two processes and two socket hops per request, with as many children as connections can keep busy."] : []),
    "",
    "| Connections | Unkai req/s | Baseline req/s | Unkai / baseline | Floor req/s | Floor / baseline | Unkai / floor | Unkai p50 / p99 (ms) | Baseline p50 / p99 (ms) | Floor p50 / p99 (ms) | errors (U/B/F) |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const row of rows) {
    const f = row.floor;
    lines.push(`| ${row.c} | ${fmt(row.unkai.rps, 0)} | ${fmt(row.base.rps, 0)} | **${fmt((row.unkai.rps / row.base.rps) * 100, 1)} %** | ${fmt(f?.rps, 0)} | ${fmt((f?.rps / row.base.rps) * 100, 1)} % | ${fmt((row.unkai.rps / f?.rps) * 100, 1)} % | ${fmt(row.unkai.p50, 3)} / ${fmt(row.unkai.p99, 2)} | ${fmt(row.base.p50, 3)} / ${fmt(row.base.p99, 2)} | ${fmt(f?.p50, 3)} / ${fmt(f?.p99, 2)} | ${row.unkai.errors + row.unkai.non2xx}/${row.base.errors + row.base.non2xx}/${f ? f.errors + f.non2xx : "—"} |`);
  }
  lines.push(
    "",
    `Where the CPU went (% of one core; the machine has ${cores * 100} %) and CPU per request:`,
    "",
    "| Connections | wrk (Unkai run) | Unkai server | Unkai environments | Unkai server / request | Unkai environments / request | processes under Unkai | wrk (baseline run) | Baseline server | Baseline server / request | Floor server / request | Floor children / request |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const row of rows) {
    const k = row.unkai;
    const b = row.base;
    lines.push(`| ${row.c} | ${fmt(k.cpuPct, 0)} | ${fmt(k.serverCpuPct, 0)} | ${fmt(k.childCpuPct, 0)} | ${fmt(k.serverMsPerReq, 3)} ms | ${fmt(k.childMsPerReq, 3)} ms | ${k.processes} | ${fmt(b.cpuPct, 0)} | ${fmt(b.serverCpuPct, 0)} | ${fmt(b.serverMsPerReq, 3)} ms | ${fmt(row.floor?.serverMsPerReq, 3)} ms | ${fmt(row.floor?.childMsPerReq, 3)} ms |`);
  }
  lines.push(
    "",
    "CPU is user + system time from /proc/<pid>/stat over the measured run: wrk's own (read by its script when it starts and when it ends), the server process's, and the sum over every descendant of the Unkai process (each environment's shell, bubblewrap, the runtime and anything it started, and the network helpers), walked from /proc before and after the run. Under the linux driver's cgroup v1 layout the environments' groups hold only the cpu controller (no cpuacct), so /proc is the one source that covers every driver.",
    "",
  );
  return lines;
}
