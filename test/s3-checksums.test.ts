/**
 * S3's additional checksums kept and answered: PutObject with each algorithm (and S3's default
 * CRC64NVME when none is sent), GET/HEAD under `x-amz-checksum-mode: ENABLED` (the SDKs validate what
 * comes back, so a wrong value fails the read), GetObjectAttributes `Checksum`, CopyObject, and
 * multipart uploads (parts' checksums, COMPOSITE and FULL_OBJECT), with SDK v3 and boto3.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { crc32 } from "node:zlib";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectAttributesCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectsV2Command, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand, type ChecksumAlgorithm,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { crc32c, Crc64Nvme, CRC64_WASM } from "../src/services/s3/crc.js";
import { signedFetch } from "./helpers/clients.js";
import { REPO_ROOT } from "./helpers/paths.js";
import { runProcess } from "./helpers/process.js";
import { awsS3, boto3S3, s3, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

const MIB = 1024 * 1024;
const BUCKET = "sums";
const crc32Bytes = (data: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data) >>> 0);
  return out;
};
const b64 = (data: Buffer) => data.toString("base64");
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();
const body = (size: number, seed: number) => Buffer.from(Buffer.alloc(size, 0).map((_, i) => (i * seed + (i >> 10)) & 0xff));

/** A client that sends no checksum of its own (S3 then adds CRC64NVME). */
function plainClient(url: string): S3Client {
  return new S3Client({
    endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true, maxAttempts: 1,
    requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED",
  });
}

describe("CRC32C and CRC64NVME", () => {
  const crc64 = (...pieces: Buffer[]) => {
    const running = new Crc64Nvme();
    for (const piece of pieces) running.update(piece);
    return running.digest().toString("hex");
  };

  it("give the catalogued check values, whichever way the bytes are split", () => {
    const check = Buffer.from("123456789");
    assert.equal(crc32c(check).toString(16), "e3069283");
    assert.equal(crc32c(check.subarray(4), crc32c(check.subarray(0, 4))).toString(16), "e3069283");
    assert.equal(crc64(check), "ae8b14860a799888");
    assert.equal(crc64(check.subarray(0, 3), check.subarray(3)), "ae8b14860a799888");
    assert.equal(crc64(Buffer.alloc(0)), "0000000000000000");
    // Across the 64 KiB a WebAssembly call takes, in pieces that are not multiples of 8.
    const data = body(200_003, 31);
    assert.equal(crc64(data.subarray(0, 65_541), data.subarray(65_541, 131_080), data.subarray(131_080)), crc64(data));
  });

  it("the embedded WebAssembly is src/services/s3/crc64-nvme.wat compiled (scripts/crc64-wasm.sh)", async () => {
    const run = await runProcess(join(REPO_ROOT, "scripts", "crc64-wasm.sh"), []);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), CRC64_WASM);
  });
});

