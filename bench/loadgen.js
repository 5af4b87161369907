// Load generator, run as its own process by bench/run.js so it shares no event loop with either server.
// Usage: node bench/loadgen.js '<json options>'; prints one JSON object on stdout.
//   { url, method?, body?, headers?, concurrency, warmupMs?, warmupCount?, count?, durationMs?, okStatus? (200) }
// count mode (concurrency loops share `count` requests): returns every latency sample (ms).
// duration mode: warms up for warmupMs, then counts requests completed within durationMs.
import http from "node:http";
import { signedHeaders } from "./lib.js";

const opts = JSON.parse(process.argv[2] ?? "{}");
const target = new URL(opts.url);
const body = Buffer.from(opts.body ?? "{}");
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency });
// Signed once: Unkai accepts a signed request for 15 minutes, longer than any one load run.
const headers = await signedHeaders(opts.url, opts.method ?? "POST", { "content-type": "application/json", "content-length": body.length, ...(opts.headers ?? {}) }, body);

function once() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: opts.method ?? "POST", agent, headers }, (res) => {
      res.on("data", () => undefined);
      res.on("end", () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        resolve({ ms, ok: res.statusCode === (opts.okStatus ?? 200) && res.headers["x-amz-function-error"] === undefined, status: res.statusCode });
      });
      res.on("error", () => resolve({ ms: 0, ok: false, status: -1 }));
    });
    req.on("error", () => resolve({ ms: 0, ok: false, status: -1 }));
    req.end(body);
  });
}

async function countMode() {
  let warm = opts.warmupCount ?? 0;
  const warmLoop = async () => {
    while (warm-- > 0) await once();
  };
  await Promise.all(Array.from({ length: opts.concurrency }, warmLoop));
  const samples = [];
  let errors = 0;
  let left = opts.count;
  const loop = async () => {
    while (left-- > 0) {
      const r = await once();
      if (r.ok) samples.push(r.ms);
      else errors++;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { samples, errors, elapsedMs };
}

async function durationMode() {
  let phase = "warmup";
  let completed = 0;
  let errors = 0;
  const samples = [];
  let windowEnd = 0n;
  const loop = async () => {
    while (phase !== "done") {
      const r = await once();
      const now = process.hrtime.bigint();
      if (phase === "measure" && now <= windowEnd) {
        if (r.ok) {
          completed++;
          samples.push(r.ms);
        } else {
          errors++;
        }
      }
    }
  };
  const loops = Array.from({ length: opts.concurrency }, loop);
  await new Promise((resolve) => setTimeout(resolve, opts.warmupMs ?? 0));
  windowEnd = process.hrtime.bigint() + BigInt(Math.round(opts.durationMs * 1e6));
  phase = "measure";
  await new Promise((resolve) => setTimeout(resolve, opts.durationMs));
  phase = "done";
  await Promise.all(loops);
  const elapsedMs = opts.durationMs;
  samples.sort((a, b) => a - b);
  const pick = (p) => samples[Math.min(samples.length - 1, Math.max(0, Math.ceil((p / 100) * samples.length) - 1))];
  return { completed, errors, elapsedMs, rps: (completed / elapsedMs) * 1000, p50: pick(50), p99: pick(99) };
}

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const result = opts.durationMs ? await durationMode() : await countMode();
const cpu = process.cpuUsage(cpu0);
// the load generator's own CPU (% of one core) over its run, to show when it is the bottleneck
result.cpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100;
agent.destroy();
process.stdout.write(JSON.stringify(result));
