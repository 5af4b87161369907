/** S3 objects and buckets through the AWS CLI v2 and SDK v3: uploads, downloads, listing, sync, presigned URLs, payload checks. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { S3Client} from "@aws-sdk/client-s3";
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { awsS3, s3, signedChunkedUpload, signedS3Headers, virtualHostedS3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

/** A raw request signed for s3 (Unkai reads the scope; signatures are checked elsewhere). */
async function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}${path}`, { method, headers: await signedS3Headers(url, method, path, headers), body });
  return { status: response.status, body: await response.text() };
}

describe("S3 objects and buckets", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  let work: string;
  before(() => {
    client = s3(suite.unkai.url);
    work = mkdtempSync(join(tmpdir(), "unkai-s3-"));
  });
  after(() => {
    client.destroy();
    rmSync(work, { recursive: true, force: true });
  });
  // The CLI where it is what a test is about; buckets a test only needs come from SDK v3 (each CLI run costs about a second of CPU).
  const cli = (args: string[]) => awsS3(suite.unkai.url, args);

  it("makes, lists and removes buckets with S3's errors", async () => {
    assert.equal((await cli(["s3", "mb", "s3://cli-bucket"])).code, 0);
    const listed = JSON.parse((await cli(["s3api", "list-buckets"])).stdout) as { Buckets: { Name: string }[] };
    assert.deepEqual(listed.Buckets.map((b) => b.Name), ["cli-bucket"]);
    // us-east-1 answers the owner's repeated create with success; other regions refuse it.
    const again = await cli(["s3api", "create-bucket", "--bucket", "cli-bucket"]);
    assert.equal(again.code, 0, again.stderr);
    const elsewhere = await cli(["s3api", "create-bucket", "--bucket", "cli-bucket", "--region", "eu-west-1", "--create-bucket-configuration", "LocationConstraint=eu-west-1"]);
    assert.match(elsewhere.stderr, /BucketAlreadyOwnedByYou/);
    const bad = await cli(["s3api", "create-bucket", "--bucket", "Bad_Name"]);
    assert.match(bad.stderr, /InvalidBucketName/);
    const missing = await cli(["s3api", "head-bucket", "--bucket", "no-such-bucket"]);
    assert.match(missing.stderr, /404/);
    writeFileSync(join(work, "one.txt"), "one");
    assert.equal((await cli(["s3", "cp", join(work, "one.txt"), "s3://cli-bucket/one.txt"])).code, 0);
    assert.match((await cli(["s3", "rb", "s3://cli-bucket"])).stderr, /BucketNotEmpty/);
    assert.equal((await cli(["s3", "rb", "s3://cli-bucket", "--force"])).code, 0);
    const after = JSON.parse((await cli(["s3api", "list-buckets"])).stdout) as { Buckets: unknown[] };
    assert.deepEqual(after.Buckets, []);
  });

  it("copies files up and down, lists, syncs and removes with aws s3", async () => {
    await cli(["s3", "mb", "s3://sync-bucket"]);
    const local = join(work, "tree");
    mkdirSync(join(local, "sub dir"), { recursive: true });
    writeFileSync(join(local, "a.txt"), "alpha");
    writeFileSync(join(local, "sub dir", "b+c.txt"), "bravo");
    writeFileSync(join(local, "big.bin"), Buffer.alloc(3 * 1024 * 1024, 7));
    const synced = await cli(["s3", "sync", local, "s3://sync-bucket/tree", "--no-progress"]);
    assert.equal(synced.code, 0, synced.stderr);
    assert.equal(synced.stdout.split("\n").filter((l) => l.startsWith("upload:")).length, 3);
    const again = await cli(["s3", "sync", local, "s3://sync-bucket/tree", "--no-progress"]);
    assert.equal(again.stdout.trim(), "", "a second sync finds nothing to upload");
    const top = await cli(["s3", "ls", "s3://sync-bucket/tree/"]);
    assert.match(top.stdout, /PRE sub dir\//);
    assert.match(top.stdout, /\s5 a\.txt/);
    const recursive = await cli(["s3", "ls", "s3://sync-bucket", "--recursive"]);
    assert.match(recursive.stdout, /tree\/sub dir\/b\+c\.txt/);
    const down = join(work, "down");
    assert.equal((await cli(["s3", "sync", "s3://sync-bucket/tree", down, "--no-progress"])).code, 0);
    assert.equal(readFileSync(join(down, "sub dir", "b+c.txt"), "utf8"), "bravo");
    assert.ok(readFileSync(join(down, "big.bin")).equals(Buffer.alloc(3 * 1024 * 1024, 7)));
    assert.equal((await cli(["s3", "rm", "s3://sync-bucket/tree/a.txt"])).code, 0);
    const gone = await cli(["s3api", "head-object", "--bucket", "sync-bucket", "--key", "tree/a.txt"]);
    assert.match(gone.stderr, /404/);
    assert.equal((await cli(["s3", "rm", "s3://sync-bucket", "--recursive"])).code, 0);
    assert.equal((await client.send(new ListObjectsV2Command({ Bucket: "sync-bucket" }))).KeyCount, 0);
  });

  it("keeps metadata and content headers, answers ranges and conditions, copies", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "meta-bucket" }));
    const file = join(work, "page.html");
    writeFileSync(file, "<h1>0123456789</h1>");
    const put = await cli(["s3api", "put-object", "--bucket", "meta-bucket", "--key", "page.html", "--body", file, "--content-type", "text/html", "--metadata", "owner=unkai,stage=test", "--cache-control", "max-age=60"]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal((JSON.parse(put.stdout) as { ETag: string }).ETag, `"${md5("<h1>0123456789</h1>")}"`);
    const head = JSON.parse((await cli(["s3api", "head-object", "--bucket", "meta-bucket", "--key", "page.html"])).stdout) as Record<string, unknown>;
    assert.equal(head.ContentType, "text/html");
    assert.equal(head.ContentLength, 19);
    assert.equal(head.CacheControl, "max-age=60");
    assert.deepEqual(head.Metadata, { owner: "unkai", stage: "test" });

    const ranged = await client.send(new GetObjectCommand({ Bucket: "meta-bucket", Key: "page.html", Range: "bytes=4-8" }));
    assert.equal(ranged.$metadata.httpStatusCode, 206);
    assert.equal(ranged.ContentRange, "bytes 4-8/19");
    assert.equal(await ranged.Body?.transformToString(), "01234");
    const suffix = await client.send(new GetObjectCommand({ Bucket: "meta-bucket", Key: "page.html", Range: "bytes=-5" }));
    assert.equal(await suffix.Body?.transformToString(), "</h1>");
    await rejects(client.send(new GetObjectCommand({ Bucket: "meta-bucket", Key: "page.html", Range: "bytes=100-200" })), "InvalidRange", 416);
    const etag = `"${md5("<h1>0123456789</h1>")}"`;
    await rejects(client.send(new GetObjectCommand({ Bucket: "meta-bucket", Key: "page.html", IfMatch: '"nope"' })), "PreconditionFailed", 412);
    await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "meta-bucket", Key: "page.html", IfNoneMatch: etag })), (e: S3ServiceException) => e.$metadata.httpStatusCode === 304);
    const fresh = await client.send(new GetObjectCommand({ Bucket: "meta-bucket", Key: "page.html", IfMatch: etag, IfModifiedSince: new Date(Date.now() - 60_000) }));
    assert.equal(await fresh.Body?.transformToString(), "<h1>0123456789</h1>");
    await rejects(client.send(new GetObjectCommand({ Bucket: "meta-bucket", Key: "missing" })), "NoSuchKey", 404);
    await rejects(client.send(new GetObjectCommand({ Bucket: "missing-bucket", Key: "x" })), "NoSuchBucket", 404);

    const copied = await client.send(new CopyObjectCommand({ Bucket: "meta-bucket", Key: "copy/page.html", CopySource: "meta-bucket/page.html" }));
    assert.equal(copied.CopyObjectResult?.ETag, etag);
    const copy = await client.send(new HeadObjectCommand({ Bucket: "meta-bucket", Key: "copy/page.html" }));
    assert.deepEqual(copy.Metadata, { owner: "unkai", stage: "test" });
    await rejects(client.send(new CopyObjectCommand({ Bucket: "meta-bucket", Key: "page.html", CopySource: "meta-bucket/page.html" })), "InvalidRequest", 400);
  });

  it("lists with prefix, delimiter, max-keys and continuation; deletes in bulk", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "list-bucket" }));
    const keys = ["a/1", "a/2", "b/1", "b/2/x", "c", "d", "e f"];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: "list-bucket", Key: key, Body: key }));
    const top = await client.send(new ListObjectsV2Command({ Bucket: "list-bucket", Delimiter: "/" }));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ["a/", "b/"]);
    assert.deepEqual(top.Contents?.map((o) => o.Key), ["c", "d", "e f"]);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: "list-bucket", Delimiter: "/", MaxKeys: 2, ContinuationToken: token }));
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ""), ...(page.Contents ?? []).map((o) => o.Key ?? ""));
      token = page.NextContinuationToken;
      pages++;
      assert.ok(pages < 10);
    } while (token);
    assert.deepEqual(seen.sort(), ["a/", "b/", "c", "d", "e f"]);
    assert.equal(pages, 3);
    const prefixed = await client.send(new ListObjectsV2Command({ Bucket: "list-bucket", Prefix: "b/" }));
    assert.deepEqual(prefixed.Contents?.map((o) => o.Key), ["b/1", "b/2/x"]);
    const v1 = JSON.parse((await cli(["s3api", "list-objects", "--bucket", "list-bucket", "--prefix", "a/"])).stdout) as { Contents: { Key: string }[] };
    assert.deepEqual(v1.Contents.map((o) => o.Key), ["a/1", "a/2"]);
    const deleted = await cli(["s3api", "delete-objects", "--bucket", "list-bucket", "--delete", JSON.stringify({ Objects: keys.map((Key) => ({ Key })) })]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal((JSON.parse(deleted.stdout) as { Deleted: unknown[] }).Deleted.length, keys.length);
    assert.equal((await client.send(new ListObjectsV2Command({ Bucket: "list-bucket" }))).KeyCount, 0);
  });

  it("commits concurrent uploads (group-committed) each whole", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "busy-bucket" }));
    const bodies = Array.from({ length: 32 }, (_, i) => `body ${i} `.repeat(100 + i));
    await Promise.all(bodies.map((Body, i) => client.send(new PutObjectCommand({ Bucket: "busy-bucket", Key: `k/${String(i).padStart(2, "0")}`, Body }))));
    await Promise.all(bodies.slice(0, 8).map((Body) => client.send(new PutObjectCommand({ Bucket: "busy-bucket", Key: "same", Body }))));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: "busy-bucket", Prefix: "k/" }));
    assert.deepEqual(listed.Contents?.map((o) => [o.Key, o.Size, o.ETag]), bodies.map((b, i) => [`k/${String(i).padStart(2, "0")}`, b.length, `"${md5(b)}"`]));
    const same = await (await client.send(new GetObjectCommand({ Bucket: "busy-bucket", Key: "same" }))).Body?.transformToString();
    assert.ok(bodies.slice(0, 8).includes(same ?? ""), "the key holds one whole upload");
    const blobs = readdirSync(join(suite.unkai.dataDir, "objects", "blobs")).flatMap((shard) => readdirSync(join(suite.unkai.dataDir, "objects", "blobs", shard)));
    let rows = 0;
    for (const bucket of (await client.send(new ListBucketsCommand({}))).Buckets ?? []) {
      rows += (await client.send(new ListObjectsV2Command({ Bucket: bucket.Name }))).KeyCount ?? 0;
    }
    assert.equal(blobs.length, rows, "one body file per object: replaced bodies are deleted");
  });

  it("serves presigned GET and PUT URLs from the SDK and aws s3 presign", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "presign-bucket" }));
    const putUrl = await getSignedUrl(client, new PutObjectCommand({ Bucket: "presign-bucket", Key: "up.txt" }), { expiresIn: 300 });
    const put = await fetch(putUrl, { method: "PUT", body: "uploaded with a URL" });
    assert.equal(put.status, 200);
    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: "presign-bucket", Key: "up.txt" }), { expiresIn: 300 });
    assert.equal(await (await fetch(getUrl)).text(), "uploaded with a URL");
    const presigned = await cli(["s3", "presign", "s3://presign-bucket/up.txt", "--expires-in", "60"]);
    assert.equal(presigned.code, 0, presigned.stderr);
    assert.match(presigned.stdout, /X-Amz-Expires=60/);
    assert.equal(await (await fetch(presigned.stdout.trim())).text(), "uploaded with a URL");
  });

  it("addresses buckets virtual-hosted as <bucket>.s3.localhost", async () => {
    const hosted = virtualHostedS3(suite.unkai.url);
    try {
      await client.send(new CreateBucketCommand({ Bucket: "hosted-bucket" }));
      await hosted.send(new PutObjectCommand({ Bucket: "hosted-bucket", Key: "dir/v.txt", Body: "virtual" }));
      const got = await hosted.send(new GetObjectCommand({ Bucket: "hosted-bucket", Key: "dir/v.txt" }));
      assert.equal(await got.Body?.transformToString(), "virtual");
      const listed = await hosted.send(new ListObjectsV2Command({ Bucket: "hosted-bucket" }));
      assert.deepEqual(listed.Contents?.map((o) => o.Key), ["dir/v.txt"]);
      const plain = await client.send(new GetObjectCommand({ Bucket: "hosted-bucket", Key: "dir/v.txt" }));
      assert.equal(await plain.Body?.transformToString(), "virtual");
    } finally {
      hosted.destroy();
    }
  });

  it("checks Content-MD5, x-amz-content-sha256 and checksum trailers, and decodes aws-chunked bodies", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "digest-bucket" }));
    const body = Buffer.from("checked payload");
    const wrongMd5 = createHash("md5").update("other").digest("base64");
    const bad = await raw(suite.unkai.url, "PUT", "/digest-bucket/md5", { "Content-MD5": wrongMd5, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, body);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /<Code>BadDigest<\/Code>/);
    const invalid = await raw(suite.unkai.url, "PUT", "/digest-bucket/md5", { "Content-MD5": "abc", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, body);
    assert.match(invalid.body, /<Code>InvalidDigest<\/Code>/);
    const sha = await raw(suite.unkai.url, "PUT", "/digest-bucket/sha", { "x-amz-content-sha256": createHash("sha256").update("other").digest("hex") }, body);
    assert.equal(sha.status, 400);
    assert.match(sha.body, /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    await rejects(client.send(new HeadObjectCommand({ Bucket: "digest-bucket", Key: "md5" })), "NotFound", 404);

    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD, in two signed chunks; a chunk changed after signing is refused.
    const halves = [body.subarray(0, 10), body.subarray(10)];
    const tampered = await signedChunkedUpload(suite.unkai.url, "/digest-bucket/chunked", halves, { index: 1, data: Buffer.from("YLOAD") });
    const refused = await fetch(`${suite.unkai.url}/digest-bucket/chunked`, { method: "PUT", headers: tampered.headers, body: tampered.body });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
    await rejects(client.send(new HeadObjectCommand({ Bucket: "digest-bucket", Key: "chunked" })), "NotFound", 404);
    const upload = await signedChunkedUpload(suite.unkai.url, "/digest-bucket/chunked", halves);
    const chunked = await fetch(`${suite.unkai.url}/digest-bucket/chunked`, { method: "PUT", headers: upload.headers, body: upload.body });
    assert.equal(chunked.status, 200, await chunked.text());
    const got = await client.send(new GetObjectCommand({ Bucket: "digest-bucket", Key: "chunked" }));
    assert.equal(await got.Body?.transformToString(), "checked payload");
    assert.equal(got.ETag, `"${md5(body)}"`);
    assert.equal(got.ContentEncoding, undefined, "aws-chunked is not stored as the object's encoding");

    // STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer that does not match.
    const trailer = Buffer.from(`f\r\nchecked payload\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`);
    const crc = await raw(suite.unkai.url, "PUT", "/digest-bucket/crc", {
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": String(body.length), "x-amz-trailer": "x-amz-checksum-crc32",
    }, trailer);
    assert.equal(crc.status, 400);
    assert.match(crc.body, /<Code>BadDigest<\/Code>/);
    // The SDK sends its own CRC32 trailers (or headers): they verify.
    await client.send(new PutObjectCommand({ Bucket: "digest-bucket", Key: "sdk", Body: body, ChecksumAlgorithm: "CRC32" }));
    assert.equal(await (await client.send(new GetObjectCommand({ Bucket: "digest-bucket", Key: "sdk" }))).Body?.transformToString(), "checked payload");
  });

  it("refuses uploads over 5 GiB from their declared length, before reading them", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "limit-bucket" }));
    const { port } = new URL(suite.unkai.url);
    const headers = await signedS3Headers(suite.unkai.url, "PUT", "/limit-bucket/huge", {});
    const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "PUT", path: "/limit-bucket/huge", headers: { ...headers, "Content-Length": 6 * 1024 ** 3 } }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk)).on("end", () => resolve({ status: res.statusCode, body }));
      });
      req.on("error", reject);
      req.flushHeaders();
    });
    assert.equal(answer.status, 400);
    assert.match(answer.body, /<Code>EntityTooLarge<\/Code>/);
  });

  it("never shows a partial object when an upload is cut off", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "cut-bucket" }));
    await client.send(new PutObjectCommand({ Bucket: "cut-bucket", Key: "obj", Body: "old version" }));
    const { port } = new URL(suite.unkai.url);
    const headers = await signedS3Headers(suite.unkai.url, "PUT", "/cut-bucket/obj", {});
    await new Promise<void>((resolve) => {
      const req = request({ host: "127.0.0.1", port, method: "PUT", path: "/cut-bucket/obj", headers: { ...headers, "Content-Length": 4 * 1024 * 1024 } });
      req.on("error", () => resolve());
      req.write(Buffer.alloc(1024 * 1024, 1), () => setTimeout(() => {
        req.destroy();
        resolve();
      }, 200));
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const still = await client.send(new GetObjectCommand({ Bucket: "cut-bucket", Key: "obj" }));
    assert.equal(await still.Body?.transformToString(), "old version");
    assert.deepEqual(readdirSync(join(suite.unkai.dataDir, ".tmp")), [], "the cut-off upload's temp file is gone");
  });
});
