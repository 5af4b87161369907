/** ObjectStore: S3 buckets, object rows with the events they announce, multipart uploads. */
import assert from "node:assert/strict";
import type { PendingDelivery } from "../../src/core/events/resources.js";
import type { ObjectRecord, QueuedEventRow, UploadRecord } from "../../src/store/ports.js";
import { plain, type StoreTest } from "./harness.js";
import type { ContractStore } from "./recorder.js";

const T = 1_700_000_000_000;

const object = (bucket: string, key: string, blob = `blob-${key}`, change: Partial<ObjectRecord> = {}): ObjectRecord => ({
  bucket, key, blob, size: 3, etag: "900150983cd24fb0d6963f7d28e17f72", lastModified: T, headers: { "content-type": "text/plain", "x-amz-meta-a": "1" }, ...change,
});

const notice = (id: string): QueuedEventRow => ({ id, functionName: "on-object", qualifier: "$LATEST", payload: Buffer.from(id), enqueuedAt: T });

const delivery = (id: string, targetArn = "arn:aws:sqs:us-east-1:123456789012:q"): PendingDelivery => ({
  id, ruleArn: "arn:aws:s3:::b", targetArn, message: { body: `{"Records":["${id}"]}`, subject: "Amazon S3 Notification", source: { principal: "s3.amazonaws.com", arn: "arn:aws:s3:::b" } },
  eventTimeMs: T, attempts: 0, nextAttemptAt: T + 30_000, maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400, lastError: "",
});

const upload = (uploadId: string, bucket: string, key: string, initiated = T): UploadRecord => ({ uploadId, bucket, key, initiated, headers: { "content-type": "application/zip" } });

/** Stores (or replaces) one object row with its events through the unit of work; resolves the row it replaced. */
async function putObject(store: ContractStore, record: ObjectRecord, events: readonly QueuedEventRow[] = []): Promise<ObjectRecord | undefined> {
  const done = await store.commit({ putObjects: [record], events: () => events });
  assert.deepEqual(done.events, events);
  return done.replaced[0];
}

