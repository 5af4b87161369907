/**
 * Issue 21, bug 4: GET and HEAD with `?partNumber=` read one part of a multipart object (its bytes,
 * Content-Range and x-amz-mp-parts-count); a single-part object is one part; out-of-range and malformed
 * part numbers get S3's errors. Bug 8: a repeated CompleteMultipartUpload is answered again while the
 * key holds that upload's object. SDK v3, boto3 and the AWS CLI v2 against a real Unkai.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException, UploadPartCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { awsS3, boto3S3, s3, signedS3Fetch } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const MB = 1024 * 1024;
const BUCKET = "parts";

async function rejects(promise: Promise<unknown>, code: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    // HEAD answers carry no body, so the SDK can only name the status there.
    if (code !== "") assert.equal(error.name, code);
    return true;
  });
}

/** Uploads `parts` as one multipart object and returns the whole body. */
async function multipart(client: S3Client, key: string, parts: readonly Buffer[]): Promise<Buffer> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
  const done = [];
  for (const [index, Body] of parts.entries()) {
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body }));
    done.push({ ETag, PartNumber: index + 1 });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: done } }));
  return Buffer.concat(parts);
}

describe("S3 GET and HEAD by part number", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  let whole: Buffer;
  const sizes = [5 * MB, 5 * MB + 3, 1234];
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    whole = await multipart(client, "three", sizes.map((size, i) => Buffer.alloc(size, 97 + i)));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "single", Body: "just one part" }));
  });
  after(() => client.destroy());

  it("HEAD and GET of part 2 of a 3-part object answer that part's bytes, range and the parts count (SDK v3)", async () => {
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "three", PartNumber: 2 }));
    assert.equal(head.PartsCount, 3);
    assert.equal(head.ContentLength, sizes[1]);
    assert.equal(head.ContentRange, `bytes ${5 * MB}-${10 * MB + 2}/${whole.length}`);
    assert.equal(head.$metadata.httpStatusCode, 206);
    for (const [index, size] of sizes.entries()) {
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "three", PartNumber: index + 1 }));
      const body = Buffer.from(await got.Body?.transformToByteArray() ?? []);
      const start = sizes.slice(0, index).reduce((a, b) => a + b, 0);
      assert.equal(body.length, size);
      assert.ok(body.equals(whole.subarray(start, start + size)), `part ${index + 1} is exactly its bytes`);
      assert.equal(got.PartsCount, 3);
      assert.match(got.ETag ?? "", /-3"$/, "the object's ETag, not the part's");
    }
  });

  it("reads a single-part object's part 1 as the whole object, without a parts count", async () => {
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "single", PartNumber: 1 }));
    assert.equal(await got.Body?.transformToString(), "just one part");
    assert.equal(got.PartsCount, undefined);
    assert.equal(got.$metadata.httpStatusCode, 200);
  });

  it("refuses part numbers past the last part, out of range or malformed, and a Range with a part number", async () => {
    await rejects(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "single", PartNumber: 2 })), "InvalidPartNumber", 416);
    await rejects(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "three", PartNumber: 4 })), "InvalidPartNumber", 416);
    await rejects(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "three", PartNumber: 4 })), "", 416);
    await rejects(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "three", PartNumber: 1, Range: "bytes=0-1" })), "InvalidRequest", 400);
    for (const bad of ["0", "10001", "99999999999999999999999", "-1", "1.5", "two", ""]) {
      const answer = await signedS3Fetch(suite.unkai.url, "GET", `/${BUCKET}/three?partNumber=${encodeURIComponent(bad)}`);
      assert.equal(answer.status, 400, `partNumber=${bad}`);
      assert.match(await answer.text(), /<Code>InvalidArgument<\/Code><Message>Part number must be an integer between 1 and 10000, inclusive<\/Message>/);
    }
  });

  it("boto3 and the AWS CLI v2 read part 3 by number", async () => {
    const answer = (await boto3S3(suite.unkai.url, [
      `r = s3.head_object(Bucket="${BUCKET}", Key="three", PartNumber=3)`,
      `g = s3.get_object(Bucket="${BUCKET}", Key="three", PartNumber=3)`,
      `print(json.dumps({"count": r["PartsCount"], "length": r["ContentLength"], "body": len(g["Body"].read()), "range": g["ContentRange"]}))`,
    ].join("\n"))) as Record<string, unknown>;
    assert.deepEqual(answer, { count: 3, length: 1234, body: 1234, range: `bytes ${10 * MB + 3}-${whole.length - 1}/${whole.length}` });
    const dir = mkdtempSync(join(tmpdir(), "unkai-part-"));
    try {
      const run = await awsS3(suite.unkai.url, ["s3api", "get-object", "--bucket", BUCKET, "--key", "three", "--part-number", "3", join(dir, "out")]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as { PartsCount: number }).PartsCount, 3);
      assert.ok(readFileSync(join(dir, "out")).equals(whole.subarray(10 * MB + 3)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("answers a repeated CompleteMultipartUpload with the same result while the key holds that upload's object, NoSuchUpload after", async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "twice" }));
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: "twice", UploadId, PartNumber: 1, Body: "only part" }));
    const complete = (Key = "twice") => new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } });
    const first = await client.send(complete());
    const again = await client.send(complete());
    assert.equal(again.ETag, first.ETag);
    assert.equal(again.Key, "twice");
    const boto = (await boto3S3(suite.unkai.url, [
      `r = s3.complete_multipart_upload(Bucket="${BUCKET}", Key="twice", UploadId=args[0], MultipartUpload={"Parts": [{"ETag": args[1], "PartNumber": 1}]})`,
      `print(json.dumps(r["ETag"]))`,
    ].join("\n"), [UploadId ?? "", ETag ?? ""])) as string;
    assert.equal(boto, first.ETag, "boto3's Complete of a completed upload gets the same ETag");
    await rejects(client.send(complete("elsewhere")), "NoSuchUpload", 404);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "twice", Body: "replaced" }));
    await rejects(client.send(complete()), "NoSuchUpload", 404);
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "twice" }));
    await rejects(client.send(complete()), "NoSuchUpload", 404);
  });
});
