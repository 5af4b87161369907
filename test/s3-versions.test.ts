/**
 * Issue 21, bug 9: a bucket that never had versioning holds versions with the id `null` — ListObjectVersions
 * lists them (prefix, delimiter, markers, pages), GetBucketVersioning answers an empty configuration,
 * GET/HEAD/DELETE/CopyObject accept `versionId=null`, a version id not of Unkai's shape is refused. SDK v3,
 * boto3 (emptying a bucket by versions, as tools do) and the AWS CLI v2. Versioned buckets: s3-versioning.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand,
  S3ServiceException, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    if (code !== "") assert.equal(error.name, code);
    return true;
  });
}

describe("S3 versions of an unversioned bucket", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  const keys = ["a.txt", "dir/b.txt", "dir/c.txt", "z.txt"];
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "unversioned" }));
    await client.send(new CreateBucketCommand({ Bucket: "other-bucket" }));
    for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: "unversioned", Key, Body: Key }));
  });
  after(() => client.destroy());

  it("lists every object as its null version, with prefixes, delimiters and key/version markers across pages", async () => {
    const all = await client.send(new ListObjectVersionsCommand({ Bucket: "unversioned" }));
    assert.deepEqual(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size]), keys.map((k) => [k, "null", true, k.length]));
    assert.equal(all.IsTruncated, false);
    assert.equal(all.DeleteMarkers, undefined);
    const folded = await client.send(new ListObjectVersionsCommand({ Bucket: "unversioned", Delimiter: "/" }));
    assert.deepEqual(folded.Versions?.map((v) => v.Key), ["a.txt", "z.txt"]);
    assert.deepEqual(folded.CommonPrefixes?.map((p) => p.Prefix), ["dir/"]);
    const seen: string[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (let page = 0; page < 10; page++) {
      const answer = await client.send(new ListObjectVersionsCommand({ Bucket: "unversioned", MaxKeys: 3, ...markers }));
      seen.push(...(answer.Versions ?? []).map((v) => v.Key ?? ""));
      if (!answer.IsTruncated) break;
      assert.equal(answer.NextVersionIdMarker, "null");
      markers = { KeyMarker: answer.NextKeyMarker, VersionIdMarker: answer.NextVersionIdMarker };
    }
    assert.deepEqual(seen, keys, "pages with neither gaps nor repeats");
    const prefixed = await client.send(new ListObjectVersionsCommand({ Bucket: "unversioned", Prefix: "dir/", KeyMarker: "dir/b.txt" }));
    assert.deepEqual(prefixed.Versions?.map((v) => v.Key), ["dir/c.txt"]);
  });

  it("refuses version markers it never issued, and a version marker without a key marker", async () => {
    await rejects(client.send(new ListObjectVersionsCommand({ Bucket: "unversioned", KeyMarker: "a.txt", VersionIdMarker: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" })), "InvalidArgument", 400);
    await rejects(client.send(new ListObjectVersionsCommand({ Bucket: "unversioned", VersionIdMarker: "null" })), "InvalidArgument", 400);
    await rejects(client.send(new ListObjectVersionsCommand({ Bucket: "no-such-bucket" })), "NoSuchBucket", 404);
  });

  it("says versioning was never enabled, and refuses a configuration that is neither Enabled nor Suspended", async () => {
    const config = await client.send(new GetBucketVersioningCommand({ Bucket: "unversioned" }));
    assert.equal(config.Status, undefined);
    assert.equal(config.$metadata.httpStatusCode, 200);
    await rejects(client.send(new PutBucketVersioningCommand({ Bucket: "unversioned", VersioningConfiguration: { Status: "On" as "Enabled" } })), "IllegalVersioningConfigurationException", 400);
    assert.equal((await client.send(new GetBucketVersioningCommand({ Bucket: "unversioned" }))).Status, undefined);
  });

  it("reads, copies and deletes by versionId=null; refuses any other version id, another bucket's included", async () => {
    const got = await client.send(new GetObjectCommand({ Bucket: "unversioned", Key: "a.txt", VersionId: "null" }));
    assert.equal(await got.Body?.transformToString(), "a.txt");
    assert.equal(got.VersionId, "null");
    assert.equal((await client.send(new HeadObjectCommand({ Bucket: "unversioned", Key: "a.txt", VersionId: "null" }))).ContentLength, 5);
    const copied = await client.send(new CopyObjectCommand({ Bucket: "other-bucket", Key: "copy", CopySource: "unversioned/a.txt?versionId=null" }));
    assert.equal(copied.CopySourceVersionId, "null");
    const stranger = "Bucket-other-bucket.key-copy.version-1";
    await rejects(client.send(new GetObjectCommand({ Bucket: "unversioned", Key: "a.txt", VersionId: stranger })), "InvalidArgument", 400);
    await rejects(client.send(new HeadObjectCommand({ Bucket: "unversioned", Key: "a.txt", VersionId: stranger })), "", 400);
    await rejects(client.send(new DeleteObjectCommand({ Bucket: "unversioned", Key: "a.txt", VersionId: stranger })), "InvalidArgument", 400);
    await rejects(client.send(new CopyObjectCommand({ Bucket: "other-bucket", Key: "copy2", CopySource: `unversioned/a.txt?versionId=${stranger}` })), "InvalidArgument", 400);
    assert.equal(await (await client.send(new GetObjectCommand({ Bucket: "unversioned", Key: "a.txt" }))).Body?.transformToString(), "a.txt", "the refused delete kept it");
    const deleted = await client.send(new DeleteObjectCommand({ Bucket: "unversioned", Key: "a.txt", VersionId: "null" }));
    assert.equal(deleted.VersionId, "null");
    await rejects(client.send(new GetObjectCommand({ Bucket: "unversioned", Key: "a.txt" })), "NoSuchKey", 404);
    await client.send(new PutObjectCommand({ Bucket: "unversioned", Key: "a.txt", Body: "a.txt" }));
  });

  it("boto3 empties a bucket by its versions, and the AWS CLI v2 lists them", async () => {
    for (const Key of ["e/1", "e/2", "e/3"]) await client.send(new PutObjectCommand({ Bucket: "other-bucket", Key, Body: "x" }));
    const cli = await awsS3(suite.unkai.url, ["s3api", "list-object-versions", "--bucket", "other-bucket", "--prefix", "e/"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Versions: { Key: string; VersionId: string }[] }).Versions.map((v) => [v.Key, v.VersionId]), [["e/1", "null"], ["e/2", "null"], ["e/3", "null"]]);
    const left = await boto3S3(suite.unkai.url, [
      `boto3.resource("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test").Bucket("other-bucket").object_versions.delete()`,
      `print(json.dumps(s3.list_objects_v2(Bucket="other-bucket").get("KeyCount")))`,
    ].join("\n"));
    assert.equal(left, 0);
  });
});
