/**
 * `unkai start --blobs s3://bucket/prefix`: Unkai A keeps code, layers and S3 object bodies in Unkai B's
 * S3 API (a real S3-compatible server the suite starts itself), nothing of them under its data dir,
 * serves them again after a restart with its local code cache gone, and refuses tampered code.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { CreateFunctionCommand, GetFunctionCommand, PublishLayerVersionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { invoke, lambda, ROLE } from "./helpers/clients.js";
import { s3 } from "./helpers/s3.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const MIB = 1024 * 1024;
const sha = (bytes: Buffer | Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const hexOf = (base64: string) => Buffer.from(base64, "base64").toString("hex");

/** Every key in one of Unkai B's buckets, through B's own S3 API. */
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

/** Files (not folders) under `dir`, as relative paths; [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((path) => lstatSync(join(dir, path)).isFile());
}

/** Removes a node's unpacked-code cache (its directories are read-only by design; links are left alone). */
function wipeCodeCache(dataDir: string): void {
  const code = join(dataDir, "code");
  for (const path of readdirSync(code, { recursive: true, encoding: "utf8" })) {
    if (lstatSync(join(code, path)).isDirectory()) chmodSync(join(code, path), 0o700);
  }
  rmSync(code, { recursive: true, force: true });
}

async function body(client: S3Client, bucket: string, key: string, range?: string): Promise<Buffer> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return Buffer.from(await got.Body?.transformToByteArray() ?? []);
}

