/** ObjectStore versions: versioning state, versions kept and replaced, delete markers, removal by id, listing newest first. */
import assert from "node:assert/strict";
import type { ObjectRecord } from "../../src/store/ports.js";
import { plain, type StoreTest } from "./harness.js";

const T = 1_700_000_000_000;

/** A version of `key`: `seq` orders it; `id` undefined makes it the key's null version. */
const version = (key: string, seq: string, id: string | undefined, change: Partial<ObjectRecord> = {}): ObjectRecord => ({
  bucket: "v", key, blob: `blob-${key}-${seq}`, size: 1, etag: `etag-${seq}`, lastModified: T, headers: {}, sequence: seq, ...(id === undefined ? {} : { versionId: id }), ...change,
});

export function objectVersionsContract(test: StoreTest): void {
  test("versioning: the bucket's state is stored; versions with ids are kept, a null version replaces the null one", async ({ store, reopen }) => {
    await store.objects.createBucket("v", T);
    assert.equal((await store.objects.bucket("v"))?.versioning, undefined);
    await store.objects.setVersioning("v", "Enabled");
    await store.commit({ putObjects: [version("k", "s1", undefined)] });
    const kept = await store.commit({ putObjects: [version("k", "s2", "s2")] });
    assert.deepEqual(kept.discarded, [], "a version with an id keeps the one it follows");
    await store.commit({ putObjects: [version("k", "s3", "s3")] });
    await store.objects.setVersioning("v", "Suspended");
    // Suspended: the new null version replaces the old null one (noncurrent) and keeps s3.
    const suspended = await store.commit({ putObjects: [version("k", "s4", undefined)] });
    assert.deepEqual(suspended.discarded.map((r) => r.sequence), ["s1"]);
    const again = await store.commit({ putObjects: [version("k", "s5", undefined)] });
    assert.deepEqual(again.discarded.map((r) => r.sequence), ["s4"], "a current null version is replaced by the next");
    const current = await reopen();
    assert.equal((await current.objects.bucket("v"))?.versioning, "Suspended");
    assert.equal((await current.objects.object("v", "k"))?.sequence, "s5");
    assert.equal((await current.objects.objectVersion("v", "k", undefined))?.sequence, "s5");
    assert.deepEqual(plain(await current.objects.objectVersion("v", "k", "s2")), plain(version("k", "s2", "s2")));
    assert.equal(await current.objects.objectVersion("v", "k", "nope"), undefined);
    assert.equal(await current.objects.referencesBlob("blob-k-s2"), true, "a noncurrent body is referenced");
    assert.equal(await current.objects.referencesBlob("blob-k-s1"), false);
    assert.equal(await current.objects.deleteBucket("v"), "not-empty");
  });

  test("versions: delete markers hide a key from listObjects; removing the current version makes the newest older one current", async ({ store, reopen }) => {
    await store.objects.createBucket("v", T);
    await store.commit({ putObjects: [version("a", "s1", "s1"), version("a", "s2", "s2"), version("b", "s3", "s3")] });
    await store.commit({ putObjects: [version("a", "s4", "s4", { blob: "", deleteMarker: true, etag: "", size: 0 })] });
    assert.deepEqual((await store.objects.listObjects("v", "", "", 10)).map((o) => o.key), ["b"]);
    assert.equal((await store.objects.object("v", "a"))?.deleteMarker, true);
    // Retagging rewrites the current row in place: no new version.
    await store.commit({ putObjects: [version("b", "s3", "s3", { tags: { t: "1" } })] });
    const listed = await store.objects.listVersions("v", "", "", "", 10);
    assert.deepEqual(listed.map((l) => [l.record.key, l.record.sequence, l.latest, l.record.deleteMarker ?? false]), [
      ["a", "s4", true, true], ["a", "s2", false, false], ["a", "s1", false, false], ["b", "s3", true, false],
    ]);
    assert.deepEqual((await store.objects.listVersions("v", "", "a", "s2", 10)).map((l) => l.record.sequence), ["s1", "s3"], "after a version marker");
    assert.deepEqual((await store.objects.listVersions("v", "", "a", "", 10)).map((l) => l.record.sequence), ["s3"], "after every version of the key marker");
    assert.deepEqual((await store.objects.listVersions("v", "b", "", "", 10)).map((l) => l.record.key), ["b"], "by prefix");
    assert.deepEqual((await store.objects.listVersions("v", "", "", "", 2)).map((l) => l.record.sequence), ["s4", "s2"], "limited");
    const undeleted = await store.commit({ deleteVersions: { bucket: "v", versions: [{ key: "a", versionId: "s4" }, { key: "a", versionId: "s1" }, { key: "a", versionId: "missing" }] } });
    assert.deepEqual(undeleted.removed.map((r) => r.sequence), ["s4", "s1"]);
    assert.deepEqual(undeleted.discarded.map((r) => r.sequence), ["s4", "s1"]);
    const current = await reopen();
    assert.equal((await current.objects.object("v", "a"))?.sequence, "s2", "the newest remaining version is current again");
    assert.equal((await current.objects.object("v", "b"))?.tags?.t, "1");
    assert.deepEqual((await current.objects.listVersions("v", "", "", "", 10)).map((l) => [l.record.sequence, l.latest]), [["s2", true], ["s3", true]]);
    await current.commit({ deleteVersions: { bucket: "v", versions: [{ key: "a", versionId: "s2" }, { key: "b", versionId: "s3" }] } });
    assert.equal(await current.objects.object("v", "a"), undefined);
    assert.deepEqual(await current.objects.deleteBucket("v"), { uploads: [] });
  });

  test("versions: first versions of one key committed at the same time are all kept", async ({ store }) => {
    await store.objects.createBucket("v", T);
    const ids = ["r1", "r2", "r3", "r4"];
    await Promise.all(ids.map((id) => store.commit({ putObjects: [version("race", id, id)] })));
    const listed = await store.objects.listVersions("v", "race", "", "", 10);
    assert.deepEqual(listed.map((l) => l.record.sequence).sort(), ids, "none overwritten");
    assert.equal(listed.filter((l) => l.latest).length, 1);
  });
}
