// Profiles the Unkai server under warm Invoke load: starts it with `node --cpu-prof`, creates a hello
// function, drives it with wrk at N connections for S seconds, stops the server (the profile is written
// on exit) and prints the hottest functions with bench/cpuprofile-summary.js.
// Usage: node bench/profile-invoke.js [connections=1] [seconds=10] [outDir=/tmp/unkai-prof]
import { mkdirSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { startHelloServer, stopProcess } from "./lib.js";
import { runWrk } from "./wrk.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const [connections = "1", seconds = "10", outDir = "/tmp/unkai-prof"] = process.argv.slice(2);
mkdirSync(outDir, { recursive: true });
const { child, targets } = await startHelloServer({ nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${outDir}`] });
const target = { ...targets.invoke, connections: Number(connections) };
await runWrk({ ...target, seconds: 3 });
const result = await runWrk({ ...target, seconds: Number(seconds) });
console.log(`wrk: ${result.requests} requests, ${result.rps?.toFixed?.(0)} req/s, p50 ${result.p50} ms`);
await stopProcess(child, 10_000);
const newest = readdirSync(outDir).filter((f) => f.endsWith(".cpuprofile")).sort().at(-1);
console.log(execFileSync(process.execPath, [join(ROOT, "bench/cpuprofile-summary.js"), join(outDir, newest), "45"], { encoding: "utf8" }));
