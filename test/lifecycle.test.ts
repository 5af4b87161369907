/** The server's own lifecycle: ready fast, example on first start, graceful drain, idle reclaim, restart. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createFromFixture, invoke, lambda, parseReport, signedFetch } from "./helpers/clients.js";
import { childPids } from "./helpers/process.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

describe("server lifecycle", () => {
  it("is ready in under a second and deploys the example on first start only", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-life-"));
    try {
      const started = performance.now();
      const unkai = await startUnkai({ UNKAI_EXAMPLE: "true" }, dataDir);
      const readyMs = performance.now() - started;
      // A wall-clock bound only means something on a machine that is not already saturated (bench (e) measures it quietly).
      const load = loadavg()[0] ?? 0;
      if (load < availableParallelism()) assert.ok(readyMs < 1500, `ready after ${Math.round(readyMs)} ms`);
      else console.log(`# ready after ${Math.round(readyMs)} ms; the 1.5 s bound is not checked at load ${load.toFixed(1)} on ${availableParallelism()} cores`);
      const client = lambda(unkai.url);
      const hello = await invoke(client, "hello", { name: "Unkai" });
      assert.equal((hello.json as { message: string }).message, "Hello, Unkai!");
      await client.send(new (await import("@aws-sdk/client-lambda")).DeleteFunctionCommand({ FunctionName: "hello" }));
      assert.equal(await unkai.stop(), 0);

      const again = await startUnkai({ UNKAI_EXAMPLE: "true" }, dataDir);
      const client2 = lambda(again.url);
      await assert.rejects(invoke(client2, "hello"), { name: "ResourceNotFoundException" }, "a deleted example stays deleted");
      client.destroy();
      client2.destroy();
      assert.equal(await again.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("keeps functions, logs and records across a restart (SQLite in the data dir)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-life-"));
    try {
      const first = await startUnkai({}, dataDir);
      const client = lambda(first.url);
      await createFromFixture(client, "durable", "node-cjs");
      const before = await invoke(client, "durable", { keep: 1 });
      assert.equal(await first.stop(), 0);
      const second = await startUnkai({}, dataDir);
      const client2 = lambda(second.url);
      const after = await invoke(client2, "durable", { keep: 2 });
      assert.equal((after.json as { count: number }).count, 1, "a restart starts new environments");
      const logs = await signedFetch(`${second.url}/`, {
        method: "POST",
        service: "logs",
        headers: { "X-Amz-Target": "Logs_20140328.FilterLogEvents", "Content-Type": "application/x-amz-json-1.1" },
        body: JSON.stringify({ logGroupName: "/aws/lambda/durable" }),
      });
      const { events } = (await logs.json()) as { events: { message: string }[] };
      const starts = events.filter((e) => e.message.startsWith("START RequestId:"));
      assert.equal(starts.length, 2, "both invocations' logs are there");
      assert.ok(events.some((e) => e.message.includes(before.raw.$metadata.requestId ?? "?")));
      client.destroy();
      client2.destroy();
      assert.equal(await second.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("loses no log line or invocation record still waiting in the write-behind buffer when stopped cleanly", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-life-"));
    try {
      const first = await startUnkai({}, dataDir);
      const client = lambda(first.url);
      await createFromFixture(client, "buffered", "node-cjs");
      // Logs and records are written behind, batched per tick: stop right after the last answer,
      // while the last batch is still in memory.
      const ids: string[] = [];
      for (let batch = 0; batch < 5; batch++) {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => invoke(client, "buffered", { n: batch * 8 + i })));
        ids.push(...results.map((r) => r.raw.$metadata.requestId ?? "?"));
      }
      assert.equal(await first.stop(), 0);
      client.destroy();
      const second = await startUnkai({}, dataDir);
      const records = (await (await signedFetch(`${second.url}/_unkai/functions/buffered/invocations?limit=100`)).json()) as { invocations: { requestId: string }[] };
      assert.deepEqual(new Set(records.invocations.map((r) => r.requestId)), new Set(ids), "every invocation's record is there");
      const logs = await signedFetch(`${second.url}/`, {
        method: "POST",
        service: "logs",
        headers: { "X-Amz-Target": "Logs_20140328.FilterLogEvents", "Content-Type": "application/x-amz-json-1.1" },
        body: JSON.stringify({ logGroupName: "/aws/lambda/buffered", filterPattern: "REPORT" }),
      });
      const { events } = (await logs.json()) as { events: { message: string }[] };
      const reported = new Set(events.map((e) => /^REPORT RequestId: (\S+)/.exec(e.message)?.[1]));
      for (const id of ids) assert.ok(reported.has(id), `REPORT line of ${id}`);
      assert.equal(await second.stop(), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("drains an in-flight invocation on SIGTERM, then exits 0 and kills its environments", async () => {
    const unkai = await startUnkai({ UNKAI_DRAIN_TIMEOUT_MS: "5000" });
    const client = lambda(unkai.url);
    await createFromFixture(client, "slow", "slow", { Timeout: 10 });
    const inflight = invoke(client, "slow", { ms: 700 }, false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const children = childPids(unkai.process.pid ?? -1);
    assert.ok(children.length > 0, "an environment is running");
    const exitCode = unkai.stop();
    const result = await inflight;
    assert.equal(result.functionError, undefined, "the in-flight invocation finished normally");
    assert.deepEqual(result.json, { slept: 700 });
    assert.equal(await exitCode, 0);
    for (const pid of children) assert.equal(alive(pid), false, `environment process ${pid} is gone`);
    client.destroy();
  });

  it("kills invocations still running at the drain deadline", async () => {
    const unkai = await startUnkai({ UNKAI_DRAIN_TIMEOUT_MS: "300" });
    const client = lambda(unkai.url);
    await createFromFixture(client, "slow", "slow", { Timeout: 30 });
    const inflight = invoke(client, "slow", { ms: 20_000 }, false).then(() => "answered", () => "cut off");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    assert.equal(await unkai.stop(), 0);
    assert.ok(Date.now() - started < 3000, "shutdown did not wait for the 20 s invocation");
    assert.ok(["answered", "cut off"].includes(await inflight));
    client.destroy();
  });

  it("reclaims idle environments after the keep-alive", async () => {
    const unkai = await startUnkai({ UNKAI_IDLE_TIMEOUT_MS: "300" });
    const client = lambda(unkai.url);
    await createFromFixture(client, "idle", "node-cjs");
    const first = await invoke(client, "idle");
    assert.ok(parseReport(first.log)["Init Duration"]);
    const environments = async () => ((await (await signedFetch(`${unkai.url}/_unkai/health`)).json()) as { environments: number }).environments;
    await waitFor("the idle environment to be reclaimed", async () => ((await environments()) === 0 ? true : undefined), 10_000);
    const next = await invoke(client, "idle");
    assert.ok(parseReport(next.log)["Init Duration"], "so the next invocation is cold");
    client.destroy();
    assert.equal(await unkai.stop(), 0);
  });
});

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

