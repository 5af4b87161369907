// Profiles the Unkai server under warm Invoke load: starts it with `node --cpu-prof`, creates a hello
// function, drives it with wrk at N connections for S seconds, stops the server (the profile is written
// on exit) and prints the hottest functions with bench/cpuprofile-summary.js.
// Usage: node bench/profile-invoke.js [connections=1] [seconds=10] [outDir=/tmp/unkai-prof]
import { mkdirSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { ensureBenchRole, request, spawnUntilLine, stopProcess, zipFiles } from "./lib.js";
import { runWrk } from "./wrk.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [connections = "1", seconds = "10", outDir = "/tmp/unkai-prof"] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const dataDir = mkdtempSync(join(tmpdir(), "unkai-prof-"));
const env = { ...process.env, UNKAI_EXAMPLE: "0", UNKAI_LOG_LEVEL: "warn" };
const { child, match } = await spawnUntilLine(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${outDir}`, join(ROOT, "bin", "unkai.js"), "start", "--host", "127.0.0.1", "--port", "0", "--data-dir", dataDir], { env, cwd: ROOT, pattern: /Unkai ready at (http:\/\/[^\s]+)/ });
child.stdout.resume();
const url = match[1];
const zip = await zipFiles({ "index.js": "exports.handler = async (event) => ({ statusCode: 200, body: 'hello' });\n" });
const created = await request(`${url}/2015-03-31/functions`, { method: "POST", body: { FunctionName: "hello", Runtime: "nodejs20.x", Role: await ensureBenchRole(url), Handler: "index.handler", MemorySize: 128, Timeout: 10, Code: { ZipFile: zip.toString("base64") } } });
if (created.status >= 300) throw new Error(`CreateFunction: ${created.status} ${created.body}`);
const target = { url: `${url}/2015-03-31/functions/hello/invocations`, sign: "lambda", connections: Number(connections) };
await runWrk({ ...target, seconds: 3 });
const result = await runWrk({ ...target, seconds: Number(seconds) });
console.log(`wrk: ${result.requests} requests, ${result.rps?.toFixed?.(0)} req/s, p50 ${result.p50} ms`);
await stopProcess(child, 10_000);
const newest = readdirSync(outDir).filter((f) => f.endsWith(".cpuprofile")).sort().at(-1);
console.log(execFileSync(process.execPath, [join(ROOT, "bench/cpuprofile-summary.js"), join(outDir, newest), "45"], { encoding: "utf8" }));
