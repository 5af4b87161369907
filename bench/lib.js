// Shared helpers for the benchmark suite (bench/run.js): statistics, HTTP, processes, /proc and zips.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import yazl from "yazl";

// ---------------------------------------------------------------- statistics

export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values) => percentile(values, 50);
export const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

export function fmt(value, digits = 2) {
  if (value === undefined || value === null || Number.isNaN(value)) return "n/a";
  return value.toFixed(digits);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- HTTP (orchestrator side; not for timed load)

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const signers = new Map();
/** Unkai's loopback default key: the account root. */
const ROOT_KEY = { accessKeyId: "test", secretAccessKey: "test" };

/** A signer for the endpoint's service (the credential scope must name it) and key. */
function signerFor(service, credentials = ROOT_KEY) {
  const id = `${service} ${credentials.accessKeyId}`;
  let signer = signers.get(id);
  if (!signer) {
    signer = new SignatureV4({ credentials, region: "us-east-1", service, sha256: Hash.bind(null, "sha256") });
    signers.set(id, signer);
  }
  return signer;
}

/**
 * `headers` plus a SigV4 signature with `credentials` (default: Unkai's loopback key, the account root);
 * a signed request may be replayed for 15 minutes.
 */
export async function signedHeaders(url, method, headers, payload, service = "lambda", credentials = ROOT_KEY) {
  const target = new URL(url);
  const signed = await signerFor(service, credentials).sign({
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port) || undefined,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)])), host: target.host },
    ...(payload ? { body: payload } : {}),
  });
  return signed.headers;
}

/** One signed request; resolves { status, headers, body (string), ms } and never rejects on HTTP status. */
export async function request(url, { method = "GET", headers = {}, body, service, credentials } = {}) {
  const payload = body === undefined ? undefined : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const signed = await signedHeaders(url, method, { ...(payload ? { "content-type": "application/json", "content-length": payload.length } : {}), ...headers }, payload, service, credentials);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(url, {
      method,
      agent,
      headers: signed,
    }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), ms });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export function closeAgent() {
  agent.destroy();
}

// ---------------------------------------------------------------- processes

/**
 * Spawns a process that prints a line matching `pattern` on stdout when ready. Resolves
 * { child, match, ms } where ms is spawn → line. stderr goes to `stderrFd` (a file) or is ignored.
 */
export function spawnUntilLine(command, args, { env, cwd, pattern, timeoutMs = 15_000, stderrFd } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, cwd, stdio: ["ignore", "pipe", stderrFd ?? "ignore"] });
    let buffer = "";
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${command} ${args.join(" ")}: no ready line within ${timeoutMs} ms (stdout: ${buffer.slice(0, 500)})`)), timeoutMs);
    const finish = (error, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        child.kill("SIGKILL");
        reject(error);
      } else {
        resolve(value);
      }
    };
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      if (done) return;
      buffer += chunk;
      const match = pattern.exec(buffer);
      if (match) finish(undefined, { child, match, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
    child.once("error", (error) => finish(error));
    child.once("exit", (code, signal) => finish(new Error(`${command} exited (${code ?? signal}) before its ready line; stdout: ${buffer.slice(0, 500)}`)));
  });
}

/** Spawn → exit time of a short command, in ms; rejects on a non-zero exit. */
export function timeProcess(command, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.slice(0, 500)}`));
    });
  });
}

