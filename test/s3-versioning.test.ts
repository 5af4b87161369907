/**
 * Issue 21: S3 versioning with SDK v3 — version ids on every write (PutObject, CopyObject,
 * CompleteMultipartUpload), GET/HEAD/DELETE/CopyObject by version, delete markers and undeleting,
 * Suspended and its `null` version, ListObjectVersions pages, DeleteObjects by version, notifications
 * with versionId, the bodies on disk, and the errors (NoSuchVersion, InvalidArgument, 405 on a marker).
 * boto3 drives the same flow as tools written in Python do, paginator and bucket emptying included.
 */

/** The boto3 side: each step's result, printed as one JSON document. */
const BOTO3_FLOW = `
import os
from botocore.exceptions import ClientError
b = "boto-vers"
s3.create_bucket(Bucket=b)
s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
out = {"status": s3.get_bucket_versioning(Bucket=b).get("Status")}
old = os.urandom(100000)
v1 = s3.put_object(Bucket=b, Key="k", Body=old)["VersionId"]
v2 = s3.put_object(Bucket=b, Key="k", Body=b"new")["VersionId"]
out["oldBack"] = s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read() == old
out["headVersion"] = s3.head_object(Bucket=b, Key="k", VersionId=v1)["VersionId"] == v1
out["partOfCurrent"] = s3.head_object(Bucket=b, Key="k", PartNumber=1)["ContentLength"]
try:
    s3.get_object(Bucket=b, Key="k", IfNoneMatch=s3.head_object(Bucket=b, Key="k")["ETag"])
except ClientError as e:
    out["notModified"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
marker = s3.delete_object(Bucket=b, Key="k")
out["marker"] = marker["DeleteMarker"]
try:
    s3.get_object(Bucket=b, Key="k")
except ClientError as e:
    out["afterDelete"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker")]
try:
    s3.get_object(Bucket=b, Key="k", VersionId="00000000000000000000000000")
except ClientError as e:
    out["unknownVersion"] = e.response["Error"]["Code"]
s3.copy_object(Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k", "VersionId": v1})
out["copied"] = s3.get_object(Bucket=b, Key="copy")["Body"].read() == old
for n in range(5):
    s3.put_object(Bucket=b, Key="many/%d" % (n % 2), Body=b"x")
seen = []
for page in s3.get_paginator("list_object_versions").paginate(Bucket=b, PaginationConfig={"PageSize": 2}):
    seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
out["listed"] = len(seen)
out["unique"] = len(set(seen))
gone = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "k", "VersionId": marker["VersionId"]}, {"Key": "k", "VersionId": v2}]})
out["deleted"] = sorted([d["VersionId"] == v2 or d.get("DeleteMarker", False) for d in gone["Deleted"]])
out["undeleted"] = s3.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read() == old and s3.get_object(Bucket=b, Key="k")["VersionId"] == v1
boto3.resource("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test").Bucket(b).object_versions.delete()
s3.delete_bucket(Bucket=b)
out["bucketGone"] = b not in [x["Name"] for x in s3.list_buckets()["Buckets"]]
print(json.dumps(out))
`;
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketVersioningCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand,
  S3ServiceException, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { allowServicesToSend } from "./helpers/service-access.js";

async function rejects(promise: Promise<unknown>, code: string, status: number, headers: Record<string, string> = {}): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    if (code !== "") assert.equal(error.name, code);
    for (const [name, value] of Object.entries(headers)) assert.equal(error.$response?.headers[name], value, name);
    return true;
  });
}

/** Every body file under the data directory's object store. */
function bodyFiles(dataDir: string): number {
  const walk = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? walk(join(dir, e.name)) : 1), 0);
  try {
    return walk(join(dataDir, "objects", "blobs"));
  } catch {
    return 0;
  }
}

