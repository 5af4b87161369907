/**
 * Version ids and what a write or read needs to know about versions. Ids are 26 characters of
 * [0-9a-z]: the time in milliseconds, a counter within the millisecond, then random bits, so a later
 * version's id sorts after an earlier one's (the store orders a key's versions by this `sequence`;
 * a `null` version gets one too, it is just never shown).
 */
import { randomBytes } from "node:crypto";
import type { BucketRecord, ObjectRecord } from "../../store/ports.js";
import { S3Error } from "./errors.js";

export const NULL_VERSION = "null";
const ID = /^[0-9a-z]{26}$/;

let lastMs = 0;
let counter = 0;

/** A fresh id that sorts after every id this process made before it. */
export function newSequence(): string {
  const now = Math.max(Date.now(), lastMs);
  counter = now === lastMs ? counter + 1 : 0;
  lastMs = now;
  if (counter >= 36 ** 4) {
    lastMs++;
    counter = 0;
  }
  return `${lastMs.toString(36).padStart(10, "0")}${counter.toString(36).padStart(4, "0")}${randomBytes(6).toString("hex")}`;
}

/**
 * A version named by a request: `undefined` is the `null` version. Anything that is neither `null`
 * nor an id of Unkai's shape is refused as S3 does (InvalidArgument), naming the parameter.
 */
export function parseVersionId(text: string, argument = "versionId"): string | undefined {
  if (text === NULL_VERSION) return undefined;
  if (!ID.test(text)) throw new S3Error("InvalidArgument", "Invalid version id specified", undefined, { ArgumentName: argument, ArgumentValue: text });
  return text;
}

/** The version a request's `?versionId=` names: absent when it names none, `{ id: undefined }` for `null`. */
export function requestedVersion(query: URLSearchParams): { id: string | undefined } | undefined {
  const text = query.get("versionId");
  return text === null ? undefined : { id: parseVersionId(text) };
}

/** The id S3 shows for a version. */
export const shownVersion = (record: ObjectRecord): string => record.versionId ?? NULL_VERSION;

/** The version fields of a new write to `bucket`: a fresh id while versioning is enabled, else the `null` version. */
export function newVersion(bucket: BucketRecord): Pick<ObjectRecord, "versionId" | "sequence"> {
  const sequence = newSequence();
  return bucket.versioning === "Enabled" ? { versionId: sequence, sequence } : { sequence };
}

/**
 * `x-amz-version-id` for an answer about `record`: S3 names the version once the bucket has a
 * versioning state, or when the request named one (`null` on a bucket that never had versioning).
 */
export function versionHeader(bucket: BucketRecord, record: ObjectRecord, named = false): Record<string, string> {
  return bucket.versioning !== undefined || named || record.versionId !== undefined ? { "x-amz-version-id": shownVersion(record) } : {};
}

/** The headers an answer about a delete marker carries. */
export const markerHeaders = (record: ObjectRecord): Record<string, string> => ({ "x-amz-delete-marker": "true", "x-amz-version-id": shownVersion(record) });

/** A record with no body that hides the key while it is current. */
export function deleteMarker(bucket: BucketRecord, key: string): ObjectRecord {
  return { bucket: bucket.name, key, blob: "", size: 0, etag: "", lastModified: Date.now(), headers: {}, deleteMarker: true, ...newVersion(bucket) };
}

/** The errors for a key whose current version is a delete marker, and for a version id the key lacks. */
export function noSuchKey(bucket: string, key: string, marker?: ObjectRecord): S3Error {
  return new S3Error("NoSuchKey", "The specified key does not exist.", `/${bucket}/${key}`, { Key: key }, marker ? markerHeaders(marker) : {});
}

export function noSuchVersion(bucket: string, key: string, versionId: string | undefined): S3Error {
  return new S3Error("NoSuchVersion", "The specified version does not exist.", `/${bucket}/${key}`, { Key: key, VersionId: versionId ?? NULL_VERSION });
}
