/** LayerStore: version numbers per layer that are never reused, newest-first pages. */
import assert from "node:assert/strict";
import { layerDraft } from "./fixtures.js";
import { plain, type StoreTest } from "./harness.js";

export function layerStoreContract(test: StoreTest): void {
  test("publish numbers versions 1, 2, 3 per layer and get returns them", async ({ store }) => {
    const first = await store.layers.publish(layerDraft("libs", "one"));
    assert.equal(first.version, 1);
    assert.equal((await store.layers.publish(layerDraft("libs", "two"))).version, 2);
    assert.equal((await store.layers.publish(layerDraft("other"))).version, 1, "each layer counts on its own");
    assert.deepEqual(plain(await store.layers.get("libs", 1)), plain({ ...layerDraft("libs", "one"), version: 1 }));
    assert.equal(await store.layers.get("libs", 3), undefined);
    assert.equal(await store.layers.get("nothing", 1), undefined);
  });

  test("numbers are never reused, even after every version is deleted", async ({ store, reopen }) => {
    await store.layers.publish(layerDraft("libs"));
    await store.layers.publish(layerDraft("libs"));
    assert.equal(await store.layers.delete("libs", 2), true);
    assert.equal(await store.layers.delete("libs", 2), false);
    assert.equal(await store.layers.delete("libs", 1), true);
    assert.equal(await store.layers.delete("libs", 9), false);
    const current = await reopen();
    assert.equal((await current.layers.publish(layerDraft("libs"))).version, 3);
    assert.deepEqual((await current.layers.versions("libs", undefined, 10)).map((v) => v.version), [3]);
  });

  test("versions pages newest first, before a version", async ({ store }) => {
    for (let i = 0; i < 7; i++) await store.layers.publish(layerDraft("libs"));
    await store.layers.delete("libs", 4);
    const seen: number[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await store.layers.versions("libs", before, 2);
      if (page.length === 0) break;
      assert.ok(page.length <= 2);
      seen.push(...page.map((v) => v.version));
      before = page.at(-1)?.version;
    }
    assert.deepEqual(seen, [7, 6, 5, 3, 2, 1]);
  });

  test("latest is each layer's newest version, by name, paged after a name", async ({ store }) => {
    for (const name of ["charlie", "alpha", "bravo", "alpha", "delta", "charlie", "charlie"]) await store.layers.publish(layerDraft(name));
    await store.layers.delete("charlie", 3);
    const all = await store.layers.latest(undefined, 10);
    assert.deepEqual(all.map((v) => [v.layerName, v.version]), [["alpha", 2], ["bravo", 1], ["charlie", 2], ["delta", 1]]);
    assert.deepEqual((await store.layers.latest(undefined, 2)).map((v) => v.layerName), ["alpha", "bravo"]);
    assert.deepEqual((await store.layers.latest("bravo", 2)).map((v) => v.layerName), ["charlie", "delta"]);
    await store.layers.delete("delta", 1);
    assert.deepEqual((await store.layers.latest("bravo", 10)).map((v) => v.layerName), ["charlie"], "a layer with no versions left is not listed");
  });

  test("update replaces a version's record atomically; a throwing change writes nothing; a missing version is undefined", async ({ store, reopen }) => {
    await store.layers.publish(layerDraft("libs", "one"));
    await store.layers.publish(layerDraft("libs", "two"));
    const policy = { statements: [{ Sid: "all", Effect: "Allow" as const, Principal: "*", Action: "lambda:GetLayerVersion" as const, Resource: "arn:aws:lambda:us-east-1:000000000000:layer:libs:1" }], revisionId: "r1" };
    const updated = await store.layers.update("libs", 1, (current) => ({ ...current, policy, version: 9, layerName: "elsewhere" }));
    assert.deepEqual(plain(updated), plain({ ...layerDraft("libs", "one"), version: 1, policy }), "name and number stay those of the version updated");
    await assert.rejects(store.layers.update("libs", 1, () => { throw new Error("refused"); }), /refused/);
    assert.equal(await store.layers.update("libs", 3, (current) => current), undefined);
    // Two updates at once both land, one after the other (neither reads the record the other replaces).
    await Promise.all(["a", "b"].map((sid) => store.layers.update("libs", 2, (current) => ({
      ...current, policy: { statements: [...(current.policy?.statements ?? []), { ...policy.statements[0]!, Sid: sid }], revisionId: sid },
    }))));
    const reopened = await reopen();
    assert.deepEqual(plain((await reopened.layers.get("libs", 1))?.policy), plain(policy), "the update is durable");
    assert.deepEqual((await reopened.layers.get("libs", 2))?.policy?.statements.map((s) => s.Sid).sort(), ["a", "b"]);
    assert.equal((await reopened.layers.get("libs", 2))?.description, "two");
  });
}
