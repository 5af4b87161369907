/** VersionStore and AliasStore: numbered snapshots in order, aliases with optimistic revisions. */
import assert from "node:assert/strict";
import { aliasRecord, eventConfig, functionRecord, urlConfig } from "./fixtures.js";
import { plain, type StoreTest } from "./harness.js";

export function versionStoreContract(test: StoreTest): void {
  test("put, get and latest by number; other functions and $LATEST are not versions", async ({ store }) => {
    assert.equal(await store.versions.latest("fn"), undefined);
    const v1 = functionRecord("fn", { version: "1", codeSize: 11 });
    await store.versions.put(v1);
    await store.versions.put(functionRecord("fn", { version: "2" }));
    await store.versions.put(functionRecord("other", { version: "9" }));
    assert.deepEqual(plain(await store.versions.get("fn", "1")), plain(v1));
    assert.equal(await store.versions.get("fn", "3"), undefined);
    assert.equal(await store.versions.get("fn", "$LATEST"), undefined, "$LATEST lives in FunctionStore");
    assert.equal(await store.versions.get("fn", "9"), undefined);
    assert.equal((await store.versions.latest("fn"))?.version, "2");
  });

  test("list is numeric order (10 after 9) and pages after a version", async ({ store }) => {
    for (let v = 1; v <= 11; v++) await store.versions.put(functionRecord("fn", { version: String(v) }));
    const seen: string[] = [];
    let after = 0;
    for (;;) {
      const page = await store.versions.list("fn", after, 4);
      if (page.length === 0) break;
      assert.ok(page.length <= 4);
      seen.push(...page.map((r) => r.version ?? ""));
      after = Number(page.at(-1)?.version);
    }
    assert.deepEqual(seen, ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"]);
    assert.equal((await store.versions.latest("fn"))?.version, "11");
  });

  test("delete removes the version and only that version's event invoke config", async ({ store }) => {
    await store.versions.put(functionRecord("fn", { version: "1" }));
    await store.versions.put(functionRecord("fn", { version: "2" }));
    for (const qualifier of ["$LATEST", "1", "2", "live"]) await store.eventInvokeConfigs.put(eventConfig("fn", qualifier));
    assert.equal(await store.versions.delete("fn", "1"), true);
    assert.equal(await store.versions.delete("fn", "1"), false);
    assert.equal(await store.versions.delete("fn", "7"), false);
    assert.equal(await store.versions.get("fn", "1"), undefined);
    assert.deepEqual((await store.versions.list("fn", 0, 10)).map((r) => r.version), ["2"]);
    assert.deepEqual((await store.eventInvokeConfigs.list("fn")).map((c) => c.qualifier).sort(), ["$LATEST", "2", "live"]);
  });
}

export function aliasStoreContract(test: StoreTest): void {
  test("create once, get, list by name", async ({ store }) => {
    const live = aliasRecord("fn", "live", { additionalVersionWeights: { "2": 0.25 } });
    assert.equal(await store.aliases.create(live), true);
    assert.equal(await store.aliases.create(aliasRecord("fn", "live", { functionVersion: "9" })), false);
    await store.aliases.create(aliasRecord("fn", "beta"));
    await store.aliases.create(aliasRecord("other", "live"));
    assert.deepEqual(plain(await store.aliases.get("fn", "live")), plain(live));
    assert.equal(await store.aliases.get("fn", "gamma"), undefined);
    assert.deepEqual((await store.aliases.list("fn")).map((a) => a.name), ["beta", "live"]);
    assert.deepEqual(await store.aliases.list("nobody"), []);
  });

  test("update replaces only at the expected revision; delete reports whether it removed one", async ({ store }) => {
    await store.aliases.create(aliasRecord("fn", "live", { revisionId: "a1" }));
    assert.equal(await store.aliases.update(aliasRecord("fn", "live", { revisionId: "a2", functionVersion: "2" }), "nope"), false);
    assert.equal(await store.aliases.update(aliasRecord("fn", "live", { revisionId: "a2", functionVersion: "2" }), "a1"), true);
    assert.equal((await store.aliases.get("fn", "live"))?.functionVersion, "2");
    assert.equal(await store.aliases.update(aliasRecord("fn", "live", { revisionId: "a3" }), "a1"), false);
    assert.equal(await store.aliases.update(aliasRecord("fn", "ghost"), "alias-rev-1"), false);
    assert.equal(await store.aliases.get("fn", "ghost"), undefined);
    assert.equal(await store.aliases.delete("fn", "live"), true);
    assert.equal(await store.aliases.delete("fn", "live"), false);
    assert.equal(await store.aliases.get("fn", "live"), undefined);
  });

  test("delete takes the alias's Function URL with it, and only that one", async ({ store }) => {
    await store.aliases.create(aliasRecord("fn", "live"));
    await store.aliases.create(aliasRecord("fn", "beta"));
    for (const [qualifier, urlId] of [["live", "u-live"], ["beta", "u-beta"], ["$LATEST", "u-latest"]] as const) await store.functionUrls.put(urlConfig("fn", qualifier, urlId));
    assert.equal(await store.aliases.delete("fn", "live"), true);
    assert.equal(await store.functionUrls.get("fn", "live"), undefined);
    assert.equal(await store.functionUrls.byUrlId("u-live"), undefined);
    assert.deepEqual((await store.functionUrls.list("fn")).map((c) => c.qualifier), ["$LATEST", "beta"]);
  });
}
