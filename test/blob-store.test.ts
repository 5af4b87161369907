/**
 * The BlobStore seam on both backends: a local directory, and an S3-compatible store — a second,
 * embedded Unkai serving its own S3 API (starts anywhere the suite runs, no extra package; its S3
 * fidelity is what test/s3-*.test.ts check). Then Unkai A with `--blobs s3://…` pointing at Unkai B.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { AbortMultipartUploadCommand, CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand, type S3Client } from "@aws-sdk/client-s3";
import type { BlobStore } from "../src/store/blobs/blob-store.js";
import { openLocalBlobs } from "../src/store/blobs/local-blobs.js";
import { openS3Blobs } from "../src/store/blobs/s3-blobs.js";
import { loadConfig, type ConfigFlags } from "../src/server/config.js";
import { s3 } from "./helpers/s3.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const MIB = 1024 * 1024;

/** Deterministic bytes, made chunk by chunk so a big blob is never one buffer in the test either. */
function pattern(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 10)) & 0xff;
  return bytes;
}

async function read(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function keysOf(store: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of store.list(prefix)) keys.push(blob.key);
  return keys.sort();
}

/** Every key in a bucket of Unkai B, read through B's own S3 API. */
async function bucketKeys(client: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((item) => item.Key ?? ""));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

const HOSTILE_KEYS = ["../secret.txt", "/secret.txt", "a/../../secret.txt", "objects/../../secret.txt", "..", ".", "a/./b", "a//b", "%2e%2e/secret.txt", "a\\..\\..\\secret.txt", "", "/"];

