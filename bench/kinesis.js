// Kinesis benchmarks (phase `kinesis` of `npm run bench`): acknowledged PutRecord and PutRecords (100
// records) throughput in records/s, and GetRecords pages of 100 records, driven by wrk over Kinesis's
// JSON 1.1 protocol (HTTP/1.1; SDK v3 would speak h2c). Beside them, raw fsynced SQLite inserts
// (bench/sqlite-baseline.js) in the same run, 1 and 100 rows per commit.
import { join } from "node:path";
import { fmt, request, runJson } from "./lib.js";
import { runWrk, treeCpu } from "./wrk.js";

const STREAM = "bench-kinesis";
const JSON_TYPE = "application/x-amz-json-1.1";
const DATA = Buffer.alloc(64, 0x61).toString("base64"); // the same payload size as the SQLite baseline's rows
const PAGE = 100;

/** One Kinesis call; throws on a non-200. */
async function kinesis(url, op, body) {
  const res = await request(url, { method: "POST", service: "kinesis", headers: { "content-type": JSON_TYPE, "x-amz-target": `Kinesis_20131202.${op}` }, body });
  if (res.status !== 200) throw new Error(`${op}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body ? JSON.parse(res.body) : {};
}

const headersFor = (op) => ({ "content-type": JSON_TYPE, "x-amz-target": `Kinesis_20131202.${op}` });

/** A wrk row replaying one signed request; `records` per acknowledged request. */
async function row(unkai, op, body, records, seconds, connections) {
  const { result: r, selfMs } = await treeCpu(unkai.pid, () => runWrk({ url: unkai.url, body: JSON.stringify(body), connections, seconds, sign: "kinesis", headers: headersFor(op) }));
  return { op, records, connections, recordsPerSec: r.rps * records, requests: r.requests, errors: r.errors + r.non2xx, p50: r.p50, p99: r.p99, wrkCpuPct: r.cpuPct, serverMsPerRecord: selfMs / Math.max(1, r.requests * records) };
}

/** The whole phase against its own Unkai; helpers come from run.js. */
export async function phaseKinesis({ startUnkai, stopUnkai, work, here, log, quick }) {
  const seconds = quick ? 2 : 4;
  const connections = 16;
  const unkai = await startUnkai("kinesis", {});
  try {
    await kinesis(unkai.url, "CreateStream", { StreamName: STREAM, ShardCount: 1 });
    const rows = [];
    log(`(kinesis) PutRecord, ${connections} connections, ${seconds} s (wrk)`);
    rows.push(await row(unkai, "PutRecord", { StreamName: STREAM, PartitionKey: "k", Data: DATA }, 1, seconds, connections));
    log(`(kinesis) PutRecords of ${PAGE}, ${connections} connections, ${seconds} s (wrk)`);
    const batch = Array.from({ length: PAGE }, (_, i) => ({ PartitionKey: `k${i}`, Data: DATA }));
    rows.push(await row(unkai, "PutRecords", { StreamName: STREAM, Records: batch }, PAGE, seconds, connections));
    // One iterator replayed: every GetRecords reads the same first page (iterators are positions, not cursors).
    const { ShardIterator } = await kinesis(unkai.url, "GetShardIterator", { StreamName: STREAM, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
    log(`(kinesis) GetRecords of ${PAGE}, ${connections} connections, ${seconds} s (wrk)`);
    rows.push(await row(unkai, "GetRecords", { ShardIterator, Limit: PAGE }, PAGE, seconds, connections));
    log(`(kinesis) baseline: raw SQLite inserts with synchronous=FULL, 1 and ${PAGE} rows per commit`);
    const single = await runJson(join(here, "sqlite-baseline.js"), [JSON.stringify({ path: join(work, "kinesis-baseline-1.db"), rows: quick ? 500 : 2000, batch: 1 })]);
    const grouped = await runJson(join(here, "sqlite-baseline.js"), [JSON.stringify({ path: join(work, "kinesis-baseline-100.db"), rows: quick ? 10000 : 50000, batch: PAGE })]);
    return { seconds, rows, baseline: { single: single.rowsPerSec, grouped: grouped.rowsPerSec } };
  } finally {
    await stopUnkai(unkai);
  }
}

const pct = (a, b) => `${fmt((100 * a) / b, 1)} %`;

/** Summary rows (no targets: no issue sets one yet). */
export function kinesisSummaryRows(s) {
  if (!s) return ["| (o) Kinesis | not measured | | | | |"];
  const [put, puts, get] = s.rows;
  return [
    `| (o) Kinesis PutRecord, acknowledged (fsynced), 16 connections (wrk) | ${fmt(put.recordsPerSec, 0)} records/s | ${fmt(s.baseline.single, 0)} rows/s (raw inserts, 1-row commits) | ${pct(put.recordsPerSec, s.baseline.single)} | — | |`,
    `| (o) Kinesis PutRecords of ${PAGE}, acknowledged (fsynced) | ${fmt(puts.recordsPerSec, 0)} records/s | ${fmt(s.baseline.grouped, 0)} rows/s (${PAGE}-row commits) | ${pct(puts.recordsPerSec, s.baseline.grouped)} | — | |`,
    `| (o) Kinesis GetRecords, pages of ${PAGE} | ${fmt(get.recordsPerSec, 0)} records/s | — | — | — | |`,
  ];
}

/** The BENCHMARKS.md section. */
export function kinesisSection(s) {
  const lines = ["## (o) Kinesis", ""];
  lines.push(`wrk (one thread, keep-alive connections) speaking Kinesis's JSON 1.1 protocol (\`X-Amz-Target: Kinesis_20131202.*\`) over HTTP/1.1 to a one-shard stream, 64-byte records, each request signed once and replayed. A put is acknowledged only after its records are committed and fsynced. GetRecords replays one iterator, so every call reads the same first page of ${PAGE} records. Server CPU is the Unkai process's own (user + system) per record. Baseline: raw SQLite inserts of 64-byte rows in a separate process with the same durability (WAL, \`synchronous=FULL\`), one and ${PAGE} rows per commit.`);
  lines.push("");
  if (!s) return [...lines, "Not measured in this run.", ""];
  lines.push("| Operation | records per request | records / s | requests | errors | client p50 / p99 ms | server CPU ms / record | wrk CPU (% of a core) |", "|---|---|---|---|---|---|---|---|");
  for (const r of s.rows) {
    lines.push(`| ${r.op} | ${r.records} | ${fmt(r.recordsPerSec, 0)} | ${r.requests} | ${r.errors} | ${fmt(r.p50, 2)} / ${fmt(r.p99, 2)} | ${fmt(r.serverMsPerRecord, 4)} | ${fmt(r.wrkCpuPct, 0)} % |`);
  }
  lines.push(`| Raw SQLite inserts, 1 row per commit | | ${fmt(s.baseline.single, 0)} | | | | | |`);
  lines.push(`| Raw SQLite inserts, ${PAGE} rows per commit | | ${fmt(s.baseline.grouped, 0)} | | | | | |`);
  lines.push("");
  return lines;
}
