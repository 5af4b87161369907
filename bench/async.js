// Asynchronous invocation benchmarks: acknowledged events per second with durability on, and
// enqueue-to-start latency with spare capacity, each beside raw SQLite inserts (same rows, same
// durability) measured in the same run.
import { createServer } from "node:http";
import { join } from "node:path";
import { fmt, percentile, request, runJson } from "./lib.js";
import { runWrk } from "./wrk.js";

// Reports its start latency over loopback (it may run inside a sandbox that sees no host files).
const RECORD_START_JS = `const http = require("node:http");
exports.handler = async (event) => {
  if (event && event.sentAt) {
    const latency = String(Date.now() - event.sentAt);
    await new Promise((resolve) => {
      const req = http.request(process.env.COLLECTOR_URL, { method: "POST" }, (res) => { res.resume(); res.on("end", resolve); });
      req.on("error", resolve);
      req.end(latency);
    });
  }
  return { ok: true };
};
`;

/** Collects the latencies the handler reports. */
/** Where the bench function reports its start; its port must be relayed into linux sandboxes (UNKAI_SANDBOX_HOST_PORTS). */
export async function startCollector() {
  const latencies = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      latencies.push(Number(body));
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A run whose async phase never starts must still end.
  server.unref();
  return { port: server.address().port, url: `http://127.0.0.1:${server.address().port}/`, latencies, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Runs both async phases against a started Unkai; helpers come from run.js. */
export async function phaseAsync({ unkai, collector, createFunction, work, here, log, seconds, concurrency }) {
  await createFunction(unkai.url, "bench-async", "nodejs20.x", "index.handler", { "index.js": RECORD_START_JS });
  await request(`${unkai.url}/2015-03-31/functions/bench-async/configuration`, {
    method: "PUT",
    body: { Environment: { Variables: { COLLECTOR_URL: collector.url } } },
  });
  const path = `/2015-03-31/functions/bench-async/invocations`;

  // wrk replays one signed Event invoke on `concurrency` connections: a native load generator, so the
  // server, not the client, is what limits the rate (its CPU share is reported beside the figure).
  const ackLoad = async () => {
    const target = { url: `${unkai.url}${path}`, headers: { "x-amz-invocation-type": "Event" }, body: "{}", connections: concurrency, sign: "lambda" };
    await runWrk({ ...target, seconds: 1 });
    const run = await runWrk({ ...target, seconds });
    return { ...run, errors: run.errors + run.non2xx };
  };

  // First the queue's own capacity: reserved concurrency 0 holds the events, so only the
  // durable acknowledgement runs (a burst the queue absorbs). Then the same load while the
  // worker runs every event on the same host.
  log(`(f) acknowledged async invokes while the queue absorbs them, ${concurrency} clients, ${seconds} s`);
  await request(`${unkai.url}/2017-10-31/functions/bench-async/concurrency`, { method: "PUT", body: { ReservedConcurrentExecutions: 0 } });
  const absorbed = await ackLoad();
  await request(`${unkai.url}/2017-10-31/functions/bench-async/concurrency`, { method: "DELETE" });
  await drain(unkai.url);
  log(`(f) acknowledged async invokes while they also run, ${concurrency} clients, ${seconds} s`);
  const acks = await ackLoad();

  log("(f) baseline: raw SQLite inserts with synchronous=FULL");
  const rows = Math.max(2000, Math.round(acks.rps * 2));
  const single = await runJson(join(here, "sqlite-baseline.js"), [JSON.stringify({ path: join(work, "baseline-1.db"), rows: Math.min(rows, 3000), batch: 1 })]);
  const grouped = await runJson(join(here, "sqlite-baseline.js"), [JSON.stringify({ path: join(work, "baseline-32.db"), rows, batch: concurrency })]);

  // Let the queue drain before measuring latency with spare capacity.
  await drain(unkai.url);

  log("(g) enqueue-to-start latency, one event at a time");
  collector.latencies.length = 0;
  const samples = 300;
  for (let i = 0; i < samples; i++) {
    await request(`${unkai.url}${path}`, { method: "POST", headers: { "x-amz-invocation-type": "Event" }, body: JSON.stringify({ sentAt: Date.now() }) });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (let i = 0; i < 100 && collector.latencies.length < samples; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const latencies = [...collector.latencies];
  await collector.close();
  return {
    absorbed: { rps: absorbed.rps, errors: absorbed.errors, p50: absorbed.p50, p99: absorbed.p99, wrkCpuPct: absorbed.cpuPct },
    acks: { rps: acks.rps, errors: acks.errors, p50: acks.p50, p99: acks.p99, wrkCpuPct: acks.cpuPct },
    baseline: {
      singleRowsPerSec: single.rowsPerSec,
      singleCommitP50: percentile(single.commitMs, 50),
      singleCommitP99: percentile(single.commitMs, 99),
      groupedRowsPerSec: grouped.rowsPerSec,
      batch: concurrency,
    },
    startLatency: { n: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
  };
}

/** Waits (up to a minute) until no async event is queued or running. */
async function drain(url) {
  for (let i = 0; i < 600; i++) {
    const stats = JSON.parse((await request(`${url}/_unkai/events/stats`)).body);
    if (stats.functions.every((f) => f.queued === 0 && f.inFlight === 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Summary rows for the async phases. */
export function asyncSummaryRows(a, verdict) {
  if (!a) return ["| (f)/(g) asynchronous invocation | not measurable | | | | |"];
  const ratio = a.absorbed.rps / a.baseline.groupedRowsPerSec;
  return [
    `| (f) acknowledged async invokes (fsynced), ${a.baseline.batch} clients, queue absorbing | ${fmt(a.absorbed.rps, 0)} events/s | ${fmt(a.baseline.groupedRowsPerSec, 0)} rows/s (raw inserts, ${a.baseline.batch}-row commits) | ${fmt(ratio * 100, 1)} % | ≥ 5,000 events/s | ${verdict(a.absorbed.rps >= 5000)} |`,
    `| (f) the same while every event also runs on this host | ${fmt(a.acks.rps, 0)} events/s | ${fmt(a.baseline.groupedRowsPerSec, 0)} rows/s | ${fmt((a.acks.rps / a.baseline.groupedRowsPerSec) * 100, 1)} % | — | |`,
    `| (g) enqueue-to-start latency p50 / p99 | ${fmt(a.startLatency.p50, 1)} / ${fmt(a.startLatency.p99, 1)} ms | ${fmt(a.baseline.singleCommitP50, 2)} / ${fmt(a.baseline.singleCommitP99, 2)} ms (one fsynced insert) | ${fmt(a.startLatency.p50 / a.baseline.singleCommitP50)}× | p50 ≤ 5 ms | ${verdict(a.startLatency.p50 <= 5)} |`,
  ];
}

/** The detailed section. */
export function asyncSection(a) {
  if (!a) return [];
  return [
    "## (f) and (g) Asynchronous invocation",
    "",
    "(f): `InvocationType: Event` requests replayed by wrk (one signed request, keep-alive connections, one in flight each), each answered `202` only after its event is committed and the WAL fsynced (SQLite WAL, group commit, the fsync on the thread pool and shared by every commit made before it began); the worker runs the events at the same time. Baseline: a separate process inserting the same rows into the same schema with the same durability, once with one row per commit and once with one commit per batch of as many rows as there are clients.",
    "",
    "| | events or rows / s | notes |",
    "|---|---|---|",
    `| Unkai, acknowledged while the queue absorbs them (reserved concurrency 0) | ${fmt(a.absorbed.rps, 0)} | client p50 ${fmt(a.absorbed.p50, 2)} ms, p99 ${fmt(a.absorbed.p99, 2)} ms, errors ${a.absorbed.errors}; wrk used ${fmt(a.absorbed.wrkCpuPct, 0)} % of a core |`,
    `| Unkai, acknowledged while the worker runs every event | ${fmt(a.acks.rps, 0)} | client p50 ${fmt(a.acks.p50, 2)} ms, p99 ${fmt(a.acks.p99, 2)} ms, errors ${a.acks.errors}, wrk ${fmt(a.acks.wrkCpuPct, 0)} % of a core; the server, the runtimes and the load generator share 2 cores |`,
    `| Raw SQLite, ${a.baseline.batch}-row commits | ${fmt(a.baseline.groupedRowsPerSec, 0)} | |`,
    `| Raw SQLite, 1-row commits | ${fmt(a.baseline.singleRowsPerSec, 0)} | commit p50 ${fmt(a.baseline.singleCommitP50, 3)} ms, p99 ${fmt(a.baseline.singleCommitP99, 3)} ms |`,
    "",
    `(g): ${a.startLatency.n} events sent one at a time (5 ms apart) to a warm function with spare capacity; the handler records \`Date.now() − sentAt\` at its start, so the figure covers the HTTP request, the fsynced commit, the worker picking the event up, and delivery to the runtime. p50 ${fmt(a.startLatency.p50, 2)} ms, p99 ${fmt(a.startLatency.p99, 2)} ms.`,
    "",
  ];
}
