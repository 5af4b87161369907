// Warm invoke latency and sequential throughput of one Unkai on the embedded SQLite store and on
// PostgreSQL (`--store`), same machine, same run: `npm run build && node bench/pg-invoke.js`.
// What an invoke touches on PostgreSQL: nothing synchronously on the warm path (the function record
// is cached; its log lines and invocation record are written behind, batched every 20 ms).
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { startPostgres } from "../dist/test/helpers/postgres.js";
import { startUnkai } from "../dist/test/helpers/unkai-server.js";
import { createFromFixture, lambda } from "../dist/test/helpers/clients.js";

const WARMUP = 50;
const N = Number(process.env.INVOKES ?? 1_000);

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function measure(label, env) {
  const unkai = await startUnkai({ UNKAI_SANDBOX: "process", ...env });
  const client = lambda(unkai.url);
  try {
    await createFromFixture(client, "bench", "node-cjs");
    const call = () => client.send(new InvokeCommand({ FunctionName: "bench", Payload: Buffer.from('{"n":1}') }));
    for (let i = 0; i < WARMUP; i++) await call();
    const times = [];
    const started = performance.now();
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      await call();
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - started) / 1000;
    times.sort((a, b) => a - b);
    console.log(`| ${label} | ${pct(times, 50).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${Math.round(N / seconds)} |`);
  } finally {
    client.destroy();
    await unkai.stop();
  }
}

const pg = await startPostgres();
try {
  console.log(`${N} sequential warm invokes (SDK v3, process driver)\n\n| store | p50 ms | p99 ms | invokes/s |\n|---|---|---|---|`);
  // Alternate, so a change in the machine's load does not favour one side.
  for (let round = 1; round <= 2; round++) {
    await measure("SQLite", {});
    await measure("PostgreSQL", { UNKAI_STORE: await pg.createDatabase(`invoke_${round}`) });
  }
} finally {
  await pg.stop();
}
