/**
 * ListMultipartUploads: uploads in progress in key then upload-id order, after `key-marker` /
 * `upload-id-marker`, within `prefix`, with keys that contain `delimiter` past the prefix rolled into
 * CommonPrefixes as ListObjects rolls them; `encoding-type=url`.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { UploadRecord } from "../../store/ports.js";
import { isoTime, requireBucket, type S3Context } from "./context.js";
import { encoder } from "./list-ops.js";
import { boundedNumber, uploadOwner } from "./multipart-ops.js";
import { xmlResponse } from "./xml.js";

const BATCH = 1000;
/** Sorts after every upload id, and after every key that starts with the prefix it is appended to. */
const PAST = "\u{10FFFF}";

interface UploadListing {
  readonly uploads: UploadRecord[];
  readonly prefixes: string[];
  readonly truncated: boolean;
  /** Where the next page starts after: the last upload's key and id, or the last common prefix (and no id). */
  readonly next: { key: string; uploadId: string } | undefined;
}

interface Cursor { key: string; uploadId: string }

/** Walks uploads after `after`, rolling keys that contain `delimiter` past `prefix` into common prefixes. */
async function collectUploads(context: S3Context, bucket: string, prefix: string, delimiter: string, after: Cursor, maxUploads: number): Promise<UploadListing> {
  const uploads: UploadRecord[] = [];
  const prefixes: string[] = [];
  let next: UploadListing["next"];
  let cursor = after;
  if (maxUploads === 0) return { uploads, prefixes, truncated: false, next };
  for (;;) {
    const rows = await context.store.uploads(bucket, prefix, cursor.key, cursor.uploadId, BATCH);
    let jumped = false;
    for (const row of rows) {
      const at = delimiter === "" ? -1 : row.key.indexOf(delimiter, prefix.length);
      const common = at < 0 ? undefined : row.key.slice(0, at + delimiter.length);
      // A common prefix is one entry: skip the rest of its uploads, and those of one the marker lies in.
      const skipPrefix = common !== undefined && after.key.startsWith(common);
      if (!skipPrefix && uploads.length + prefixes.length === maxUploads) return { uploads, prefixes, truncated: true, next };
      if (common !== undefined) {
        if (!skipPrefix) prefixes.push(common);
        if (!skipPrefix) next = { key: common, uploadId: "" };
        cursor = { key: common + PAST, uploadId: PAST };
        jumped = true;
        break;
      }
      uploads.push(row);
      next = { key: row.key, uploadId: row.uploadId };
      cursor = next;
    }
    if (!jumped && rows.length < BATCH) return { uploads, prefixes, truncated: false, next };
  }
}

export async function listUploads(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const maxUploads = boundedNumber(request, "max-uploads", 1000, 1000);
  const prefix = request.query.get("prefix") ?? "";
  const delimiter = request.query.get("delimiter") ?? "";
  const keyMarker = request.query.get("key-marker") ?? "";
  const uploadIdMarker = request.query.get("upload-id-marker") ?? "";
  const encode = encoder(request);
  // As S3: upload-id-marker counts only with key-marker; key-marker alone lists the keys after it.
  const after = { key: keyMarker, uploadId: keyMarker === "" ? "" : uploadIdMarker === "" ? PAST : uploadIdMarker };
  const listing = await collectUploads(context, bucket, prefix, delimiter, after, maxUploads);
  const body: Record<string, unknown> = {
    Bucket: bucket, KeyMarker: encode(keyMarker), UploadIdMarker: uploadIdMarker,
    NextKeyMarker: encode(listing.next?.key ?? ""), NextUploadIdMarker: listing.next?.uploadId ?? "",
    ...(delimiter === "" ? {} : { Delimiter: encode(delimiter) }), Prefix: encode(prefix), MaxUploads: maxUploads, IsTruncated: listing.truncated,
  };
  if (request.query.get("encoding-type") === "url") body.EncodingType = "url";
  if (listing.uploads.length > 0) {
    const owner = uploadOwner(context);
    body.Upload = listing.uploads.map((u) => ({ Key: encode(u.key), UploadId: u.uploadId, Initiator: owner, Owner: owner, StorageClass: "STANDARD", Initiated: isoTime(u.initiated) }));
  }
  if (listing.prefixes.length > 0) body.CommonPrefixes = listing.prefixes.map((p) => ({ Prefix: encode(p) }));
  return xmlResponse("ListMultipartUploadsResult", body);
}
