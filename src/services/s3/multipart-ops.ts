/** Multipart uploads: Create, UploadPart, Complete, Abort, ListParts, ListMultipartUploads. */
import { createHash, randomBytes } from "node:crypto";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { PartRecord, UploadRecord } from "../../store/ports.js";
import { validateKey } from "./addressing.js";
import { chunkCheckFor, isoTime, quoted, requireBucket, storedHeaders, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { ChecksumThrough, checksumHeaders, checksumXml, RunningChecksum, storedChecksum, type ObjectChecksum } from "./checksums.js";
import { checkCompleteChecksum, checkPartAlgorithm, chosenUploadChecksum, completedChecksum, keptPartChecksums, partChecksumMatches, uploadChecksum, uploadChecksumHeaders } from "./multipart-checksums.js";
import { commitObject, withoutChecksum } from "./object-ops.js";
import { versionHeader } from "./versions.js";
import { MAX_UPLOAD_BYTES, openPayload } from "./payload.js";
import { writeConditionOf, type WriteCondition } from "./write-conditions.js";
import { listOf, parseXml, text, xmlResponse } from "./xml.js";

/** Every part but the last must be at least 5 MiB. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export async function requireUpload(context: S3Context, bucket: string, key: string, uploadId: string): Promise<UploadRecord> {
  const upload = await context.store.upload(uploadId);
  if (!upload || upload.bucket !== bucket || upload.key !== key) {
    throw new S3Error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", undefined, { UploadId: uploadId });
  }
  return upload;
}

/** The initiator and owner S3 names on an upload: the account (one account here). */
export const uploadOwner = (context: S3Context) => ({ ID: context.accountId, DisplayName: "unkai" });

export async function createUpload(context: S3Context, request: UnkaiRequest, bucket: string, key: string): Promise<UnkaiResponse> {
  validateKey(key);
  await requireBucket(context, bucket);
  const uploadId = randomBytes(24).toString("base64url");
  const checksum = chosenUploadChecksum(request);
  await context.store.createUpload({ uploadId, bucket, key, initiated: Date.now(), headers: { ...storedHeaders(request), ...checksum } });
  return xmlResponse("InitiateMultipartUploadResult", { Bucket: bucket, Key: key, UploadId: uploadId }, checksum);
}

export function partNumberOf(text: string | null): number {
  const value = Number(text);
  if (text === null || !/^\d+$/.test(text) || value < 1 || value > MAX_PARTS) {
    throw new S3Error("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PARTS}, inclusive.`, undefined, { ArgumentName: "partNumber", ArgumentValue: text ?? "" });
  }
  return value;
}

export async function uploadPart(context: S3Context, request: UnkaiRequest, bucket: string, key: string, uploadId: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const partNumber = partNumberOf(request.query.get("partNumber"));
  const checksum = uploadChecksum(await requireUpload(context, bucket, key, uploadId));
  checkPartAlgorithm(request, checksum);
  // A part sent without a checksum gets the upload's algorithm's: a composite checksum needs every part's.
  const payload = openPayload(request, MAX_UPLOAD_BYTES, await chunkCheckFor(context, request), checksum.algorithm);
  await context.bodies.writePart(uploadId, partNumber, payload.body);
  const digest = payload.verify();
  const etag = digest.md5.toString("hex");
  await context.store.putPart({ uploadId, partNumber, etag, size: digest.size, lastModified: Date.now(), ...(digest.checksum ? { checksum: digest.checksum } : {}) });
  const answered = digest.checksum ? { [`x-amz-checksum-${digest.checksum.algorithm}`]: digest.checksum.value } : {};
  return { status: 200, headers: { ETag: quoted(etag), ...answered } };
}

/** The parts the Complete request names, checked against what was uploaded. */
async function chosenParts(context: S3Context, uploadId: string, body: Buffer): Promise<PartRecord[]> {
  const requested = listOf(parseXml(body, "CompleteMultipartUpload").Part);
  if (requested.length === 0) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: it names no Part.");
  const stored = new Map((await context.store.parts(uploadId, 0, MAX_PARTS)).map((p) => [p.partNumber, p]));
  const chosen: PartRecord[] = [];
  for (const entry of requested) {
    const number = Number(entry.PartNumber);
    const previous = chosen.at(-1);
    if (previous && number <= previous.partNumber) throw new S3Error("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
    const part = stored.get(number);
    const etag = text(entry.ETag).replace(/"/g, "");
    if (!part || (etag !== "" && etag !== part.etag) || !partChecksumMatches(entry, part)) {
      throw new S3Error("InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", undefined, {
        PartNumber: text(entry.PartNumber),
        ETag: etag,
      });
    }
    chosen.push(part);
  }
  chosen.slice(0, -1).forEach((part) => {
    if (part.size < MIN_PART_BYTES) {
      throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size: every part but the last must be at least 5 MiB.", undefined, {
        ProposedSize: String(part.size),
        MinSizeAllowed: String(MIN_PART_BYTES),
      });
    }
  });
  return chosen;
}

const completed = (bucket: string, key: string, etag: string, checksum: ObjectChecksum | undefined, version: Record<string, string>): UnkaiResponse =>
  xmlResponse("CompleteMultipartUploadResult", { Location: `/${bucket}/${key}`, Bucket: bucket, Key: key, ETag: quoted(etag), ...checksumXml(checksum) }, version);

export async function completeUpload(context: S3Context, request: UnkaiRequest, bucket: string, key: string, uploadId: string): Promise<UnkaiResponse> {
  const bucketRecord = await requireBucket(context, bucket);
  // A retried Complete (its first answer lost) is answered again while the key still holds what that upload made.
  if ((await context.store.upload(uploadId)) === undefined) {
    const current = await context.store.object(bucket, key);
    if (current?.uploadId === uploadId) return completed(bucket, key, current.etag, storedChecksum(current.headers), versionHeader(bucketRecord, current));
  }
  const condition = writeConditionOf(request);
  if (!condition) return assemble(context, request, bucket, key, uploadId);
  return context.conditionalWrites.run(bucket, key, () => assemble(context, request, bucket, key, uploadId, condition));
}

async function assemble(context: S3Context, request: UnkaiRequest, bucket: string, key: string, uploadId: string, condition?: WriteCondition): Promise<UnkaiResponse> {
  const upload = await requireUpload(context, bucket, key, uploadId);
  const parts = await chosenParts(context, uploadId, request.body);
  const bodies = context.bodies;
  const chosen = uploadChecksum(upload);
  // A full-object checksum is computed as the parts stream into the object: no second read of the body.
  const whole = chosen.type === "FULL_OBJECT" ? new RunningChecksum(chosen.algorithm) : undefined;
  const blob = await bodies.write(async function* () {
    for (const part of parts) {
      const reader = await bodies.partReader(uploadId, part.partNumber);
      if (!whole) yield reader;
      else {
        const summing = new ChecksumThrough(whole);
        reader.once("error", (error) => summing.destroy(error));
        yield reader.pipe(summing);
      }
    }
  });
  const checksum = completedChecksum(chosen, parts, whole?.digest().toString("base64") ?? "");
  try {
    checkCompleteChecksum(request, checksum);
  } catch (error) {
    await bodies.remove(blob);
    throw error;
  }
  const md5s = createHash("md5");
  for (const part of parts) md5s.update(Buffer.from(part.etag, "hex"));
  const etag = `${md5s.digest("hex")}-${parts.length}`;
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  const headers = { ...withoutChecksum(upload.headers), ...checksumHeaders(checksum) };
  const version = await commitObject(context, request, { bucket, key, blob, size, etag, lastModified: Date.now(), headers, uploadId, partSizes: parts.map((part) => part.size), ...keptPartChecksums(checksum, parts) }, "ObjectCreated:CompleteMultipartUpload", uploadId, condition);
  await bodies.removeParts(uploadId);
  return completed(bucket, key, etag, checksum, version);
}

export async function abortUpload(context: S3Context, bucket: string, key: string, uploadId: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  await requireUpload(context, bucket, key, uploadId);
  await context.store.deleteUpload(uploadId);
  await context.bodies.removeParts(uploadId);
  return { status: 204 };
}

export function boundedNumber(request: UnkaiRequest, name: string, max: number, fallback: number): number {
  const text = request.query.get(name);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text)) throw new S3Error("InvalidArgument", `${name} must be a whole number.`, undefined, { ArgumentName: name, ArgumentValue: text });
  return Math.min(Number(text), max);
}

