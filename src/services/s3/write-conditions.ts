/**
 * Conditional writes and copies: `If-None-Match: *` and `If-Match` on PutObject,
 * CompleteMultipartUpload and DeleteObject, and CopyObject's `x-amz-copy-source-if-*` headers. Tools
 * use conditional writes as locks (Terraform's S3 lockfile), so exactly one of two racing conditional
 * writes to a key may win: the other gets 409 ConditionalRequestConflict while the first is in flight,
 * or 412 once it has landed.
 */
import type { UnkaiRequest } from "../../protocol/http.js";
import type { ObjectRecord } from "../../store/ports.js";
import { S3Error } from "./errors.js";

const unquote = (tag: string): string => tag.trim().replace(/^"|"$/g, "");

export interface WriteCondition {
  /** `If-None-Match: *`: only create. */
  readonly absent: boolean;
  /** `If-Match`: only replace (or delete) the object with this ETag. */
  readonly etag: string | undefined;
}

/** The request's write condition; undefined for an unconditional write. */
export function writeConditionOf(request: UnkaiRequest): WriteCondition | undefined {
  const ifNoneMatch = request.headers["if-none-match"];
  const ifMatch = request.headers["if-match"];
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") {
    throw new S3Error("NotImplemented", "A header you provided implies functionality that is not implemented: If-None-Match on a write accepts only *.", undefined, { Header: "If-None-Match" });
  }
  return { absent: ifNoneMatch !== undefined, etag: ifMatch === undefined ? undefined : unquote(ifMatch) };
}

function failed(condition: string): S3Error {
  return new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", undefined, { Condition: condition });
}

/** Throws 412 (or 404 for an If-Match on a missing key, as S3 does) unless `current` satisfies the condition. */
export function checkWriteCondition(condition: WriteCondition, row: ObjectRecord | undefined, bucket: string, key: string): void {
  // A key whose current version is a delete marker has no object.
  const current = row?.deleteMarker ? undefined : row;
  if (condition.absent && current) throw failed("If-None-Match");
  if (condition.etag === undefined) return;
  if (!current) throw new S3Error("NoSuchKey", "The specified key does not exist.", `/${bucket}/${key}`, { Key: key });
  if (condition.etag !== "*" && condition.etag !== current.etag) throw failed("If-Match");
}

/**
 * The keys with a conditional write in flight on this node. A second conditional write to the same
 * key while one is in flight is refused with 409, as S3 does. Across nodes the store settles it: the
 * condition is checked inside the commit, under a lock on the key (WriteUnit.check).
 */
export class ConditionalWrites {
  private readonly inFlight = new Set<string>();

  async run<T>(bucket: string, key: string, write: () => Promise<T>): Promise<T> {
    const id = `${bucket}/${key}`;
    if (this.inFlight.has(id)) {
      throw new S3Error("ConditionalRequestConflict", "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part.", `/${bucket}/${key}`);
    }
    this.inFlight.add(id);
    try {
      return await write();
    } finally {
      this.inFlight.delete(id);
    }
  }
}

/** CopyObject's conditions on its source; a failed one is 412, never a 304. */
export function checkCopySourceConditions(request: UnkaiRequest, source: ObjectRecord): void {
  const header = (name: string) => request.headers[`x-amz-copy-source-${name}`];
  const seconds = (ms: number) => Math.floor(ms / 1000);
  const date = (value: string | undefined) => (value === undefined || Number.isNaN(Date.parse(value)) ? undefined : Date.parse(value));
  const modified = seconds(source.lastModified);
  const ifMatch = header("if-match");
  const ifNoneMatch = header("if-none-match");
  // As in S3: a true If-Match overrides a false If-Unmodified-Since, and a false If-None-Match
  // together with a true If-Modified-Since still fails.
  if (ifMatch !== undefined) {
    const tags = ifMatch.split(",").map(unquote);
    if (!tags.includes("*") && !tags.includes(source.etag)) throw failed("x-amz-copy-source-If-Match");
  } else {
    const since = date(header("if-unmodified-since"));
    if (since !== undefined && modified > seconds(since)) throw failed("x-amz-copy-source-If-Unmodified-Since");
  }
  if (ifNoneMatch !== undefined) {
    const tags = ifNoneMatch.split(",").map(unquote);
    if (tags.includes("*") || tags.includes(source.etag)) throw failed("x-amz-copy-source-If-None-Match");
  } else {
    const since = date(header("if-modified-since"));
    if (since !== undefined && modified <= seconds(since)) throw failed("x-amz-copy-source-If-Modified-Since");
  }
}