describe("S3 versioning (SDK v3)", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  const enable = (Bucket: string, Status: "Enabled" | "Suspended" = "Enabled") => client.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status } }));
  const body = async (Bucket: string, Key: string, VersionId?: string) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToByteArray());
  before(() => {
    client = s3(suite.unkai.url);
  });
  after(() => client.destroy());

  it("keeps every overwrite as a version: the old bytes come back by id (no data loss), HEAD and GET name the version", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "vers" }));
    assert.equal((await client.send(new GetBucketVersioningCommand({ Bucket: "vers" }))).Status, undefined, "never enabled: no Status");
    const before = await client.send(new PutObjectCommand({ Bucket: "vers", Key: "doc", Body: "written before versioning" }));
    assert.equal(before.VersionId, undefined);
    await enable("vers");
    assert.equal((await client.send(new GetBucketVersioningCommand({ Bucket: "vers" }))).Status, "Enabled");
    const first = randomBytes(200_000);
    const second = randomBytes(1000);
    const v1 = (await client.send(new PutObjectCommand({ Bucket: "vers", Key: "doc", Body: first }))).VersionId ?? "";
    const v2 = (await client.send(new PutObjectCommand({ Bucket: "vers", Key: "doc", Body: second }))).VersionId ?? "";
    assert.match(v1, /^[0-9a-z]{26}$/);
    assert.ok(v2 > v1, "ids sort by age");
    assert.ok((await body("vers", "doc", v1)).equals(first), "the overwritten version's bytes, intact");
    assert.ok((await body("vers", "doc")).equals(second));
    assert.equal((await body("vers", "doc", "null")).toString(), "written before versioning", "the object from before versioning is the null version");
    const head = await client.send(new HeadObjectCommand({ Bucket: "vers", Key: "doc", VersionId: v1 }));
    assert.equal(head.VersionId, v1);
    assert.equal(head.ContentLength, first.length);
    assert.equal((await client.send(new GetObjectCommand({ Bucket: "vers", Key: "doc" }))).VersionId, v2);
    // Conditions and ranges still read the current version.
    await rejects(client.send(new GetObjectCommand({ Bucket: "vers", Key: "doc", IfMatch: head.ETag })), "PreconditionFailed", 412);
    const ranged = await client.send(new GetObjectCommand({ Bucket: "vers", Key: "doc", VersionId: v1, Range: "bytes=0-9" }));
    assert.ok(Buffer.from(await ranged.Body!.transformToByteArray()).equals(first.subarray(0, 10)));
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "vers" }));
    assert.deepEqual(listed.Versions?.map((v) => [v.VersionId, v.IsLatest, v.Size]), [[v2, true, 1000], [v1, false, 200_000], ["null", false, 25]]);
    assert.deepEqual((await client.send(new ListObjectsV2Command({ Bucket: "vers" }))).Contents?.map((c) => [c.Key, c.Size]), [["doc", 1000]]);
  });

  it("a delete makes a delete marker (404 with x-amz-delete-marker); deleting the marker by id undeletes; a version id deletes for good", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "marks" }));
    await enable("marks");
    const v1 = (await client.send(new PutObjectCommand({ Bucket: "marks", Key: "k", Body: "one" }))).VersionId ?? "";
    const files = bodyFiles(suite.unkai.dataDir);
    const marker = await client.send(new DeleteObjectCommand({ Bucket: "marks", Key: "k" }));
    assert.equal(marker.DeleteMarker, true);
    assert.match(marker.VersionId ?? "", /^[0-9a-z]{26}$/);
    assert.equal(bodyFiles(suite.unkai.dataDir), files, "a delete marker keeps the body of the version it hides");
    await rejects(client.send(new GetObjectCommand({ Bucket: "marks", Key: "k" })), "NoSuchKey", 404, { "x-amz-delete-marker": "true", "x-amz-version-id": marker.VersionId ?? "" });
    await rejects(client.send(new HeadObjectCommand({ Bucket: "marks", Key: "k" })), "", 404, { "x-amz-delete-marker": "true" });
    await rejects(client.send(new GetObjectCommand({ Bucket: "marks", Key: "k", VersionId: marker.VersionId })), "MethodNotAllowed", 405, { "x-amz-delete-marker": "true" });
    await rejects(client.send(new CopyObjectCommand({ Bucket: "marks", Key: "c", CopySource: `marks/k?versionId=${marker.VersionId}` })), "InvalidRequest", 400);
    assert.equal((await client.send(new ListObjectsV2Command({ Bucket: "marks" }))).KeyCount, 0, "listings hide a deleted key");
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "marks" }));
    assert.deepEqual(listed.DeleteMarkers?.map((m) => [m.Key, m.VersionId, m.IsLatest]), [["k", marker.VersionId, true]]);
    assert.deepEqual(listed.Versions?.map((v) => [v.VersionId, v.IsLatest]), [[v1, false]]);
    await rejects(client.send(new DeleteBucketCommand({ Bucket: "marks" })), "BucketNotEmpty", 409);
    const undone = await client.send(new DeleteObjectCommand({ Bucket: "marks", Key: "k", VersionId: marker.VersionId }));
    assert.equal(undone.DeleteMarker, true);
    assert.equal(undone.VersionId, marker.VersionId);
    assert.equal((await body("marks", "k")).toString(), "one", "removing the marker undeletes");
    const gone = await client.send(new DeleteObjectCommand({ Bucket: "marks", Key: "k", VersionId: v1 }));
    assert.equal(gone.VersionId, v1);
    assert.equal(bodyFiles(suite.unkai.dataDir), files - 1, "a version deleted for good takes its body");
    await rejects(client.send(new GetObjectCommand({ Bucket: "marks", Key: "k" })), "NoSuchKey", 404);
    await client.send(new DeleteBucketCommand({ Bucket: "marks" }));
  });

  it("Suspended: writes are the null version, each replacing the last; versions made while Enabled stay", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "susp" }));
    await enable("susp");
    const kept = (await client.send(new PutObjectCommand({ Bucket: "susp", Key: "k", Body: "kept" }))).VersionId ?? "";
    await enable("susp", "Suspended");
    assert.equal((await client.send(new GetBucketVersioningCommand({ Bucket: "susp" }))).Status, "Suspended");
    const files = bodyFiles(suite.unkai.dataDir);
    assert.equal((await client.send(new PutObjectCommand({ Bucket: "susp", Key: "k", Body: "null 1" }))).VersionId, "null");
    assert.equal((await client.send(new PutObjectCommand({ Bucket: "susp", Key: "k", Body: "null 2" }))).VersionId, "null");
    assert.equal(bodyFiles(suite.unkai.dataDir), files + 1, "the replaced null version's body is gone");
    const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "susp" }));
    assert.deepEqual(listed.Versions?.map((v) => [v.VersionId, v.IsLatest]), [["null", true], [kept, false]]);
    const marker = await client.send(new DeleteObjectCommand({ Bucket: "susp", Key: "k" }));
    assert.deepEqual([marker.DeleteMarker, marker.VersionId], [true, "null"], "a suspended delete makes a null delete marker");
    assert.equal((await body("susp", "k", kept)).toString(), "kept");
  });

  it("CopyObject from a source version and CompleteMultipartUpload make new versions; DeleteObjects takes VersionIds", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "cmv" }));
    await enable("cmv");
    const old = (await client.send(new PutObjectCommand({ Bucket: "cmv", Key: "src", Body: "old bytes" }))).VersionId ?? "";
    await client.send(new PutObjectCommand({ Bucket: "cmv", Key: "src", Body: "new bytes" }));
    const copy = await client.send(new CopyObjectCommand({ Bucket: "cmv", Key: "dst", CopySource: `cmv/src?versionId=${old}` }));
    assert.equal(copy.CopySourceVersionId, old);
    assert.match(copy.VersionId ?? "", /^[0-9a-z]{26}$/);
    assert.equal((await body("cmv", "dst")).toString(), "old bytes");
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "cmv", Key: "dst" }));
    const part = await client.send(new UploadPartCommand({ Bucket: "cmv", Key: "dst", UploadId, PartNumber: 1, Body: "multipart" }));
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: "cmv", Key: "dst", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.ok((done.VersionId ?? "") > (copy.VersionId ?? ""));
    assert.equal((await body("cmv", "dst", copy.VersionId)).toString(), "old bytes");
    const deleted = await client.send(new DeleteObjectsCommand({ Bucket: "cmv", Delete: { Objects: [
      { Key: "dst", VersionId: copy.VersionId }, { Key: "src" }, { Key: "dst", VersionId: "not a version" },
    ] } }));
    const byKey = new Map((deleted.Deleted ?? []).map((d) => [d.Key, d]));
    assert.equal(byKey.get("dst")?.VersionId, copy.VersionId);
    assert.equal(byKey.get("src")?.DeleteMarker, true);
    assert.match(byKey.get("src")?.DeleteMarkerVersionId ?? "", /^[0-9a-z]{26}$/);
    assert.deepEqual(deleted.Errors?.map((e) => [e.Key, e.Code]), [["dst", "InvalidArgument"]]);
    await rejects(client.send(new GetObjectCommand({ Bucket: "cmv", Key: "dst", VersionId: copy.VersionId })), "NoSuchVersion", 404);
    assert.equal((await body("cmv", "dst")).toString(), "multipart");
    await rejects(client.send(new GetObjectCommand({ Bucket: "cmv", Key: "dst", VersionId: "bad.id" })), "InvalidArgument", 400);
    await rejects(client.send(new PutBucketVersioningCommand({ Bucket: "cmv", VersioningConfiguration: { Status: "Enabled", MFADelete: "Enabled" } })), "NotImplemented", 501);
  });

  it("ListObjectVersions pages by key and version-id markers, with prefix and delimiter, neither skipping nor repeating", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "pages" }));
    await enable("pages");
    const expected: string[] = [];
    for (const key of ["a", "b", "dir/x", "dir/y", "z"]) {
      const ids: string[] = [];
      for (let n = 0; n < 3; n++) ids.push((await client.send(new PutObjectCommand({ Bucket: "pages", Key: key, Body: `${key}${n}` }))).VersionId ?? "");
      if (key === "b") ids.push((await client.send(new DeleteObjectCommand({ Bucket: "pages", Key: key }))).VersionId ?? "");
      expected.push(...ids.reverse().map((id) => `${key}@${id}`));
    }
    const seen: string[] = [];
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (let page = 0; page < 20; page++) {
      const answer = await client.send(new ListObjectVersionsCommand({ Bucket: "pages", MaxKeys: 4, ...markers }));
      const entries = [...(answer.Versions ?? []), ...(answer.DeleteMarkers ?? [])].sort((x, y) => (x.Key === y.Key ? (y.VersionId ?? "").localeCompare(x.VersionId ?? "") : (x.Key ?? "").localeCompare(y.Key ?? "")));
      assert.ok(entries.length <= 4);
      seen.push(...entries.map((v) => `${v.Key}@${v.VersionId}`));
      if (!answer.IsTruncated) break;
      markers = { KeyMarker: answer.NextKeyMarker, VersionIdMarker: answer.NextVersionIdMarker };
    }
    assert.deepEqual(seen, expected, "every version once, keys in order, newest first");
    const folded = await client.send(new ListObjectVersionsCommand({ Bucket: "pages", Delimiter: "/", MaxKeys: 8 }));
    assert.deepEqual(folded.CommonPrefixes?.map((p) => p.Prefix), ["dir/"]);
    assert.equal(folded.IsTruncated, true);
    assert.equal(folded.NextKeyMarker, "dir/");
    const rest = await client.send(new ListObjectVersionsCommand({ Bucket: "pages", Delimiter: "/", KeyMarker: folded.NextKeyMarker }));
    assert.deepEqual(rest.Versions?.map((v) => v.Key), ["z", "z", "z"]);
    const prefixed = await client.send(new ListObjectVersionsCommand({ Bucket: "pages", Prefix: "dir/y" }));
    assert.deepEqual(prefixed.Versions?.map((v) => [v.Key, v.IsLatest]), [["dir/y", true], ["dir/y", false], ["dir/y", false]]);
  });

  it("notifications carry versionId, and a delete marker is ObjectRemoved:DeleteMarkerCreated", async () => {
    const sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "versions" }));
      await allowServicesToSend(sqs, String(QueueUrl), "arn:aws:sqs:us-east-1:000000000000:versions", [{ service: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::noted" }]);
      await client.send(new CreateBucketCommand({ Bucket: "noted" }));
      await enable("noted");
      await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: "noted", NotificationConfiguration: { QueueConfigurations: [{
        QueueArn: "arn:aws:sqs:us-east-1:000000000000:versions", Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
      }] } }));
      const put = await client.send(new PutObjectCommand({ Bucket: "noted", Key: "n", Body: "x" }));
      const marker = await client.send(new DeleteObjectCommand({ Bucket: "noted", Key: "n" }));
      await client.send(new DeleteObjectCommand({ Bucket: "noted", Key: "n", VersionId: put.VersionId }));
      const records: { eventName: string; s3: { object: { versionId?: string } } }[] = [];
      for (let round = 0; round < 20 && records.length < 3; round++) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        for (const m of got.Messages ?? []) records.push(...((JSON.parse(m.Body ?? "{}") as { Records?: typeof records }).Records ?? []));
      }
      assert.deepEqual(records.map((r) => [r.eventName, r.s3.object.versionId]), [
        ["ObjectCreated:Put", put.VersionId], ["ObjectRemoved:DeleteMarkerCreated", marker.VersionId], ["ObjectRemoved:Delete", put.VersionId],
      ]);
    } finally {
      sqs.destroy();
    }
  });

  it("boto3: versions, markers, copy by version, the paginator, DeleteObjects by version, and emptying the bucket by versions", async () => {
    const out = await boto3S3(suite.unkai.url, BOTO3_FLOW);
    assert.deepEqual(out, {
      status: "Enabled", oldBack: true, headVersion: true, partOfCurrent: 3, notModified: 304, marker: true, afterDelete: ["NoSuchKey", "true"], unknownVersion: "NoSuchVersion",
      copied: true, listed: 9, unique: 9, deleted: [true, true], undeleted: true, bucketGone: true,
    });
  });
});
