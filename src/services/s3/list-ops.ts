/** Listing: ListObjectsV2 and ListObjects (prefix, delimiter, continuation, max-keys, encoding-type=url). */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { ObjectRecord } from "../../store/ports.js";
import { listedChecksum } from "./checksums.js";
import { isoTime, quoted, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { xmlResponse } from "./xml.js";

export interface Listing {
  readonly contents: ObjectRecord[];
  readonly prefixes: string[];
  readonly truncated: boolean;
  /** The last key or common prefix returned: where the next page starts after. */
  readonly last: string | undefined;
}

const BATCH = 1000;
/** Sorts after every key that starts with the prefix it is appended to. */
const PAST = "\u{10FFFF}";

/** Walks keys in order after `after`, rolling keys that contain `delimiter` past `prefix` into common prefixes. */
export async function collect(context: S3Context, bucket: string, prefix: string, delimiter: string, after: string, maxKeys: number): Promise<Listing> {
  const contents: ObjectRecord[] = [];
  const prefixes: string[] = [];
  let cursor = after;
  let last: string | undefined;
  // max-keys=0 asks for no entries, and S3 says nothing is left out by that (IsTruncated false).
  if (maxKeys === 0) return { contents, prefixes, truncated: false, last };
  for (;;) {
    const rows = await context.store.listObjects(bucket, prefix, cursor, BATCH);
    let jumped = false;
    for (const row of rows) {
      const at = delimiter === "" ? -1 : row.key.indexOf(delimiter, prefix.length);
      const common = at < 0 ? undefined : row.key.slice(0, at + delimiter.length);
      if (common !== undefined && after.startsWith(common)) {
        // The marker lies inside this common prefix: the previous page returned it already.
        cursor = common + PAST;
        jumped = true;
        break;
      }
      if (contents.length + prefixes.length === maxKeys) return { contents, prefixes, truncated: true, last };
      if (common !== undefined) {
        prefixes.push(common);
        last = common;
        cursor = common + PAST;
        jumped = true;
        break;
      }
      contents.push(row);
      last = row.key;
      cursor = row.key;
    }
    if (!jumped && rows.length < BATCH) return { contents, prefixes, truncated: false, last };
  }
}

export function maxKeysOf(request: UnkaiRequest): number {
  const text = request.query.get("max-keys");
  if (text === null) return 1000;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new S3Error("InvalidArgument", "max-keys must be a whole number from 0.", undefined, { ArgumentName: "max-keys", ArgumentValue: text });
  return Math.min(value, 1000);
}

export function encoder(request: UnkaiRequest): (text: string) => string {
  const type = request.query.get("encoding-type");
  if (type === null) return (text) => text;
  if (type !== "url") throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request: use url.", undefined, { ArgumentName: "encoding-type", ArgumentValue: type });
  return (text) => encodeURIComponent(text).replace(/%2F/g, "/");
}

/** `owner`: the bucket owner to name on each entry (ListObjects always; ListObjectsV2 with fetch-owner=true). */
function entries(listing: Listing, encode: (text: string) => string, owner?: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (listing.contents.length > 0) {
    out.Contents = listing.contents.map((o) => ({
      Key: encode(o.key), LastModified: isoTime(o.lastModified), ETag: quoted(o.etag), ...listedChecksum(o.headers), Size: o.size, ...(owner ? { Owner: owner } : {}), StorageClass: "STANDARD",
    }));
  }
  if (listing.prefixes.length > 0) out.CommonPrefixes = listing.prefixes.map((p) => ({ Prefix: encode(p) }));
  return out;
}

export async function listObjectsV2(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const prefix = request.query.get("prefix") ?? "";
  const delimiter = request.query.get("delimiter") ?? "";
  const token = request.query.get("continuation-token");
  const startAfter = request.query.get("start-after") ?? "";
  const maxKeys = maxKeysOf(request);
  const encode = encoder(request);
  let after = startAfter;
  // An empty token (`continuation-token=`, as some clients send on the first page) means no token.
  if (token !== null && token !== "") {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (Buffer.from(after, "utf8").toString("base64url") !== token) {
      throw new S3Error("InvalidArgument", "The continuation token provided is incorrect.", undefined, { ArgumentName: "continuation-token" });
    }
  }
  const listing = await collect(context, bucket, prefix, delimiter, after, maxKeys);
  const body: Record<string, unknown> = { Name: bucket, Prefix: encode(prefix) };
  if (delimiter !== "") body.Delimiter = encode(delimiter);
  body.MaxKeys = maxKeys;
  body.KeyCount = listing.contents.length + listing.prefixes.length;
  body.IsTruncated = listing.truncated;
  if (token !== null && token !== "") body.ContinuationToken = token;
  if (listing.truncated && listing.last !== undefined) body.NextContinuationToken = Buffer.from(listing.last, "utf8").toString("base64url");
  if (startAfter !== "") body.StartAfter = encode(startAfter);
  if (request.query.get("encoding-type") === "url") body.EncodingType = "url";
  const owner = request.query.get("fetch-owner") === "true" ? ownerOf(context) : undefined;
  return xmlResponse("ListBucketResult", { ...body, ...entries(listing, encode, owner) });
}

export function ownerOf(context: S3Context): Record<string, string> {
  return { ID: context.accountId, DisplayName: "unkai" };
}

export async function listObjectsV1(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const prefix = request.query.get("prefix") ?? "";
  const delimiter = request.query.get("delimiter") ?? "";
  const marker = request.query.get("marker") ?? "";
  const maxKeys = maxKeysOf(request);
  const encode = encoder(request);
  const listing = await collect(context, bucket, prefix, delimiter, marker, maxKeys);
  const body: Record<string, unknown> = { Name: bucket, Prefix: encode(prefix), Marker: encode(marker) };
  if (listing.truncated && delimiter !== "" && listing.last !== undefined) body.NextMarker = encode(listing.last);
  body.MaxKeys = maxKeys;
  if (delimiter !== "") body.Delimiter = encode(delimiter);
  body.IsTruncated = listing.truncated;
  if (request.query.get("encoding-type") === "url") body.EncodingType = "url";
  return xmlResponse("ListBucketResult", { ...body, ...entries(listing, encode, ownerOf(context)) });
}
