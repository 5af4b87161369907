/** The host-wide cap on live environments: requests wait for room instead of overloading the machine. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke, lambda } from "./helpers/clients.js";
import { startKumo, type TestKumo } from "./helpers/kumo-server.js";

describe("host capacity", () => {
  let kumo: TestKumo;
  let client: LambdaClient;

  before(async () => {
    kumo = await startKumo({ KUMO_MAX_ENVIRONMENTS: "2" });
    client = lambda(kumo.url);
    for (const name of ["a", "b", "c"]) await createFromFixture(client, name, "slow", { Timeout: 10 });
  });
  after(async () => {
    client?.destroy();
    assert.equal(await kumo.stop(), 0);
  });

  it("never runs more environments than the cap, and serves every request", async () => {
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const health = (await (await fetch(`${kumo.url}/_kumo/health`)).json()) as { environments: number };
        peak = Math.max(peak, health.environments);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = Date.now();
    const results = await Promise.all(["a", "b", "c"].map((name) => invoke(client, name, { ms: 600 }, false)));
    const elapsed = Date.now() - started;
    sampling = false;
    await sampler;
    assert.deepEqual(results.map((r) => r.functionError), [undefined, undefined, undefined]);
    assert.ok(peak <= 2, `peak live environments ${peak} stays within the cap of 2`);
    assert.ok(elapsed >= 1200, `the third request waited for room (${elapsed} ms for two rounds of 600 ms)`);
  });

  it("reuses the idle environment of the same function rather than reclaiming it", async () => {
    const first = await invoke(client, "a", { ms: 1 }, true);
    const second = await invoke(client, "a", { ms: 1 }, true);
    assert.doesNotMatch(second.log, /Init Duration/, `warm reuse within the cap:\n${first.log}`);
  });
});
