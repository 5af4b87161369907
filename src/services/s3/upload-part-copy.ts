/**
 * UploadPartCopy: a part of a multipart upload copied from an existing object (or a version of it),
 * whole or the `x-amz-copy-source-range` bytes of it, under the same `x-amz-copy-source-if-*`
 * conditions as CopyObject. The bytes stream from the source body into the part file.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { ChecksumThrough, checksumXml, RunningChecksum } from "./checksums.js";
import { quoted, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { uploadChecksum } from "./multipart-checksums.js";
import { partNumberOf, requireUpload } from "./multipart-ops.js";
import { copySource, copySourceObject, Md5Through } from "./object-ops.js";
import { MAX_UPLOAD_BYTES } from "./payload.js";
import { parseVersionId, versionHeader } from "./versions.js";
import { checkCopySourceConditions } from "./write-conditions.js";
import { xmlResponse } from "./xml.js";

const RANGE_FORM = "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy";

/** The bytes `x-amz-copy-source-range` names in a source of `size` bytes; undefined: all of it. */
export function copyRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!match) throw new S3Error("InvalidArgument", RANGE_FORM, undefined, { ArgumentName: "x-amz-copy-source-range", ArgumentValue: header });
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > end) throw new S3Error("InvalidArgument", RANGE_FORM, undefined, { ArgumentName: "x-amz-copy-source-range", ArgumentValue: header });
  if (end >= size) throw new S3Error("InvalidArgument", `Range specified is not valid for source object of size: ${size}`, undefined, { ArgumentName: "x-amz-copy-source-range", ArgumentValue: header });
  return { start, end };
}

export async function uploadPartCopy(context: S3Context, request: UnkaiRequest, bucket: string, key: string, uploadId: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const partNumber = partNumberOf(request.query.get("partNumber"));
  const { algorithm } = uploadChecksum(await requireUpload(context, bucket, key, uploadId));
  const source = copySource(request.headers["x-amz-copy-source"] ?? "");
  const sourceVersion = source.versionId === null ? undefined : { id: parseVersionId(source.versionId) };
  const sourceBucket = await requireBucket(context, source.bucket);
  const original = await copySourceObject(context, source.bucket, source.key, sourceVersion);
  checkCopySourceConditions(request, original);
  const range = copyRange(request.headers["x-amz-copy-source-range"], original.size);
  const length = range ? range.end - range.start + 1 : original.size;
  if (length > MAX_UPLOAD_BYTES) throw new S3Error("InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120");
  // An empty source has no bytes to read: its part is empty.
  const body = length === 0 ? undefined : await context.bodies.reader(original.blob, range);
  if (length > 0 && !body) throw new S3Error("NoSuchKey", "The copy source was deleted while it was being copied.", `/${source.bucket}/${source.key}`);
  const hashing = new Md5Through();
  // The part gets the upload's checksum like an uploaded part: Complete combines every part's.
  const summing = new ChecksumThrough(new RunningChecksum(algorithm));
  body?.once("error", (error) => hashing.destroy(error));
  hashing.once("error", (error) => summing.destroy(error));
  if (body) body.pipe(hashing);
  else hashing.end();
  await context.bodies.writePart(uploadId, partNumber, hashing.pipe(summing));
  const etag = hashing.hash.digest("hex");
  const checksum = { algorithm, value: summing.checksum.digest().toString("base64") };
  const lastModified = Date.now();
  await context.store.putPart({ uploadId, partNumber, etag, size: hashing.size, lastModified, checksum });
  const copied = versionHeader(sourceBucket, original, sourceVersion !== undefined)["x-amz-version-id"];
  const result = { ETag: quoted(etag), LastModified: new Date(lastModified).toISOString(), ...checksumXml({ ...checksum, type: "FULL_OBJECT" }, false) };
  return xmlResponse("CopyPartResult", result, copied === undefined ? {} : { "x-amz-copy-source-version-id": copied });
}
