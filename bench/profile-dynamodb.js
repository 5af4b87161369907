// Profiles the Unkai server under DynamoDB load: starts it with `node --cpu-prof`, loads bench (k)'s table,
// replays one of its operations (get, put, query, transact) with wrk at N connections for S seconds, stops the
// server (the profile is written on exit) and prints the hottest functions with bench/cpuprofile-summary.js.
// Usage: node bench/profile-dynamodb.js [op=get] [connections=8] [seconds=10] [outDir=/tmp/unkai-prof-ddb]
import { mkdirSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { startHelloServer, stopProcess } from "./lib.js";
import { runWrk } from "./wrk.js";
import { OPS, dataSet, headersFor, loadUnkai } from "./dynamodb.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [opKey = "get", connections = "8", seconds = "10", outDir = "/tmp/unkai-prof-ddb"] = process.argv.slice(2);
const op = OPS.find((o) => o.key === opKey);
if (!op) throw new Error(`unknown operation ${opKey}: one of ${OPS.map((o) => o.key).join(", ")}`);
mkdirSync(outDir, { recursive: true });
const { child, url } = await startHelloServer({ nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${outDir}`] });
await loadUnkai(url, dataSet());
const target = { url: `${url}/`, method: "POST", headers: headersFor(op.target), body: JSON.stringify(op.body), sign: "dynamodb", connections: Number(connections) };
await runWrk({ ...target, seconds: 3 });
const result = await runWrk({ ...target, seconds: Number(seconds) });
console.log(`wrk ${op.label}: ${result.requests} requests, ${result.rps?.toFixed?.(0)} req/s, p50 ${result.p50} ms`);
await stopProcess(child, 10_000);
const newest = readdirSync(outDir).filter((f) => f.endsWith(".cpuprofile")).sort().at(-1);
console.log(execFileSync(process.execPath, [join(ROOT, "bench/cpuprofile-summary.js"), join(outDir, newest), "50"], { encoding: "utf8" }));