describe("S3 object checksums", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  let plain: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    plain = plainClient(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(() => {
    client.destroy();
    plain.destroy();
  });

  it("keeps each algorithm's checksum of a PutObject and answers it on GET and HEAD (validated by SDK v3)", async () => {
    const data = body(300_000, 13);
    for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      const key = `put-${algorithm}`;
      const field = `Checksum${algorithm}` as const;
      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data, ChecksumAlgorithm: algorithm }));
      assert.ok(put[field], `${algorithm}: PutObject answers the checksum`);
      assert.equal(put.ChecksumType, "FULL_OBJECT");
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
      assert.equal(got[field], put[field], `${algorithm}: GET answers the stored checksum`);
      assert.equal(got.ChecksumType, "FULL_OBJECT");
      // The SDK checks the body against the checksum as it reads: a wrong one fails here.
      assert.ok(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(data));
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
      assert.equal(head[field], put[field], `${algorithm}: HEAD answers it too`);
    }
    const crc = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "put-CRC32", ChecksumMode: "ENABLED" }));
    assert.equal(crc.ChecksumCRC32, b64(crc32Bytes(data)));
    const sha = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "put-SHA256", ChecksumMode: "ENABLED" }));
    assert.equal(sha.ChecksumSHA256, b64(sha256(data)));
  });

  it("adds CRC64NVME to an object uploaded without a checksum; answers it only when asked and only for whole reads", async () => {
    const data = body(70_000, 29);
    await plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: "default", Body: data }));
    const head = await plain.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "default", ChecksumMode: "ENABLED" }));
    assert.match(head.ChecksumCRC64NVME ?? "", /^[A-Za-z0-9+/]{11}=$/, "8 bytes of CRC, base64");
    assert.equal(head.ChecksumType, "FULL_OBJECT");
    const validated = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "default", ChecksumMode: "ENABLED" }));
    assert.equal(validated.ChecksumCRC64NVME, head.ChecksumCRC64NVME);
    assert.ok(Buffer.from((await validated.Body?.transformToByteArray()) ?? []).equals(data), "SDK v3 validates the CRC64NVME as it reads");

    const unasked = await signedFetch(`${suite.unkai.url}/${BUCKET}/default`);
    await unasked.arrayBuffer();
    assert.equal(unasked.headers.get("x-amz-checksum-crc64nvme"), null, "no checksum without x-amz-checksum-mode");
    assert.equal(unasked.headers.get("x-amz-checksum-type"), null);
    const ranged = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "default", ChecksumMode: "ENABLED", Range: "bytes=0-99" }));
    await ranged.Body?.transformToByteArray();
    assert.equal(ranged.ChecksumCRC64NVME, undefined, "a range is answered without the whole object's checksum");
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "default" }));
    assert.deepEqual(listed.Contents?.map((o) => [o.ChecksumAlgorithm, o.ChecksumType]), [[["CRC64NVME"], "FULL_OBJECT"]], "listings name the algorithm and type");
  });

  it("takes the checksum from an aws-chunked trailer (SDK v3 streaming a body) and keeps it", async () => {
    const data = body(200_000, 23);
    const sent: string[] = [];
    for (const algorithm of ["CRC32C", "CRC64NVME"] as const) {
      const key = `trailer-${algorithm}`;
      const command = new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length, ChecksumAlgorithm: algorithm });
      command.middlewareStack.add((next) => async (args) => {
        const headers = (args.request as { headers: Record<string, string> }).headers;
        sent.push(`${headers["x-amz-content-sha256"]} ${headers["x-amz-trailer"]}`);
        return next(args);
      }, { step: "finalizeRequest" });
      const put = await client.send(command);
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
      assert.ok(put[`Checksum${algorithm}`]);
      assert.equal(head[`Checksum${algorithm}`], put[`Checksum${algorithm}`], `${algorithm}: the trailer's checksum was kept`);
    }
    assert.deepEqual(sent, ["STREAMING-UNSIGNED-PAYLOAD-TRAILER x-amz-checksum-crc32c", "STREAMING-UNSIGNED-PAYLOAD-TRAILER x-amz-checksum-crc64nvme"], "the SDK sent the checksums as trailers");
  });

  it("refuses a checksum that does not match the body (BadDigest), and two checksums at once", async () => {
    const data = Buffer.from("checksummed body");
    await rejects(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "bad", Body: data, ChecksumCRC32C: "AAAAAA==" })), "BadDigest", /CRC32C/);
    await rejects(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "bad", Body: data, ChecksumCRC64NVME: "AAAAAAAAAAA=" })), "BadDigest", /CRC64NVME/);
    await rejects(plain.send(new PutObjectCommand({ Bucket: BUCKET, Key: "bad", Body: data, ChecksumCRC32: b64(crc32Bytes(data)), ChecksumSHA256: b64(sha256(data)) })), "InvalidRequest", /single/);
  });

  it("GetObjectAttributes answers Checksum; CopyObject keeps the algorithm or computes the one asked for", async () => {
    const data = body(123_456, 5);
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "copy-source", Body: data, ChecksumAlgorithm: "CRC32C" }));
    const attributes = await client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "copy-source", ObjectAttributes: ["Checksum", "ObjectSize"] }));
    assert.deepEqual(attributes.Checksum, { ChecksumCRC32C: put.ChecksumCRC32C, ChecksumType: "FULL_OBJECT" });

    const kept = await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "copy-kept", CopySource: `${BUCKET}/copy-source` }));
    assert.equal(kept.CopyObjectResult?.ChecksumCRC32C, put.ChecksumCRC32C);
    const sha = await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: "copy-sha", CopySource: `${BUCKET}/copy-source`, ChecksumAlgorithm: "SHA256" }));
    assert.equal(sha.CopyObjectResult?.ChecksumSHA256, b64(sha256(data)));
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "copy-sha", ChecksumMode: "ENABLED" }));
    assert.equal(got.ChecksumSHA256, b64(sha256(data)));
    assert.equal(got.ChecksumCRC32C, undefined, "the copy has the checksum asked for, not the source's");
    await got.Body?.transformToByteArray();
  });

  /** Uploads two parts (5 MiB and 1000 bytes) with `algorithm` on each; returns the parts as Complete names them. */
  async function uploadTwoParts(key: string, algorithm: ChecksumAlgorithm | undefined, type?: "COMPOSITE" | "FULL_OBJECT") {
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: algorithm, ChecksumType: type }));
    const chunks = [body(5 * MIB, 3), body(1000, 11)];
    const sender = algorithm === undefined ? plain : client;
    const parts = [];
    for (const [index, chunk] of chunks.entries()) {
      const sent = await sender.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId: created.UploadId, PartNumber: index + 1, Body: chunk, ChecksumAlgorithm: algorithm }));
      const field = `Checksum${algorithm ?? "CRC64NVME"}` as const;
      parts.push({ PartNumber: index + 1, ETag: sent.ETag, [field]: sent[field] });
    }
    return { created, chunks, parts, uploadId: created.UploadId ?? "" };
  }

  it("multipart COMPOSITE CRC32: parts keep their checksums (ListParts), Complete answers the checksum of checksums with -<parts>", async () => {
    const { created, chunks, parts, uploadId } = await uploadTwoParts("composite", "CRC32");
    assert.equal(created.ChecksumAlgorithm, "CRC32");
    assert.equal(created.ChecksumType, "COMPOSITE");
    const listed = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: "composite", UploadId: uploadId }));
    assert.deepEqual(listed.Parts?.map((p) => p.ChecksumCRC32), chunks.map((c) => b64(crc32Bytes(c))));
    assert.equal(listed.ChecksumAlgorithm, "CRC32");
    await rejects(
      client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "composite", UploadId: uploadId, MultipartUpload: { Parts: [parts[0]!, { ...parts[1]!, ChecksumCRC32: "AAAAAA==" }] } })),
      "InvalidPart",
    );
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "composite", UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    const expected = `${b64(crc32Bytes(Buffer.concat(chunks.map(crc32Bytes))))}-2`;
    assert.equal(done.ChecksumCRC32, expected);
    assert.equal(done.ChecksumType, "COMPOSITE");
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "composite", ChecksumMode: "ENABLED" }));
    assert.equal(head.ChecksumCRC32, expected);
    assert.equal(head.ChecksumType, "COMPOSITE");
    const attributes = await client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "composite", ObjectAttributes: ["Checksum"] }));
    assert.deepEqual(attributes.Checksum, { ChecksumCRC32: expected, ChecksumType: "COMPOSITE" });
    const listedParts = await client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: "composite", ObjectAttributes: ["ObjectParts"] }));
    assert.deepEqual(listedParts.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumCRC32]), chunks.map((c, i) => [i + 1, c.length, b64(crc32Bytes(c))]));
  });

  it("GET/HEAD ?partNumber= of a COMPOSITE object under ChecksumMode ENABLED answer that part's own checksum (SDK v3 validates it)", async () => {
    const { chunks, parts, uploadId } = await uploadTwoParts("composite-parts", "CRC32");
    await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "composite-parts", UploadId: uploadId, MultipartUpload: { Parts: parts } }));
    for (const number of [1, 2]) {
      const chunk = chunks[number - 1]!;
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "composite-parts", PartNumber: number, ChecksumMode: "ENABLED" }));
      assert.equal(head.ChecksumCRC32, b64(crc32Bytes(chunk)), `part ${number}`);
      assert.equal(head.ChecksumType, "COMPOSITE");
      assert.equal(head.PartsCount, 2);
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "composite-parts", PartNumber: number, ChecksumMode: "ENABLED" }));
      assert.equal(got.ChecksumCRC32, b64(crc32Bytes(chunk)));
      assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(chunk), `part ${number}'s bytes`);
    }
    const ranged = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "composite-parts", Range: "bytes=0-9", ChecksumMode: "ENABLED" }));
    assert.equal(ranged.ChecksumCRC32, undefined, "a Range is answered without a checksum");
  });

  it("multipart FULL_OBJECT: CRC64NVME by default and CRC32C when chosen are the whole body's (validated by SDK v3 on GET)", async () => {
    for (const [key, algorithm, type] of [["full-default", undefined, undefined], ["full-crc32c", "CRC32C", "FULL_OBJECT"]] as const) {
      const { chunks, parts, uploadId } = await uploadTwoParts(key, algorithm, type);
      const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      assert.equal(done.ChecksumType, "FULL_OBJECT", key);
      const field = `Checksum${algorithm ?? "CRC64NVME"}` as const;
      assert.match(done[field] ?? "", /^[A-Za-z0-9+/]+=*$/, `${key}: no -<parts> on a full-object checksum`);
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: "ENABLED" }));
      assert.equal(got[field], done[field]);
      assert.ok(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(Buffer.concat(chunks)), `${key}: SDK v3 validated the whole body`);
    }
  });

  it("multipart refuses a part with another algorithm and an impossible type; UploadPartCopy parts get the upload's checksum", async () => {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "mixed", ChecksumAlgorithm: "SHA256" }));
    await rejects(client.send(new UploadPartCommand({ Bucket: BUCKET, Key: "mixed", UploadId, PartNumber: 1, Body: Buffer.from("x"), ChecksumAlgorithm: "CRC32" })), "InvalidRequest", /mismatch/);
    await rejects(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "x", ChecksumAlgorithm: "CRC64NVME", ChecksumType: "COMPOSITE" })), "InvalidRequest");
    await rejects(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "x", ChecksumAlgorithm: "SHA1", ChecksumType: "FULL_OBJECT" })), "InvalidRequest");

    const source = body(2000, 7);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "part-source", Body: source }));
    const copied = await client.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: "mixed", UploadId, PartNumber: 1, CopySource: `${BUCKET}/part-source` }));
    assert.equal(copied.CopyPartResult?.ChecksumSHA256, b64(sha256(source)));
    const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: "mixed", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: copied.CopyPartResult?.ETag }] } }));
    assert.equal(done.ChecksumSHA256, `${b64(sha256(sha256(source)))}-1`);
  });

  it("lib-storage's multipart Upload and the AWS CLI v2 get checksums a validated GET checks", async () => {
    const data = body(6 * MIB + 123, 19);
    const upload = new Upload({ client, params: { Bucket: BUCKET, Key: "lib-storage", Body: data }, partSize: 5 * MIB, queueSize: 1 });
    await upload.done();
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: "lib-storage", ChecksumMode: "ENABLED" }));
    const parts = [data.subarray(0, 5 * MIB), data.subarray(5 * MIB)];
    assert.equal(got.ChecksumType, "COMPOSITE", "lib-storage chose CRC32 for the upload");
    assert.equal(got.ChecksumCRC32, `${b64(crc32Bytes(Buffer.concat(parts.map(crc32Bytes))))}-2`);
    assert.ok(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(data));

    const dir = mkdtempSync(join(tmpdir(), "unkai-sums-"));
    try {
      const file = data.subarray(0, 100_000);
      writeFileSync(join(dir, "file"), file);
      const put = await awsS3(suite.unkai.url, ["s3api", "put-object", "--bucket", BUCKET, "--key", "cli-file", "--body", join(dir, "file"), "--checksum-algorithm", "CRC32"]);
      assert.equal(put.code, 0, put.stderr);
      const fetched = await awsS3(suite.unkai.url, ["s3api", "get-object", "--bucket", BUCKET, "--key", "cli-file", "--checksum-mode", "ENABLED", join(dir, "back")]);
      assert.equal(fetched.code, 0, fetched.stderr);
      assert.equal((JSON.parse(fetched.stdout) as Record<string, string>).ChecksumCRC32, b64(crc32Bytes(file)), "the CLI read (and checked) the CRC32 it sent");
      assert.ok(readFileSync(join(dir, "back")).equals(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("boto3: a SHA256 PutObject, and get_object with ChecksumMode validates the stored CRC32", async () => {
    const data = body(50_000, 17);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "boto-crc", Body: data, ChecksumAlgorithm: "CRC32" }));
    const result = (await boto3S3(suite.unkai.url, [
      "import hashlib, base64",
      "data = bytes(range(256)) * 100",
      `put = s3.put_object(Bucket="${BUCKET}", Key="boto-sha", Body=data, ChecksumAlgorithm="SHA256")`,
      `head = s3.head_object(Bucket="${BUCKET}", Key="boto-sha", ChecksumMode="ENABLED")`,
      `got = s3.get_object(Bucket="${BUCKET}", Key="boto-crc", ChecksumMode="ENABLED")`,
      "body = got['Body'].read()",
      "print(json.dumps({'put': put.get('ChecksumSHA256'), 'head': head.get('ChecksumSHA256'), 'want': base64.b64encode(hashlib.sha256(data).digest()).decode(),",
      "  'crc': got.get('ChecksumCRC32'), 'size': len(body)}))",
    ].join("\n"))) as Record<string, unknown>;
    assert.equal(result.put, result.want);
    assert.equal(result.head, result.want);
    assert.equal(result.crc, b64(crc32Bytes(data)));
    assert.equal(result.size, data.length, "botocore read the body and checked its CRC32");
  });
});
