/** FunctionUrlStore: one URL per function and qualifier, found also by its URL id. */
import assert from "node:assert/strict";
import { urlConfig } from "./fixtures.js";
import { checkAndAfterReopen, plain, type StoreTest } from "./harness.js";

export function functionUrlStoreContract(test: StoreTest): void {
  test("put, get, byUrlId and list by qualifier", async ({ store, reopen }) => {
    const latest = urlConfig("fn", "$LATEST", "u-latest", { authType: "AWS_IAM", cors: { allowOrigins: ["*"], allowMethods: ["GET"], allowHeaders: [], exposeHeaders: [], maxAge: 60, allowCredentials: false } });
    await store.functionUrls.put(urlConfig("fn", "live", "u-live"));
    await store.functionUrls.put(latest);
    await store.functionUrls.put(urlConfig("other", "$LATEST", "u-other"));
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.deepEqual(plain(await current.functionUrls.get("fn", "$LATEST")), plain(latest));
      assert.deepEqual(plain(await current.functionUrls.byUrlId("u-latest")), plain(latest));
      assert.equal(await current.functionUrls.get("fn", "beta"), undefined);
      assert.equal(await current.functionUrls.byUrlId("u-nothing"), undefined);
      assert.deepEqual((await current.functionUrls.list("fn")).map((c) => c.qualifier), ["$LATEST", "live"]);
      assert.deepEqual(await current.functionUrls.list("nobody"), []);
    });
  });

  test("put replaces the config of (function, qualifier): the old URL id stops resolving", async ({ store, reopen }) => {
    await store.functionUrls.put(urlConfig("fn", "$LATEST", "u-old"));
    await store.functionUrls.put(urlConfig("fn", "$LATEST", "u-new", { invokeMode: "RESPONSE_STREAM" }));
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.equal(await current.functionUrls.byUrlId("u-old"), undefined);
      assert.equal((await current.functionUrls.byUrlId("u-new"))?.invokeMode, "RESPONSE_STREAM");
      assert.equal((await current.functionUrls.list("fn")).length, 1);
    });
  });

  test("delete says whether it removed one, and the URL id stops resolving", async ({ store, reopen }) => {
    await store.functionUrls.put(urlConfig("fn", "$LATEST", "u1"));
    await store.functionUrls.put(urlConfig("fn", "live", "u2"));
    assert.equal(await store.functionUrls.delete("fn", "$LATEST"), true);
    assert.equal(await store.functionUrls.delete("fn", "$LATEST"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.equal(await current.functionUrls.get("fn", "$LATEST"), undefined);
      assert.equal(await current.functionUrls.byUrlId("u1"), undefined);
      assert.equal((await current.functionUrls.byUrlId("u2"))?.qualifier, "live");
    });
  });
}