/** Runs a node script to completion and parses the JSON it prints on stdout. */
export function runJson(script, args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${err.slice(0, 1000)}`));
      try {
        resolve(JSON.parse(out));
      } catch (error) {
        reject(new Error(`${script}: bad JSON output (${error.message}): ${out.slice(0, 300)}`));
      }
    });
  });
}

/** Sends SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export function stopProcess(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

// ---------------------------------------------------------------- /proc

/** VmRSS of a process in MB (0 when gone). */
export function rssMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in ms (USER_HZ is 100 on Linux). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Machine-wide CPU counters from /proc/stat: { busy, total } in USER_HZ ticks over all cores. */
export function machineTicks() {
  const line = readFileSync("/proc/stat", "latin1").split("\n")[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function loadAverage() {
  try {
    return readFileSync("/proc/loadavg", "latin1").split(" ").slice(0, 3).join(" ");
  } catch {
    return "n/a";
  }
}

/** Direct children of `ppid`: [{ pid, comm, cmdline }]. */
export function childrenOf(ppid) {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      // comm is parenthesised and may contain spaces: fields after the last ')' are space-separated.
      const close = stat.lastIndexOf(")");
      const fields = stat.slice(close + 2).split(" ");
      if (Number(fields[1]) !== ppid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").filter(Boolean).join(" ");
      out.push({ pid: Number(entry), comm: stat.slice(stat.indexOf("(") + 1, close), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

// ---------------------------------------------------------------- machine

export function machineInfo() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown";
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  let kernel = "unknown";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    // not Linux
  }
  return { model, cores, memGiB: memKb / 1024 / 1024, node: process.version, kernel, date: new Date().toISOString() };
}

// ---------------------------------------------------------------- zips

/** Zips in-memory files (name → string) into a Buffer. */
export function zipFiles(files) {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name, { mode: 0o100644, mtime: new Date(0) });
    zip.end();
    const chunks = [];
    zip.outputStream.on("data", (chunk) => chunks.push(chunk));
    zip.outputStream.on("end", () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on("error", reject);
  });
}

const benchRoles = new Map();
/**
 * The bench's execution role `bench` on the server at `url`: trusting Lambda and Scheduler, with
 * AdministratorAccess. Under IAM enforcement (Unkai's default) CreateFunction refuses a role that does
 * not exist, as AWS does, and a schedule delivers only as a role that trusts Scheduler. Made once per
 * server; answers its ARN.
 */
export function ensureBenchRole(url) {
  if (!benchRoles.has(url)) benchRoles.set(url, makeBenchRole(url));
  return benchRoles.get(url);
}

async function makeBenchRole(url) {
  const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "scheduler.amazonaws.com"] }, Action: "sts:AssumeRole" }] });
  const iam = (params) => request(`${url}/`, {
    method: "POST", service: "iam", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2010-05-08", ...params }).toString(),
  });
  const created = await iam({ Action: "CreateRole", RoleName: "bench", AssumeRolePolicyDocument: trust });
  if (created.status !== 200 && !created.body.includes("EntityAlreadyExists")) throw new Error(`CreateRole bench: HTTP ${created.status} ${created.body.slice(0, 300)}`);
  const attached = await iam({ Action: "AttachRolePolicy", RoleName: "bench", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
  if (attached.status !== 200) throw new Error(`AttachRolePolicy bench: HTTP ${attached.status} ${attached.body.slice(0, 300)}`);
  return /<Arn>([^<]+)<\/Arn>/.exec(created.body)?.[1] ?? "arn:aws:iam::000000000000:role/bench";
}

/**
 * An Unkai from `root` (this repository by default) on a free port with a scratch data dir, and one warm-able
 * Node function `name` running `handlerJs` as the bench role; with `gateway`, an HTTP API quick-created for it.
 * Answers the child, its URL and wrk targets `invoke` (signed Invoke) and, with `gateway`, `gateway`.
 * `nodeFlags` go before the entry point (e.g. `--cpu-prof`); `stderrFd` takes the server's log.
 */
export async function startHelloServer({ root = join(dirname(fileURLToPath(import.meta.url)), ".."), dataDir, name = "hello", handlerJs, gateway = false, nodeFlags = [], env = {}, stderrFd } = {}) {
  const { child, match } = await spawnUntilLine(process.execPath, [...nodeFlags, join(root, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir ?? mkdtempSync(join(tmpdir(), "unkai-bench-"))], {
    env: { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn", ...env }, cwd: root, pattern: /Unkai ready at (http:\/\/[^\s]+)/, stderrFd,
  });
  child.stdout.resume();
  const url = match[1];
  const zip = await zipFiles({ "index.js": handlerJs ?? "exports.handler = async () => ({ statusCode: 200, body: 'hello' });\n" });
  const created = await request(`${url}/2015-03-31/functions`, {
    method: "POST",
    body: { FunctionName: name, Runtime: "nodejs20.x", Role: await ensureBenchRole(url), Handler: "index.handler", Timeout: 10, MemorySize: 128, Code: { ZipFile: zip.toString("base64") } },
  });
  if (created.status >= 300) throw new Error(`CreateFunction ${name}: HTTP ${created.status} ${created.body.slice(0, 300)}`);
  const targets = { invoke: { url: `${url}/2015-03-31/functions/${name}/invocations`, sign: "lambda" } };
  if (gateway) {
    const api = await request(`${url}/v2/apis`, { method: "POST", service: "apigateway", body: { name: `${name}-api`, protocolType: "HTTP", target: `arn:aws:lambda:us-east-1:000000000000:function:${name}` } });
    if (api.status >= 300) throw new Error(`CreateApi: HTTP ${api.status} ${api.body.slice(0, 300)}`);
    targets.gateway = { url: `${url}/_aws/execute-api/${JSON.parse(api.body).apiId}/hello`, method: "GET", body: "" };
  }
  return { child, url, targets };
}