describe("--blobs s3://bucket/prefix against a second Unkai", () => {
  const dataDirA = mkdtempSync(join(tmpdir(), "unkai-node-a-"));
  let b: TestUnkai;
  let a: TestUnkai;
  let storeB: S3Client;
  const envA = () => ({
    UNKAI_BLOBS: "s3://shared/node-a", UNKAI_BLOBS_ENDPOINT: b.url, UNKAI_BLOBS_ACCESS_KEY_ID: "test", UNKAI_BLOBS_SECRET_ACCESS_KEY: "test",
  });
  const functionZip = zipFiles({ "index.js": "const { greet } = require('greeter');\nexports.handler = async (e) => ({ said: greet(e.name) });" });
  const layerZip = zipFiles({ "nodejs/node_modules/greeter/index.js": "exports.greet = (name) => `hello ${name} from the layer`;" });
  const small = Buffer.from("hello from node A, stored in node B");
  const parts = [Buffer.alloc(5 * MIB, 7), Buffer.alloc(MIB + 123, 9)];
  const big = Buffer.from(Array.from({ length: 12 * MIB }, (_, i) => (i * 13 + (i >> 12)) & 0xff));
  // Object keys that look like paths out of the prefix: for S3 they are names, and must stay names.
  const hostileKeys = ["../../escape.txt", "/etc/absolute.txt", "a/../../../b.txt"];

  before(async () => {
    b = await startUnkai();
    storeB = s3(b.url);
    await storeB.send(new CreateBucketCommand({ Bucket: "shared" }));
    await storeB.send(new PutObjectCommand({ Bucket: "shared", Key: "neighbour.txt", Body: "not node A's" }));
    a = await startUnkai(envA(), dataDirA);
  });
  after(async () => {
    storeB.destroy();
    if (a) await a.stop();
    if (b) assert.equal(await b.stop(), 0);
    rmSync(dataDirA, { recursive: true, force: true });
  });

  it("runs a function with a layer whose code lives only in B", async () => {
    const functions = lambda(a.url);
    try {
      const layer = await functions.send(new PublishLayerVersionCommand({ LayerName: "greeter", Content: { ZipFile: await layerZip } }));
      const created = await functions.send(new CreateFunctionCommand({
        FunctionName: "remote-code", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await functionZip }, Layers: [layer.LayerVersionArn ?? ""],
      }));
      assert.deepEqual((await invoke(functions, "remote-code", { name: "A" })).json, { said: "hello A from the layer" });
      const keys = await bucketKeys(storeB, "shared");
      assert.ok(keys.includes(`node-a/code/${hexOf(created.CodeSha256 ?? "")}.zip`), `the function's zip is in B: ${keys.join(", ")}`);
      assert.ok(keys.includes(`node-a/code/${hexOf(layer.Content?.CodeSha256 ?? "")}.zip`), "the layer's zip is in B");
      const location = (await functions.send(new GetFunctionCommand({ FunctionName: "remote-code" }))).Code?.Location ?? "";
      const downloaded = Buffer.from(await (await fetch(location)).arrayBuffer());
      assert.equal(sha(downloaded), sha(await functionZip), "Code.Location serves the zip from B");
      assert.deepEqual(filesUnder(join(dataDirA, "code")).filter((path) => path.endsWith(".zip")), [], "no zip under A's data dir");
    } finally {
      functions.destroy();
    }
  });

  it("puts, gets, range-gets and completes multipart uploads with the bytes in B only", async () => {
    const objects = s3(a.url);
    try {
      await objects.send(new CreateBucketCommand({ Bucket: "data" }));
      await objects.send(new PutObjectCommand({ Bucket: "data", Key: "small.txt", Body: small }));
      assert.deepEqual(await body(objects, "data", "small.txt"), small);
      assert.equal((await body(objects, "data", "small.txt", "bytes=6-9")).toString(), "from");
      // Bigger than one 8 MiB part: A's upload to B becomes a multipart upload of the request's stream.
      await objects.send(new PutObjectCommand({ Bucket: "data", Key: "big.bin", Body: big }));
      assert.equal(sha(await body(objects, "data", "big.bin")), sha(big));
      assert.deepEqual(await body(objects, "data", "big.bin", `bytes=${8 * MIB - 3}-${8 * MIB + 2}`), big.subarray(8 * MIB - 3, 8 * MIB + 3));
      const { UploadId } = await objects.send(new CreateMultipartUploadCommand({ Bucket: "data", Key: "multi.bin" }));
      const etags = [];
      for (const [index, part] of parts.entries()) {
        etags.push((await objects.send(new UploadPartCommand({ Bucket: "data", Key: "multi.bin", UploadId, PartNumber: index + 1, Body: part }))).ETag);
      }
      await objects.send(new CompleteMultipartUploadCommand({
        Bucket: "data", Key: "multi.bin", UploadId, MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }));
      assert.equal(sha(await body(objects, "data", "multi.bin")), sha(Buffer.concat(parts)));
      assert.deepEqual(await body(objects, "data", "multi.bin", `bytes=${5 * MIB - 2}-${5 * MIB + 1}`), Buffer.from([7, 7, 9, 9]), "a range across the parts");
      for (const key of hostileKeys) await objects.send(new PutObjectCommand({ Bucket: "data", Key: key, Body: `named ${key}` }));
      for (const key of hostileKeys) assert.equal((await body(objects, "data", key)).toString(), `named ${key}`);

      const keys = await bucketKeys(storeB, "shared");
      assert.deepEqual(keys.filter((key) => !key.startsWith("node-a/")), ["neighbour.txt"], "nothing lands outside the prefix");
      assert.equal(keys.filter((key) => key.startsWith("node-a/objects/blobs/")).length, 3 + hostileKeys.length, "one body per object");
      assert.deepEqual(keys.filter((key) => key.startsWith("node-a/objects/parts/")), [], "completed parts are gone");
      assert.equal((await body(storeB, "shared", "neighbour.txt")).toString(), "not node A's");
      assert.deepEqual(filesUnder(join(dataDirA, "objects")), [], "no object bytes under A's data dir");
    } finally {
      objects.destroy();
    }
  });

  it("serves all of it after a restart with its local code cache wiped", async () => {
    assert.equal(await a.stop(), 0);
    wipeCodeCache(dataDirA);
    a = await startUnkai(envA(), dataDirA);
    const functions = lambda(a.url);
    const objects = s3(a.url);
    try {
      assert.deepEqual((await invoke(functions, "remote-code", { name: "again" })).json, { said: "hello again from the layer" });
      assert.equal(sha(await body(objects, "data", "multi.bin")), sha(Buffer.concat(parts)));
      assert.deepEqual(await body(objects, "data", "small.txt"), small);
    } finally {
      functions.destroy();
      objects.destroy();
    }
  });

  it("refuses to run code B hands back altered", async () => {
    const functions = lambda(a.url);
    const codeSha = (await functions.send(new GetFunctionCommand({ FunctionName: "remote-code" }))).Configuration?.CodeSha256 ?? "";
    functions.destroy();
    assert.equal(await a.stop(), 0);
    const evil = await zipFiles({ "index.js": "exports.handler = async () => ({ said: 'evil' });" });
    await storeB.send(new PutObjectCommand({ Bucket: "shared", Key: `node-a/code/${hexOf(codeSha)}.zip`, Body: evil }));
    wipeCodeCache(dataDirA);
    a = await startUnkai(envA(), dataDirA);
    const again = lambda(a.url);
    try {
      const result = await invoke(again, "remote-code", { name: "x" });
      assert.ok(result.functionError, "the invocation fails");
      assert.doesNotMatch(JSON.stringify(result.json), /evil/);
      assert.match(`${result.payload}\n${result.log}`, /does not match its SHA-256: refusing to run it/, "the caller is told why");
    } finally {
      again.destroy();
    }
  });
});
