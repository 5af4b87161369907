// Invoke API against the HTTP API on one server, wrk at one connection, alternating rounds, with the
// server's CPU per request: isolates what the Invoke front end costs beyond the gateway's event mapping.
// Usage: node bench/compare-paths.js [rounds=3] [seconds=4] [connections=1]
import { startHelloServer, stopProcess } from "./lib.js";
import { runWrk } from "./wrk.js";
import { measured } from "./throughput.js";

const [rounds = "3", seconds = "4", connections = "1"] = process.argv.slice(2);
const nodeFlags = process.env.UNKAI_NODE_FLAGS ? process.env.UNKAI_NODE_FLAGS.split(" ") : [];
const { child, targets } = await startHelloServer({ gateway: true, nodeFlags });
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
