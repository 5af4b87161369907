/** S3 answers refused signatures in its own XML: a wrong secret, an unknown key, an expired presigned URL, no signature at all. */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

function client(url: string, accessKeyId: string, secretAccessKey: string): S3Client {
  return new S3Client({ endpoint: url, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, forcePathStyle: true, maxAttempts: 1 });
}

function code(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}

describe("S3 signature refusals", () => {
  const suite = unkaiSuite();

  it("refuses a wrong secret and an unknown key with S3's codes, and stores nothing", async () => {
    const good = s3(suite.unkai.url);
    await good.send(new CreateBucketCommand({ Bucket: "guarded" }));
    await assert.rejects(
      client(suite.unkai.url, "test", "wrong").send(new PutObjectCommand({ Bucket: "guarded", Key: "k", Body: "x" })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => error.name === "SignatureDoesNotMatch" && error.$metadata?.httpStatusCode === 403,
    );
    await assert.rejects(
      client(suite.unkai.url, "AKIANOBODY", "whatever").send(new GetObjectCommand({ Bucket: "guarded", Key: "k" })),
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => error.name === "InvalidAccessKeyId" && error.$metadata?.httpStatusCode === 403,
    );
    await assert.rejects(good.send(new GetObjectCommand({ Bucket: "guarded", Key: "k" })), (error: Error) => error.name === "NoSuchKey", "the refused PUT stored nothing");
  });

  it("serves a presigned URL until it expires, then answers AccessDenied 'Request has expired'", async () => {
    const good = s3(suite.unkai.url);
    await good.send(new PutObjectCommand({ Bucket: "guarded", Key: "shared.txt", Body: "hello" }));
    const get = new GetObjectCommand({ Bucket: "guarded", Key: "shared.txt" });
    const url = await getSignedUrl(good, get, { expiresIn: 60 });
    assert.equal(await (await fetch(url)).text(), "hello");
    // Expiry counts from X-Amz-Date: URLs signed 20 s ago stand for this one later on, with no wait.
    const old = new Date(Date.now() - 20_000);
    assert.equal(await (await fetch(await getSignedUrl(good, get, { expiresIn: 60, signingDate: old }))).text(), "hello", "signed 20 s ago for a minute: still valid");
    const expired = await fetch(await getSignedUrl(good, get, { expiresIn: 2, signingDate: old }));
    assert.equal(expired.status, 403);
    const body = await expired.text();
    assert.equal(code(body), "AccessDenied");
    assert.match(body, /Request has expired/);
    const tampered = await fetch(url.replace("shared.txt", "other.txt"));
    assert.equal(tampered.status, 403);
  });

  it("refuses an unsigned request to a virtual-hosted bucket with AccessDenied", async () => {
    const { hostname, port } = new URL(suite.unkai.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ hostname, port, path: "/shared.txt", headers: { host: `guarded.s3.localhost:${port}` } }, (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(answer.status, 403);
    assert.equal(code(answer.body), "AccessDenied");
  });
});
