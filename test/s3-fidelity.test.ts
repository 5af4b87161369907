/**
 * S3 behaviours an external compatibility suite found wrong (issue 21), each driven by SDK v3 or a raw
 * signed request: XML values taken exactly as sent, listing edge cases, a repeated CreateBucket.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  CreateBucketCommand, DeleteObjectsCommand, ListBucketsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand,
} from "@aws-sdk/client-s3";
import { s3, signedS3Fetch } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

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
});
