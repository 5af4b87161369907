/** Multipart uploads: a 100 MB upload with lib-storage streamed from disk, ranged reads across parts, the part listing calls and their errors. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3ServiceException,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { awsS3, boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const MB = 1024 * 1024;
const SIZE = 100 * MB;

/** Writes `size` pseudo-random bytes to a file (1 MiB at a time) and returns their SHA-256. */
async function generate(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  const out = createWriteStream(path);
  const block = randomBytes(MB);
  for (let written = 0; written < size; written += MB) {
    block.writeUInt32BE(written / MB, 0);
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return hash.digest("hex");
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof S3ServiceException && error.name === code);
}

describe("S3 multipart uploads", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  let work: string;
  let file: string;
  let digest: string;
  before(async () => {
    client = s3(suite.unkai.url);
    work = mkdtempSync(join(tmpdir(), "unkai-mpu-"));
    file = join(work, "big.bin");
    digest = await generate(file, SIZE);
    await client.send(new CreateBucketCommand({ Bucket: "big" }));
  });
  after(() => {
    client.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  it("uploads 100 MB with lib-storage from a file stream and reads it back whole and in ranges", async () => {
    const upload = new Upload({ client, params: { Bucket: "big", Key: "data/big.bin", Body: createReadStream(file) }, partSize: 8 * MB, queueSize: 2 });
    const done = await upload.done();
    assert.match(done.ETag ?? "", /^"[0-9a-f]{32}-13"$/, "a multipart ETag names its 13 parts");
    const head = await client.send(new HeadObjectCommand({ Bucket: "big", Key: "data/big.bin" }));
    assert.equal(head.ContentLength, SIZE);
    const whole = await client.send(new GetObjectCommand({ Bucket: "big", Key: "data/big.bin" }));
    assert.equal(whole.ContentLength, SIZE);
    assert.equal(await sha256Of(whole.Body as Readable), digest);
    // A range across the boundary of parts 1 and 2.
    const start = 8 * MB - 10;
    const ranged = await client.send(new GetObjectCommand({ Bucket: "big", Key: "data/big.bin", Range: `bytes=${start}-${start + 19}` }));
    const bytes = Buffer.from(await (ranged.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    const expected = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      createReadStream(file, { start, end: start + 19 }).on("data", (c) => chunks.push(c as Buffer)).on("end", () => resolve(Buffer.concat(chunks)));
    });
    assert.ok(bytes.equals(expected));
    assert.equal(ranged.ContentRange, `bytes ${start}-${start + 19}/${SIZE}`);
  });

  it("uploads and downloads with aws s3 cp in parts", async () => {
    const part = join(work, "part.bin");
    const partDigest = await generate(part, 24 * MB);
    const up = await awsS3(suite.unkai.url, ["s3", "cp", part, "s3://big/cli.bin", "--no-progress"], { multipart_chunksize: "8MB" });
    assert.equal(up.code, 0, up.stderr);
    const head = await client.send(new HeadObjectCommand({ Bucket: "big", Key: "cli.bin" }));
    assert.match(head.ETag ?? "", /-3"$/);
    const back = join(work, "back.bin");
    const down = await awsS3(suite.unkai.url, ["s3", "cp", "s3://big/cli.bin", back, "--no-progress"], { multipart_chunksize: "8MB" });
    assert.equal(down.code, 0, down.stderr);
    assert.equal(await sha256Of(createReadStream(back)), partDigest);
  });

  it("lists uploads and parts, refuses bad completions, and aborts", async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "big", Key: "manual", ContentType: "text/plain" }));
    assert.ok(UploadId);
    const small = await client.send(new UploadPartCommand({ Bucket: "big", Key: "manual", UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 1) }));
    const second = await client.send(new UploadPartCommand({ Bucket: "big", Key: "manual", UploadId, PartNumber: 2, Body: Buffer.alloc(1024, 2) }));
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: "big" }));
    assert.deepEqual(uploads.Uploads?.map((u) => [u.Key, u.UploadId]), [["manual", UploadId]]);
    const parts = await client.send(new ListPartsCommand({ Bucket: "big", Key: "manual", UploadId }));
    assert.deepEqual(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, 1024, small.ETag], [2, 1024, second.ETag]]);
    const complete = (Parts: { PartNumber: number; ETag: string | undefined }[]) =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: "big", Key: "manual", UploadId, MultipartUpload: { Parts } }));
    await rejects(complete([{ PartNumber: 1, ETag: small.ETag }, { PartNumber: 2, ETag: second.ETag }]), "EntityTooSmall");
    await rejects(complete([{ PartNumber: 2, ETag: second.ETag }, { PartNumber: 1, ETag: small.ETag }]), "InvalidPartOrder");
    await rejects(complete([{ PartNumber: 3, ETag: second.ETag }]), "InvalidPart");
    const single = await complete([{ PartNumber: 1, ETag: small.ETag }]);
    assert.match(single.ETag ?? "", /-1"$/);
    const object = await client.send(new GetObjectCommand({ Bucket: "big", Key: "manual" }));
    assert.equal(object.ContentType, "text/plain");
    assert.equal(object.ContentLength, 1024);
    await rejects(client.send(new ListPartsCommand({ Bucket: "big", Key: "manual", UploadId })), "NoSuchUpload");

    const other = await client.send(new CreateMultipartUploadCommand({ Bucket: "big", Key: "aborted" }));
    await client.send(new UploadPartCommand({ Bucket: "big", Key: "aborted", UploadId: other.UploadId, PartNumber: 1, Body: "x" }));
    await client.send(new AbortMultipartUploadCommand({ Bucket: "big", Key: "aborted", UploadId: other.UploadId }));
    assert.equal((await client.send(new ListMultipartUploadsCommand({ Bucket: "big" }))).Uploads, undefined);
    await rejects(client.send(new HeadObjectCommand({ Bucket: "big", Key: "aborted" })), "NotFound");
  });
  it("ListMultipartUploads groups keys by delimiter into CommonPrefixes within a prefix, and pages through them once each", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "pending" }));
    const keys = ["a.txt", "a.txt", "photos/2024/x.jpg", "photos/2024/y.jpg", "photos/z.jpg", "videos/v.mp4", "videos/w.mp4"];
    const ids: string[] = [];
    for (const Key of keys) ids.push((await client.send(new CreateMultipartUploadCommand({ Bucket: "pending", Key }))).UploadId ?? "");
    const aIds = ids.slice(0, 2).sort();
    const top = await client.send(new ListMultipartUploadsCommand({ Bucket: "pending", Delimiter: "/" }));
    assert.deepEqual(top.Uploads?.map((u) => [u.Key, u.UploadId]), aIds.map((id) => ["a.txt", id]));
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ["photos/", "videos/"]);
    assert.equal(top.Delimiter, "/");
    const photos = await client.send(new ListMultipartUploadsCommand({ Bucket: "pending", Prefix: "photos/", Delimiter: "/" }));
    assert.deepEqual(photos.Uploads?.map((u) => u.Key), ["photos/z.jpg"]);
    assert.deepEqual(photos.CommonPrefixes?.map((p) => p.Prefix), ["photos/2024/"]);
    assert.equal(photos.Prefix, "photos/");
    // One entry a page: every upload and common prefix comes exactly once.
    const seen: string[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let page = 0; page < 10; page++) {
      const answer = await client.send(new ListMultipartUploadsCommand({ Bucket: "pending", Delimiter: "/", MaxUploads: 1, ...markers }));
      seen.push(...(answer.Uploads ?? []).map((u) => `${u.Key} ${u.UploadId}`), ...(answer.CommonPrefixes ?? []).map((p) => `${p.Prefix}`));
      if (!answer.IsTruncated) break;
      markers = { KeyMarker: answer.NextKeyMarker, UploadIdMarker: answer.NextUploadIdMarker };
    }
    assert.deepEqual(seen, [...aIds.map((id) => `a.txt ${id}`), "photos/", "videos/"]);
    // key-marker without upload-id-marker lists only keys after it, as S3.
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: "pending", KeyMarker: "a.txt" }));
    assert.deepEqual(after.Uploads?.map((u) => u.Key), keys.slice(2));
    const paged = await boto3S3(suite.unkai.url, [
      `pages = s3.get_paginator("list_multipart_uploads").paginate(Bucket="pending", Delimiter="/", PaginationConfig={"PageSize": 1})`,
      `print(json.dumps([[u["Key"] for u in p.get("Uploads", [])] + [c["Prefix"] for c in p.get("CommonPrefixes", [])] for p in pages]))`,
    ].join("\n")) as string[][];
    assert.deepEqual(paged.flat(), ["a.txt", "a.txt", "photos/", "videos/"], "boto3's paginator");
  });
});
