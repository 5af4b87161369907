/**
 * Server-side encryption answered as S3 answers it by default (SSE-S3): `x-amz-server-side-encryption:
 * AES256` on writes and reads, AES256 asked for accepted, KMS and SSE-C refused with InvalidArgument,
 * and the bucket encryption configuration (SDK v3 and the AWS CLI).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, s3, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const BUCKET = "sse";

describe("S3 server-side encryption (SSE-S3 by default)", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(() => client.destroy());

  it("answers AES256 on PutObject, GetObject, HeadObject, CopyObject and multipart uploads, asked for or not", async () => {
    const plain = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "plain", Body: "x" }));
    assert.equal(plain.ServerSideEncryption, "AES256");
    const asked = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "asked", Body: "y", ServerSideEncryption: "AES256" }));
    assert.equal(asked.ServerSideEncryption, "AES256");
    assert.equal((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "asked" }))).ServerSideEncryption, "AES256");
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "plain" }));
    assert.equal(got.ServerSideEncryption, "AES256");
    assert.equal(await got.Body?.transformToString(), "x");
    const copied = await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "copy", CopySource: `${BUCKET}/plain`, ServerSideEncryption: "AES256" }));
    assert.equal(copied.ServerSideEncryption, "AES256");
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "multi", ServerSideEncryption: "AES256" }));
    assert.equal(created.ServerSideEncryption, "AES256");
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: "multi", UploadId: created.UploadId, PartNumber: 1, Body: "z" }));
    assert.equal(part.ServerSideEncryption, "AES256");
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "multi", UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    assert.equal(done.ServerSideEncryption, "AES256");
  });

  it("refuses KMS, SSE-C and unknown algorithms with InvalidArgument and stores nothing", async () => {
    await rejects(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "kms", Body: "k", ServerSideEncryption: "aws:kms" })), "InvalidArgument", /KMS keys \(aws:kms\) is not offered/);
    await rejects(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "kms", ServerSideEncryption: "aws:kms:dsse" })), "InvalidArgument", /aws:kms:dsse/);
    await rejects(client.send(new PutObjectCommand({
      Bucket: BUCKET, Key: "kms", Body: "k", SSECustomerAlgorithm: "AES256", SSECustomerKey: "0123456789abcdef0123456789abcdef",
    })), "InvalidArgument", /customer-provided keys/);
    await rejects(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "kms" })), "NotFound");
  });

  it("AWS CLI: get-bucket-encryption answers SSE-S3; put accepts AES256 and refuses aws:kms; delete succeeds", async () => {
    const got = await awsS3(suite.unkai.url, ["s3api", "get-bucket-encryption", "--bucket", BUCKET]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(JSON.parse(got.stdout), {
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }] },
    });
    const rules = (algorithm: string) => JSON.stringify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: algorithm } }] });
    const put = await awsS3(suite.unkai.url, ["s3api", "put-bucket-encryption", "--bucket", BUCKET, "--server-side-encryption-configuration", rules("AES256")]);
    assert.equal(put.code, 0, put.stderr);
    const kms = await awsS3(suite.unkai.url, ["s3api", "put-bucket-encryption", "--bucket", BUCKET, "--server-side-encryption-configuration", rules("aws:kms")]);
    assert.notEqual(kms.code, 0);
    assert.match(kms.stderr, /InvalidArgument/);
    const deleted = await awsS3(suite.unkai.url, ["s3api", "delete-bucket-encryption", "--bucket", BUCKET]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const missing = await awsS3(suite.unkai.url, ["s3api", "get-bucket-encryption", "--bucket", "no-such-bucket"]);
    assert.match(missing.stderr, /NoSuchBucket/);
  });
});
