/** Unkai's bootstraps over the standard HTTP Runtime API too (--runtime-channel http): same results as frames. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFromFixture, invoke, parseReport } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("bootstraps on the HTTP Runtime API", () => {
  const suite = unkaiSuite({ UNKAI_RUNTIME_CHANNEL: "http" });

  it("runs Node and Python functions, warm and failing, over HTTP", async () => {
    await createFromFixture(suite.client, "node-http", "node-cjs");
    await createFromFixture(suite.client, "py-http", "python-hello", { Runtime: "python3.12", Handler: "app.handler" });
    await createFromFixture(suite.client, "throws-http", "throws");
    for (const name of ["node-http", "py-http"]) {
      const first = await invoke(suite.client, name, { via: "http" });
      const second = await invoke(suite.client, name, { via: "http" });
      assert.equal(first.functionError, undefined, first.payload);
      assert.deepEqual((second.json as { event: unknown }).event, { via: "http" });
      assert.equal((second.json as { count: number }).count, 2);
      assert.ok(parseReport(first.log)["Init Duration"]);
      assert.equal(parseReport(second.log)["Init Duration"], undefined);
    }
    const failed = await invoke(suite.client, "throws-http");
    assert.equal((failed.json as { errorType: string }).errorType, "TypeError");
  });
});
