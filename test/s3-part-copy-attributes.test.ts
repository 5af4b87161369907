/**
 * UploadPartCopy (whole sources, `x-amz-copy-source-range`, source versions, the copy-source
 * conditional headers) and GetObjectAttributes (ETag, StorageClass, ObjectSize, ObjectParts paged),
 * with SDK v3 and the AWS CLI.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand, PutBucketVersioningCommand,
  PutObjectCommand, UploadPartCopyCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, s3, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const MIB = 1024 * 1024;
const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

describe("S3 UploadPartCopy and GetObjectAttributes", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  // 6 MiB of a pattern, so every range is distinguishable.
  const source = Buffer.from(Buffer.alloc(6 * MIB, 0).map((_, i) => (i * 7 + (i >> 12)) & 0xff));
  let sourceEtag = "";
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "copies" }));
    sourceEtag = (await client.send(new PutObjectCommand({ Bucket: "copies", Key: "source", Body: source }))).ETag ?? "";
  });
  after(() => client.destroy());

  it("assembles an object from a whole source part and a byte range; each part's ETag is its bytes' MD5", async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "copies", Key: "assembled" }));
    const first = await client.send(new UploadPartCopyCommand({ Bucket: "copies", Key: "assembled", UploadId, PartNumber: 1, CopySource: "copies/source", CopySourceIfMatch: sourceEtag }));
    assert.equal(first.CopyPartResult?.ETag, `"${md5(source)}"`);
    assert.ok(first.CopyPartResult?.LastModified instanceof Date);
    const second = await client.send(new UploadPartCopyCommand({ Bucket: "copies", Key: "assembled", UploadId, PartNumber: 2, CopySource: "copies/source", CopySourceRange: "bytes=100-1099" }));
    assert.equal(second.CopyPartResult?.ETag, `"${md5(source.subarray(100, 1100))}"`);
    await client.send(new CompleteMultipartUploadCommand({ Bucket: "copies", Key: "assembled", UploadId, MultipartUpload: { Parts: [
      { PartNumber: 1, ETag: first.CopyPartResult?.ETag }, { PartNumber: 2, ETag: second.CopyPartResult?.ETag },
    ] } }));
    const got = Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: "copies", Key: "assembled" }))).Body?.transformToByteArray() ?? []);
    assert.equal(got.length, 6 * MIB + 1000);
    assert.ok(got.equals(Buffer.concat([source, source.subarray(100, 1100)])), "the object is the copied bytes in order");

    const attributes = await client.send(new GetObjectAttributesCommand({ Bucket: "copies", Key: "assembled", ObjectAttributes: ["ETag", "ObjectSize", "StorageClass", "ObjectParts"], MaxParts: 1 }));
    assert.match(attributes.ETag ?? "", /^[0-9a-f]{32}-2$/);
    assert.equal(attributes.ObjectSize, 6 * MIB + 1000);
    assert.equal(attributes.StorageClass, "STANDARD");
    assert.ok(attributes.LastModified instanceof Date);
    assert.equal(attributes.ObjectParts?.TotalPartsCount, 2);
    assert.equal(attributes.ObjectParts?.IsTruncated, true);
    assert.deepEqual(attributes.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), [[1, 6 * MIB]]);
    const rest = await client.send(new GetObjectAttributesCommand({ Bucket: "copies", Key: "assembled", ObjectAttributes: ["ObjectParts"], PartNumberMarker: "1" }));
    assert.deepEqual(rest.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size]), [[2, 1000]]);
    assert.equal(rest.ObjectParts?.IsTruncated, false);
    assert.equal(rest.ETag, undefined, "only the attributes asked for");
  });

  it("refuses bad ranges and failed copy-source conditions; copies a named source version", async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "copies", Key: "checked" }));
    const copy = (extra: object) => client.send(new UploadPartCopyCommand({ Bucket: "copies", Key: "checked", UploadId, PartNumber: 1, CopySource: "copies/source", ...extra }));
    await rejects(copy({ CopySourceRange: "bytes=10" }), "InvalidArgument", /must be of the form bytes=first-last/);
    await rejects(copy({ CopySourceRange: `bytes=0-${6 * MIB}` }), "InvalidArgument", /Range specified is not valid for source object of size: 6291456/);
    await rejects(copy({ CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' }), "PreconditionFailed");
    await rejects(copy({ CopySourceIfNoneMatch: sourceEtag }), "PreconditionFailed");
    await rejects(copy({ CopySourceIfModifiedSince: new Date(Date.now() + 3_600_000) }), "PreconditionFailed");
    await rejects(copy({ CopySource: "copies/missing" }), "NoSuchKey");
    await rejects(client.send(new UploadPartCopyCommand({ Bucket: "copies", Key: "checked", UploadId: "nope", PartNumber: 1, CopySource: "copies/source" })), "NoSuchUpload");

    await client.send(new CreateBucketCommand({ Bucket: "history" }));
    await client.send(new PutBucketVersioningCommand({ Bucket: "history", VersioningConfiguration: { Status: "Enabled" } }));
    const old = await client.send(new PutObjectCommand({ Bucket: "history", Key: "doc", Body: "first version" }));
    await client.send(new PutObjectCommand({ Bucket: "history", Key: "doc", Body: "second version" }));
    const part = await copy({ CopySource: `history/doc?versionId=${old.VersionId ?? ""}` });
    assert.equal(part.CopySourceVersionId, old.VersionId);
    assert.equal(part.CopyPartResult?.ETag, `"${md5(Buffer.from("first version"))}"`);
    const byVersion = await client.send(new GetObjectAttributesCommand({ Bucket: "history", Key: "doc", VersionId: old.VersionId, ObjectAttributes: ["ETag", "ObjectSize", "ObjectParts"] }));
    assert.equal(byVersion.VersionId, old.VersionId);
    assert.equal(byVersion.ObjectSize, "first version".length);
    assert.equal(byVersion.ETag, md5(Buffer.from("first version")), "GetObjectAttributes answers the ETag unquoted");
    assert.equal(byVersion.ObjectParts, undefined, "a single-part object has no ObjectParts");
  });

  it("GetObjectAttributes refuses unknown attributes and answers NoSuchKey; the AWS CLI reads attributes", async () => {
    await rejects(client.send(new GetObjectAttributesCommand({ Bucket: "copies", Key: "source", ObjectAttributes: ["Colour" as "ETag"] })), "InvalidArgument", /Invalid attribute name specified/);
    await rejects(client.send(new GetObjectAttributesCommand({ Bucket: "copies", Key: "missing", ObjectAttributes: ["ETag"] })), "NoSuchKey");
    const run = await awsS3(suite.unkai.url, ["s3api", "get-object-attributes", "--bucket", "copies", "--key", "source", "--object-attributes", "ETag", "ObjectSize"]);
    assert.equal(run.code, 0, run.stderr);
    const answer = JSON.parse(run.stdout) as { ETag: string; ObjectSize: number };
    assert.equal(answer.ETag, md5(source));
    assert.equal(answer.ObjectSize, 6 * MIB);
  });
});
