// SQS benchmarks (phase `sqs` of `npm run bench`): acknowledged SendMessage / SendMessageBatch and
// ReceiveMessage + DeleteMessage(Batch) throughput in messages/s, batches of 1 and 10, driven by wrk over
// the SQS JSON protocol; and send → function start latency through an event source mapping. Beside them,
// raw fsynced SQLite inserts (bench/sqlite-baseline.js) in the same run, 1 and 10 rows per commit.
// Runs its own Unkai so the function's collector port can be relayed into a linux sandbox.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCollector } from "./async.js";
import { fmt, percentile, request, runJson, signedHeaders, sleep } from "./lib.js";
import { runWrk, treeCpu, WRK } from "./wrk.js";

const QUEUE = "bench-sqs";
const ESM_QUEUE = "bench-sqs-esm";
const ARN = (name) => `arn:aws:sqs:us-east-1:000000000000:${name}`;
const JSON_TYPE = "application/x-amz-json-1.0";
const BODY = "x".repeat(64); // the same payload size as the SQLite baseline's rows

// Reports how long after the send each record reached the handler (one POST per record).
const START_JS = `const http = require("node:http");
const post = (text) => new Promise((resolve) => {
  const req = http.request(process.env.COLLECTOR_URL, { method: "POST" }, (res) => { res.resume(); res.on("end", resolve); });
  req.on("error", resolve);
  req.end(text);
});
exports.handler = async (event) => {
  const now = Date.now();
  for (const record of event.Records ?? []) await post(String(now - JSON.parse(record.body).sentAt));
  return {};
};
`;

