/** Single-object operations: PutObject, GetObject, HeadObject, CopyObject (DeleteObject: object-delete.ts). */
import { createHash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { ObjectRecord, WriteUnitResult } from "../../store/ports.js";
import { validateKey } from "./addressing.js";
import { ChecksumThrough, checksumHeaders, RunningChecksum, checksumXml, DEFAULT_ALGORITHM, isChecksumHeader, parseAlgorithm, storedChecksum, type ObjectChecksum } from "./checksums.js";
import { byteRange, checkConditions, partToRead, type PartRead } from "./conditional.js";
import { announce, chunkCheckFor, deliverableNotification, deliveriesFor, eventsFor, quoted, requireBucket, requireObject, storedHeaders, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { MAX_UPLOAD_BYTES, openPayload } from "./payload.js";
import { checkCopySourceConditions, checkWriteCondition, writeConditionOf, type WriteCondition } from "./write-conditions.js";
import { taggingHeader, tagCountHeader } from "./tagging-ops.js";
import { newVersion, parseVersionId, requestedVersion, shownVersion, versionHeader } from "./versions.js";
import { xmlResponse } from "./xml.js";

/**
 * Commits a new body for `bucket`/`key` as the key's new version (a fresh version id while the bucket's
 * versioning is enabled, else its `null` version) with its notification events, then drops the bodies
 * no version holds any more. A write condition is checked against the current object inside the commit
 * (the store locks the key, so another node's write cannot land in between; on this node, callers also
 * hold the key's slot). Resolves the `x-amz-version-id` header to answer with.
 */
export async function commitObject(context: S3Context, request: UnkaiRequest, body: ObjectRecord, eventName: string, complete?: string, condition?: WriteCondition): Promise<Record<string, string>> {
  const bucket = await requireBucket(context, body.bucket);
  const record: ObjectRecord = { ...body, ...newVersion(bucket) };
  const versioned = bucket.versioning !== undefined ? { versionId: shownVersion(record) } : {};
  const change = { eventName, key: record.key, size: record.size, eTag: record.etag, ...versioned };
  const config = await deliverableNotification(context, bucket);
  const events = eventsFor(context, bucket, config, change, request);
  const deliveries = deliveriesFor(context, bucket, config, change, request);
  let done: WriteUnitResult;
  try {
    // The condition, the row, the ended upload and the notifications announcing them: all of it commits, or none.
    done = await context.commit({
      putObjects: [record],
      endUploads: complete === undefined ? [] : [complete],
      check: condition ? ([current]) => checkWriteCondition(condition, current, record.bucket, record.key) : undefined,
      events: () => events,
      deliveries: () => deliveries,
    });
  } catch (error) {
    await context.bodies.remove(record.blob);
    throw error;
  }
  await announce(context, done);
  for (const gone of done.discarded) if (gone.blob !== "" && gone.blob !== record.blob) await context.bodies.remove(gone.blob);
  return versionHeader(bucket, record);
}

export async function putObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  validateKey(key);
  await requireBucket(context, bucketName);
  const condition = writeConditionOf(request);
  if (!condition) return storeObject(context, request, bucketName, key);
  return context.conditionalWrites.run(bucketName, key, () => storeObject(context, request, bucketName, key, condition));
}

async function storeObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string, condition?: WriteCondition): Promise<UnkaiResponse> {
  // Bad tags are refused before the body is stored.
  const tags = taggingHeader(request);
  const payload = openPayload(request, MAX_UPLOAD_BYTES, await chunkCheckFor(context, request), DEFAULT_ALGORITHM);
  const blob = await context.bodies.write(payload.body);
  let digest;
  try {
    digest = payload.verify();
  } catch (error) {
    await context.bodies.remove(blob);
    throw error;
  }
  const etag = digest.md5.toString("hex");
  const sums = checksumHeaders(digest.checksum && { ...digest.checksum, type: "FULL_OBJECT" });
  const record = { bucket: bucketName, key, blob, size: digest.size, etag, lastModified: Date.now(), headers: { ...storedHeaders(request), ...sums }, tags };
  const version = await commitObject(context, request, record, "ObjectCreated:Put", undefined, condition);
  return { status: 200, headers: { ETag: quoted(etag), ...sums, ...version } };
}

/** An object's stored headers without its checksum (a copy computes its own). */
export function withoutChecksum(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isChecksumHeader(name)));
}

/** The headers GET and HEAD answer with for a stored object (its checksum: see checksumAnswer). */
function objectHeaders(object: ObjectRecord, request: UnkaiRequest): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: quoted(object.etag),
    "Last-Modified": new Date(object.lastModified).toUTCString(),
    "Accept-Ranges": "bytes",
    "Content-Type": "binary/octet-stream",
  };
  for (const [name, value] of Object.entries(object.headers)) {
    if (!isChecksumHeader(name)) headers[name === "content-type" ? "Content-Type" : name] = value;
  }
  for (const name of ["content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"]) {
    const override = request.query.get(`response-${name}`);
    if (override !== null) headers[name === "content-type" ? "Content-Type" : name] = override;
  }
  return headers;
}

/**
 * The checksum a read under `x-amz-checksum-mode: ENABLED` answers: the object's for a whole read; for
 * `?partNumber=` of a multipart object, that part's own checksum (S3 answers the part's, so SDKs can check
 * the bytes they got); none for a `Range`, as S3 (the checksum would not cover the bytes sent).
 */
function checksumAnswer(object: ObjectRecord, range: { start: number } | undefined, part: PartRead | undefined): ObjectChecksum | undefined {
  const whole = storedChecksum(object.headers);
  if (!range) return whole;
  const value = part && whole ? object.partChecksums?.[part.number - 1] : undefined;
  return whole && value !== undefined ? { ...whole, value } : undefined;
}

