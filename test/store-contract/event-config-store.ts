/** EventInvokeConfigStore: one config per function and qualifier, replaced by put. */
import assert from "node:assert/strict";
import { eventConfig } from "./fixtures.js";
import { plain, type StoreTest } from "./harness.js";

export function eventInvokeConfigStoreContract(test: StoreTest): void {
  test("put inserts or replaces; get, list by qualifier, delete", async ({ store }) => {
    assert.equal(await store.eventInvokeConfigs.get("fn", "$LATEST"), undefined);
    await store.eventInvokeConfigs.put(eventConfig("fn", "live"));
    await store.eventInvokeConfigs.put(eventConfig("fn", "$LATEST"));
    await store.eventInvokeConfigs.put(eventConfig("fn", "1"));
    await store.eventInvokeConfigs.put(eventConfig("other", "$LATEST"));
    const replaced = eventConfig("fn", "live", { maximumRetryAttempts: 0, onFailure: "arn:aws:sqs:us-east-1:123456789012:dlq" });
    await store.eventInvokeConfigs.put(replaced);
    assert.deepEqual(plain(await store.eventInvokeConfigs.get("fn", "live")), plain(replaced));
    assert.deepEqual((await store.eventInvokeConfigs.list("fn")).map((c) => c.qualifier), ["$LATEST", "1", "live"]);
    assert.equal(await store.eventInvokeConfigs.delete("fn", "1"), true);
    assert.equal(await store.eventInvokeConfigs.delete("fn", "1"), false);
    assert.equal(await store.eventInvokeConfigs.get("fn", "1"), undefined);
    assert.deepEqual((await store.eventInvokeConfigs.list("fn")).map((c) => c.qualifier), ["$LATEST", "live"]);
    assert.equal((await store.eventInvokeConfigs.list("other")).length, 1);
  });
}
