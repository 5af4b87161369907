// S3 benchmarks: PUT and GET throughput for 1 MB and 64 MB objects and 4 KB operations per second
// through Unkai's S3 API, beside raw filesystem writes (with fsync) and reads of the same data in the
// same run. Used by run.js; `node bench/s3.js` runs it alone against a fresh Unkai and prints the table.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { fmt } from "./lib.js";
import { ensureWrk, runWrkRequests } from "./wrk.js";

// Signed as any S3 client signs (Unkai verifies every request); the payload hash is UNSIGNED-PAYLOAD, as the CLI's uploads over TLS use.
const signer = new SignatureV4({ service: "s3", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, sha256: Hash.bind(null, "sha256"), uriEscapePath: false, applyChecksum: false });
const MB = 1024 * 1024;
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

/** One S3 request; resolves how many body bytes came back (drained, not kept), or the body's text with `text`. */
async function s3Request(url, method, path, body, text = false) {
  const target = new URL(`${url}${path}`);
  const { headers } = await signer.sign({
    method, protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, query: Object.fromEntries(target.searchParams),
    headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...(body ? { "content-length": String(body.length) } : {}) },
  });
  return new Promise((resolvePromise, reject) => {
    const req = http.request(`${url}${path}`, { method, agent, headers }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on("data", (chunk) => {
        bytes += chunk.length;
        if (text) chunks.push(chunk);
      });
      res.on("end", () => (res.statusCode >= 300 ? reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`)) : resolvePromise(text ? Buffer.concat(chunks).toString() : bytes)));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function writeDurably(path, data) {
  const file = await open(path, "w");
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}

/** MB/s of `count` sequential runs of each of `a` and `b`, alternated so both see the same disk and load. */
async function throughputs(count, bytes, a, b) {
  const ms = [0, 0];
  for (let i = 0; i < count; i++) {
    for (const [side, op] of [a, b].entries()) {
      const started = performance.now();
      await op(i);
      ms[side] += performance.now() - started;
    }
  }
  return ms.map((total) => (count * bytes) / MB / (total / 1000));
}

/** Operations per second of `total` runs of `op`, `parallel` at a time (the raw filesystem side). */
async function opsPerSecond(total, parallel, op) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < total) await op(next++);
  }));
  return total / ((performance.now() - started) / 1000);
}

/** `method` on each of `keys`, signed once here (SigV4 allows a replay for 15 minutes) for wrk to send in turn. */
async function signedRequests(url, method, keys, body) {
  const { hostname, port, host } = new URL(url);
  return Promise.all(keys.map(async (path) => {
    const headers = { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...(body ? { "content-length": String(body.length) } : {}) };
    const signed = await signer.sign({ method, protocol: "http:", hostname, port: Number(port), path, query: {}, headers });
    return { method, path, headers: signed.headers, body };
  }));
}

/** Paths of the objects under `prefix` (ListObjectsV2, page by page). */
async function listedKeys(url, bucket, prefix) {
  const paths = [];
  let token = "";
  do {
    const query = `list-type=2&prefix=${prefix}${token ? `&continuation-token=${encodeURIComponent(token)}` : ""}`;
    const page = await s3Request(url, "GET", `/${bucket}?${query}`, undefined, true);
    for (const [, key] of page.matchAll(/<Key>([^<]+)<\/Key>/g)) paths.push(`/${bucket}/${key}`);
    token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(page)?.[1] ?? "";
  } while (token);
  return paths;
}

const SMALL_CLIENTS = 8;
// Issue 21 asks for at least twice the figures it quotes (996 PUT / 2,123 GET ops/s; the bench run
// before the small-object work measured 960 / 2,006): the higher pair is the bar.
const SMALL_TARGET = { put: 1992, get: 4246 };

/** 4 KB PUT then GET of `keys` with wrk, SMALL_CLIENTS keep-alive connections, `seconds` each. */
async function smallObjectRows(url, keys, seconds) {
  ensureWrk();
  // ASCII so the Lua script can hold it verbatim; S3 stores bytes either way.
  const body = randomBytes(3072).toString("base64");
  const put = await runWrkRequests({ url, requests: await signedRequests(url, "PUT", keys, body), connections: SMALL_CLIENTS, seconds });
  // Only keys the PUT row wrote: a slow disk may not get through all of them, and wrk's order is not exact.
  const written = await listedKeys(url, "bench-bucket", "small-");
  const get = await runWrkRequests({ url, requests: await signedRequests(url, "GET", written), connections: SMALL_CLIENTS, seconds });
  for (const [name, row] of [["PUT", put], ["GET", get]]) {
    if (row.errors || row.non2xx) throw new Error(`S3 4 KB ${name}: ${row.errors} errors, ${row.non2xx} non-2xx answers ${row.statuses.join(", ")}`);
  }
  return { put, get };
}

/** Runs every S3 phase against a started Unkai; `work` is a scratch directory on the same filesystem as its data. */
export async function phaseS3({ unkai, work, log, quick }) {
  const raw = join(work, "s3-raw");
  mkdirSync(raw, { recursive: true });
  await s3Request(unkai.url, "PUT", "/bench-bucket");
  const sizes = [
    { label: "1 MB", bytes: MB, count: quick ? 20 : 100 },
    { label: "64 MB", bytes: 64 * MB, count: quick ? 3 : 8 },
  ];
  const rows = [];
  for (const { label, bytes, count } of sizes) {
    log(`S3 ${label} objects, ${count} of each`);
    const data = randomBytes(bytes);
    const key = (i) => `/bench-bucket/${label.replace(" ", "")}-${i}`;
    const rawPath = (i) => join(raw, `${label.replace(" ", "")}-${i}`);
    const [unkaiPut, rawPut] = await throughputs(count, bytes, (i) => s3Request(unkai.url, "PUT", key(i), data), (i) => writeDurably(rawPath(i), data));
    const [unkaiGet, rawGet] = await throughputs(count, bytes, (i) => s3Request(unkai.url, "GET", key(i)), (i) => readFile(rawPath(i)));
    rows.push({ label, unkaiPut, rawPut, unkaiGet, rawGet });
  }
  const total = quick ? 300 : 2000;
  const seconds = quick ? 2 : 5;
  log(`S3 4 KB objects, ${total} keys, ${SMALL_CLIENTS} clients (wrk), ${seconds} s each for PUT and GET`);
  const keys = Array.from({ length: total }, (_, i) => `/bench-bucket/small-${i}`);
  const wrk = await smallObjectRows(unkai.url, keys, seconds);
  const small = randomBytes(4096);
  const rawSmallPut = await opsPerSecond(total, SMALL_CLIENTS, (i) => writeDurably(join(raw, `small-${i}`), small));
  const rawSmallGet = await opsPerSecond(total, SMALL_CLIENTS, (i) => readFile(join(raw, `small-${i}`)));
  rmSync(raw, { recursive: true, force: true });
  return { rows, small: { unkaiPut: wrk.put.rps, rawPut: rawSmallPut, unkaiGet: wrk.get.rps, rawGet: rawSmallGet, total, seconds, put: wrk.put, get: wrk.get } };
}

const pct = (a, b) => `${fmt((100 * a) / b, 1)} %`;

/** Summary rows for BENCHMARKS.md; the target is ≥ 50 % of the raw filesystem for 64 MB objects. */
export function s3SummaryRows(s3, verdict) {
  if (!s3) return ["| (h) S3 | not measured | | | | |"];
  const big = s3.rows.find((r) => r.label === "64 MB");
  return [
    `| (h) S3 PUT 64 MB objects | ${fmt(big.unkaiPut, 0)} MB/s | ${fmt(big.rawPut, 0)} MB/s (write + fsync) | ${pct(big.unkaiPut, big.rawPut)} | ≥ 50 % | ${verdict(big.unkaiPut >= big.rawPut / 2)} |`,
    `| (h) S3 GET 64 MB objects | ${fmt(big.unkaiGet, 0)} MB/s | ${fmt(big.rawGet, 0)} MB/s (readFile) | ${pct(big.unkaiGet, big.rawGet)} | ≥ 50 % | ${verdict(big.unkaiGet >= big.rawGet / 2)} |`,
    `| (h) S3 4 KB PUT / GET, ${SMALL_CLIENTS} clients (wrk) | ${fmt(s3.small.unkaiPut, 0)} / ${fmt(s3.small.unkaiGet, 0)} ops/s | ${fmt(s3.small.rawPut, 0)} / ${fmt(s3.small.rawGet, 0)} ops/s | ${pct(s3.small.unkaiPut, s3.small.rawPut)} / ${pct(s3.small.unkaiGet, s3.small.rawGet)} | ≥ ${SMALL_TARGET.put} / ${SMALL_TARGET.get} ops/s (2× issue 21's 996 / 2,123) | ${verdict(s3.small.unkaiPut >= SMALL_TARGET.put && s3.small.unkaiGet >= SMALL_TARGET.get)} |`,
  ];
}

/** The BENCHMARKS.md section. */
export function s3Section(s3) {
  const lines = ["## (h) S3 object storage", ""];
  lines.push("PUT and GET of 1 MB and 64 MB objects through Unkai's S3 API (one keep-alive connection, sequential, bodies from memory, `UNSIGNED-PAYLOAD`) beside the raw filesystem in the same run, one Unkai request and one raw operation in turn so both meet the same disk and load: the same bytes written to a file and fsynced (open, write, fsync, close), and read back with `readFile`. Unkai's PUT streams the body into a new file under a fresh id, computes the MD5 ETag, fsyncs the file and its directory together and then commits the metadata row (group commit, WAL fsynced); its GET streams the file. Reads on both sides come from the page cache.");
  lines.push("");
  if (!s3) return [...lines, "Not measured in this run.", ""];
  lines.push("| Objects | Unkai PUT MB/s | raw write+fsync MB/s | PUT ratio | Unkai GET MB/s | raw read MB/s | GET ratio |", "|---|---|---|---|---|---|---|");
  for (const r of s3.rows) lines.push(`| ${r.label} | ${fmt(r.unkaiPut, 0)} | ${fmt(r.rawPut, 0)} | ${pct(r.unkaiPut, r.rawPut)} | ${fmt(r.unkaiGet, 0)} | ${fmt(r.rawGet, 0)} | ${pct(r.unkaiGet, r.rawGet)} |`);
  lines.push(`| 4 KB (ops/s, ${SMALL_CLIENTS} clients, ${s3.small.total} keys) | ${fmt(s3.small.unkaiPut, 0)} | ${fmt(s3.small.rawPut, 0)} | ${pct(s3.small.unkaiPut, s3.small.rawPut)} | ${fmt(s3.small.unkaiGet, 0)} | ${fmt(s3.small.rawGet, 0)} | ${pct(s3.small.unkaiGet, s3.small.rawGet)} |`);
  lines.push("", `4 KB rows: wrk, one thread, ${SMALL_CLIENTS} keep-alive connections, one request in flight each, ${s3.small.seconds} s for PUT then ${s3.small.seconds} s for GET, PUT cycling over ${s3.small.total} keys and GET over those it wrote (listed), each request signed in advance with its own key (SigV4 header signature, \`UNSIGNED-PAYLOAD\`). p50 / p99 PUT ${fmt(s3.small.put.p50, 2)} / ${fmt(s3.small.put.p99, 2)} ms, GET ${fmt(s3.small.get.p50, 2)} / ${fmt(s3.small.get.p99, 2)} ms; wrk's CPU ${fmt(s3.small.put.cpuPct, 0)} % / ${fmt(s3.small.get.cpuPct, 0)} % of a core (PUT / GET), so the load generator is not the limit. The raw side: the same ${s3.small.total} files written (open, write, fsync, close) and read with \`readFile\`, ${SMALL_CLIENTS} at a time, in the bench process.`);
  lines.push("", "Reading the ratios: the raw read is one `readFile` from the page cache, while Unkai's GET copies the same bytes from the file into a loopback socket and the client copies them out again, on the same 2 cores; Unkai's PUT adds the MD5 every S3 ETag needs and a directory fsync. Small objects pay a signed HTTP request, a metadata row and a file each.");
  lines.push("");
  return lines;
}

/** Starts `unkai start` with `args`; resolves its URL and the child. */
async function startServer(root, args, env = {}) {
  const child = spawn(process.execPath, [join(root, "bin", "unkai.js"), "start", "--port", "0", ...args], {
    env: { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /Unkai ready at (http:\/\/\S+) \(/.exec(out);
      if (match) resolveUrl(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`Unkai exited with ${code}`)));
  });
  return { url, child };
}

/**
 * `node bench/s3.js`: a fresh Unkai, the S3 phase, the table on stdout. With UNKAI_BENCH_S3_BLOBS=remote
 * the Unkai measured keeps its object bodies in a second Unkai's S3 API (`--blobs s3://…`) on this host.
 */
async function main() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const work = mkdtempSync(join(tmpdir(), "unkai-bench-s3-"));
  const servers = [];
  try {
    const env = {};
    const args = ["--data-dir", join(work, "data")];
    if (process.env.UNKAI_BENCH_S3_BLOBS === "remote") {
      const store = await startServer(root, ["--data-dir", join(work, "store")]);
      servers.push(store);
      await s3Request(store.url, "PUT", "/blobs");
      args.push("--blobs", "s3://blobs/bench", "--blobs-endpoint", store.url);
      Object.assign(env, { UNKAI_BLOBS_ACCESS_KEY_ID: "test", UNKAI_BLOBS_SECRET_ACCESS_KEY: "test" });
    }
    const measured = await startServer(root, args, env);
    servers.push(measured);
    const s3 = await phaseS3({ unkai: { url: measured.url }, work, log: (...line) => console.error("[s3 bench]", ...line), quick: process.env.UNKAI_BENCH_QUICK === "1" });
    console.log(s3Section(s3).join("\n"));
    console.log(s3SummaryRows(s3, (ok) => (ok ? "**hit**" : "**MISS**")).join("\n"));
  } finally {
    agent.destroy();
    for (const { child } of servers.reverse()) {
      child.kill("SIGTERM");
      await new Promise((resolveExit) => (child.exitCode === null ? child.once("exit", resolveExit) : resolveExit()));
    }
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
