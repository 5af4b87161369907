/** FunctionStore: create-once, optimistic updates, name-ordered pages, and a delete that takes everything with it. */
import assert from "node:assert/strict";
import { aliasRecord, eventConfig, functionRecord, urlConfig } from "./fixtures.js";
import { checkAndAfterReopen, plain, type StoreTest } from "./harness.js";

export function functionStoreContract(test: StoreTest): void {
  test("create inserts once; get finds it and nothing else", async ({ store }) => {
    const record = functionRecord("alpha", { tags: { team: "a" } });
    assert.equal(await store.functions.get("alpha"), undefined);
    assert.equal(await store.functions.create(record), true);
    assert.equal(await store.functions.create(functionRecord("alpha", { revisionId: "other" })), false, "a second create of the name");
    assert.deepEqual(plain(await store.functions.get("alpha")), plain(record), "the first record stays");
    assert.equal(await store.functions.get("Alpha"), undefined, "names are case-sensitive");
  });

  test("update replaces only at the expected revision", async ({ store }) => {
    await store.functions.create(functionRecord("fn", { revisionId: "r1" }));
    const next = functionRecord("fn", { revisionId: "r2", codeSize: 5 });
    assert.equal(await store.functions.update(next, "stale"), false, "a stale revision is a conflict");
    assert.equal((await store.functions.get("fn"))?.revisionId, "r1");
    assert.equal(await store.functions.update(next, "r1"), true);
    assert.equal((await store.functions.get("fn"))?.revisionId, "r2");
    assert.equal(await store.functions.update(functionRecord("fn", { revisionId: "r3" }), "r1"), false, "r1 was used up");
    assert.equal(await store.functions.update(functionRecord("ghost"), "rev-1"), false, "no such function");
    assert.equal(await store.functions.get("ghost"), undefined, "update never inserts");
  });

  test("list pages by name with no duplicates or gaps", async ({ store }) => {
    const names = ["delta", "alpha", "echo", "charlie", "bravo", "foxtrot", "golf"];
    for (const name of names) await store.functions.create(functionRecord(name));
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.functions.list(after, 3);
      assert.ok(page.length <= 3);
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.name));
      after = page.at(-1)?.name;
    }
    assert.deepEqual(seen, [...names].sort());
    assert.deepEqual((await store.functions.list("charlie", 2)).map((r) => r.name), ["delta", "echo"], "starts strictly after the marker");
    assert.deepEqual((await store.functions.list("zulu", 10)).map((r) => r.name), []);
  });

  test("count, totalCodeSize and reservedConcurrencyTotal sum what is stored", async ({ store }) => {
    assert.equal(await store.functions.count(), 0);
    assert.equal(await store.functions.totalCodeSize(), 0);
    assert.equal(await store.functions.reservedConcurrencyTotal(), 0);
    await store.functions.create(functionRecord("a", { codeSize: 100, reservedConcurrency: 5 }));
    await store.functions.create(functionRecord("b", { codeSize: 250, reservedConcurrency: 7 }));
    await store.functions.create(functionRecord("c", { codeSize: 50 }));
    assert.equal(await store.functions.count(), 3);
    assert.equal(await store.functions.totalCodeSize(), 400);
    assert.equal(await store.functions.reservedConcurrencyTotal(), 12);
    assert.equal(await store.functions.reservedConcurrencyTotal("a"), 7, "all but the named function");
    assert.equal(await store.functions.reservedConcurrencyTotal("nobody"), 12);
    await store.functions.update(functionRecord("b", { codeSize: 1, reservedConcurrency: 0, revisionId: "r2" }), "rev-1");
    assert.equal(await store.functions.totalCodeSize(), 151, "updates change the sums");
    assert.equal(await store.functions.reservedConcurrencyTotal(), 5);
  });

  test("delete removes the function and everything beside it, and only its own", async ({ store, reopen }) => {
    for (const name of ["doomed", "kept"]) {
      await store.functions.create(functionRecord(name));
      await store.versions.put(functionRecord(name, { version: "1" }));
      await store.aliases.create(aliasRecord(name, "live"));
      await store.eventInvokeConfigs.put(eventConfig(name, "$LATEST"));
      await store.eventInvokeConfigs.put(eventConfig(name, "1"));
      await store.functionUrls.put(urlConfig(name, "$LATEST", `url-${name}`));
      await store.testEvents.put(name, { name: "hello", event: "{}", updatedAt: 1 });
    }
    assert.equal(await store.functions.delete("doomed"), true);
    assert.equal(await store.functions.delete("doomed"), false, "a second delete finds nothing");
    assert.equal(await store.functions.delete("never"), false);
    await checkAndAfterReopen({ store, reopen }, async (current) => {
      assert.equal(await current.functions.get("doomed"), undefined);
      assert.equal(await current.versions.latest("doomed"), undefined);
      assert.deepEqual(await current.aliases.list("doomed"), []);
      assert.deepEqual(await current.eventInvokeConfigs.list("doomed"), []);
      assert.deepEqual(await current.functionUrls.list("doomed"), []);
      assert.equal(await current.functionUrls.get("doomed", "$LATEST"), undefined);
      assert.equal(await current.functionUrls.byUrlId("url-doomed"), undefined, "its URL no longer routes anywhere");
      assert.deepEqual(await current.testEvents.list("doomed"), []);
      assert.equal((await current.functions.get("kept"))?.name, "kept");
      assert.equal((await current.versions.list("kept", 0, 10)).length, 1);
      assert.equal((await current.aliases.list("kept")).length, 1);
      assert.equal((await current.eventInvokeConfigs.list("kept")).length, 2);
      assert.equal((await current.functionUrls.byUrlId("url-kept"))?.functionName, "kept");
      assert.equal((await current.testEvents.list("kept")).length, 1);
      assert.equal(await current.functions.count(), 1);
    });
  });

  test("a function created again after delete starts empty", async ({ store }) => {
    await store.functions.create(functionRecord("phoenix"));
    await store.versions.put(functionRecord("phoenix", { version: "1" }));
    await store.functionUrls.put(urlConfig("phoenix", "$LATEST", "url-old"));
    await store.functions.delete("phoenix");
    assert.equal(await store.functions.create(functionRecord("phoenix", { revisionId: "new" })), true);
    assert.equal((await store.functions.get("phoenix"))?.revisionId, "new");
    assert.equal(await store.versions.latest("phoenix"), undefined);
    assert.equal(await store.functionUrls.byUrlId("url-old"), undefined, "the old URL does not reach the new function");
  });
}
