// serverless-offline, the peer many users pick today for local HTTP APIs, serving the (h) row's hello
// handler behind an `httpApi` event, for a side-by-side row in the gateway phase (bench/gateway.js).
//
// It is a peer, not a dependency of Unkai: the bench installs it on first use into a cache directory
// outside the repository (~/.cache/unkai-bench/serverless-offline, or $XDG_CACHE_HOME/unkai-bench/…;
// the repo's own .cache may be shared with other checkouts) with `npm install --no-save --prefix`.
// Versions: serverless 3 (v4 needs a login and a licence key and downloads a binary) and
// serverless-offline 13, the last major whose peer range is serverless ^3. Both are MIT-licensed.
// When the install or the start fails (no network, say), the row reports "not run: <reason>" and the
// rest of the bench goes on.
//
// It runs with its defaults, as users get them, except the host and ports: Node handlers in worker
// threads of the one serverless process (so its /proc stat counts every handler's CPU), one worker per
// concurrent request, and a log line per request on stderr (written to a file, as Unkai's log is).
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fmt, request, sleep, stopProcess } from "./lib.js";
import { ensurePeer, freePort, installedVersion } from "./peers.js";

export const PACKAGES = ["serverless@3", "serverless-offline@13"];
const READY_TIMEOUT_MS = 60_000;

/** Installs the peer unless already there; resolves { dir, versions } or throws with the reason. */
export function ensureServerlessOffline({ work, log }) {
  const installed = (dir) => {
    const serverless = installedVersion(dir, "serverless");
    const offline = installedVersion(dir, "serverless-offline");
    if (!serverless?.startsWith("3.") || !offline?.startsWith("13.")) return undefined;
    return { serverless, offline };
  };
  return ensurePeer({ name: "serverless-offline", packages: PACKAGES, installed, work, log: (line) => log(`(h) ${line}`) });
}

/** serverless.yml: provider aws, nodejs20.x, the hello handler behind GET and POST httpApi routes. */
function serverlessYml(pluginDir, httpPort, lambdaPort) {
  return [
    "service: unkai-bench",
    'frameworkVersion: "3"',
    "provider:",
    "  name: aws",
    "  runtime: nodejs20.x",
    "  region: us-east-1",
    "plugins:",
    `  localPath: ${JSON.stringify(join(pluginDir, "node_modules"))}`,
    "  modules:",
    "    - serverless-offline",
    "custom:",
    "  serverless-offline:",
    "    host: 127.0.0.1",
    `    httpPort: ${httpPort}`,
    `    lambdaPort: ${lambdaPort}`,
    "functions:",
    "  hello:",
    "    handler: index.handler",
    "    events:",
    "      - httpApi:",
    "          method: GET",
    "          path: /hello",
    "      - httpApi:",
    "          method: POST",
    "          path: /hello",
    "",
  ].join("\n");
}

/** Polls `url` until it answers 200; throws with the last error after READY_TIMEOUT_MS or when the process exits. */
async function waitUntilAnswers(url, child) {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  let last = "no answer";
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`serverless offline exited (${child.exitCode ?? child.signalCode}) before answering`);
    try {
      const res = await request(url);
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${res.body.slice(0, 200)}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(250);
  }
  throw new Error(`serverless offline did not answer ${url} within ${READY_TIMEOUT_MS} ms: ${last}`);
}

/**
 * Starts `serverless offline start` in a service folder holding `handlerJs` as index.js; resolves
 * { child, pid, url } once GET /hello answers. Its output goes to serverless-offline.log in `work`.
 */