export async function listParts(context: S3Context, request: UnkaiRequest, bucket: string, key: string, uploadId: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const maxParts = boundedNumber(request, "max-parts", 1000, 1000);
  const marker = boundedNumber(request, "part-number-marker", MAX_PARTS, 0);
  const upload = uploadChecksumHeaders(uploadChecksum(await requireUpload(context, bucket, key, uploadId)));
  const page = await context.store.parts(uploadId, marker, maxParts + 1);
  const truncated = page.length > maxParts;
  const parts = page.slice(0, maxParts);
  const body: Record<string, unknown> = {
    Bucket: bucket, Key: key, UploadId: uploadId, Initiator: uploadOwner(context), Owner: uploadOwner(context), StorageClass: "STANDARD",
    PartNumberMarker: marker, NextPartNumberMarker: parts.at(-1)?.partNumber ?? marker, MaxParts: maxParts, IsTruncated: truncated,
    ...(upload["x-amz-checksum-algorithm"] ? { ChecksumAlgorithm: upload["x-amz-checksum-algorithm"], ChecksumType: upload["x-amz-checksum-type"] } : {}),
  };
  if (parts.length > 0) body.Part = parts.map((p) => ({ PartNumber: p.partNumber, LastModified: isoTime(p.lastModified), ETag: quoted(p.etag), Size: p.size, ...partChecksum(p) }));
  return xmlResponse("ListPartsResult", body);
}

/** A part's checksum as ListParts names it (`ChecksumCRC32` …). */
function partChecksum(part: PartRecord): Record<string, string> {
  return part.checksum ? { [`Checksum${part.checksum.algorithm.toUpperCase()}`]: part.checksum.value } : {};
}