export function objectStoreContract(test: StoreTest): void {
  test("buckets: create once, get, list by name, notification set and cleared", async ({ store, reopen }) => {
    assert.equal(await store.objects.createBucket("zeta", T), true);
    assert.equal(await store.objects.createBucket("alpha", T + 1), true);
    assert.equal(await store.objects.createBucket("zeta", T + 2), false);
    await store.objects.setNotification("alpha", '{"LambdaFunctionConfigurations":[]}');
    let current = await reopen();
    assert.deepEqual(plain(await current.objects.bucket("zeta")), plain({ name: "zeta", createdAt: T, notification: undefined }));
    assert.equal((await current.objects.bucket("alpha"))?.notification, '{"LambdaFunctionConfigurations":[]}');
    assert.equal(await current.objects.bucket("none"), undefined);
    assert.deepEqual((await current.objects.buckets()).map((b) => b.name), ["alpha", "zeta"]);
    await current.objects.setNotification("alpha", undefined);
    current = await reopen();
    assert.equal((await current.objects.bucket("alpha"))?.notification, undefined);
  });

  test("commit: a unit of work stores or replaces, resolves the replaced row, and queues its events with it", async ({ store, reopen }) => {
    await store.objects.createBucket("b", T);
    assert.equal(await putObject(store, object("b", "k", "blob-1"), [notice("ev-1")]), undefined);
    const replaced = await putObject(store, object("b", "k", "blob-2", { size: 9 }), [notice("ev-2")]);
    assert.deepEqual(plain(replaced), plain(object("b", "k", "blob-1")));
    const current = await reopen();
    assert.deepEqual(plain(await current.objects.object("b", "k")), plain(object("b", "k", "blob-2", { size: 9 })));
    assert.equal(await current.objects.object("b", "other"), undefined);
    assert.equal(await current.objects.referencesBlob("blob-2"), true);
    assert.equal(await current.objects.referencesBlob("blob-1"), false, "the replaced body is no longer referenced");
    assert.deepEqual((await current.asyncQueue.ready(T, 10)).map((e) => e.id), ["ev-1", "ev-2"]);
  });

  test("commit: deleteObjects removes those that exist and queues the events built for exactly them", async ({ store }) => {
    await store.objects.createBucket("b", T);
    for (const key of ["a", "b", "c"]) await putObject(store, object("b", key));
    let removedSeen: string[] = [];
    const { removed, replaced } = await store.commit({
      deleteObjects: { bucket: "b", keys: ["a", "missing", "c"] },
      events: (done) => {
        removedSeen = done.removed.map((r) => r.key);
        return done.removed.map((r) => notice(`deleted-${r.key}`));
      },
    });
    assert.deepEqual(replaced, []);
    assert.deepEqual(removed.map((r) => r.key), ["a", "c"]);
    assert.deepEqual(removedSeen, ["a", "c"]);
    assert.equal(await store.objects.object("b", "a"), undefined);
    assert.equal((await store.objects.object("b", "b"))?.key, "b");
    assert.deepEqual((await store.asyncQueue.ready(T, 10)).map((e) => e.id).sort(), ["deleted-a", "deleted-c"]);
  });

  test("listObjects: key order, prefix, start after a key, pages without duplicates or gaps", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await store.objects.createBucket("other", T);
    const keys = ["photos/2024/b.jpg", "photos/2024/a.jpg", "photos/2025/c.jpg", "docs/x.txt", "photos", "photosx", "ünïcode/é"];
    for (const key of keys) await putObject(store, object("b", key));
    await putObject(store, object("other", "photos/2024/z.jpg"));
    const seen: string[] = [];
    let after = "";
    for (;;) {
      const page = await store.objects.listObjects("b", "", after, 2);
      if (page.length === 0) break;
      seen.push(...page.map((o) => o.key));
      after = page.at(-1)?.key ?? "";
    }
    assert.deepEqual(seen, [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))), "UTF-8 byte order");
    const list = async (prefix: string, start: string) => (await store.objects.listObjects("b", prefix, start, 100)).map((o) => o.key);
    assert.deepEqual(await list("photos/", ""), ["photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg"]);
    assert.deepEqual(await list("photos", ""), ["photos", "photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photosx"]);
    assert.deepEqual(await list("photos/", "photos/2024/a.jpg"), ["photos/2024/b.jpg", "photos/2025/c.jpg"]);
    assert.deepEqual(await list("ü", ""), ["ünïcode/é"]);
    assert.deepEqual(await list("nothing", ""), []);
  });

  test("deleteBucket: missing, not empty, or removed with its unfinished uploads", async ({ store }) => {
    assert.equal(await store.objects.deleteBucket("none"), "missing");
    await store.objects.createBucket("full", T);
    await putObject(store, object("full", "k"));
    assert.equal(await store.objects.deleteBucket("full"), "not-empty");
    await store.objects.createBucket("b", T);
    await store.objects.createUpload(upload("u1", "b", "k1"));
    await store.objects.createUpload(upload("u2", "b", "k2"));
    await store.objects.putPart({ uploadId: "u1", partNumber: 1, etag: "e1", size: 5, lastModified: T });
    const result = await store.objects.deleteBucket("b");
    assert.ok(typeof result === "object");
    assert.deepEqual([...result.uploads].sort(), ["u1", "u2"]);
    assert.equal(await store.objects.bucket("b"), undefined);
    assert.equal(await store.objects.upload("u1"), undefined);
    assert.deepEqual(await store.objects.parts("u1", 0, 10), []);
    assert.equal(await store.objects.deleteBucket("b"), "missing");
  });

  test("uploads: get, list in (key, upload id) order after a marker, with a prefix", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await store.objects.createUpload(upload("u-2", "b", "a/key", T + 5));
    await store.objects.createUpload(upload("u-1", "b", "a/key", T + 9));
    await store.objects.createUpload(upload("u-3", "b", "b/key"));
    await store.objects.createUpload(upload("u-4", "b", "a/other"));
    assert.deepEqual(plain(await store.objects.upload("u-2")), plain(upload("u-2", "b", "a/key", T + 5)));
    assert.equal(await store.objects.upload("u-none"), undefined);
    const ids = async (prefix: string, afterKey: string, afterId: string, limit = 100) =>
      (await store.objects.uploads("b", prefix, afterKey, afterId, limit)).map((u) => u.uploadId);
    assert.deepEqual(await ids("", "", ""), ["u-1", "u-2", "u-4", "u-3"]);
    assert.deepEqual(await ids("a/", "", ""), ["u-1", "u-2", "u-4"]);
    assert.deepEqual(await ids("", "a/key", "u-1"), ["u-2", "u-4", "u-3"], "after the marker's key and upload id");
    assert.deepEqual(await ids("", "a/key", ""), ["u-1", "u-2", "u-4", "u-3"]);
    assert.deepEqual(await ids("", "", "", 2), ["u-1", "u-2"]);
  });

  test("parts: put inserts or replaces by number; listed in number order after a part", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await store.objects.createUpload(upload("u", "b", "k"));
    for (const n of [3, 1, 10, 2]) await store.objects.putPart({ uploadId: "u", partNumber: n, etag: `e${n}`, size: n, lastModified: T });
    await store.objects.putPart({ uploadId: "u", partNumber: 2, etag: "e2-again", size: 22, lastModified: T + 1 });
    const parts = await store.objects.parts("u", 0, 100);
    assert.deepEqual(parts.map((p) => [p.partNumber, p.etag]), [[1, "e1"], [2, "e2-again"], [3, "e3"], [10, "e10"]]);
    assert.deepEqual(parts[1], { uploadId: "u", partNumber: 2, etag: "e2-again", size: 22, lastModified: T + 1 });
    assert.deepEqual((await store.objects.parts("u", 2, 2)).map((p) => p.partNumber), [3, 10]);
  });

  test("parts keep their checksum; a part uploaded again replaces it (or drops it)", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await store.objects.createUpload(upload("u", "b", "k"));
    const checksum = { algorithm: "crc32c", value: "yZRlqg==" };
    await store.objects.putPart({ uploadId: "u", partNumber: 1, etag: "e1", size: 5, lastModified: T, checksum });
    await store.objects.putPart({ uploadId: "u", partNumber: 2, etag: "e2", size: 5, lastModified: T, checksum });
    await store.objects.putPart({ uploadId: "u", partNumber: 2, etag: "e2b", size: 6, lastModified: T + 1 });
    const parts = await store.objects.parts("u", 0, 10);
    assert.deepEqual(parts[0], { uploadId: "u", partNumber: 1, etag: "e1", size: 5, lastModified: T, checksum });
    assert.deepEqual(parts[1], { uploadId: "u", partNumber: 2, etag: "e2b", size: 6, lastModified: T + 1 });
  });

  test("commit: completing an upload writes the object, its events and removes the upload with its parts", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await putObject(store, object("b", "k", "old-blob"));
    await store.objects.createUpload(upload("u", "b", "k"));
    await store.objects.putPart({ uploadId: "u", partNumber: 1, etag: "e1", size: 5, lastModified: T });
    const done = object("b", "k", "new-blob", { etag: "abc-2", uploadId: "u", partSizes: [5_242_880, 7], partChecksums: ["AAAAAA==", "yZRlqg=="], tags: { project: "unkai", "é": "" } });
    const result = await store.commit({ putObjects: [done], endUploads: ["u"], events: () => [notice("ev-complete")] });
    assert.equal(result.replaced[0]?.blob, "old-blob");
    assert.deepEqual(plain(await store.objects.object("b", "k")), plain(done), "the object remembers its upload, part sizes and tags");
    const replacedAgain = await putObject(store, object("b", "k", "single-blob"));
    assert.deepEqual(replacedAgain?.partSizes, [5_242_880, 7]);
    assert.deepEqual(replacedAgain?.partChecksums, ["AAAAAA==", "yZRlqg=="]);
    assert.deepEqual(replacedAgain?.tags, { project: "unkai", "é": "" });
    assert.deepEqual(plain(await store.objects.object("b", "k")), plain(object("b", "k", "single-blob")), "a single-part untagged object replacing it has none of them");
    assert.equal(await store.objects.upload("u"), undefined);
    assert.deepEqual(await store.objects.parts("u", 0, 10), []);
    assert.deepEqual((await store.asyncQueue.ready(T, 10)).map((e) => e.id), ["ev-complete"]);
  });

  test("deleteUpload removes the upload and its parts; false when there was none", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await store.objects.createUpload(upload("u", "b", "k"));
    await store.objects.putPart({ uploadId: "u", partNumber: 1, etag: "e1", size: 5, lastModified: T });
    assert.equal(await store.objects.deleteUpload("u"), true);
    assert.equal(await store.objects.deleteUpload("u"), false);
    assert.equal(await store.objects.upload("u"), undefined);
    assert.deepEqual(await store.objects.parts("u", 0, 10), []);
  });

  test("commit is all or nothing: a unit whose events cannot be built or stored changes nothing", async ({ store, reopen }) => {
    await store.objects.createBucket("b", T);
    await putObject(store, object("b", "kept", "blob-kept"));
    await store.objects.createUpload(upload("u", "b", "k"));
    await assert.rejects(
      store.commit({
        putObjects: [object("b", "new")],
        deleteObjects: { bucket: "b", keys: ["kept"] },
        endUploads: ["u"],
        events: () => {
          throw new Error("no events for this change");
        },
      }),
      /no events for this change/,
    );
    // Two events with one id: the second insert keeps the first (as enqueue does), the unit still commits once.
    const twice = await store.commit({ putObjects: [object("b", "dup")], events: () => [notice("same"), { ...notice("same"), payload: Buffer.from("second") }] });
    assert.equal(twice.events.length, 2);
    const current = await reopen();
    assert.equal(await current.objects.object("b", "new"), undefined, "the object row was rolled back");
    assert.equal((await current.objects.object("b", "kept"))?.blob, "blob-kept", "the deletion was rolled back");
    assert.equal((await current.objects.upload("u"))?.uploadId, "u", "the upload was not ended");
    const [queued] = await current.asyncQueue.lease(["same"], T, T + 60_000);
    assert.deepEqual(queued?.payload, Buffer.from("same"));
    assert.deepEqual((await current.asyncQueue.ready(T + 2_000, 10)).map((e) => e.id), [], "only the committed unit's event is queued");
  });

  test("commit stores its deliveries with the change, built from what it removed; a failed unit stores none", async ({ store, reopen }) => {
    await store.objects.createBucket("b", T);
    await putObject(store, object("b", "gone"));
    const done = await store.commit({
      deleteObjects: { bucket: "b", keys: ["gone"] },
      events: () => [notice("ev")],
      deliveries: ({ removed }) => removed.map((row) => delivery(`d-${row.key}`)),
    });
    assert.deepEqual(done.deliveries.map((d) => d.id), ["d-gone"]);
    await assert.rejects(
      store.commit({
        putObjects: [object("b", "never")],
        deliveries: () => {
          throw new Error("no deliveries for this change");
        },
      }),
      /no deliveries for this change/,
    );
    // Written by the unit, read back by the port; the outbox then reschedules and deletes it.
    assert.deepEqual(plain(await store.s3Deliveries.get("d-gone")), plain(delivery("d-gone")));
    await store.s3Deliveries.put("d-later", { ...delivery("d-later"), attempts: 1, lastError: "throttled" });
    const current = await reopen();
    assert.equal(await current.objects.object("b", "never"), undefined, "the object row of the failed unit was rolled back");
    assert.deepEqual((await current.s3Deliveries.list()).map((d) => [d.id, d.attempts]), [["d-gone", 0], ["d-later", 1]]);
    assert.equal(await current.s3Deliveries.delete("d-gone"), true);
    assert.equal(await current.s3Deliveries.delete("d-gone"), false);
    assert.equal(await current.s3Deliveries.get("d-gone"), undefined);
    assert.deepEqual((await current.s3Deliveries.list()).map((d) => d.id), ["d-later"]);
  });

  test("commit: units from two nodes at once each commit whole", async ({ store, another }) => {
    const other = await another();
    await store.objects.createBucket("b", T);
    const units = Array.from({ length: 10 }, (_, i) => [i % 2 === 0 ? store : other, i] as const);
    const results = await Promise.all(units.map(([s, i]) => s.commit({ putObjects: [object("b", `k${i}`)], events: () => [notice(`ev-${i}`)] })));
    assert.deepEqual(results.map((r) => r.events.map((e) => e.id)), units.map(([, i]) => [`ev-${i}`]));
    assert.equal((await store.objects.listObjects("b", "", "", 100)).length, 10);
    assert.equal((await other.asyncQueue.ready(T, 100)).length, 10);
  });

  test("commit: check sees the rows the unit would replace and remove; a throw aborts the unit", async ({ store }) => {
    await store.objects.createBucket("b", T);
    await putObject(store, object("b", "k", "blob-a", { etag: "a" }));
    const ifMatch = (etag: string) => ([current]: readonly (ObjectRecord | undefined)[]) => {
      if (current?.etag !== etag) throw new Error(`precondition failed: ${current?.etag ?? "absent"}`);
    };
    const done = await store.commit({ putObjects: [object("b", "k", "blob-b", { etag: "b" })], check: ifMatch("a"), events: () => [notice("replaced")] });
    assert.equal(done.replaced[0]?.etag, "a");
    await assert.rejects(store.commit({ putObjects: [object("b", "k", "blob-c", { etag: "c" })], check: ifMatch("a"), events: () => [notice("never")] }), /precondition failed: b/);
    await assert.rejects(store.commit({ deleteObjects: { bucket: "b", keys: ["k"] }, check: ifMatch("a") }), /precondition failed: b/);
    assert.equal((await store.objects.object("b", "k"))?.blob, "blob-b", "neither the put nor the delete happened");
    let seen: readonly (ObjectRecord | undefined)[] = [];
    await store.commit({
      putObjects: [object("b", "new")],
      deleteObjects: { bucket: "b", keys: ["k", "missing"] },
      check: (current) => void (seen = current),
    });
    assert.deepEqual(seen.map((row) => row?.blob), [undefined, "blob-b", undefined], "puts' rows, then deletes' rows, in order");
    assert.deepEqual((await store.asyncQueue.ready(T, 10)).map((e) => e.id), ["replaced"]);
  });

  test("commit: two nodes creating one key only if absent (If-None-Match): exactly one wins, every time", async ({ store, another }) => {
    const other = await another();
    await store.objects.createBucket("b", T);
    const absent = ([current]: readonly (ObjectRecord | undefined)[]) => {
      if (current) throw new Error("the key exists");
    };
    for (let round = 0; round < 5; round++) {
      const key = `lock-${round}`;
      const outcomes = await Promise.allSettled([store, other].map((node, i) => node.commit({ putObjects: [object("b", key, `blob-${i}`)], check: absent })));
      const won = outcomes.flatMap((outcome, i) => (outcome.status === "fulfilled" ? [i] : []));
      assert.equal(won.length, 1, `round ${round}: one create wins (${outcomes.map((o) => o.status).join(", ")})`);
      assert.equal((await store.objects.object("b", key))?.blob, `blob-${won[0]}`, "the row is the winner's");
    }
  });
}