export async function startServerlessOffline({ dir, work, handlerJs }) {
  const service = join(work, "serverless-offline-service");
  mkdirSync(service, { recursive: true });
  writeFileSync(join(service, "index.js"), handlerJs);
  const httpPort = await freePort();
  const lambdaPort = await freePort();
  writeFileSync(join(service, "serverless.yml"), serverlessYml(dir, httpPort, lambdaPort));
  const fd = openSync(join(work, "serverless-offline.log"), "a");
  // Telemetry and update notices off: the bench should not call home; neither touches the request path.
  const env = { ...process.env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" };
  const bin = join(dir, "node_modules", "serverless", "bin", "serverless.js");
  const child = spawn(process.execPath, [bin, "offline", "start"], { cwd: service, env, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  const url = `http://127.0.0.1:${httpPort}/hello`;
  try {
    await waitUntilAnswers(url, child);
  } catch (error) {
    await stopProcess(child, 3_000);
    throw error;
  }
  return { child, pid: child.pid, url };
}

// ---------------------------------------------------------------- report

const errorsOf = (run) => run.errors + run.non2xx;
const MODE = "handlers in worker threads (its default)";

function label(peer) {
  return peer?.versions ? `serverless-offline ${peer.versions.offline}, serverless ${peer.versions.serverless}` : "serverless-offline";
}

/** The Summary rows: Unkai's HTTP API beside serverless-offline at 32 connections and at 1 (p50). */
export function offlineSummaryRows(result) {
  const at32 = result?.rows.find((row) => row.connections === 32);
  const at1 = result?.rows.find((row) => row.connections === 1);
  const name = "— serverless-offline";
  if (!at32?.offline || !at1?.offline) {
    const reason = result?.offline?.notRun ?? (result ? "no serverless-offline figures" : "the gateway phase did not run");
    return [`| (h) HTTP API throughput, 32 connections ${name} | ${fmt(at32?.gateway.rps, 0)} req/s | not run: ${escapeCell(reason)} | | — | |`];
  }
  const g = at32.gateway;
  const o = at32.offline;
  const who = `(${label(result.offline)}, worker threads)`;
  return [
    `| (h) HTTP API throughput, 32 connections ${name} | ${fmt(g.rps, 0)} req/s | ${fmt(o.rps, 0)} req/s ${who} | ${fmt(g.rps / o.rps)}× | — | |`,
    `| (h) HTTP API p50, 1 connection ${name} | ${fmt(at1.gateway.p50, 3)} ms | ${fmt(at1.offline.p50, 3)} ms | ${fmt(at1.gateway.p50 / at1.offline.p50)}× | — | |`,
    `| (h) HTTP API CPU per request, 32 connections ${name} | ${fmt(g.serverMsPerReq + g.childMsPerReq, 3)} ms (server + environments) | ${fmt(o.serverMsPerReq + o.childMsPerReq, 3)} ms (its one process, worker threads included) | ${fmt((g.serverMsPerReq + g.childMsPerReq) / (o.serverMsPerReq + o.childMsPerReq))}× | — | |`,
  ];
}

/** The lines added to the (h) section. */
export function offlineSection(result) {
  const lines = ["### (h) beside serverless-offline", ""];
  if (result.offline?.notRun && !result.rows.some((row) => row.offline)) return [...lines, `Not run: ${escapeCell(result.offline.notRun)}.`, ""];
  lines.push(`${label(result.offline)} (both MIT; installed by the bench into ${"`~/.cache/unkai-bench/serverless-offline`"}, not a dependency of Unkai) serving the same handler behind GET and POST \`httpApi\` routes (\`serverless offline start\`, a generated \`serverless.yml\`: provider aws, nodejs20.x, its defaults except host and ports), measured in the same run and the same way as the rows above. Mode: ${MODE}: one worker per concurrent request, in the one serverless process, so that process's CPU is the whole cost. It is the mode users get without flags; \`--useInProcess\` shares \`process.env\` and globals with serverless itself and cannot reload handlers. Its default log line per request goes to a file, as Unkai's log does.`);
  lines.push("");
  lines.push("| Connections | serverless-offline req/s | HTTP API / serverless-offline | serverless-offline / bare | p50 / p99, ms | CPU per request | wrk CPU (% of a core) | Errors |");
  lines.push("|---|---|---|---|---|---|---|---|");
  for (const row of result.rows) {
    const o = row.offline;
    if (!o) continue;
    lines.push(`| ${row.connections} | ${fmt(o.rps, 0)} | ${fmt(row.gateway.rps / o.rps)}× | ${fmt((o.rps / row.baseline.rps) * 100, 1)} % | ${fmt(o.p50, 3)} / ${fmt(o.p99, 2)} | ${fmt(o.serverMsPerReq + o.childMsPerReq, 3)} ms | ${fmt(o.cpuPct, 0)} | ${errorsOf(o)} |`);
  }
  if (result.offline?.notRun) lines.push("", `Rows missing: ${escapeCell(result.offline.notRun)}.`);
  lines.push("");
  return lines;
}

function escapeCell(text) {
  return String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
}
