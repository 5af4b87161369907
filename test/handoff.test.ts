/**
 * The dispatcher's hand-off under CPU saturation (docs/lifecycle.md): while the CPUs are saturated and
 * running and waiting invocations number the cores, a request waits for one of its function's busy
 * environments, starting a new one only once none has freed up for UNKAI_HANDOFF_WAIT_MS. Lambda's
 * semantics stay: every request is served, Init Duration appears exactly on the requests that started
 * an environment, and reserved concurrency still throttles at once.
 */
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { before, describe, it } from "node:test";
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

async function liveEnvironments(url: string): Promise<number> {
  return ((await (await signedFetch(`${url}/_unkai/health`)).json()) as { environments: number }).environments;
}

describe("hand-off to a busy environment under saturation", () => {
  // Saturated whatever the machine's load (CPU share 0), and a generous wait, so a slow test machine
  // cannot turn the hand-off into a start. No prestart pool: a pool refilling in the background would
  // change the count of live environments without any request starting one.
  const suite = unkaiSuite({ UNKAI_HANDOFF_WAIT_MS: "1000", UNKAI_HANDOFF_CPU_PERCENT: "0", UNKAI_PRESTART: "0" });
  const concurrency = availableParallelism() + 14;

  before(async () => {
    await createFromFixture(suite.client, "quick", "slow", { Timeout: 10 });
    await createFromFixture(suite.client, "capped", "slow", { Timeout: 10 });
    // A cold start first: the function has an environment before the burst.
    await invoke(suite.client, "quick", { ms: 1 });
  });

  it("serves a burst with fewer new environments than requests, Init Duration only where one started", async () => {
    const before = await liveEnvironments(suite.unkai.url);
    const results = await Promise.all(Array.from({ length: concurrency }, () => invoke(suite.client, "quick", { ms: 1 })));
    const started = (await liveEnvironments(suite.unkai.url)) - before;
    assert.deepEqual(results.map((r) => r.functionError), results.map(() => undefined));
    const cold = results.filter((r) => /Init Duration: [\d.]+ ms/.test(r.log)).length;
    // Without the hand-off nearly every request of the burst starts an environment.
    assert.ok(started <= concurrency / 2, `${started} environments started for ${concurrency} concurrent requests`);
    // A request reports Init Duration only where an environment started; an environment started for a
    // request that a freed one then served reports it on its own first invocation, later.
    assert.ok(cold <= started, `${cold} requests report Init Duration, but only ${started} environments started`);
  });

  it("still throttles beyond reserved concurrency at once, waiting requests included", async () => {
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "capped", ReservedConcurrentExecutions: 2 }));
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => invoke(suite.client, "capped", { ms: 400 }, false)));
    const throttled = settled.filter((s) => s.status === "rejected" && (s.reason as Error).name === "TooManyRequestsException").length;
    assert.equal(throttled, 4, "two run, four are throttled (none wait for a hand-off)");
  });
});