/** The same checks on any backend: whole-or-absent writes, streams, ranges, lists, and keys that try to leave the root. */
function blobContract(name: string, open: () => Promise<{ store: BlobStore; secretIntact: () => Promise<boolean> }>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let secretIntact: () => Promise<boolean>;
    before(async () => ({ store, secretIntact } = await open()));
    after(async () => store.close());

    it("stores, reads whole and by range, lists and deletes", async () => {
      await store.put("objects/blobs/ab/one", Readable.from([Buffer.from("hello "), Buffer.from("blobs")]));
      assert.equal((await read(await store.get("objects/blobs/ab/one")))?.toString(), "hello blobs");
      assert.equal((await read(await store.get("objects/blobs/ab/one", { start: 6, end: 9 })))?.toString(), "blob");
      assert.equal(await store.has("objects/blobs/ab/one"), true);
      assert.equal(await store.get("objects/blobs/ab/none"), undefined, "a missing blob reads as undefined");
      assert.equal(await store.has("objects/blobs/ab/none"), false);
      await store.put("objects/blobs/cd/two", async function* () {
        yield Readable.from([Buffer.from("part one, ")]);
        yield Readable.from([Buffer.from("part two")]);
      });
      assert.equal((await read(await store.get("objects/blobs/cd/two")))?.toString(), "part one, part two");
      assert.deepEqual(await keysOf(store, "objects/blobs/"), ["objects/blobs/ab/one", "objects/blobs/cd/two"]);
      const listed = [];
      for await (const blob of store.list("objects/")) listed.push(blob);
      assert.ok(listed.every((blob) => Math.abs(blob.modifiedMs - Date.now()) < 10 * 60_000), "listed blobs carry their write time");
      await store.delete("objects/blobs/ab/one");
      await store.delete("objects/blobs/ab/one");
      assert.equal(await store.get("objects/blobs/ab/one"), undefined);
    });

    it("streams a 20 MiB body in (multipart on S3) and reads ranges across part boundaries", async () => {
      const size = 20 * MIB;
      const source = Readable.from((function* () {
        for (let at = 0; at < size; at += MIB) yield pattern(MIB, at / MIB);
      })());
      await store.put("objects/blobs/ef/big", source);
      const whole = await read(await store.get("objects/blobs/ef/big"));
      assert.equal(whole?.length, size);
      const expected = Buffer.concat(Array.from({ length: 20 }, (_, i) => pattern(MIB, i)));
      assert.equal(createHash("sha256").update(whole ?? "").digest("hex"), createHash("sha256").update(expected).digest("hex"));
      const boundary = 8 * MIB;
      const range = await read(await store.get("objects/blobs/ef/big", { start: boundary - 100, end: boundary + 99 }));
      assert.deepEqual(range, expected.subarray(boundary - 100, boundary + 100));
      await store.delete("objects/blobs/ef/big");
    });

    it("leaves nothing behind when the source fails midway", async () => {
      const failing = new Readable({ read() {} });
      failing.push(pattern(MIB, 1));
      setTimeout(() => failing.destroy(new Error("client went away")), 50);
      await assert.rejects(store.put("objects/blobs/aa/cut", failing), /client went away/);
      assert.equal(await store.has("objects/blobs/aa/cut"), false);
    });

    it("stores a fresh key with putNew, whole and ranged, and removes what a failed putNew wrote", async () => {
      await store.putNew("objects/blobs/ab/fresh", Readable.from([Buffer.from("a fresh "), Buffer.from("body")]));
      assert.equal((await read(await store.get("objects/blobs/ab/fresh")))?.toString(), "a fresh body");
      assert.equal((await read(await store.get("objects/blobs/ab/fresh", { start: 2, end: 6 })))?.toString(), "fresh");
      const failing = new Readable({ read() {} });
      failing.push(pattern(MIB, 2));
      setTimeout(() => failing.destroy(new Error("client went away")), 50);
      await assert.rejects(store.putNew("objects/blobs/aa/cut-fresh", failing), /client went away/);
      assert.equal(await store.has("objects/blobs/aa/cut-fresh"), false);
      await store.delete("objects/blobs/ab/fresh");
    });

    it("refuses keys that would leave its root or prefix, for every operation", async () => {
      for (const key of HOSTILE_KEYS) {
        await assert.rejects(store.put(key, Readable.from([Buffer.from("overwritten")])), /Refusing blob key/, `put ${key}`);
        await assert.rejects(store.putNew(key, Readable.from([Buffer.from("overwritten")])), /Refusing blob key/, `putNew ${key}`);
        await assert.rejects(store.get(key), /Refusing blob key/, `get ${key}`);
        await assert.rejects(store.has(key), /Refusing blob key/, `has ${key}`);
        await assert.rejects(store.delete(key), /Refusing blob key/, `delete ${key}`);
        await assert.rejects(keysOf(store, key === "" ? "../" : key), /Refusing blob key/, `list ${key}`);
      }
      assert.equal(await secretIntact(), true, "the file beside the root is untouched");
    });
  });
}

