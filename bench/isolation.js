// Isolation benchmarks (issue 5): the same cold starts (pooled and not), warm latency and
// environment memory under the linux driver and the process driver, in one run. Unkais for the
// two drivers start alternately, so drift in the machine's load hits both alike.
import { fmt, percentile, sleep } from "./lib.js";

const DRIVERS = ["process", "linux"];

/** Runs every isolation phase; helpers come from run.js. */
export async function phaseIsolation({ startUnkai, stopUnkai, createFunction, invokeTail, loadgen, phaseEnvRss, invokePath, log, P, helloJs, slowJs }) {
  const out = { pooled: {}, unpooled: {}, warm: {}, env: {} };
  for (const pooled of [true, false]) {
    for (const driver of DRIVERS) {
      log(`(i) ${driver} driver, ${pooled ? "pre-start pool" : "no pool"}`);
      const unkai = await startUnkai(`iso-${driver}-${pooled ? "pool" : "nopool"}`, { UNKAI_SANDBOX: driver, UNKAI_PRESTART: pooled ? "1" : "0" });
      try {
        const cold = [];
        for (let i = 0; i < P.coldN; i++) await createFunction(unkai.url, `iso-cold-${i}`, "nodejs20.x", "index.handler", { "index.js": helloJs });
        for (let i = 0; i < P.coldN; i++) {
          await sleep(P.coldGapMs); // the pool refills between cold starts, as between real ones
          const res = await invokeTail(unkai.url, `iso-cold-${i}`);
          if (!res.ok) throw new Error(`cold invoke under ${driver}: ${res.detail}`);
          cold.push(res.ms);
        }
        (pooled ? out.pooled : out.unpooled)[driver] = cold;
        if (pooled) {
          await createFunction(unkai.url, "iso-hello", "nodejs20.x", "index.handler", { "index.js": helloJs });
          await loadgen({ url: `${unkai.url}${invokePath("iso-hello")}`, concurrency: 1, count: P.jitWarm });
          const samples = [];
          for (let round = 0; round < P.latencyRounds; round++) {
            samples.push(...(await loadgen({ url: `${unkai.url}${invokePath("iso-hello")}`, concurrency: 1, warmupCount: P.latencyWarm, count: P.latencyCount })).samples);
          }
          out.warm[driver] = samples;
        } else {
          out.env[driver] = await phaseEnvRss(unkai, `node-${driver}`, "nodejs20.x", "index.handler", { "index.js": slowJs }, Math.max(2, P.envK / 2));
        }
      } finally {
        await stopUnkai(unkai);
      }
    }
  }
  return out;
}

const p50 = (values) => percentile(values, 50);
const p99 = (values) => percentile(values, 99);

/** Summary rows: [measure, unkai (linux), baseline (process), ratio, target, verdict]. */
export function isolationSummaryRows(r, verdict) {
  if (!r) return [];
  const rows = [];
  if (r.pooled.linux && r.pooled.process) {
    const added = p50(r.pooled.linux) - p50(r.pooled.process);
    rows.push(`| (i) pooled Node cold start p50, linux driver | ${fmt(p50(r.pooled.linux), 1)} ms | ${fmt(p50(r.pooled.process), 1)} ms (process driver) | ${fmt(p50(r.pooled.linux) / p50(r.pooled.process))}× | added ≤ 10 ms (got ${added >= 0 ? "+" : ""}${fmt(added, 1)} ms) | ${verdict(added <= 10)} |`);
  }
  if (r.warm.linux && r.warm.process) {
    const added = p50(r.warm.linux) - p50(r.warm.process);
    rows.push(`| (i) warm invoke p50, linux driver | ${fmt(p50(r.warm.linux), 3)} ms | ${fmt(p50(r.warm.process), 3)} ms (process driver) | ${fmt(p50(r.warm.linux) / p50(r.warm.process))}× | added ≤ 0.1 ms (got ${added >= 0 ? "+" : ""}${fmt(added, 3)} ms) | ${verdict(added <= 0.1)} |`);
  }
  return rows;
}

/** The section's markdown lines. */
export function isolationSection(r) {
  if (!r) return [];
  const lines = [
    "## (i) Isolation: linux driver vs process driver",
    "",
    "The same Node hello function on two Unkais that differ only in `UNKAI_SANDBOX`, started alternately in this run. The linux driver adds bubblewrap namespaces and a cgroup per environment; the process driver runs plain process groups. Cold starts are first invokes of never-invoked functions (client time); warm latency is sequential invokes of one warm environment from a separate load-generator process.",
    "",
    "| | process driver | linux driver | added by isolation |",
    "|---|---|---|---|",
  ];
  const signed = (value, digits) => `${value >= 0 ? "+" : ""}${fmt(value, digits)}`;
  const row = (label, of, digits, unit) => {
    const [a, b] = DRIVERS.map((driver) => of({ pooled: r.pooled[driver], unpooled: r.unpooled[driver], warm: r.warm[driver] }));
    if (a !== undefined && b !== undefined) lines.push(`| ${label} | ${fmt(a, digits)} ${unit} | ${fmt(b, digits)} ${unit} | ${signed(b - a, digits)} ${unit} |`);
  };
  const over = (values, f) => (values?.length ? f(values) : undefined);
  row("cold start, pre-start pool, p50", (d) => over(d.pooled, p50), 1, "ms");
  row("cold start, no pool, p50", (d) => over(d.unpooled, p50), 1, "ms");
  row("warm invoke p50", (d) => over(d.warm, p50), 3, "ms");
  row("warm invoke p99", (d) => over(d.warm, p99), 3, "ms");
  if (r.env.process && r.env.linux) {
    lines.push(`| RSS per warm Node environment (its whole process tree) | ${fmt(r.env.process.perEnv, 1)} MB | ${fmt(r.env.linux.perEnv, 1)} MB | ${signed(r.env.linux.perEnv - r.env.process.perEnv, 1)} MB |`);
  }
  lines.push("", `Samples: ${r.pooled.linux?.length ?? 0} pooled and ${r.unpooled.linux?.length ?? 0} unpooled cold starts per driver, ${r.warm.linux?.length ?? 0} warm invokes per driver. Under the linux driver each environment is \`sh\` → \`bwrap\` → \`bwrap\` (namespace init) → runtime, plus its network helpers on the host (slirp4netns, a socat relay to Unkai); the memory overhead is those processes.`, "");
  return lines;
}
