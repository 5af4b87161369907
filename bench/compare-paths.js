// Invoke API against the HTTP API on one server, wrk at one connection, alternating rounds, with the
// server's CPU per request: isolates what the Invoke front end costs beyond the gateway's event mapping.
// Usage: node bench/compare-paths.js [rounds=3] [seconds=4] [connections=1]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBenchRole, request, spawnUntilLine, stopProcess, zipFiles } from "./lib.js";
import { runWrk } from "./wrk.js";
import { measured } from "./throughput.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [rounds = "3", seconds = "4", connections = "1"] = process.argv.slice(2);
const env = { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn" };
const extra = process.env.UNKAI_NODE_FLAGS ? process.env.UNKAI_NODE_FLAGS.split(" ") : [];
const { child, match } = await spawnUntilLine(process.execPath, [...extra, join(ROOT, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", mkdtempSync(join(tmpdir(), "unkai-paths-"))], { env, cwd: ROOT, pattern: /Unkai ready at (http:\/\/[^\s]+)/ });
child.stdout.resume();
const url = match[1];
const zip = await zipFiles({ "index.js": "exports.handler = async () => ({ statusCode: 200, body: 'hello' });\n" });
const created = await request(`${url}/2015-03-31/functions`, { method: "POST", body: { FunctionName: "hello", Runtime: "nodejs20.x", Role: await ensureBenchRole(url), Handler: "index.handler", MemorySize: 128, Timeout: 10, Code: { ZipFile: zip.toString("base64") } } });
if (created.status >= 300) throw new Error(`CreateFunction: ${created.status} ${created.body}`);
const api = await request(`${url}/v2/apis`, { method: "POST", service: "apigateway", body: { name: "b", protocolType: "HTTP", target: "arn:aws:lambda:us-east-1:000000000000:function:hello" } });
const targets = {
  invoke: { url: `${url}/2015-03-31/functions/hello/invocations`, sign: "lambda" },
  gateway: { url: `${url}/_aws/execute-api/${JSON.parse(api.body).apiId}/hello`, method: "GET", body: "" },
};
const c = Number(connections);
for (const t of Object.values(targets)) await runWrk({ ...t, connections: c, seconds: 2 });
const rows = { invoke: [], gateway: [] };
for (let r = 0; r < Number(rounds); r++) {
  for (const key of (r % 2 ? ["gateway", "invoke"] : ["invoke", "gateway"]).filter((k) => !process.env.ONLY || k === process.env.ONLY)) rows[key].push(await measured(child.pid, targets[key], c, Number(seconds), 0));
}
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [key, runs] of Object.entries(rows).filter(([, runs]) => runs.length > 0)) {
  console.log(`${key.padEnd(8)} p50 ${med(runs.map((x) => x.p50)).toFixed(3)} p90 ${med(runs.map((x) => x.p90)).toFixed(3)} p99 ${med(runs.map((x) => x.p99)).toFixed(3)} ms  ${med(runs.map((x) => x.rps)).toFixed(0)} req/s  server ${med(runs.map((x) => x.serverMsPerReq)).toFixed(3)} ms/req  env ${med(runs.map((x) => x.childMsPerReq)).toFixed(3)} ms/req`);
}
await stopProcess(child, 10_000);
