/** AccessKeyStore: keys Unkai accepts signatures from. */
import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";

const key = (accessKeyId: string, createdAt: number) => ({ accessKeyId, secretAccessKey: `secret-${accessKeyId}`, name: `name-${accessKeyId}`, createdAt });

export function accessKeyStoreContract(test: StoreTest): void {
  test("add, get, count, list by creation time then id, remove", async ({ store, reopen }) => {
    assert.equal(await store.accessKeys.count(), 0);
    assert.deepEqual(await store.accessKeys.list(), []);
    await store.accessKeys.add(key("AKIAZZZ", 100));
    await store.accessKeys.add(key("AKIABBB", 300));
    await store.accessKeys.add(key("AKIAAAA", 100));
    const current = await reopen();
    assert.equal(await current.accessKeys.count(), 3);
    assert.deepEqual(await current.accessKeys.get("AKIABBB"), key("AKIABBB", 300));
    assert.equal(await current.accessKeys.get("AKIAXXX"), undefined);
    assert.deepEqual((await current.accessKeys.list()).map((k) => k.accessKeyId), ["AKIAAAA", "AKIAZZZ", "AKIABBB"]);
    assert.equal(await current.accessKeys.remove("AKIAZZZ"), true);
    assert.equal(await current.accessKeys.remove("AKIAZZZ"), false);
    assert.equal(await current.accessKeys.get("AKIAZZZ"), undefined);
    assert.equal(await current.accessKeys.count(), 2);
  });

  test("adding an id that exists is refused and keeps the first secret", async ({ store }) => {
    await store.accessKeys.add(key("AKIADUP", 1));
    await assert.rejects(store.accessKeys.add({ ...key("AKIADUP", 2), secretAccessKey: "other" }));
    assert.equal((await store.accessKeys.get("AKIADUP"))?.secretAccessKey, "secret-AKIADUP");
  });

  test("an IAM user's key keeps its user and is not counted among the root keys", async ({ store, reopen }) => {
    await store.accessKeys.add({ ...key("AKIAUSER", 5), userName: "alice" });
    await store.accessKeys.add(key("AKIAROOT", 6));
    const current = await reopen();
    assert.deepEqual(await current.accessKeys.get("AKIAUSER"), { ...key("AKIAUSER", 5), userName: "alice" });
    assert.deepEqual(await current.accessKeys.get("AKIAROOT"), key("AKIAROOT", 6));
    assert.equal(await current.accessKeys.count(), 1);
    assert.equal((await current.accessKeys.list()).length, 2);
  });

  test("a key's status and last use are stored and survive a reopen; unknown ids change nothing", async ({ store, reopen }) => {
    await store.accessKeys.add({ ...key("AKIASTAT", 7), userName: "bob" });
    assert.equal(await store.accessKeys.setStatus("AKIASTAT", "Inactive"), true);
    assert.equal(await store.accessKeys.setStatus("AKIANONE", "Inactive"), false);
    await store.accessKeys.recordUse("AKIASTAT", { atMs: 1234, service: "s3", region: "eu-west-1" });
    await store.accessKeys.recordUse("AKIANONE", { atMs: 1, service: "s3", region: "x" });
    const current = await reopen();
    assert.deepEqual(await current.accessKeys.get("AKIASTAT"), {
      ...key("AKIASTAT", 7), userName: "bob", status: "Inactive", lastUsed: { atMs: 1234, service: "s3", region: "eu-west-1" },
    });
    assert.equal(await current.accessKeys.setStatus("AKIASTAT", "Active"), true);
    assert.equal((await current.accessKeys.get("AKIASTAT"))?.status, undefined, "Active is the default, stored as such");
  });
}
