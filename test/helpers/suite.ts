/** One real Kumo per test suite: started before its tests, stopped after them with a clean exit. */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { lambda } from "./clients.js";
import { startKumo, type TestKumo } from "./kumo-server.js";

export interface Suite {
  readonly kumo: TestKumo;
  readonly client: LambdaClient;
}

/** Call inside `describe`; `env` adds KUMO_* settings. */
export function kumoSuite(env: Record<string, string> = {}): Suite {
  let kumo: TestKumo | undefined;
  let client: LambdaClient | undefined;
  before(async () => {
    kumo = await startKumo(env);
    client = lambda(kumo.url);
  });
  after(async () => {
    client?.destroy();
    if (kumo) assert.equal(await kumo.stop(), 0, "Kumo exits cleanly on SIGTERM");
  });
  return {
    get kumo() {
      assert.ok(kumo, "the suite's Kumo has not started");
      return kumo;
    },
    get client() {
      assert.ok(client, "the suite's Kumo has not started");
      return client;
    },
  };
}
