/**
 * ClusterStore (shared backends only; SQLite has one node and no such port): heartbeats, leases owned
 * by nodes (a live node's are left alone, a dead node's are freed), and the change log.
 */
import assert from "node:assert/strict";
import { functionRecord } from "./fixtures.js";
import type { StoreTest } from "./harness.js";

const event = (id: string) => ({ id, functionName: "fn", qualifier: "$LATEST", payload: Buffer.from("{}"), enqueuedAt: 1_000 });

export function clusterStoreContract(test: StoreTest): void {
  test("nodes heartbeat; clearLeases frees a node's leases only once its heartbeat is older than deadAfterMs", async ({ store, another }) => {
    const a = store.cluster;
    if (!a) return; // one node: clearLeases frees everything (AsyncQueueStore's case)
    const b = (await another()).cluster;
    assert.ok(b && b.nodeId !== a.nodeId, "each opened store is a node of its own");
    const now = Date.now();
    await a.heartbeat("http://a", now - 5_000, now);
    await b.heartbeat("http://b", now - 1_000, now);
    await store.asyncQueue.enqueue([event("x"), event("y"), event("z")]);
    assert.equal((await store.asyncQueue.lease(["x", "y"], now, now + 960_000)).length, 2);
    const nodes = await b.nodes(Date.now());
    assert.deepEqual(nodes.map((n) => [n.id, n.address, n.leasesHeld]), [[a.nodeId, "http://a", 2], [b.nodeId, "http://b", 0]]);
    assert.equal(nodes[0]?.startedAt, now - 5_000);
    const other = await another();
    assert.equal(await other.asyncQueue.clearLeases(), 0, "a live node's leases are its own");
    // A's heartbeat stops: it is dead once its last heartbeat is older than deadAfterMs.
    await a.heartbeat("http://a", now - 5_000, Date.now() - a.deadAfterMs - 1_000);
    assert.equal(await other.asyncQueue.clearLeases(), 2);
    assert.equal((await b.nodes(Date.now())).find((n) => n.id === a.nodeId)?.leasesHeld, 0);
    await a.leave();
    assert.deepEqual((await b.nodes(Date.now())).map((n) => n.id), [b.nodeId]);
  });

  test("the change log names every function written and every version deleted, in commit order, from any node", async ({ store, another }) => {
    const a = store.cluster;
    if (!a) return;
    const other = await another();
    const start = await a.changePosition();
    assert.deepEqual(await a.changesSince(start), { position: start, missed: false, changes: [] });
    await store.functions.create(functionRecord("alpha", { revisionId: "r1" }));
    await other.functions.update(functionRecord("alpha", { revisionId: "r2" }), "r1");
    await other.versions.put(functionRecord("alpha", { version: "1" }));
    await other.versions.delete("alpha", "1");
    await store.functions.delete("alpha");
    const seen = await a.changesSince(start);
    assert.equal(seen.missed, false);
    assert.deepEqual(seen.changes, [
      { functionName: "alpha", version: undefined },
      { functionName: "alpha", version: undefined },
      { functionName: "alpha", version: "1" },
      { functionName: "alpha", version: undefined },
    ]);
    assert.equal(seen.position, await other.cluster?.changePosition());
    assert.deepEqual((await a.changesSince(seen.position)).changes, []);
  });

  test("reserved concurrency slots: never more than the limit across nodes, even racing; a dead node's slots stop counting", async ({ store, another }) => {
    const a = store.cluster;
    if (!a) return;
    const others = [await another(), await another()];
    const [b, c] = others.map((o) => o.cluster);
    assert.ok(b && c);
    const now = Date.now();
    for (const node of [a, b, c]) await node.heartbeat(`http://${node.nodeId}`, now, now);
    const nodes = [a, b, c];
    const raced = await Promise.all(Array.from({ length: 12 }, (_, i) => (nodes[i % 3] ?? a).takeSlot("fn", 3, Date.now())));
    assert.equal(raced.filter((id) => id !== undefined).length, 3, "12 racing takes on three nodes, limit 3");
    assert.equal(await b.takeSlot("fn", 3, Date.now()), undefined);
    assert.ok(await b.takeSlot("other", 3, Date.now()), "limits are per function");
    for (const id of raced) if (id !== undefined) await a.releaseSlot(id);
    assert.ok(await a.takeSlot("fn", 3, Date.now()), "slots given back (by any node) are free");
    assert.ok(await a.takeSlot("fn", 3, Date.now()));
    assert.ok(await c.takeSlot("fn", 3, Date.now()));
    assert.equal(await c.takeSlot("fn", 3, Date.now()), undefined);
    // A's heartbeat stops: once it is dead its two slots stop counting, and c may take them.
    await a.heartbeat("http://a", now, Date.now() - a.deadAfterMs - 1_000);
    assert.ok(await c.takeSlot("fn", 3, Date.now()));
    assert.ok(await c.takeSlot("fn", 3, Date.now()));
    assert.equal(await c.takeSlot("fn", 3, Date.now()), undefined);
  });

  test("signing keys: racing nodes all get the first key stored, and keep it", async ({ store, another }) => {
    const a = store.cluster;
    if (!a) return;
    const others = await Promise.all([another(), another()]);
    const [b, c] = others.map((o) => o.cluster);
    assert.ok(b && c);
    const candidates = [0, 1, 2].map((i) => ({ accessKeyId: `AKIA${i}`, secretAccessKey: `secret-${i}` }));
    const agreed = await Promise.all([a, b, c].map((node, i) => node.signingKey("code-urls", candidates[i] ?? { accessKeyId: "", secretAccessKey: "" }, Date.now())));
    assert.equal(new Set(agreed.map((key) => JSON.stringify(key))).size, 1, "every node has the same key");
    assert.ok(candidates.some((c) => c.accessKeyId === agreed[0]?.accessKeyId && c.secretAccessKey === agreed[0]?.secretAccessKey), "it is one of the candidates, whole");
    assert.deepEqual(await a.signingKey("code-urls", { accessKeyId: "AKIAlater", secretAccessKey: "later" }, Date.now()), agreed[0], "a later candidate does not replace it");
    assert.notDeepEqual(await a.signingKey("other", { accessKeyId: "AKIAother", secretAccessKey: "other" }, Date.now()), agreed[0], "keys are per name");
  });

  test("shared secrets: racing nodes all get the first value stored; a stored one is not asked for again", async ({ store, another }) => {
    const a = store.cluster;
    if (!a) return;
    const others = await Promise.all([another(), another()]);
    const [b, c] = others.map((o) => o.cluster);
    assert.ok(b && c);
    const agreed = await Promise.all([a, b, c].map((node, i) => node.sharedSecret("sns-signing", () => Promise.resolve(`value-${i}`), Date.now())));
    assert.equal(new Set(agreed).size, 1, "every node has the same value");
    assert.match(agreed[0] ?? "", /^value-[012]$/);
    let asked = false;
    const later = await a.sharedSecret("sns-signing", () => {
      asked = true;
      return Promise.resolve("later");
    }, Date.now());
    assert.equal(later, agreed[0]);
    assert.equal(asked, false, "no candidate is made once one is stored");
    assert.equal(await c.sharedSecret("other", () => Promise.resolve("other"), Date.now()), "other", "secrets are per name");
  });
}
