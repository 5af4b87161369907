/** Crash safety: every acknowledged async event runs at least once, even across a SIGKILL of Unkai. */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, lambda, signedFetch } from "./helpers/clients.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

const EVENTS = 10_000;
const PARALLEL = 32;

describe("async crash safety", () => {
  it("processes every acknowledged event after a SIGKILL midway, and reports duplicates", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-crash-"));
    const collector = new Collector();
    await collector.start();
    try {
      const first = await startUnkai(await collector.env(), dataDir);
      const client = lambda(first.url);
      await createFromFixture(client, "counted", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("counted") } } });
      // Four at a time, 5 ms each: processing falls behind enqueueing, so a backlog is queued at the kill.
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "counted", ReservedConcurrentExecutions: 4 }));
      client.destroy();

      const acknowledged: string[] = [];
      let next = 0;
      let killed = false;
      const sender = async () => {
        while (next < EVENTS && !killed) {
          const i = next++;
          try {
            const response = await signedFetch(`${first.url}/2015-03-31/functions/counted/invocations`, {
              method: "POST",
              headers: { "X-Amz-Invocation-Type": "Event" },
              body: JSON.stringify({ i, sleepMs: 5 }),
            });
            if (response.status === 202) acknowledged.push(response.headers.get("x-amzn-requestid") ?? "");
            else assert.fail(`event ${i} got ${response.status}`);
          } catch {
            // Unkai was killed while this request was in flight: not acknowledged.
          }
        }
      };
      const senders = Promise.all(Array.from({ length: PARALLEL }, sender));
      await waitFor("half of the events acknowledged", () => (acknowledged.length >= EVENTS / 2 ? true : undefined), 60_000);
      first.process.kill("SIGKILL");
      killed = true;
      await senders;
      const processedBeforeKill = new Set(collector.recorded("counted").filter((r) => r.phase === "end").map((r) => r.requestId)).size;
      // Nothing Unkai started for its sandboxes outlives it, SIGKILL included (network relays, egress helpers, runtimes).
      await waitFor("the killed Unkai's sandbox helpers to be gone", () => (processesMentioning(dataDir).length === 0 ? true : undefined), 5_000)
        .catch(() => assert.fail(`still running after the kill: ${processesMentioning(dataDir).join("; ")}`));

      const second = await startUnkai(await collector.env(), dataDir);
      try {
        await waitFor(
          "the queue to drain after the restart",
          async () => {
            const stats = (await (await signedFetch(`${second.url}/_unkai/events/stats`)).json()) as { functions: { queued: number; inFlight: number }[] };
            return stats.functions.every((f) => f.queued === 0 && f.inFlight === 0) ? true : undefined;
          },
          90_000,
        );
        const ends = collector.recorded("counted").filter((r) => r.phase === "end").map((r) => r.requestId);
        const counts = new Map<string, number>();
        for (const id of ends) counts.set(id, (counts.get(id) ?? 0) + 1);
        const lost = acknowledged.filter((id) => !counts.has(id));
        const duplicates = [...counts.values()].filter((n) => n > 1).length;
        console.log(`crash test: ${acknowledged.length} acknowledged, ${processedBeforeKill} processed before the SIGKILL, ${lost.length} lost, ${duplicates} processed more than once`);
        assert.ok(acknowledged.length >= EVENTS / 2);
        assert.ok(processedBeforeKill < acknowledged.length, "a backlog was waiting when Unkai was killed");
        assert.deepEqual(lost, [], "no acknowledged event is lost");
      } finally {
        assert.equal(await second.stop(), 0);
      }
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Command lines of the host's processes that name `path` (a data directory). */
function processesMentioning(path: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ").trim();
      if (command.includes(path)) found.push(`${entry}: ${command}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
