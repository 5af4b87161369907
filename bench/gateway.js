// Gateway benchmark: requests per second and p50/p99 latency through an HTTP API (quick create) to a warm
// hello function at 1, 8 and 32 connections, beside a bare node:http server running the same handler
// in-process (bench/gateway-baseline.js), measured with wrk in the same run (bench/wrk.js), with the CPU
// of wrk, of each server and of Unkai's environments per request. The same rows run against
// serverless-offline serving the same handler (bench/serverless-offline.js), the peer users pick today.
// Standalone: `node bench/gateway.js` (after a build) prints the section; `bench/run.js` adds it to BENCHMARKS.md.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBenchRole, fmt, request, spawnUntilLine, stopProcess, zipFiles } from "./lib.js";
import { measured } from "./throughput.js";
import { runWrk } from "./wrk.js";
import { ensureServerlessOffline, offlineSection, offlineSummaryRows, startServerlessOffline } from "./serverless-offline.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const HELLO_HTTP_JS = `exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ hello: "world" }) });\n`;

/** Runs the gateway phase against a started Unkai; `createFunction` and `log` come from run.js (or the standalone runner). */
export async function phaseGateway({ unkai, createFunction, work, log, seconds, warmSeconds = 1, concurrencies = [1, 8, 32] }) {
  const dir = join(work, "handler-gateway");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), HELLO_HTTP_JS);
  await createFunction(unkai.url, "bench-gw", "nodejs20.x", "index.handler", { "index.js": HELLO_HTTP_JS });
  const created = await request(`${unkai.url}/v2/apis`, {
    method: "POST",
    service: "apigateway",
    body: { name: "bench", protocolType: "HTTP", target: "arn:aws:lambda:us-east-1:000000000000:function:bench-gw" },
  });
  if (created.status !== 201) throw new Error(`CreateApi: HTTP ${created.status} ${created.body.slice(0, 200)}`);
  const gatewayUrl = `${unkai.url}/_aws/execute-api/${JSON.parse(created.body).apiId}/hello`;
  const baseline = await spawnUntilLine(process.execPath, [join(HERE, "gateway-baseline.js"), dir], { pattern: /baseline ready at (http:\/\/\S+)/ });
  const baselineUrl = `${baseline.match[1]}/hello`;
  const rows = [];
  let offline = {};
  try {
    offline = await startPeer({ work, log });
    // Warm every server at the highest concurrency, so every environment (or worker thread) it needs is started (no cold starts in the rows).
    for (const url of [gatewayUrl, baselineUrl]) await runWrk({ url, method: "GET", body: "", connections: Math.max(...concurrencies), seconds: 2 });
    await measurePeer(offline, Math.max(...concurrencies), 2, 0);
    for (const connections of concurrencies) {
      log(`(h) gateway vs bare node:http${offline.server ? " vs serverless-offline" : ""}, ${connections} connections, ${seconds} s each (wrk)`);
      const g = await measured(unkai.pid, { url: gatewayUrl, method: "GET", body: "" }, connections, seconds, warmSeconds);
      const b = await measured(baseline.child.pid, { url: baselineUrl, method: "GET", body: "" }, connections, seconds, warmSeconds);
      const o = await measurePeer(offline, connections, seconds, warmSeconds);
      rows.push({ connections, gateway: g, baseline: b, offline: o });
    }
  } finally {
    await stopProcess(baseline.child);
    if (offline.server) await stopProcess(offline.server.child, 5_000);
  }
  return { seconds, rows, offline: { versions: offline.versions, notRun: offline.notRun } };
}

/** One serverless-offline row; a failure is recorded as `peer.notRun` and ends its rows, not the phase. */
async function measurePeer(peer, connections, seconds, warmSeconds) {
  if (!peer.server || peer.notRun) return undefined;
  try {
    return await measured(peer.server.pid, { url: peer.server.url, method: "GET", body: "" }, connections, seconds, warmSeconds);
  } catch (error) {
    peer.notRun = `wrk at ${connections} connections failed: ${String(error?.message ?? error).split("\n")[0].slice(0, 300)}`;
    return undefined;
  }
}

/** Installs (first run) and starts serverless-offline; a failure becomes `notRun` (the reason), not a failed phase. */
async function startPeer({ work, log }) {
  let versions;
  try {
    const peer = await ensureServerlessOffline({ work, log });
    versions = peer.versions;
    log(`(h) starting serverless-offline ${versions.offline} (serverless ${versions.serverless})`);
    const server = await startServerlessOffline({ dir: peer.dir, work, handlerJs: HELLO_HTTP_JS });
    return { versions, server };
  } catch (error) {
    const notRun = String(error?.message ?? error).split("\n")[0].slice(0, 300);
    log(`(h) serverless-offline not run: ${notRun}`);
    return { versions, notRun };
  }
}

const errorsOf = (run) => run.errors + run.non2xx;

