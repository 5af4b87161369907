// A CPU profile of an Unkai server under wrk load, for bench/profile-invoke.js and bench/profile-dynamodb.js:
// starts the server with `node --cpu-prof`, lets `prepare(server)` set it up and name the wrk target, replays
// it 3 s unmeasured and then `seconds` measured, stops the server (the profile is written on exit) and prints
// the hottest functions with bench/cpuprofile-summary.js.
import { mkdirSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { startHelloServer, stopProcess } from "./lib.js";
import { runWrk } from "./wrk.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function profileUnderLoad({ outDir, seconds, label, prepare, rows = 45 }) {
  mkdirSync(outDir, { recursive: true });
  const server = await startHelloServer({ nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${outDir}`] });
  const target = await prepare(server);
  await runWrk({ ...target, seconds: 3 });
  const result = await runWrk({ ...target, seconds });
  console.log(`wrk${label ? ` ${label}` : ""}: ${result.requests} requests, ${result.rps?.toFixed?.(0)} req/s, p50 ${result.p50} ms`);
  await stopProcess(server.child, 10_000);
  const newest = readdirSync(outDir).filter((f) => f.endsWith(".cpuprofile")).sort().at(-1);
  console.log(execFileSync(process.execPath, [join(ROOT, "bench/cpuprofile-summary.js"), join(outDir, newest), String(rows)], { encoding: "utf8" }));
}
