/** Bucket tagging: PutBucketTagging, GetBucketTagging (NoSuchTagSet when there are none), DeleteBucketTagging. */
import { bucketSettingId } from "../../core/s3-bucket-settings.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { tagSetPairs, validTags } from "./tagging-ops.js";
import { xmlResponse } from "./xml.js";

/** A bucket takes up to 50 tags (an object 10). */
const MAX_BUCKET_TAGS = 50;

export async function putBucketTagging(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const pairs = tagSetPairs(request);
  // Keys under `aws:` are AWS's own (CloudFormation's stack tags); S3 refuses them from callers.
  if (pairs.some(([key]) => key.toLowerCase().startsWith("aws:"))) throw new S3Error("InvalidTag", "System tags cannot be added/updated by requester");
  const tags = validTags(pairs, MAX_BUCKET_TAGS, "Bucket");
  // An empty TagSet leaves the bucket without tags, as DeleteBucketTagging does.
  if (Object.keys(tags).length === 0) await context.settings.delete(bucketSettingId(bucket, "tagging"));
  else await context.settings.put(bucketSettingId(bucket, "tagging"), { bucket, kind: "tagging", tags });
  return { status: 204 };
}

export async function getBucketTagging(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const setting = await context.settings.get(bucketSettingId(bucket, "tagging"));
  if (setting?.kind !== "tagging") throw new S3Error("NoSuchTagSet", "The TagSet does not exist", `/${bucket}`, { BucketName: bucket });
  const tags = Object.entries(setting.tags).map(([Key, Value]) => ({ Key, Value }));
  return xmlResponse("Tagging", { TagSet: { Tag: tags } });
}

export async function deleteBucketTagging(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  await context.settings.delete(bucketSettingId(bucket, "tagging"));
  return { status: 204 };
}
