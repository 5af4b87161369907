/** TestEventStore: the console's saved events, per function, by name. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

export function testEventStoreContract(test: StoreTest): void {
  test("put inserts or replaces by name; list is by name; delete says whether it removed one", async ({ store, reopen }) => {
    assert.deepEqual(await store.testEvents.list("fn"), []);
    await store.testEvents.put("fn", { name: "zeta", event: '{"z":1}', updatedAt: 10 });
    await store.testEvents.put("fn", { name: "alpha", event: '{"a":1}', updatedAt: 11 });
    await store.testEvents.put("other", { name: "alpha", event: "{}", updatedAt: 12 });
    await store.testEvents.put("fn", { name: "zeta", event: '{"z":2}', updatedAt: 13 });
    const current = await reopen();
    assert.deepEqual(await current.testEvents.list("fn"), [
      { name: "alpha", event: '{"a":1}', updatedAt: 11 },
      { name: "zeta", event: '{"z":2}', updatedAt: 13 },
    ]);
    assert.equal(await current.testEvents.delete("fn", "alpha"), true);
    assert.equal(await current.testEvents.delete("fn", "alpha"), false);
    assert.deepEqual((await current.testEvents.list("fn")).map((e) => e.name), ["zeta"]);
    assert.deepEqual((await current.testEvents.list("other")).map((e) => e.name), ["alpha"]);
  });
}