describe("blob store backends", () => {
  const root = mkdtempSync(join(tmpdir(), "unkai-blobs-"));
  let b: TestUnkai | undefined;
  before(async () => {
    b = await startUnkai();
    const client = s3(b.url);
    await client.send(new CreateBucketCommand({ Bucket: "contract" }));
    await client.send(new PutObjectCommand({ Bucket: "contract", Key: "secret.txt", Body: "outside the prefix" }));
    client.destroy();
  });
  after(async () => {
    if (b) assert.equal(await b.stop(), 0);
    rmSync(root, { recursive: true, force: true });
  });

  blobContract("local directory", async () => {
    writeFileSync(join(root, "secret.txt"), "outside the root");
    mkdirSync(join(root, "store"));
    const store = await openLocalBlobs(join(root, "store"), 0);
    return { store, secretIntact: async () => readFileSync(join(root, "secret.txt"), "utf8") === "outside the root" };
  });

  blobContract("S3-compatible (a second Unkai)", async () => {
    assert.ok(b);
    const store = await openS3Blobs({ bucket: "contract", prefix: "node/a", endpoint: b.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
    const client = s3(b.url);
    return {
      store,
      secretIntact: async () => {
        const keys = await bucketKeys(client, "contract");
        const outside = keys.filter((key) => !key.startsWith("node/a/"));
        const secret = await client.send(new GetObjectCommand({ Bucket: "contract", Key: "secret.txt" }));
        return outside.join() === "secret.txt" && (await secret.Body?.transformToString()) === "outside the prefix";
      },
    };
  });

  it("never lets an S3 upload id reach the blob store as a path (the default local backend)", async () => {
    assert.ok(b);
    const client = s3(b.url);
    try {
      for (const UploadId of ["../../../../escape", "/tmp/escape", "..%2F..%2Fescape"]) {
        const refused = await client.send(new UploadPartCommand({ Bucket: "contract", Key: "k", UploadId, PartNumber: 1, Body: "payload" })).then(() => undefined, (e: Error) => e);
        assert.equal(refused?.name, "NoSuchUpload", UploadId);
        const aborted = await client.send(new AbortMultipartUploadCommand({ Bucket: "contract", Key: "k", UploadId })).then(() => undefined, (e: Error) => e);
        assert.equal(aborted?.name, "NoSuchUpload", UploadId);
      }
    } finally {
      client.destroy();
    }
    // Where a part would land if the id were used as a path, and anything of that name in B's data dir.
    for (const id of ["../../../../escape", "/tmp/escape", "..%2F..%2Fescape"]) assert.equal(existsSync(join(b.dataDir, "objects", "parts", id, "1")), false, id);
    assert.deepEqual(readdirSync(b.dataDir, { recursive: true, encoding: "utf8" }).filter((name) => name.includes("escape")), []);
  });

  it("refuses to open a bucket that does not exist, saying so", async () => {
    assert.ok(b);
    await assert.rejects(
      openS3Blobs({ bucket: "no-such-bucket", prefix: "", endpoint: b.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } }),
      /s3:\/\/no-such-bucket\/ cannot be used at http:.*no such bucket/,
    );
  });
});

describe("--blobs settings", () => {
  const load = (flags: ConfigFlags, env: NodeJS.ProcessEnv = {}) => loadConfig({ dataDir: "/tmp/unkai-x", ...flags }, env);

  it("takes a directory (made absolute) or s3://bucket/prefix, and refuses anything else by name", () => {
    assert.equal(load({}).blobs, "");
    assert.equal(load({ blobs: "relative/blobs" }).blobs, join(process.cwd(), "relative/blobs"));
    assert.equal(load({ blobs: "s3://unkai-blobs/prod/eu" }).blobs, "s3://unkai-blobs/prod/eu");
    for (const bad of ["ftp://host/x", "s3://Bad_Bucket/x", "s3://bucket/../x", "s3://bucket/a//b", "s3://b"]) {
      assert.throws(() => load({ blobs: bad }), /Invalid setting blobs \(--blobs or UNKAI_BLOBS\)/, bad);
    }
    assert.throws(() => load({ blobsEndpoint: "minio:9000" }), /blobsEndpoint/);
  });

  it("reads credentials from its own settings, else the standard AWS_* variables, and wants both halves", () => {
    const own = load({ blobs: "s3://b1b/x", blobsAccessKeyId: "OWN", blobsSecretAccessKey: "own-secret" }, { AWS_ACCESS_KEY_ID: "ENV", AWS_SECRET_ACCESS_KEY: "env" });
    assert.deepEqual([own.blobsAccessKeyId, own.blobsSecretAccessKey], ["OWN", "own-secret"]);
    const env = load({ blobs: "s3://b1b/x" }, { AWS_ACCESS_KEY_ID: "ENV", AWS_SECRET_ACCESS_KEY: "env", AWS_SESSION_TOKEN: "token" });
    assert.deepEqual([env.blobsAccessKeyId, env.blobsSecretAccessKey, env.blobsSessionToken], ["ENV", "env", "token"]);
    assert.equal(load({ blobs: "s3://b1b/x" }).blobsAccessKeyId, "", "none: the SDK's own chain");
    assert.throws(() => load({ blobsAccessKeyId: "ONLY" }), /Set both UNKAI_BLOBS_ACCESS_KEY_ID and UNKAI_BLOBS_SECRET_ACCESS_KEY/);
  });
});