/** One SQS JSON-protocol call; throws on a non-200. */
async function sqs(url, op, body) {
  const res = await request(url, { method: "POST", service: "sqs", headers: { "content-type": JSON_TYPE, "x-amz-target": `AmazonSQS.${op}` }, body });
  if (res.status !== 200) throw new Error(`${op}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  return res.body ? JSON.parse(res.body) : {};
}

async function queueDepth(url, queueUrl) {
  const { Attributes: a } = await sqs(url, "GetQueueAttributes", { QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] });
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible);
}

/** Send rows: one signed request replayed by wrk; every 200 is a message (or 10) committed and fsynced. */
async function sendRow(unkai, queueUrl, batch, seconds, connections) {
  const url = unkai.url;
  const before = await queueDepth(url, queueUrl);
  const body = batch === 1
    ? JSON.stringify({ QueueUrl: queueUrl, MessageBody: BODY })
    : JSON.stringify({ QueueUrl: queueUrl, Entries: Array.from({ length: batch }, (_, i) => ({ Id: `m${i}`, MessageBody: BODY })) });
  const op = batch === 1 ? "SendMessage" : "SendMessageBatch";
  const { result: r, selfMs } = await treeCpu(unkai.pid, () => runWrk({ url, body, connections, seconds, sign: "sqs", headers: { "content-type": JSON_TYPE, "x-amz-target": `AmazonSQS.${op}` } }));
  const landed = (await queueDepth(url, queueUrl)) - before;
  return { batch, connections, messagesPerSec: r.rps * batch, requests: r.requests, errors: r.errors + r.non2xx, p50: r.p50, p99: r.p99, wrkCpuPct: r.cpuPct, landed, acknowledged: r.requests * batch, serverMsPerMessage: selfMs / landed };
}

const lua = (text) => `[==[${text}]==]`;
// "Host" spelled as wrk.format looks for it: the script formats its requests before wrk sets its own.
const luaHeaders = (headers) => `{ ${Object.entries(headers).map(([n, v]) => `[ ${lua(n === "host" ? "Host" : n)} ] = ${lua(String(v))}`).join(", ")} }`;

/**
 * Receive + delete: a wrk script that receives up to `batch` messages and deletes the handles it got
 * (DeleteMessage or DeleteMessageBatch) on whichever connection sends next. The delete bodies vary, so
 * both requests are signed with `x-amz-content-sha256: UNSIGNED-PAYLOAD` (the signature then covers
 * the headers, not the body); Unkai verifies every signature in full.
 */
function receiveDeleteScript(queueUrl, batch, receiveHeaders, deleteHeaders) {
  const deleteOne = `'{"QueueUrl":"${queueUrl}","ReceiptHandle":"' .. table.remove(handles) .. '"}'`;
  return `
local function cpu_ticks()
  local f = io.open('/proc/self/stat', 'r'); if not f then return 0 end
  local s = f:read('*a'); f:close()
  local rest = s:match('.*%)%s(.*)') or ''
  local fields = {}; for v in rest:gmatch('%S+') do fields[#fields + 1] = v end
  return tonumber(fields[12]) + tonumber(fields[13])
end
local cpu0 = cpu_ticks()
handles = {}
local receive = wrk.format('POST', nil, ${luaHeaders(receiveHeaders)}, ${lua(JSON.stringify({ QueueUrl: queueUrl, MaxNumberOfMessages: batch, VisibilityTimeout: 60 }))})
local deleteHeaders = ${luaHeaders(deleteHeaders)}
function request()
  if #handles == 0 then return receive end
  local body
  if ${batch} == 1 then body = ${deleteOne} else
    local entries = {}
    for i = 1, math.min(${batch}, #handles) do entries[i] = '{"Id":"' .. i .. '","ReceiptHandle":"' .. table.remove(handles) .. '"}' end
    body = '{"QueueUrl":"${queueUrl}","Entries":[' .. table.concat(entries, ',') .. ']}'
  end
  return wrk.format('POST', nil, deleteHeaders, body)
end
function response(status, headers, body)
  if status == 200 then for h in body:gmatch('"ReceiptHandle":"([^"]+)"') do handles[#handles + 1] = h end end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"durationUs":%d,"errors":%d,"non2xx":%d,"cpuTicks":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status, cpu_ticks() - cpu0))
end
`;
}

function wrkRun(file, url, connections, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn(WRK, ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", file, url], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk) => (text += chunk));
    child.stderr.on("data", (chunk) => (text += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      const line = /WRK_JSON (\{.*\})/.exec(text);
      if (code !== 0 || !line) reject(new Error(`wrk exited ${code}: ${text.slice(0, 500)}`));
      else resolve(JSON.parse(line[1]));
    });
  });
}

/** Receive + delete rows: messages/s is what left the queue (depth before − after) over wrk's run. */
async function receiveDeleteRow(unkai, queueUrl, batch, seconds, connections) {
  const url = unkai.url;
  const signed = (op) => signedHeaders(url, "POST", { "content-type": JSON_TYPE, "x-amz-target": `AmazonSQS.${op}`, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, undefined, "sqs");
  const script = receiveDeleteScript(queueUrl, batch, await signed("ReceiveMessage"), await signed(batch === 1 ? "DeleteMessage" : "DeleteMessageBatch"));
  const dir = mkdtempSync(join(tmpdir(), "unkai-sqs-wrk-"));
  try {
    writeFileSync(join(dir, "receive-delete.lua"), script);
    const before = await queueDepth(url, queueUrl);
    const { result: r, selfMs } = await treeCpu(unkai.pid, () => wrkRun(join(dir, "receive-delete.lua"), url, connections, seconds));
    const after = await queueDepth(url, queueUrl);
    const wallMs = r.durationUs / 1000;
    return { batch, connections, messagesPerSec: ((before - after) / wallMs) * 1000, requests: r.requests, errors: r.errors + r.non2xx, wrkCpuPct: ((r.cpuTicks * 10) / wallMs) * 100, depth: before, left: after, emptied: after === 0, serverMsPerMessage: selfMs / (before - after) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Send → function start through a mapping: one message at a time to a warm function with spare capacity. */
async function startLatency({ unkai, collector, createFunction, samples }) {
  await createFunction(unkai.url, "bench-sqs-start", "nodejs20.x", "index.handler", { "index.js": START_JS });
  await request(`${unkai.url}/2015-03-31/functions/bench-sqs-start/configuration`, { method: "PUT", body: { Environment: { Variables: { COLLECTOR_URL: collector.url } } } });
  const { QueueUrl } = await sqs(unkai.url, "CreateQueue", { QueueName: ESM_QUEUE, Attributes: { VisibilityTimeout: "30" } });
  const mapping = await request(`${unkai.url}/2015-03-31/event-source-mappings/`, { method: "POST", body: { FunctionName: "bench-sqs-start", EventSourceArn: ARN(ESM_QUEUE), BatchSize: 10 } });
  if (mapping.status !== 202 && mapping.status !== 200 && mapping.status !== 201) throw new Error(`CreateEventSourceMapping: HTTP ${mapping.status} ${mapping.body.slice(0, 300)}`);
  const send = () => sqs(unkai.url, "SendMessage", { QueueUrl, MessageBody: JSON.stringify({ sentAt: Date.now() }) });
  // Warm-up: the mapping's first batch starts the function's environment (a cold start, not measured).
  await send();
  for (let i = 0; i < 300 && collector.latencies.length === 0; i++) await sleep(100);
  if (collector.latencies.length === 0) throw new Error("the mapping delivered nothing within 30 s");
  await sleep(500);
  collector.latencies.length = 0;
  for (let i = 0; i < samples; i++) {
    await send();
    await sleep(10);
  }
  for (let i = 0; i < 100 && collector.latencies.length < samples; i++) await sleep(100);
  const latencies = [...collector.latencies];
  return { n: latencies.length, sent: samples, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The whole phase against its own Unkai; helpers come from run.js. */
export async function phaseSqs({ startUnkai, stopUnkai, createFunction, work, here, log, quick }) {
  const seconds = quick ? 2 : 4;
  const connections = 16;
  const collector = await startCollector();
  const unkai = await startUnkai("sqs", { UNKAI_SANDBOX_HOST_PORTS: String(collector.port) });
  try {
    const { QueueUrl } = await sqs(unkai.url, "CreateQueue", { QueueName: QUEUE, Attributes: { VisibilityTimeout: "60" } });
    const send = [];
    for (const batch of [1, 10]) {
      log(`(sqs) SendMessage${batch > 1 ? "Batch" : ""}, ${batch} per request, ${connections} connections, ${seconds} s (wrk)`);
      send.push(await sendRow(unkai, QueueUrl, batch, seconds, connections));
    }
    const receive = [];
    for (const batch of [1, 10]) {
      log(`(sqs) ReceiveMessage + DeleteMessage${batch > 1 ? "Batch" : ""}, ${batch} per request, ${connections} connections, ${seconds} s (wrk)`);
      receive.push(await receiveDeleteRow(unkai, QueueUrl, batch, seconds, connections));
    }
    log("(sqs) send → function start through an event source mapping");
    const latency = await startLatency({ unkai, collector, createFunction, samples: quick ? 50 : 200 });
    log("(sqs) baseline: raw SQLite inserts with synchronous=FULL, 1 and 10 rows per commit");
    const single = await runJson(join(here, "sqlite-baseline.js"), [JSON.stringify({ path: join(work, "sqs-baseline-1.db"), rows: quick ? 500 : 2000, batch: 1 })]);
    const grouped = await runJson(join(here, "sqlite-baseline.js"), [JSON.stringify({ path: join(work, "sqs-baseline-10.db"), rows: quick ? 5000 : 20000, batch: 10 })]);
    const baseline = { single: single.rowsPerSec, grouped: grouped.rowsPerSec, commitP50: percentile(single.commitMs, 50), commitP99: percentile(single.commitMs, 99) };
    return { seconds, send, receive, latency, baseline };
  } finally {
    await stopUnkai(unkai);
    await collector.close();
  }
}

const pct = (a, b) => `${fmt((100 * a) / b, 1)} %`;

/** Summary rows; targets: ≥ 5,000 acknowledged sends/s with batches of 10, p50 send → start ≤ 20 ms. */
export function sqsSummaryRows(s, verdict) {
  if (!s) return ["| (j) SQS | not measured | | | | |"];
  const [send1, send10] = s.send;
  const [recv1, recv10] = s.receive;
  const L = s.latency;
  return [
    `| (j) SQS acknowledged sends, batches of 10 (wrk) | ${fmt(send10.messagesPerSec, 0)} msg/s | ${fmt(s.baseline.grouped, 0)} rows/s (raw inserts, 10-row commits) | ${pct(send10.messagesPerSec, s.baseline.grouped)} | ≥ 5,000 msg/s | ${verdict(send10.messagesPerSec >= 5000)} |`,
    `| (j) SQS acknowledged sends, one per request | ${fmt(send1.messagesPerSec, 0)} msg/s | ${fmt(s.baseline.single, 0)} rows/s (1-row commits) | ${pct(send1.messagesPerSec, s.baseline.single)} | — | |`,
    `| (j) SQS receive + delete, batches of 1 / 10 | ${fmt(recv1.messagesPerSec, 0)} / ${fmt(recv10.messagesPerSec, 0)} msg/s | ${fmt(s.baseline.single, 0)} / ${fmt(s.baseline.grouped, 0)} rows/s | ${pct(recv1.messagesPerSec, s.baseline.single)} / ${pct(recv10.messagesPerSec, s.baseline.grouped)} | — | |`,
    `| (j) SQS send → function start p50 / p99 (mapping) | ${fmt(L.p50, 1)} / ${fmt(L.p99, 1)} ms | ${fmt(s.baseline.commitP50, 2)} / ${fmt(s.baseline.commitP99, 2)} ms (one fsynced insert) | ${fmt(L.p50 / s.baseline.commitP50)}× | p50 ≤ 20 ms | ${verdict(L.p50 <= 20)} |`,
  ];
}

/** The BENCHMARKS.md section. */
export function sqsSection(s) {
  const lines = ["## (j) SQS", ""];
  lines.push("Throughput: wrk (one thread, keep-alive connections) speaking SQS's JSON protocol (`X-Amz-Target: AmazonSQS.*`, `application/x-amz-json-1.0`) to one standard queue, 64-byte bodies. A send is acknowledged only after its message is committed and fsynced. Send rows replay one signed request; the receive + delete rows receive up to the batch size (visibility 60 s) and delete every handle received, on whichever connection sends next, so their bodies vary and both are signed with `x-amz-content-sha256: UNSIGNED-PAYLOAD`; messages/s there is what left the queue (its depth before − after) over wrk's run. Server CPU is the Unkai process's own (user + system) over the row, per message. Baseline: raw SQLite inserts of 64-byte rows in a separate process with the same durability (WAL, `synchronous=FULL`), one and ten rows per commit.");
  lines.push("");
  if (!s) return [...lines, "Not measured in this run.", ""];
  lines.push("| Operation | per request | messages / s | requests | errors | client p50 / p99 ms | server CPU ms / message | wrk CPU (% of a core) | notes |", "|---|---|---|---|---|---|---|---|---|");
  for (const r of s.send) {
    lines.push(`| Send${r.batch > 1 ? "MessageBatch" : "Message"} | ${r.batch} | ${fmt(r.messagesPerSec, 0)} | ${r.requests} | ${r.errors} | ${fmt(r.p50, 2)} / ${fmt(r.p99, 2)} | ${fmt(r.serverMsPerMessage, 3)} | ${fmt(r.wrkCpuPct, 0)} % | ${r.connections} connections, ${s.seconds} s; ${r.landed} messages in the queue after ${r.acknowledged} acknowledged |`);
  }
  for (const r of s.receive) {
    lines.push(`| ReceiveMessage + DeleteMessage${r.batch > 1 ? "Batch" : ""} | ${r.batch} | ${fmt(r.messagesPerSec, 0)} | ${r.requests} | ${r.errors} | — | ${fmt(r.serverMsPerMessage, 3)} | ${fmt(r.wrkCpuPct, 0)} % | ${r.connections} connections, ${s.seconds} s; queue depth ${r.depth} at the start, ${r.left} at the end${r.emptied ? " (queue emptied: the figure is a floor)" : ""} |`);
  }
  lines.push(`| Raw SQLite inserts, 1 row per commit | | ${fmt(s.baseline.single, 0)} | | | commit ${fmt(s.baseline.commitP50, 3)} / ${fmt(s.baseline.commitP99, 3)} | | | |`);
  lines.push(`| Raw SQLite inserts, 10 rows per commit | | ${fmt(s.baseline.grouped, 0)} | | | | | | |`);
  lines.push("");
  lines.push(`Send → function start: ${s.latency.sent} messages sent one at a time (10 ms apart) to a queue with an event source mapping (batch size 10, no batching window) on a warm Node function with spare capacity; the handler records \`Date.now() − sentAt\` for each record, so the figure covers the SendMessage request and its fsynced commit, the mapping's poller receiving it, and the invoke. ${s.latency.n} of ${s.latency.sent} reported: p50 ${fmt(s.latency.p50, 2)} ms, p99 ${fmt(s.latency.p99, 2)} ms.`);
  lines.push("");
  return lines;
}
