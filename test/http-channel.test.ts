/** Kumo's bootstraps over the standard HTTP Runtime API too (--runtime-channel http): same results as frames. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke, lambda, parseReport } from "./helpers/clients.js";
import { startKumo, type TestKumo } from "./helpers/kumo-server.js";

describe("bootstraps on the HTTP Runtime API", () => {
  let kumo: TestKumo;
  let client: LambdaClient;

  before(async () => {
    kumo = await startKumo({ KUMO_RUNTIME_CHANNEL: "http" });
    client = lambda(kumo.url);
  });
  after(async () => {
    client?.destroy();
    assert.equal(await kumo.stop(), 0);
  });

  it("runs Node and Python functions, warm and failing, over HTTP", async () => {
    await createFromFixture(client, "node-http", "node-cjs");
    await createFromFixture(client, "py-http", "python-hello", { Runtime: "python3.12", Handler: "app.handler" });
    await createFromFixture(client, "throws-http", "throws");
    for (const name of ["node-http", "py-http"]) {
      const first = await invoke(client, name, { via: "http" });
      const second = await invoke(client, name, { via: "http" });
      assert.equal(first.functionError, undefined, first.payload);
      assert.deepEqual((second.json as { event: unknown }).event, { via: "http" });
      assert.equal((second.json as { count: number }).count, 2);
      assert.ok(parseReport(first.log)["Init Duration"]);
      assert.equal(parseReport(second.log)["Init Duration"], undefined);
    }
    const failed = await invoke(client, "throws-http");
    assert.equal((failed.json as { errorType: string }).errorType, "TypeError");
  });
});
