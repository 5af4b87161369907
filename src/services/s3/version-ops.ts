/**
 * Versions as an unversioned bucket has them (Unkai does not version yet): every object is its key's
 * one version, whose id is `null`. ListObjectVersions lists them so, GetBucketVersioning says versioning
 * was never enabled, and `versionId=null` names the object itself; any other version id names nothing.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { isoTime, quoted, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { collect, encoder, maxKeysOf, ownerOf } from "./list-ops.js";
import { xmlResponse } from "./xml.js";

export const NULL_VERSION = "null";

const invalidVersion = (versionId: string) => new S3Error("InvalidArgument", "Invalid version id specified", undefined, { ArgumentName: "versionId", ArgumentValue: versionId });

/** Refuses a `versionId` other than `null` (no object here has another); `what` names the parameter for the error. */
export function checkVersionId(versionId: string | null, what = "versionId"): void {
  if (versionId === null || versionId === NULL_VERSION) return;
  const error = invalidVersion(versionId);
  throw what === "versionId" ? error : new S3Error("InvalidArgument", error.message, undefined, { ArgumentName: what, ArgumentValue: versionId });
}

/** The markers of a ListObjectVersions request: where the listing resumes (after `after`, a key). */
function markersOf(request: UnkaiRequest): { keyMarker: string; versionIdMarker: string; after: string } {
  const keyMarker = request.query.get("key-marker") ?? "";
  const versionIdMarker = request.query.get("version-id-marker") ?? "";
  if (versionIdMarker !== "" && keyMarker === "") {
    throw new S3Error("InvalidArgument", "A version-id marker cannot be specified without a key marker.", undefined, { ArgumentName: "version-id-marker", ArgumentValue: versionIdMarker });
  }
  if (versionIdMarker !== "") checkVersionId(versionIdMarker, "version-id-marker");
  // A key has one version (null): whether the marker names it or not, the listing goes on after that key.
  return { keyMarker, versionIdMarker, after: keyMarker };
}

export async function listObjectVersions(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const prefix = request.query.get("prefix") ?? "";
  const delimiter = request.query.get("delimiter") ?? "";
  const maxKeys = maxKeysOf(request);
  const encode = encoder(request);
  const { keyMarker, versionIdMarker, after } = markersOf(request);
  const listing = await collect(context, bucket, prefix, delimiter, after, maxKeys);
  const body: Record<string, unknown> = { Name: bucket, Prefix: encode(prefix), KeyMarker: encode(keyMarker), VersionIdMarker: versionIdMarker };
  if (listing.truncated && listing.last !== undefined) {
    body.NextKeyMarker = encode(listing.last);
    body.NextVersionIdMarker = NULL_VERSION;
  }
  body.MaxKeys = maxKeys;
  if (delimiter !== "") body.Delimiter = encode(delimiter);
  body.IsTruncated = listing.truncated;
  if (listing.contents.length > 0) {
    body.Version = listing.contents.map((o) => ({
      Key: encode(o.key), VersionId: NULL_VERSION, IsLatest: true, LastModified: isoTime(o.lastModified), ETag: quoted(o.etag), Size: o.size, Owner: ownerOf(context), StorageClass: "STANDARD",
    }));
  }
  if (listing.prefixes.length > 0) body.CommonPrefixes = listing.prefixes.map((p) => ({ Prefix: encode(p) }));
  if (request.query.get("encoding-type") === "url") body.EncodingType = "url";
  return xmlResponse("ListVersionsResult", body);
}

/** A bucket that never had versioning enabled answers an empty configuration (no Status). */
export async function getBucketVersioning(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  return xmlResponse("VersioningConfiguration", {});
}

/** The version id a GET/HEAD answer names: `null` when the request asked for one (S3 names it then). */
export function versionHeaders(request: UnkaiRequest): Record<string, string> {
  return request.query.has("versionId") ? { "x-amz-version-id": NULL_VERSION } : {};
}
