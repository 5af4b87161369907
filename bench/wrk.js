// The native load generator for the throughput and latency rows: wrk (Debian package `wrk`), one thread,
// keep-alive connections, one request in flight per connection. A Node load generator spends a core
// on its own and caps a bare node:http server near 40-60k req/s on two cores; wrk needs a fraction of
// that, and every row prints its CPU share so a reader can see it was not the limit.
//
// Signed requests: the bench signs the one request a row sends (method, path, headers, body) once,
// in Node, with Unkai's loopback default key, and wrk replays those exact headers. SigV4 lets a signed
// request be replayed while its X-Amz-Date is within 15 minutes of the server's clock, far longer than
// any row (a few seconds), so every replay is a valid signature that Unkai verifies in full.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signedHeaders } from "./lib.js";

export const WRK = "/usr/bin/wrk";

/** Installs wrk when it is missing (apt-get, as root or through sudo); throws when it cannot. */
export function ensureWrk() {
  if (spawnSync(WRK, ["--version"]).error === undefined) return;
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const run = (args) => spawnSync(sudo.length ? "sudo" : args[0], sudo.length ? args : args.slice(1), { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  if (run(["apt-get", "install", "-y", "-qq", "wrk"]).status !== 0) {
    run(["apt-get", "update", "-qq"]);
    run(["apt-get", "install", "-y", "-qq", "wrk"]);
  }
  if (spawnSync(WRK, ["--version"]).error !== undefined) throw new Error("wrk is not installed and apt-get could not install it (apt-get install wrk)");
}

/** A Lua long string that holds `text` whatever it contains. */
function luaString(text) {
  let eq = "";
  while (text.includes(`]${eq}]`)) eq += "=";
  return `[${eq}[\n${text}]${eq}]`;
}

/**
 * The script: the request, and a `done` that prints one JSON line with the counts, latency
 * percentiles (µs) and wrk's own CPU time (utime + stime from /proc/self/stat, read when the script
 * loads and when the run ends, in clock ticks of 10 ms).
 */
const CPU_TICKS = [
  "local function cpu_ticks()",
  "  local f = io.open('/proc/self/stat', 'r'); if not f then return 0 end",
  "  local s = f:read('*a'); f:close()",
  "  local rest = s:match('.*%)%s(.*)') or ''",
  "  local fields = {}; for v in rest:gmatch('%S+') do fields[#fields + 1] = v end",
  "  return tonumber(fields[12]) + tonumber(fields[13])",
  "end",
  "local cpu0 = cpu_ticks()",
];
const DONE = [
  "done = function(summary, latency, requests)",
  "  local e = summary.errors",
  "  io.write(string.format('WRK_JSON {\"requests\":%d,\"durationUs\":%d,\"errors\":%d,\"non2xx\":%d,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"mean\":%.1f,\"cpuTicks\":%d}\\n',",
  "    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,",
  "    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, cpu_ticks() - cpu0))",
  "end",
];

function script(method, headers, body) {
  const lines = [
    ...CPU_TICKS,
    `wrk.method = ${luaString(method)}`,
    `wrk.body = ${luaString(body)}`,
    ...Object.entries(headers).filter(([name]) => !["host", "content-length"].includes(name.toLowerCase())).map(([name, value]) => `wrk.headers[ ${luaString(name)} ] = ${luaString(String(value))}`),
    ...DONE,
  ];
  return lines.join("\n") + "\n";
}

/**
 * The script for a list of requests sent in turn (wrapping around), each pre-formatted with its own
 * method, path, headers and body: distinct keys for S3's small-object rows. Prints what `script` prints.
 */
function scriptMany(requests) {
  const table = requests.map(({ method, path, headers, body }) => {
    const pairs = Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-length").map(([name, value]) => `[ ${luaString(name)} ] = ${luaString(String(value))}`);
    return `  wrk.format(${luaString(method)}, ${luaString(path)}, { ${pairs.join(", ")} }, ${body === undefined ? "nil" : luaString(body)}),`;
  });
  // Each non-2xx answer's status on stderr (the thread's Lua state, which `done` cannot see), for a row's error message.
  const statuses = ["response = function(status) if status >= 300 then io.stderr:write(string.format('WRK_STATUS %d\\n', status)) end end"];
  return [...CPU_TICKS, ...DONE, ...statuses, "local requests = {", ...table, "}", "local next_request = 0",
    "request = function()", "  next_request = next_request % #requests + 1", "  return requests[next_request]", "end", ""].join("\n");
}

/** Starts wrk with `file` as its script and resolves the parsed WRK_JSON line as runWrk reports it. */
async function wrkWith(file, url, connections, seconds) {
  const out = await new Promise((resolve, reject) => {
    const child = spawn(WRK, ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "10s", "-s", file, url], { stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk) => (text += chunk));
    child.stderr.on("data", (chunk) => (text += chunk));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}: ${text.slice(0, 500)}`))));
  });
  const line = /WRK_JSON (\{.*\})/.exec(out);
  if (!line) throw new Error(`wrk printed no result: ${out.slice(0, 500)}`);
  const r = JSON.parse(line[1]);
  const counts = new Map();
  for (const [, status] of out.matchAll(/WRK_STATUS (\d+)/g)) counts.set(status, (counts.get(status) ?? 0) + 1);
  const statuses = [...counts].map(([status, count]) => `${count} × HTTP ${status}`);
  const wallMs = r.durationUs / 1000;
  return {
    requests: r.requests, errors: r.errors, non2xx: r.non2xx, statuses,
    rps: (r.requests / r.durationUs) * 1e6,
    p50: r.p50 / 1000, p90: r.p90 / 1000, p99: r.p99 / 1000, mean: r.mean / 1000,
    cpuPct: ((r.cpuTicks * 10) / wallMs) * 100,
  };
}

/** Runs wrk sending `requests` (already signed: { method, path, headers, body }) in turn; resolves what runWrk resolves. */
export async function runWrkRequests({ url, requests, connections, seconds }) {
  const dir = mkdtempSync(join(tmpdir(), "unkai-wrk-"));
  try {
    const file = join(dir, "requests.lua");
    writeFileSync(file, scriptMany(requests));
    return await wrkWith(file, url, connections, seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs wrk against `url` for `seconds` with `connections` keep-alive connections. `sign`: the SigV4
 * service name to sign as (undefined sends the request unsigned), with `credentials` ({ accessKeyId,
 * secretAccessKey }; default the loopback root key). Resolves { rps, p50, p90, p99, mean
 * (ms), requests, errors, non2xx, cpuPct (wrk's CPU, % of one core) }.
 */
export async function runWrk({ url, method = "POST", headers = {}, body = "{}", connections, seconds, sign, credentials }) {
  const payload = Buffer.from(body);
  const all = sign
    ? await signedHeaders(url, method, { "content-type": "application/json", "content-length": payload.length, ...headers }, payload, sign, credentials)
    : { "content-type": "application/json", ...headers };
  const dir = mkdtempSync(join(tmpdir(), "unkai-wrk-"));
  try {
    const file = join(dir, "request.lua");
    writeFileSync(file, script(method, all, body));
    return await wrkWith(file, url, connections, seconds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- CPU of a process tree

function statOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), ms: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return undefined;
  }
}

/** pid → { ppid, ms } for every process on the host. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(Number(entry));
    if (stat) table.set(Number(entry), stat);
  }
  return table;
}

/** Every descendant of `root` (children, their children…) in `table`. */
function descendants(table, root) {
  const children = new Map();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/**
 * CPU (ms) used by `pid` itself and by all its descendants (an environment's shell, bubblewrap, the
 * runtime and whatever it started, network helpers) while `work` runs. A descendant that appears during
 * the run counts from zero; one that ends during the run is missed (none do in a warm steady state,
 * and `ended` says how many did).
 */
export async function treeCpu(pid, work) {
  const before = processTable();
  const beforeKids = descendants(before, pid);
  const waitedBefore = runQueueWaitMs([pid, ...beforeKids]);
  const started = performance.now();
  const result = await work();
  const wallMs = performance.now() - started;
  const after = processTable();
  const afterKids = descendants(after, pid);
  const selfMs = (after.get(pid)?.ms ?? 0) - (before.get(pid)?.ms ?? 0);
  let kidsMs = 0;
  for (const kid of afterKids) kidsMs += after.get(kid).ms - (before.get(kid)?.ms ?? 0);
  const ended = beforeKids.filter((kid) => !after.has(kid)).length;
  // Threads of processes that started during the run count from zero, as their CPU does.
  let waitMs = 0;
  for (const [thread, ms] of runQueueWaitMs([pid, ...afterKids])) waitMs += ms - (waitedBefore.get(thread) ?? 0);
  return { result, wallMs, selfMs, kidsMs, waitMs, ended, processes: afterKids.length };
}

/**
 * thread id → ms it has spent runnable but waiting for a core (schedstat's run_delay), for every thread
 * of `pids`: how much the machine's cores were oversubscribed for them.
 */
function runQueueWaitMs(pids) {
  const waited = new Map();
  const threadsOf = (pid) => {
    try {
      return readdirSync(`/proc/${pid}/task`);
    } catch {
      return []; // exited while we looked
    }
  };
  for (const pid of pids) {
    for (const thread of threadsOf(pid)) {
      try {
        waited.set(`${pid}/${thread}`, Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "latin1").split(" ")[1]) / 1e6);
      } catch {
        // ended, or no schedstat on this kernel
      }
    }
  }
  return waited;
}
