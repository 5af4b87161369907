/** The host-wide cap on live environments: requests wait for room instead of overloading the machine. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { createFromFixture, invoke, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("host capacity", () => {
  const suite = unkaiSuite({ UNKAI_MAX_ENVIRONMENTS: "2" });

  before(async () => {
    for (const name of ["a", "b", "c"]) await createFromFixture(suite.client, name, "slow", { Timeout: 10 });
  });

  it("never runs more environments than the cap, and serves every request", async () => {
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const health = (await (await signedFetch(`${suite.unkai.url}/_unkai/health`)).json()) as { environments: number };
        peak = Math.max(peak, health.environments);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = Date.now();
    const results = await Promise.all(["a", "b", "c"].map((name) => invoke(suite.client, name, { ms: 600 }, false)));
    const elapsed = Date.now() - started;
    sampling = false;
    await sampler;
    assert.deepEqual(results.map((r) => r.functionError), [undefined, undefined, undefined]);
    assert.ok(peak <= 2, `peak live environments ${peak} stays within the cap of 2`);
    assert.ok(elapsed >= 1200, `the third request waited for room (${elapsed} ms for two rounds of 600 ms)`);
  });

  it("reuses the idle environment of the same function rather than reclaiming it", async () => {
    const first = await invoke(suite.client, "a", { ms: 1 }, true);
    const second = await invoke(suite.client, "a", { ms: 1 }, true);
    assert.doesNotMatch(second.log, /Init Duration/, `warm reuse within the cap:\n${first.log}`);
  });
});
