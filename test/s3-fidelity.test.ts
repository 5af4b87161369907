/**
 * S3 behaviours an external compatibility suite found wrong (issue 21), each driven by SDK v3 or a raw
 * signed request: XML values taken exactly as sent, listing edge cases, a repeated CreateBucket.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, S3ServiceException, UploadPartCommand, ListBucketsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { s3, signedS3Fetch, signedS3Headers } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.name, code);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

describe("S3 fidelity fixes", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "fidelity" }));
  });
  after(() => client.destroy());

  const keysIn = async (bucket: string) =>
    ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key);

  it("DeleteObjects deletes keys with trailing spaces, newlines, only spaces or a tab, and reports them as sent", async () => {
    const keys = ["_ ", "a\nb", "   ", "\t", "plain"];
    for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: "fidelity", Key, Body: "x" }));
    assert.deepEqual((await keysIn("fidelity")).sort(), [...keys].sort());
    const answer = await client.send(new DeleteObjectsCommand({ Bucket: "fidelity", Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    assert.deepEqual((answer.Deleted ?? []).map((d) => d.Key).sort(), [...keys].sort());
    assert.deepEqual(await keysIn("fidelity"), [], "every object is really gone");
  });

  it("refuses XML with HTML-only named entities as MalformedXML, and decodes character references", async () => {
    await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "A&B", Body: "x" }));
    const body = "<Delete><Object><Key>&#65;&amp;&#x42;</Key></Object></Delete>";
    const decoded = await signedS3Fetch(suite.unkai.url, "POST", "/fidelity?delete", { body });
    assert.equal(decoded.status, 200);
    assert.match(await decoded.text(), /<Key>A&amp;B<\/Key>/);
    assert.deepEqual(await keysIn("fidelity"), []);
    const html = await signedS3Fetch(suite.unkai.url, "POST", "/fidelity?delete", { body: "<Delete><Object><Key>a&nbsp;b</Key></Object></Delete>" });
    assert.equal(html.status, 400);
    assert.match(await html.text(), /<Code>MalformedXML<\/Code>/);
  });

  it("lists with max-keys=0 as not truncated, an empty continuation token as the first page, and owners when asked", async () => {
    await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "k1", Body: "x" }));
    const none = await client.send(new ListObjectsV2Command({ Bucket: "fidelity", MaxKeys: 0 }));
    assert.equal(none.IsTruncated, false);
    assert.equal(none.KeyCount, 0);
    const noneV1 = await client.send(new ListObjectsCommand({ Bucket: "fidelity", MaxKeys: 0 }));
    assert.equal(noneV1.IsTruncated, false);
    const emptyToken = await signedS3Fetch(suite.unkai.url, "GET", "/fidelity?list-type=2&continuation-token=");
    assert.equal(emptyToken.status, 200);
    assert.match(await emptyToken.text(), /<Key>k1<\/Key>/);
    const owned = await client.send(new ListObjectsV2Command({ Bucket: "fidelity", FetchOwner: true }));
    assert.ok(owned.Contents?.[0]?.Owner?.ID, "FetchOwner=true names the owner");
    const unowned = await client.send(new ListObjectsV2Command({ Bucket: "fidelity" }));
    assert.equal(unowned.Contents?.[0]?.Owner, undefined);
    assert.ok((await client.send(new ListObjectsCommand({ Bucket: "fidelity" }))).Contents?.[0]?.Owner?.ID, "ListObjects (v1) always names it");
  });

  it("pages ListBuckets with Prefix, MaxBuckets and ContinuationToken", async () => {
    for (const Bucket of ["page-a", "page-b", "page-c"]) await client.send(new CreateBucketCommand({ Bucket }));
    const first = await client.send(new ListBucketsCommand({ Prefix: "page-", MaxBuckets: 2 }));
    assert.deepEqual(first.Buckets?.map((b) => b.Name), ["page-a", "page-b"]);
    assert.ok(first.ContinuationToken);
    assert.equal(first.Prefix, "page-");
    const second = await client.send(new ListBucketsCommand({ Prefix: "page-", MaxBuckets: 2, ContinuationToken: first.ContinuationToken }));
    assert.deepEqual(second.Buckets?.map((b) => b.Name), ["page-c"]);
    assert.equal(second.ContinuationToken, undefined);
    const bad = await signedS3Fetch(suite.unkai.url, "GET", "/?max-buckets=0");
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /<Code>InvalidArgument<\/Code>/);
  });

  it("answers the owner's repeated CreateBucket in us-east-1 with 200", async () => {
    const again = await client.send(new CreateBucketCommand({ Bucket: "fidelity" }));
    assert.equal(again.$metadata.httpStatusCode, 200);
  });

  const body = async (Key: string) => (await client.send(new GetObjectCommand({ Bucket: "fidelity", Key }))).Body!.transformToString();

  it("honours If-None-Match: * and If-Match on PutObject and DeleteObject instead of overwriting or deleting", async () => {
    const first = await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "lock", Body: "one", IfNoneMatch: "*" }));
    await rejects(client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "lock", Body: "two", IfNoneMatch: "*" })), "PreconditionFailed", 412);
    await rejects(client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "lock", Body: "two", IfMatch: '"0123"' })), "PreconditionFailed", 412);
    await rejects(client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "no-such", Body: "two", IfMatch: first.ETag })), "NoSuchKey", 404);
    assert.equal(await body("lock"), "one", "a failed conditional write changes nothing");
    await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "lock", Body: "three", IfMatch: first.ETag }));
    assert.equal(await body("lock"), "three");
    await rejects(client.send(new DeleteObjectCommand({ Bucket: "fidelity", Key: "lock", IfMatch: first.ETag })), "PreconditionFailed", 412);
    assert.equal(await body("lock"), "three", "a wrong If-Match does not delete");
    const odd = await signedS3Fetch(suite.unkai.url, "PUT", "/fidelity/etag-lock", { headers: { "If-None-Match": '"abc"' }, body: "x" });
    assert.equal(odd.status, 501, "If-None-Match on a write takes only *");
  });

  it("lets exactly one of many racing If-None-Match: * writers create a key", async () => {
    const racers = Array.from({ length: 8 }, (_, i) => client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "race", Body: `writer ${i}`, IfNoneMatch: "*" })));
    const results = await Promise.allSettled(racers);
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, "one writer wins");
    for (const lost of results.filter((r) => r.status === "rejected")) {
      const error = lost.reason as S3ServiceException;
      assert.ok(["PreconditionFailed", "ConditionalRequestConflict"].includes(error.name), error.name);
    }
    const index = results.findIndex((r) => r.status === "fulfilled");
    assert.equal(await body("race"), `writer ${index}`);
  });

  it("refuses CompleteMultipartUpload with If-None-Match: * onto an existing key", async () => {
    await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "mp", Body: "kept" }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "fidelity", Key: "mp" }));
    const part = await client.send(new UploadPartCommand({ Bucket: "fidelity", Key: "mp", UploadId, PartNumber: 1, Body: "new" }));
    const complete = (IfNoneMatch?: string) => client.send(new CompleteMultipartUploadCommand({
      Bucket: "fidelity", Key: "mp", UploadId, IfNoneMatch, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
    }));
    await rejects(complete("*"), "PreconditionFailed", 412);
    assert.equal(await body("mp"), "kept");
    await complete();
    assert.equal(await body("mp"), "new", "the upload is still there to complete without the condition");
  });

  it("checks CopyObject's x-amz-copy-source-if-* conditions", async () => {
    const source = await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "src", Body: "source" }));
    const copy = (extra: Record<string, unknown>) => client.send(new CopyObjectCommand({ Bucket: "fidelity", Key: "dst", CopySource: "fidelity/src", ...extra }));
    const past = new Date(Date.now() - 3_600_000);
    const future = new Date(Date.now() + 3_600_000);
    await rejects(copy({ CopySourceIfMatch: '"0123"' }), "PreconditionFailed", 412);
    await rejects(copy({ CopySourceIfNoneMatch: source.ETag }), "PreconditionFailed", 412);
    await rejects(copy({ CopySourceIfModifiedSince: future }), "PreconditionFailed", 412);
    await rejects(copy({ CopySourceIfUnmodifiedSince: past }), "PreconditionFailed", 412);
    await rejects(client.send(new GetObjectCommand({ Bucket: "fidelity", Key: "dst" })), "NoSuchKey", 404);
    // A true If-Match wins over a false If-Unmodified-Since, as in S3.
    await copy({ CopySourceIfMatch: source.ETag, CopySourceIfUnmodifiedSince: past });
    await copy({ CopySourceIfNoneMatch: '"0123"', CopySourceIfModifiedSince: past });
    assert.equal(await body("dst"), "source");
  });

  it("stores a plain body labelled Content-Encoding: aws-chunked as it is, without asking for a decoded length", async () => {
    const put = await signedS3Fetch(suite.unkai.url, "PUT", "/fidelity/labelled", { headers: { "Content-Encoding": "aws-chunked" }, body: "plain body" });
    assert.equal(put.status, 200, await put.text());
    const got = await client.send(new GetObjectCommand({ Bucket: "fidelity", Key: "labelled" }));
    assert.equal(await got.Body!.transformToString(), "plain body");
    assert.equal(got.ContentEncoding, undefined, "aws-chunked is not kept as the object's encoding");
  });

  it("verifies a signature over a non-ASCII metadata value sent as UTF-8 bytes, and as SDK v3 sends it", async () => {
    const url = new URL("/fidelity/utf8-meta", suite.unkai.url);
    const value = "Hello Worldé";
    const signed = await new SignatureV4({ service: "s3", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, sha256: Sha256, uriEscapePath: false, applyChecksum: false }).sign({
      method: "PUT", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: url.pathname, query: {},
      headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "x-amz-meta-meta1": value },
    });
    // On the wire the value is its UTF-8 bytes (a ByteString of them for fetch).
    const headers = { ...signed.headers, "x-amz-meta-meta1": Buffer.from(value, "utf8").toString("latin1") };
    const put = await fetch(url, { method: "PUT", headers, body: "x" });
    assert.equal(put.status, 200, await put.text());
    const head = await fetch(url, { method: "HEAD", headers: (await signedS3Headers(suite.unkai.url, "HEAD", "/fidelity/utf8-meta", {})) });
    assert.equal(Buffer.from(head.headers.get("x-amz-meta-meta1") ?? "", "latin1").toString("utf8"), value, "the bytes come back as sent");
    await client.send(new PutObjectCommand({ Bucket: "fidelity", Key: "sdk-meta", Body: "x", Metadata: { meta1: value } }));
  });

  /** Writes a request head, waits for the first answer bytes (or sends the body after `waitMs`), and returns all it read. */
  async function rawExchange(head: Record<string, string>, path: string, body: string): Promise<{ first: string; all: string }> {
    const url = new URL(suite.unkai.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.on("error", () => undefined); // a refused request's connection is closed under the writer
    let received = "";
    const firstAnswer = new Promise<void>((resolve) => socket.once("data", () => resolve()));
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const length = Object.keys(head).some((k) => k.toLowerCase() === "content-length") ? [] : [`Content-Length: ${body.length}`];
    const lines = [`PUT ${path} HTTP/1.1`, ...Object.entries(head).map(([k, v]) => `${k}: ${v}`), ...length, "", ""];
    socket.write(lines.join("\r\n"));
    await Promise.race([firstAnswer, new Promise((resolve) => setTimeout(resolve, 3000))]);
    const first = received;
    if (!/^HTTP\/1\.1 4\d\d/.test(first)) socket.write(body);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    return { first, all: received };
  }

  it("answers Expect: 100-continue only after authenticating, and ignores an empty or unknown Expect", async () => {
    const signed = await signedS3Headers(suite.unkai.url, "PUT", "/fidelity/continued", { "content-length": 4 });
    const ok = await rawExchange({ ...signed, Expect: "100-continue" }, "/fidelity/continued", "body");
    assert.match(ok.first, /^HTTP\/1\.1 100 Continue/);
    assert.match(ok.all, /HTTP\/1\.1 200 OK/);
    const refused = await rawExchange({ Host: new URL(suite.unkai.url).host, Authorization: "AWS4-HMAC-SHA256 Credential=nobody/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00", Expect: "100-continue" }, "/fidelity/refused", "body");
    // Malformed (no X-Amz-Date) and scoped to s3: S3's 400 AuthorizationHeaderMalformed, in XML.
    assert.match(refused.first, /^HTTP\/1\.1 400/, "a malformed signature is refused before its body is asked for");
    assert.match(refused.all, /<Code>AuthorizationHeaderMalformed<\/Code>/);
    for (const expect of ["", "something-else"]) {
      const answer = await signedS3Fetch(suite.unkai.url, "PUT", `/fidelity/expect-${expect.length}`, { headers: { Expect: expect }, body: "x" }).catch((e: unknown) => e);
      if (answer instanceof Response) assert.equal(answer.status, 200);
      else {
        // fetch refuses to send an Expect header itself: drive the same request over a raw socket.
        const raw = await rawExchange({ ...(await signedS3Headers(suite.unkai.url, "PUT", `/fidelity/expect-${expect.length}`, { "content-length": 1 })), Expect: expect }, `/fidelity/expect-${expect.length}`, "x");
        assert.match(raw.all, /^HTTP\/1\.1 200 OK/, `Expect: '${expect}'`);
      }
    }
  });
});
