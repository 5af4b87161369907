/**
 * The bucket sub-resources kept as bucket settings (src/core/s3-bucket-settings.ts): `?policy`,
 * `?policyStatus`, `?cors`, `?tagging`, `?website`, `?lifecycle`; and `?acl` and `?ownershipControls`, answered
 * as a BucketOwnerEnforced bucket answers them (acl-ops.ts: nothing stored). Their routes and IAM actions are listed once here; index.ts and
 * authorization.ts ask this table first.
 */
import type { ActionRequest } from "../../core/iam-policy/index.js";
import { BUCKET_SETTING_KINDS, bucketSettingId } from "../../core/s3-bucket-settings.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { deleteBucketTagging, getBucketTagging, putBucketTagging } from "./bucket-tagging-ops.js";
import type { S3Context } from "./context.js";
import { deleteBucketCors, getBucketCors, putBucketCors } from "./cors-ops.js";
import { S3Error } from "./errors.js";
import { getBucketAcl, getOwnershipControls, putBucketAcl, putOwnershipControls } from "./acl-ops.js";
import { deleteBucketLifecycle, getBucketLifecycle, putBucketLifecycle } from "./lifecycle-ops.js";
import { deleteBucketWebsite, getBucketWebsite, putBucketWebsite } from "./website-ops.js";
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from "./sse.js";
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy } from "./policy-ops.js";

type Operation = (context: S3Context, request: UnkaiRequest, bucket: string) => Promise<UnkaiResponse>;

/** Sub-resource → method → [the operation, the IAM action it needs (Service Authorization Reference)]. */
const SETTINGS: Readonly<Record<string, Readonly<Record<string, readonly [Operation, string]>>>> = {
  policy: {
    PUT: [putBucketPolicy, "PutBucketPolicy"],
    GET: [(c, _r, b) => getBucketPolicy(c, b), "GetBucketPolicy"],
    DELETE: [(c, _r, b) => deleteBucketPolicy(c, b), "DeleteBucketPolicy"],
  },
  policyStatus: { GET: [(c, _r, b) => getBucketPolicyStatus(c, b), "GetBucketPolicyStatus"] },
  // DeleteBucketCors and DeleteBucketTagging are authorized by the Put action, as in AWS.
  cors: {
    PUT: [putBucketCors, "PutBucketCORS"],
    GET: [(c, _r, b) => getBucketCors(c, b), "GetBucketCORS"],
    DELETE: [(c, _r, b) => deleteBucketCors(c, b), "PutBucketCORS"],
  },
  tagging: {
    PUT: [putBucketTagging, "PutBucketTagging"],
    GET: [(c, _r, b) => getBucketTagging(c, b), "GetBucketTagging"],
    DELETE: [(c, _r, b) => deleteBucketTagging(c, b), "PutBucketTagging"],
  },
  website: {
    PUT: [putBucketWebsite, "PutBucketWebsite"],
    GET: [(c, _r, b) => getBucketWebsite(c, b), "GetBucketWebsite"],
    DELETE: [(c, _r, b) => deleteBucketWebsite(c, b), "DeleteBucketWebsite"],
  },
  // DeleteBucketLifecycle is authorized by s3:PutLifecycleConfiguration, as in AWS.
  lifecycle: {
    PUT: [putBucketLifecycle, "PutLifecycleConfiguration"],
    GET: [(c, _r, b) => getBucketLifecycle(c, b), "GetLifecycleConfiguration"],
    DELETE: [(c, _r, b) => deleteBucketLifecycle(c, b), "PutLifecycleConfiguration"],
  },
  acl: {
    PUT: [putBucketAcl, "PutBucketAcl"],
    GET: [(c, _r, b) => getBucketAcl(c, b), "GetBucketAcl"],
  },
  // Every bucket is SSE-S3 (sse.ts); DeleteBucketEncryption is authorized by s3:PutEncryptionConfiguration, as in AWS.
  encryption: {
    PUT: [putBucketEncryption, "PutEncryptionConfiguration"],
    GET: [(c, _r, b) => getBucketEncryption(c, b), "GetEncryptionConfiguration"],
    DELETE: [(c, _r, b) => deleteBucketEncryption(c, b), "PutEncryptionConfiguration"],
  },
  ownershipControls: {
    PUT: [putOwnershipControls, "PutBucketOwnershipControls"],
    GET: [(c, _r, b) => getOwnershipControls(c, b), "GetBucketOwnershipControls"],
  },
};

const settingOf = (query: URLSearchParams) => Object.keys(SETTINGS).find((name) => query.has(name));

/** The answer of a bucket-setting request; undefined when the request is not one. */
export function routeBucketSetting(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> | undefined {
  const name = settingOf(request.query);
  if (name === undefined) return undefined;
  const entry = SETTINGS[name]?.[request.method];
  if (entry === undefined) return Promise.reject(new S3Error("MethodNotAllowed", `The specified method ${request.method} is not allowed against this resource.`));
  return entry[0](context, request, bucket);
}

/** The IAM permission a bucket-setting request needs; undefined when the request is not one. */
export function bucketSettingActions(request: UnkaiRequest, bucket: string): ActionRequest[] | undefined {
  const name = settingOf(request.query);
  if (name === undefined) return undefined;
  const entry = SETTINGS[name]?.[request.method];
  return entry === undefined ? [] : [{ action: `s3:${entry[1]}`, resource: `arn:aws:s3:::${bucket}` }];
}

/** Removes every setting of a bucket (deleted, or created anew where a deleted one of its name left some). */
export async function forgetBucketSettings(context: S3Context, bucket: string): Promise<void> {
  for (const kind of BUCKET_SETTING_KINDS) {
    const id = bucketSettingId(bucket, kind);
    // Read first: most buckets have no settings, and a read is cheaper than a durable delete.
    if ((await context.settings.get(id)) === undefined) continue;
    await context.settings.delete(id);
    if (kind === "lifecycle") await context.lifecycle?.changed(bucket, false);
  }
}