/** The rows of the BENCHMARKS.md summary table. */
export function gatewaySummaryRows(result, verdict) {
  const at32 = result?.rows.find((row) => row.connections === 32);
  const at1 = result?.rows.find((row) => row.connections === 1);
  if (!at32 || !at1) return ["| (h) API gateway | not measurable | | | | |", ...offlineSummaryRows(result)];
  const ratio = at32.gateway.rps / at32.baseline.rps;
  const addedP50 = at1.gateway.p50 - at1.baseline.p50;
  return [
    `| (h) HTTP API (payload 2.0) throughput, 32 connections (wrk) | ${fmt(at32.gateway.rps, 0)} req/s | ${fmt(at32.baseline.rps, 0)} req/s (bare node:http) | ${fmt(ratio * 100, 1)} % | ≥ 25 % | ${verdict(ratio >= 0.25)} |`,
    `| (h) HTTP API p50, 1 connection | ${fmt(at1.gateway.p50, 3)} ms | ${fmt(at1.baseline.p50, 3)} ms | ${fmt(at1.gateway.p50 / at1.baseline.p50)}× | added p50 ≤ 0.2 ms (got +${fmt(addedP50, 3)} ms) | ${verdict(addedP50 <= 0.2)} |`,
    `| (h) HTTP API server CPU per request, 32 connections | ${fmt(at32.gateway.serverMsPerReq, 3)} ms (+ ${fmt(at32.gateway.childMsPerReq, 3)} ms in environments) | ${fmt(at32.baseline.serverMsPerReq, 3)} ms | ${fmt(at32.gateway.serverMsPerReq / at32.baseline.serverMsPerReq)}× | ≤ 0.05 ms | ${verdict(at32.gateway.serverMsPerReq <= 0.05)} |`,
    ...offlineSummaryRows(result),
  ];
}

/** The BENCHMARKS.md section. */
export function gatewaySection(result) {
  const lines = ["## (h) API gateway", ""];
  if (!result) return [...lines, "Not measured in this run.", ""];
  lines.push(`An HTTP API (quick create, payload 2.0) in front of a warm Node hello function, against a bare \`node:http\` server that builds a payload 2.0 event and calls the same handler in-process (\`bench/gateway-baseline.js\`). wrk, one thread, ${result.seconds} s per row after an unmeasured warm-up run, keep-alive connections, one request in flight per connection; latencies are wrk's (µs resolution).`);
  lines.push("");
  lines.push("| Connections | HTTP API req/s | Baseline req/s | HTTP API / baseline | HTTP API p50 / p99, ms | Baseline p50 / p99, ms | added p50, ms | Unkai server / environments CPU per request | Baseline server CPU per request | wrk CPU (% of a core, HTTP API / baseline run) | Errors (HTTP API, baseline) |");
  lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const row of result.rows) {
    const g = row.gateway;
    const b = row.baseline;
    lines.push(`| ${row.connections} | ${fmt(g.rps, 0)} | ${fmt(b.rps, 0)} | ${fmt((g.rps / b.rps) * 100, 1)} % | ${fmt(g.p50, 3)} / ${fmt(g.p99, 2)} | ${fmt(b.p50, 3)} / ${fmt(b.p99, 2)} | ${fmt(g.p50 - b.p50, 3)} | ${fmt(g.serverMsPerReq, 3)} / ${fmt(g.childMsPerReq, 3)} ms | ${fmt(b.serverMsPerReq, 3)} ms | ${fmt(g.cpuPct, 0)} / ${fmt(b.cpuPct, 0)} | ${errorsOf(g)}, ${errorsOf(b)} |`);
  }
  lines.push("");
  return [...lines, ...offlineSection(result)];
}

/** Standalone: starts its own Unkai on a scratch data dir, runs the phase (short with UNKAI_BENCH_QUICK=1) and prints the section. */
async function standalone() {
  const work = mkdtempSync(join(tmpdir(), "unkai-bench-gateway-"));
  const unkaiBin = join(HERE, "..", "bin", "unkai.js");
  const { child, match } = await spawnUntilLine(process.execPath, [unkaiBin, "start", "--port", "0", "--data-dir", join(work, "data")], {
    env: { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn" },
    pattern: /Unkai ready at (http:\/\/\S+) \(/,
  });
  child.stdout.resume();
  const createFunction = async (url, name, runtime, handler, files) => {
    const zip = await zipFiles(files);
    const res = await request(`${url}/2015-03-31/functions`, {
      method: "POST",
      body: { FunctionName: name, Runtime: runtime, Role: await ensureBenchRole(url), Handler: handler, Code: { ZipFile: zip.toString("base64") } },
    });
    if (res.status !== 201) throw new Error(`CreateFunction ${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  };
  try {
    const quick = process.env.UNKAI_BENCH_QUICK === "1";
    const result = await phaseGateway({ unkai: { url: match[1], pid: child.pid }, createFunction, work, log: console.log, seconds: quick ? 2 : 5 });
    console.log(gatewaySection(result).join("\n"));
  } finally {
    await stopProcess(child, 12_000);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await standalone();
