/**
 * Bucket versioning: PutBucketVersioning and GetBucketVersioning (Enabled, Suspended; a bucket that never
 * had it answers no Status), and ListObjectVersions: every version and delete marker, keys in order and
 * each key's versions newest first, with prefix, delimiter and key/version-id markers across pages.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { ListedVersion } from "../../store/ports.js";
import { listedChecksum } from "./checksums.js";
import { isoTime, quoted, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { encoder, maxKeysOf, ownerOf } from "./list-ops.js";
import { parseVersionId, shownVersion } from "./versions.js";
import { parseXml, text, xmlResponse } from "./xml.js";

const BATCH = 1000;
/** Sorts after every key that starts with the prefix it is appended to. */
const PAST = "\u{10FFFF}";

export async function putBucketVersioning(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const config = parseXml(request.body, "VersioningConfiguration");
  const mfaDelete = text(config.MfaDelete);
  if (mfaDelete === "Enabled") throw new S3Error("NotImplemented", "Unkai does not implement MFA delete: send MfaDelete Disabled or leave it out.", undefined, { Header: "x-amz-mfa" });
  if (mfaDelete !== "" && mfaDelete !== "Disabled") throw new S3Error("IllegalVersioningConfigurationException", "The MfaDelete element must be Enabled or Disabled.");
  const status = text(config.Status);
  if (status !== "Enabled" && status !== "Suspended") {
    throw new S3Error("IllegalVersioningConfigurationException", "The Versioning element must be specified: Status is Enabled or Suspended.");
  }
  await context.store.setVersioning(bucket, status);
  return { status: 200 };
}

/** A bucket that never had versioning enabled answers an empty configuration (no Status). */
export async function getBucketVersioning(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  const record = await requireBucket(context, bucket);
  return xmlResponse("VersioningConfiguration", record.versioning === undefined ? {} : { Status: record.versioning });
}

interface VersionPage {
  readonly entries: ListedVersion[];
  readonly prefixes: string[];
  readonly truncated: boolean;
  /** Where the next page starts: the last key (or common prefix) returned and, for a version, its id. */
  readonly next?: { key: string; versionId?: string };
}

/** Where a listing resumes: after the version `version-id-marker` names (by its sequence), or after all of `key-marker`. */
async function resumeAt(context: S3Context, request: UnkaiRequest, bucket: string): Promise<{ keyMarker: string; versionIdMarker: string; sequence: string }> {
  const keyMarker = request.query.get("key-marker") ?? "";
  const versionIdMarker = request.query.get("version-id-marker") ?? "";
  if (versionIdMarker === "") return { keyMarker, versionIdMarker, sequence: "" };
  if (keyMarker === "") {
    throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", undefined, { ArgumentName: "version-id-marker", ArgumentValue: versionIdMarker });
  }
  const id = parseVersionId(versionIdMarker, "version-id-marker");
  // A version id is its own sequence; the null version's is looked up (gone since: the key is done).
  const sequence = id ?? (await context.store.objectVersion(bucket, keyMarker, undefined))?.sequence ?? "";
  return { keyMarker, versionIdMarker, sequence };
}

/** Walks versions after the marker, rolling keys that contain `delimiter` past `prefix` into common prefixes. */
async function collectVersions(context: S3Context, bucket: string, prefix: string, delimiter: string, marker: { keyMarker: string; sequence: string }, maxKeys: number): Promise<VersionPage> {
  const entries: ListedVersion[] = [];
  const prefixes: string[] = [];
  let cursor = { key: marker.keyMarker, sequence: marker.sequence };
  let next: VersionPage["next"];
  if (maxKeys === 0) return { entries, prefixes, truncated: false };
  for (;;) {
    const rows = await context.store.listVersions(bucket, prefix, cursor.key, cursor.sequence, BATCH);
    let jumped = false;
    for (const row of rows) {
      const { key } = row.record;
      const at = delimiter === "" ? -1 : key.indexOf(delimiter, prefix.length);
      const common = at < 0 ? undefined : key.slice(0, at + delimiter.length);
      if (common !== undefined && marker.keyMarker.startsWith(common)) {
        // The marker lies inside this common prefix: an earlier page returned it already.
        cursor = { key: common + PAST, sequence: "" };
        jumped = true;
        break;
      }
      if (entries.length + prefixes.length === maxKeys) return { entries, prefixes, truncated: true, next };
      if (common !== undefined) {
        prefixes.push(common);
        next = { key: common };
        cursor = { key: common + PAST, sequence: "" };
        jumped = true;
        break;
      }
      entries.push(row);
      next = { key, versionId: shownVersion(row.record) };
      cursor = { key, sequence: row.record.sequence ?? "" };
    }
    if (!jumped && rows.length < BATCH) return { entries, prefixes, truncated: false, next };
  }
}

export async function listObjectVersions(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const prefix = request.query.get("prefix") ?? "";
  const delimiter = request.query.get("delimiter") ?? "";
  const maxKeys = maxKeysOf(request);
  const encode = encoder(request);
  const marker = await resumeAt(context, request, bucket);
  const page = await collectVersions(context, bucket, prefix, delimiter, marker, maxKeys);
  const body: Record<string, unknown> = { Name: bucket, Prefix: encode(prefix), KeyMarker: encode(marker.keyMarker), VersionIdMarker: marker.versionIdMarker };
  if (page.truncated && page.next !== undefined) {
    body.NextKeyMarker = encode(page.next.key);
    if (page.next.versionId !== undefined) body.NextVersionIdMarker = page.next.versionId;
  }
  body.MaxKeys = maxKeys;
  if (delimiter !== "") body.Delimiter = encode(delimiter);
  body.IsTruncated = page.truncated;
  const owner = ownerOf(context);
  const versions = page.entries.filter((e) => !e.record.deleteMarker);
  const markers = page.entries.filter((e) => e.record.deleteMarker);
  if (versions.length > 0) {
    body.Version = versions.map(({ record: o, latest }) => ({
      Key: encode(o.key), VersionId: shownVersion(o), IsLatest: latest, LastModified: isoTime(o.lastModified), ETag: quoted(o.etag), ...listedChecksum(o.headers), Size: o.size, Owner: owner, StorageClass: "STANDARD",
    }));
  }
  if (markers.length > 0) {
    body.DeleteMarker = markers.map(({ record: o, latest }) => ({ Key: encode(o.key), VersionId: shownVersion(o), IsLatest: latest, LastModified: isoTime(o.lastModified), Owner: owner }));
  }
  if (page.prefixes.length > 0) body.CommonPrefixes = page.prefixes.map((p) => ({ Prefix: encode(p) }));
  if (request.query.get("encoding-type") === "url") body.EncodingType = "url";
  return xmlResponse("ListVersionsResult", body);
}
