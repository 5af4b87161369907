// Sums a V8 CPU profile (`node --cpu-prof`, e.g. a server started that way and driven by wrk):
// self time by function with its two heaviest callers, then inclusive time of Unkai's own functions.
// Usage: node bench/cpuprofile-summary.js <file.cpuprofile> [rows=40] [inclusive filter=dist/]
// The profile samples wall time on the main thread: on a busy host, time descheduled inside a system
// call (writev, write) is counted to it, so compare shares within one profile, or use `perf record`
// (with node --perf-basic-prof) for on-CPU time.
import { readFileSync } from "node:fs";

const [file, rowsArg, filterArg] = process.argv.slice(2);
if (!file) throw new Error("usage: node bench/cpuprofile-summary.js <file.cpuprofile> [rows] [filter]");
const profile = JSON.parse(readFileSync(file, "utf8"));
const rows = Number(rowsArg ?? 40);
const filter = filterArg ?? "dist/";
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
const timeOf = new Map();
profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...timeOf.values()].reduce((a, b) => a + b, 0);
const nameOf = (n) => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/.*\/(dist|node_modules)\//, "$1/")}:${n.callFrame.lineNumber + 1}`;
const self = new Map();
const inclusive = new Map();
const callers = new Map();
for (const n of profile.nodes) {
  const t = timeOf.get(n.id) ?? 0;
  if (t === 0) continue;
  const name = nameOf(n);
  self.set(name, (self.get(name) ?? 0) + t);
  const seen = new Set();
  for (let at = n; at; at = byId.get(parentOf.get(at.id))) {
    const k = nameOf(at);
    if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    seen.add(k);
  }
  const parent = byId.get(parentOf.get(n.id));
  const byCaller = callers.get(name) ?? new Map();
  callers.set(name, byCaller);
  const caller = parent ? nameOf(parent) : "(root)";
  byCaller.set(caller, (byCaller.get(caller) ?? 0) + t);
}
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, rows);
console.log(`${(total / 1000).toFixed(0)} ms sampled`);
console.log("--- self time (two heaviest callers)");
for (const [name, t] of top(self)) {
  const by = [...callers.get(name)].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([c, ct]) => `${c.split(" ")[0]} ${pct(ct).trim()}`);
  console.log(pct(t), name, " <-", by.join(", "));
}
console.log(`--- inclusive time, functions in ${filter}`);
for (const [name, t] of top(new Map([...inclusive].filter(([k]) => k.includes(filter))))) console.log(pct(t), name);
