/** Object tagging: PutObjectTagging, GetObjectTagging, DeleteObjectTagging, and `x-amz-tagging` on uploads and copies. */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { setOwn } from "../../core/own-keys.js";
import type { BucketRecord, ObjectRecord } from "../../store/ports.js";
import { announce, deliverableNotification, deliveriesFor, requireBucket, requireObject, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { shownVersion } from "./versions.js";
import { listOf, parseXml, text, xmlResponse } from "./xml.js";

const MAX_TAGS = 10;
const MAX_KEY_CHARS = 128;
const MAX_VALUE_CHARS = 256;

/** Checks a tag set against S3's limits (InvalidTag) and returns it as a record; buckets may have more tags than objects. */
export function validTags(pairs: readonly [string, string][], maxTags = MAX_TAGS, noun = "Object"): Record<string, string> {
  if (pairs.length > maxTags) throw new S3Error("InvalidTag", `${noun} tags cannot be greater than ${maxTags}`);
  const tags: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (key === "") throw new S3Error("InvalidTag", "The TagKey you have provided is invalid");
    if ([...key].length > MAX_KEY_CHARS) throw new S3Error("InvalidTag", `The TagKey you have provided is too long, max ${MAX_KEY_CHARS}`);
    if ([...value].length > MAX_VALUE_CHARS) throw new S3Error("InvalidTag", `The TagValue you have provided is too long, max ${MAX_VALUE_CHARS}`);
    if (Object.hasOwn(tags, key)) throw new S3Error("InvalidTag", "Cannot provide multiple Tags with the same key");
    setOwn(tags, key, value);
  }
  return tags;
}

/** The tags an `x-amz-tagging` header (a URL-encoded query string) sets; undefined when absent. */
export function taggingHeader(request: UnkaiRequest): Record<string, string> | undefined {
  const header = request.headers["x-amz-tagging"];
  if (header === undefined) return undefined;
  return validTags([...new URLSearchParams(header)]);
}

/** `x-amz-tagging-count` for GET/HEAD answers of a tagged object. */
export function tagCountHeader(object: ObjectRecord): Record<string, string> {
  const count = Object.keys(object.tags ?? {}).length;
  return count > 0 ? { "x-amz-tagging-count": String(count) } : {};
}

/**
 * Replaces the tags of the object as it is now; an overwrite that lands first wins and the call is
 * retried on the new row. The change is announced as S3 does, "Object Tags Added" / "Object Tags Deleted"
 * to EventBridge, stored in the same commit (a crash before the send loses nothing). Bucket notification
 * configurations cannot ask for `s3:ObjectTagging:*` here (S3_EVENT_TYPES), so only EventBridge hears of it.
 */
async function retag(context: S3Context, request: UnkaiRequest, bucket: BucketRecord, key: string, tags: Record<string, string>, eventName: string): Promise<void> {
  const config = await deliverableNotification(context, bucket);
  for (let attempt = 0; attempt < 5; attempt++) {
    const object = await requireObject(context, bucket.name, key);
    const versioned = bucket.versioning !== undefined || object.versionId !== undefined ? { versionId: shownVersion(object) } : {};
    const change = { eventName, key: object.key, eTag: object.etag, ...versioned };
    try {
      const done = await context.commit({
        putObjects: [{ ...object, tags }],
        check: ([current]) => {
          if (current?.blob !== object.blob) throw new S3Error("InternalError", "retag: the object changed");
        },
        deliveries: () => deliveriesFor(context, bucket, config, change, request),
      });
      await announce(context, done);
      return;
    } catch (error) {
      if (!(error instanceof S3Error && error.message.startsWith("retag:"))) throw error;
    }
  }
  throw new S3Error("InternalError", "The object kept changing while its tags were being written; please try again.");
}

/** The key/value pairs of a `<Tagging><TagSet>` body, unchecked. */
export function tagSetPairs(request: UnkaiRequest): [string, string][] {
  const tagSet = parseXml(request.body, "Tagging").TagSet;
  if (tagSet === undefined) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: it has no TagSet.");
  const entries = tagSet === "" ? [] : listOf((tagSet as Record<string, unknown>).Tag);
  return entries.map((tag): [string, string] => [text(tag.Key), text(tag.Value)]);
}

export async function putObjectTagging(context: S3Context, request: UnkaiRequest, bucket: string, key: string): Promise<UnkaiResponse> {
  const found = await requireBucket(context, bucket);
  await retag(context, request, found, key, validTags(tagSetPairs(request)), "ObjectTagging:Put");
  return { status: 200 };
}

export async function getObjectTagging(context: S3Context, bucket: string, key: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const object = await requireObject(context, bucket, key);
  const tags = Object.entries(object.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
  return xmlResponse("Tagging", { TagSet: tags.length > 0 ? { Tag: tags } : "" });
}

export async function deleteObjectTagging(context: S3Context, request: UnkaiRequest, bucket: string, key: string): Promise<UnkaiResponse> {
  const found = await requireBucket(context, bucket);
  await retag(context, request, found, key, {}, "ObjectTagging:Delete");
  return { status: 204 };
}
