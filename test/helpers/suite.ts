/** One real Unkai per test suite: started before its tests, stopped after them with a clean exit. */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { lambda } from "./clients.js";
import { startUnkai, type TestUnkai } from "./unkai-server.js";

export interface Suite {
  readonly unkai: TestUnkai;
  readonly client: LambdaClient;
}

/** Call inside `describe`; `env` adds UNKAI_* settings. */
/** `env` may be a function, read when the suite's Unkai starts (e.g. to relay a collector's port into the sandboxes). */
export function unkaiSuite(env: Record<string, string> | (() => Promise<Record<string, string>>) = {}): Suite {
  let unkai: TestUnkai | undefined;
  let client: LambdaClient | undefined;
  before(async () => {
    unkai = await startUnkai(typeof env === "function" ? await env() : env);
    client = lambda(unkai.url);
  });
  after(async () => {
    client?.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0, "Unkai exits cleanly on SIGTERM");
  });
  return {
    get unkai() {
      assert.ok(unkai, "the suite's Unkai has not started");
      return unkai;
    },
    get client() {
      assert.ok(client, "the suite's Unkai has not started");
      return client;
    },
  };
}
