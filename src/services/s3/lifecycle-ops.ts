/**
 * PutBucketLifecycleConfiguration (validated in lifecycle-config.ts), GetBucketLifecycleConfiguration
 * (NoSuchLifecycleConfiguration when there is none) and DeleteBucketLifecycle. The rules are acted on
 * in the background (lifecycle-timers.ts): a change re-times the bucket's sweep.
 */
import { bucketSettingId } from "../../core/s3-bucket-settings.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { lifecycleRules, ruleElements } from "./lifecycle-config.js";
import { parseXml, xmlResponse } from "./xml.js";

export async function putBucketLifecycle(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const rules = lifecycleRules(parseXml(request.body, "LifecycleConfiguration"));
  await context.settings.put(bucketSettingId(bucket, "lifecycle"), { bucket, kind: "lifecycle", rules });
  await context.lifecycle?.changed(bucket, rules.some((rule) => rule.enabled));
  // Current SDKs read this header; S3 answers it since its 2024 change of the transition minimum.
  return { status: 200, headers: { "x-amz-transition-default-minimum-object-size": "all_storage_classes_128K" } };
}

export async function getBucketLifecycle(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const setting = await context.settings.get(bucketSettingId(bucket, "lifecycle"));
  if (setting?.kind !== "lifecycle") throw new S3Error("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", `/${bucket}`, { BucketName: bucket });
  return xmlResponse("LifecycleConfiguration", { Rule: ruleElements(setting.rules) }, { "x-amz-transition-default-minimum-object-size": "all_storage_classes_128K" });
}

export async function deleteBucketLifecycle(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  await context.settings.delete(bucketSettingId(bucket, "lifecycle"));
  await context.lifecycle?.changed(bucket, false);
  return { status: 204 };
}