export async function getObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string, head: boolean): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const version = requestedVersion(request.query);
  // Read the row again if an overwrite deleted its body between the read and the open.
  for (let attempt = 0; ; attempt++) {
    const object = await requireObject(context, bucketName, key, version);
    const headers = { ...objectHeaders(object, request), ...versionHeader(bucket, object, version !== undefined), ...tagCountHeader(object) };
    if (checkConditions(request, object) === "not-modified") {
      return { status: 304, headers: { ETag: headers.ETag ?? "", "Last-Modified": headers["Last-Modified"] ?? "" } };
    }
    const part = partToRead(request, object);
    if (part?.partsCount !== undefined) headers["x-amz-mp-parts-count"] = String(part.partsCount);
    // A part of a multipart object is a ranged read; partNumber=1 of a single-part object is all of it.
    const range = part ? (part.partsCount === undefined ? undefined : part) : byteRange(request.headers.range, object.size);
    const length = range ? range.end - range.start + 1 : object.size;
    if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${object.size}`;
    if (request.headers["x-amz-checksum-mode"]?.toUpperCase() === "ENABLED") Object.assign(headers, checksumHeaders(checksumAnswer(object, range, part)));
    headers["Content-Length"] = String(length);
    const status = range ? 206 : 200;
    // An empty stream keeps the Content-Length above on HEAD answers (the adapter writes no body for HEAD).
    if (head || length === 0) return { status, headers, body: Readable.from([]) };
    // The whole object as a range too: the reader then sizes its buffer to the object, not to 1 MiB.
    const body = await context.bodies.reader(object.blob, range ?? { start: 0, end: object.size - 1 });
    if (body) return { status, headers, body };
    if (attempt > 3) throw new S3Error("InternalError", "The object changed while it was being read; please try again.");
  }
}

/** Hashes what passes through it (a copy's new ETag). */
export class Md5Through extends Transform {
  readonly hash = createHash("md5");
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
}

/** The bucket and key an `x-amz-copy-source` header names. */
export function copySource(header: string): { bucket: string; key: string; versionId: string | null } {
  let path: string;
  const query = header.indexOf("?");
  const versionId = query < 0 ? null : new URLSearchParams(header.slice(query + 1)).get("versionId");
  try {
    path = decodeURIComponent(query < 0 ? header : header.slice(0, query)).replace(/^\//, "");
  } catch {
    throw new S3Error("InvalidArgument", "Invalid copy source encoding.");
  }
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1) {
    throw new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  }
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), versionId };
}

export async function copyObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  validateKey(key);
  const source = copySource(request.headers["x-amz-copy-source"] ?? "");
  const sourceVersion = source.versionId === null ? undefined : { id: parseVersionId(source.versionId) };
  const sourceBucket = await requireBucket(context, source.bucket);
  await requireBucket(context, bucketName);
  const original = await copySourceObject(context, source.bucket, source.key, sourceVersion);
  checkCopySourceConditions(request, original);
  const replace = (request.headers["x-amz-metadata-directive"] ?? "COPY").toUpperCase() === "REPLACE";
  const tags = (request.headers["x-amz-tagging-directive"] ?? "COPY").toUpperCase() === "REPLACE" ? taggingHeader(request) : original.tags;
  if (source.bucket === bucketName && source.key === key && !replace) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  // The copy's checksum: the algorithm asked for, else the source's, else S3's default; of the whole copy.
  const algorithm = parseAlgorithm(request.headers["x-amz-checksum-algorithm"], "x-amz-checksum-algorithm") ?? storedChecksum(original.headers)?.algorithm ?? DEFAULT_ALGORITHM;
  const body = await context.bodies.reader(original.blob);
  if (!body) throw new S3Error("NoSuchKey", "The copy source was deleted while it was being copied.", `/${source.bucket}/${source.key}`);
  const hashing = new Md5Through();
  const summing = new ChecksumThrough(new RunningChecksum(algorithm));
  body.once("error", (error) => hashing.destroy(error));
  hashing.once("error", (error) => summing.destroy(error));
  const blob = await context.bodies.write(body.pipe(hashing).pipe(summing));
  const etag = hashing.hash.digest("hex");
  const checksum: ObjectChecksum = { algorithm, value: summing.checksum.digest().toString("base64"), type: "FULL_OBJECT" };
  const lastModified = Date.now();
  const kept = replace ? storedHeaders(request) : withoutChecksum(original.headers);
  const record = { bucket: bucketName, key, blob, size: hashing.size, etag, lastModified, headers: { ...kept, ...checksumHeaders(checksum) }, tags };
  const version = await commitObject(context, request, record, "ObjectCreated:Copy");
  const copied = versionHeader(sourceBucket, original, sourceVersion !== undefined)["x-amz-version-id"];
  const headers = { ...version, ...(copied === undefined ? {} : { "x-amz-copy-source-version-id": copied }) };
  return xmlResponse("CopyObjectResult", { LastModified: new Date(lastModified).toISOString(), ETag: quoted(etag), ...checksumXml(checksum) }, headers);
}

/** The version a copy reads: S3 refuses a delete marker named by id as a copy source (400), not with GET's 405. */
export async function copySourceObject(context: S3Context, bucket: string, key: string, version: { id: string | undefined } | undefined): Promise<ObjectRecord> {
  if (version) {
    const named = await context.store.objectVersion(bucket, key, version.id);
    if (named?.deleteMarker) throw new S3Error("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.");
  }
  return requireObject(context, bucket, key, version);
}
