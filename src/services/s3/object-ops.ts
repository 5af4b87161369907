/** Single-object operations: PutObject, GetObject, HeadObject, DeleteObject, CopyObject. */
import { createHash } from "node:crypto";
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { BucketRecord, ObjectRecord } from "../../store/ports.js";
import { validateKey } from "./addressing.js";
import { byteRange, checkConditions } from "./conditional.js";
import { announce, chunkCheckFor, eventsFor, quoted, requireBucket, requireObject, storedHeaders, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { MAX_UPLOAD_BYTES, openPayload } from "./payload.js";
import { checkCopySourceConditions, checkWriteCondition, writeConditionOf, type WriteCondition } from "./write-conditions.js";
import { xmlResponse } from "./xml.js";

/**
 * Commits a new body for `bucket`/`key` with its notification events, then drops the body it replaced.
 * A write condition is checked against the current object inside the commit (the store locks the key,
 * so another node's write cannot land in between; on this node, callers also hold the key's slot).
 */
export async function commitObject(context: S3Context, request: UnkaiRequest, record: ObjectRecord, eventName: string, complete?: string, condition?: WriteCondition): Promise<void> {
  const bucket = await requireBucket(context, record.bucket);
  const change = { eventName, key: record.key, size: record.size, eTag: record.etag };
  const events = eventsFor(context, bucket, change, request);
  let previous: ObjectRecord | undefined;
  try {
    // The condition, the row, the ended upload and the events announcing them: all of it commits, or none.
    const done = await context.commit({
      putObjects: [record],
      endUploads: complete === undefined ? [] : [complete],
      check: condition ? ([current]) => checkWriteCondition(condition, current, record.bucket, record.key) : undefined,
      events: () => events,
    });
    previous = done.replaced[0];
  } catch (error) {
    await context.bodies.remove(record.blob);
    throw error;
  }
  await announce(context, bucket, [change], events, request);
  if (previous && previous.blob !== record.blob) await context.bodies.remove(previous.blob);
}

export async function putObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  validateKey(key);
  await requireBucket(context, bucketName);
  const condition = writeConditionOf(request);
  if (!condition) return storeObject(context, request, bucketName, key);
  return context.conditionalWrites.run(bucketName, key, () => storeObject(context, request, bucketName, key, condition));
}

async function storeObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string, condition?: WriteCondition): Promise<UnkaiResponse> {
  const payload = openPayload(request, MAX_UPLOAD_BYTES, await chunkCheckFor(context, request));
  const blob = await context.bodies.write(payload.body);
  let digest;
  try {
    digest = payload.verify();
  } catch (error) {
    await context.bodies.remove(blob);
    throw error;
  }
  const etag = digest.md5.toString("hex");
  const record = { bucket: bucketName, key, blob, size: digest.size, etag, lastModified: Date.now(), headers: storedHeaders(request) };
  await commitObject(context, request, record, "ObjectCreated:Put", undefined, condition);
  return { status: 200, headers: { ETag: quoted(etag) } };
}

/** The headers GET and HEAD answer with for a stored object. */
function objectHeaders(object: ObjectRecord, request: UnkaiRequest): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: quoted(object.etag),
    "Last-Modified": new Date(object.lastModified).toUTCString(),
    "Accept-Ranges": "bytes",
    "Content-Type": "binary/octet-stream",
  };
  for (const [name, value] of Object.entries(object.headers)) headers[name === "content-type" ? "Content-Type" : name] = value;
  for (const name of ["content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"]) {
    const override = request.query.get(`response-${name}`);
    if (override !== null) headers[name === "content-type" ? "Content-Type" : name] = override;
  }
  return headers;
}

export async function getObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string, head: boolean): Promise<UnkaiResponse> {
  await requireBucket(context, bucketName);
  // Read the row again if an overwrite deleted its body between the read and the open.
  for (let attempt = 0; ; attempt++) {
    const object = await requireObject(context, bucketName, key);
    const headers = objectHeaders(object, request);
    if (checkConditions(request, object) === "not-modified") {
      return { status: 304, headers: { ETag: headers.ETag ?? "", "Last-Modified": headers["Last-Modified"] ?? "" } };
    }
    const range = byteRange(request.headers.range, object.size);
    const length = range ? range.end - range.start + 1 : object.size;
    if (range) headers["Content-Range"] = `bytes ${range.start}-${range.end}/${object.size}`;
    headers["Content-Length"] = String(length);
    const status = range ? 206 : 200;
    // An empty stream keeps the Content-Length above on HEAD answers (the adapter writes no body for HEAD).
    if (head || length === 0) return { status, headers, body: Readable.from([]) };
    const body = await context.bodies.reader(object.blob, range);
    if (body) return { status, headers, body };
    if (attempt > 3) throw new S3Error("InternalError", "The object changed while it was being read; please try again.");
  }
}

export async function deleteObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const condition = writeConditionOf(request);
  if (!condition) return removeObject(context, request, bucket, key);
  return context.conditionalWrites.run(bucketName, key, () => removeObject(context, request, bucket, key, condition));
}

async function removeObject(context: S3Context, request: UnkaiRequest, bucket: BucketRecord, key: string, condition?: WriteCondition): Promise<UnkaiResponse> {
  const { removed, events } = await context.commit({
    deleteObjects: { bucket: bucket.name, keys: [key] },
    check: condition ? ([current]) => checkWriteCondition(condition, current, bucket.name, key) : undefined,
    events: ({ removed: gone }) => gone.flatMap((o) => eventsFor(context, bucket, { eventName: "ObjectRemoved:Delete", key: o.key }, request)),
  });
  await announce(context, bucket, removed.map((o) => ({ eventName: "ObjectRemoved:Delete", key: o.key })), events, request);
  for (const object of removed) await context.bodies.remove(object.blob);
  return { status: 204 };
}

/** Hashes what passes through it (a copy's new ETag). */
class Md5Through extends Transform {
  readonly hash = createHash("md5");
  size = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }
}

/** The bucket and key an `x-amz-copy-source` header names. */
export function copySource(header: string): { bucket: string; key: string } {
  let path: string;
  try {
    path = decodeURIComponent(header.split("?")[0] ?? "").replace(/^\//, "");
  } catch {
    throw new S3Error("InvalidArgument", "Invalid copy source encoding.");
  }
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1) {
    throw new S3Error("InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  }
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

export async function copyObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  validateKey(key);
  const source = copySource(request.headers["x-amz-copy-source"] ?? "");
  await requireBucket(context, source.bucket);
  await requireBucket(context, bucketName);
  const original = await requireObject(context, source.bucket, source.key);
  checkCopySourceConditions(request, original);
  const replace = (request.headers["x-amz-metadata-directive"] ?? "COPY").toUpperCase() === "REPLACE";
  if (source.bucket === bucketName && source.key === key && !replace) {
    throw new S3Error(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const body = await context.bodies.reader(original.blob);
  if (!body) throw new S3Error("NoSuchKey", "The copy source was deleted while it was being copied.", `/${source.bucket}/${source.key}`);
  const hashing = new Md5Through();
  body.once("error", (error) => hashing.destroy(error));
  const blob = await context.bodies.write(body.pipe(hashing));
  const etag = hashing.hash.digest("hex");
  const lastModified = Date.now();
  const record = { bucket: bucketName, key, blob, size: hashing.size, etag, lastModified, headers: replace ? storedHeaders(request) : original.headers };
  await commitObject(context, request, record, "ObjectCreated:Copy");
  return xmlResponse("CopyObjectResult", { LastModified: new Date(lastModified).toISOString(), ETag: quoted(etag) });
}
