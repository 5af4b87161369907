// Gateway benchmark: requests per second and p50/p99 latency through an HTTP API (quick create) to a warm
// hello function at 1, 8 and 32 connections, beside a bare node:http server running the same handler
// in-process (bench/gateway-baseline.js), measured with autocannon in the same run.
// Standalone: `node bench/gateway.js` (after a build) prints the section; `bench/run.js` adds it to BENCHMARKS.md.
import autocannon from "autocannon";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fmt, request, spawnUntilLine, stopProcess, zipFiles } from "./lib.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const HELLO_HTTP_JS = `exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ hello: "world" }) });\n`;

function cannon(url, connections, durationSec) {
  return new Promise((resolveRun, reject) => {
    autocannon({ url, connections, duration: durationSec, pipelining: 1 }, (error, result) => (error ? reject(error) : resolveRun(result)));
  });
}

/** Runs the gateway phase against a started Unkai; `createFunction` and `log` come from run.js (or the standalone runner). */
export async function phaseGateway({ unkai, createFunction, work, log, seconds, concurrencies = [1, 8, 32] }) {
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
  try {
    // Warm both at the highest concurrency, so every environment the gateway needs is started (no cold starts in the rows).
    for (const url of [gatewayUrl, baselineUrl]) await cannon(url, Math.max(...concurrencies), 2);
    for (const connections of concurrencies) {
      log(`(h) gateway vs bare node:http, ${connections} connections, ${seconds} s each`);
      const g = await cannon(gatewayUrl, connections, seconds);
      const b = await cannon(baselineUrl, connections, seconds);
      rows.push({
        connections,
        gateway: { rps: g.requests.average, p50: g.latency.p50, p99: g.latency.p99, errors: g.errors + g.non2xx },
        baseline: { rps: b.requests.average, p50: b.latency.p50, p99: b.latency.p99, errors: b.errors + b.non2xx },
      });
    }
  } finally {
    await stopProcess(baseline.child);
  }
  return { seconds, rows };
}

/** The rows of the BENCHMARKS.md summary table. */
export function gatewaySummaryRows(result, verdict) {
  const at32 = result?.rows.find((row) => row.connections === 32);
  if (!at32) return ["| (h) API gateway | not measurable | | | | |"];
  const ratio = at32.gateway.rps / at32.baseline.rps;
  const worstP50 = Math.max(...result.rows.map((row) => row.gateway.p50 - row.baseline.p50));
  return [
    `| (h) gateway throughput, 32 connections | ${fmt(at32.gateway.rps, 0)} req/s | ${fmt(at32.baseline.rps, 0)} req/s (bare node:http) | ${fmt(ratio * 100, 1)} % | ≥ 40 % | ${verdict(ratio >= 0.4)} |`,
    `| (h) gateway p50 overhead (worst of 1/8/32 connections) | +${worstP50} ms | — | — | ≤ 1 ms | ${verdict(worstP50 <= 1)} |`,
  ];
}

/** The BENCHMARKS.md section. */
export function gatewaySection(result) {
  const lines = ["## (h) API gateway", ""];
  if (!result) return [...lines, "Not measured in this run.", ""];
  lines.push(`An HTTP API (quick create, payload 2.0) in front of a warm Node hello function, against a bare \`node:http\` server that calls the same handler in-process (\`bench/gateway-baseline.js\`). autocannon, ${result.seconds} s per row, keep-alive connections, one request in flight per connection. Latencies are autocannon's (whole milliseconds).`);
  lines.push("");
  lines.push("| Connections | Gateway req/s | Baseline req/s | Gateway / baseline | Gateway p50 / p99, ms | Baseline p50 / p99, ms | p50 overhead, ms | Errors (gateway, baseline) |");
  lines.push("|---|---|---|---|---|---|---|---|");
  for (const row of result.rows) {
    const ratio = row.gateway.rps / row.baseline.rps;
    lines.push(`| ${row.connections} | ${fmt(row.gateway.rps, 0)} | ${fmt(row.baseline.rps, 0)} | ${fmt(ratio * 100, 0)}% | ${row.gateway.p50} / ${row.gateway.p99} | ${row.baseline.p50} / ${row.baseline.p99} | ${row.gateway.p50 - row.baseline.p50} | ${row.gateway.errors}, ${row.baseline.errors} |`);
  }
  const at32 = result.rows.find((row) => row.connections === 32);
  if (at32) {
    const ratio = at32.gateway.rps / at32.baseline.rps;
    lines.push("");
    lines.push(`Targets: ≥ 40% of the baseline's throughput at 32 connections (${ratio >= 0.4 ? "met" : "missed"}: ${fmt(ratio * 100, 0)}%); p50 overhead ≤ 1 ms (${result.rows.every((row) => row.gateway.p50 - row.baseline.p50 <= 1) ? "met" : "missed"} at ${result.rows.map((row) => `${row.connections}: ${row.gateway.p50 - row.baseline.p50} ms`).join(", ")}).`);
    lines.push("", "Why the throughput target is missed: the gateway is one more mapping on top of a synchronous Invoke (at one connection it serves about what a direct Invoke does in (b)), so it inherits the engine's ceiling: each concurrent request needs its own runtime process, and 32 of them on 2 cores cost far more CPU per request than a handler called in-process. The p50 overhead grows with connections for the same reason (requests queue for CPU); at 1 connection it is within autocannon's 1 ms resolution.");
  }
  lines.push("");
  return lines;
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
      body: { FunctionName: name, Runtime: runtime, Role: "arn:aws:iam::000000000000:role/bench", Handler: handler, Code: { ZipFile: zip.toString("base64") } },
    });
    if (res.status !== 201) throw new Error(`CreateFunction ${name}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  };
  try {
    const quick = process.env.UNKAI_BENCH_QUICK === "1";
    const result = await phaseGateway({ unkai: { url: match[1] }, createFunction, work, log: console.log, seconds: quick ? 2 : 5 });
    console.log(gatewaySection(result).join("\n"));
  } finally {
    await stopProcess(child, 12_000);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await standalone();
