/**
 * S3 requests → IAM actions and resources (Service Authorization Reference, "Actions defined by
 * Amazon S3"), following the same dispatch as index.ts's `route`. Buckets are `arn:aws:s3:::bucket`,
 * objects `arn:aws:s3:::bucket/key`; listing carries `s3:prefix`, `s3:delimiter` and `s3:max-keys`.
 * Sub-resources Unkai answers NotImplemented need no permission: nothing is read or changed.
 */
import type { ActionRequest } from "../../core/iam-policy/index.js";
import type { UnkaiRequest } from "../../protocol/http.js";
import { targetOf } from "./addressing.js";
import { bucketSettingActions } from "./bucket-settings.js";
import { copySource } from "./object-ops.js";
import { listOf, parseXml, text } from "./xml.js";

/** Bucket sub-resources Unkai does not implement: answered NotImplemented rather than mistaken for a listing. */
export const UNSUPPORTED_BUCKET_SUBRESOURCES = [
  "analytics", "intelligent-tiering", "inventory", "logging", "metrics", "object-lock",
  "publicAccessBlock", "replication", "requestPayment",
  "accelerate",
];

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

function listKeys(query: URLSearchParams): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const [param, key] of [["prefix", "s3:prefix"], ["delimiter", "s3:delimiter"], ["max-keys", "s3:max-keys"]] as const) {
    const value = query.get(param);
    if (value !== null) keys[key] = value;
  }
  return keys;
}

function bucketActions(request: UnkaiRequest, bucket: string): ActionRequest[] {
  const { method, query } = request;
  const on = (action: string, keys?: Record<string, string>): ActionRequest[] => [{ action: `s3:${action}`, resource: bucketArn(bucket), keys }];
  if (UNSUPPORTED_BUCKET_SUBRESOURCES.some((name) => query.has(name))) return [];
  const setting = bucketSettingActions(request, bucket);
  if (setting !== undefined) return setting;
  if (query.has("notification")) return method === "PUT" ? on("PutBucketNotification") : method === "GET" ? on("GetBucketNotification") : [];
  if (query.has("versions")) return method === "GET" ? on("ListBucketVersions", listKeys(query)) : [];
  if (query.has("versioning")) return method === "PUT" ? on("PutBucketVersioning") : method === "GET" ? on("GetBucketVersioning") : [];
  if (method === "GET" && query.has("location")) return on("GetBucketLocation");
  if (method === "GET" && query.has("uploads")) return on("ListBucketMultipartUploads");
  if (method === "GET" || method === "HEAD") return on("ListBucket", listKeys(query));
  if (method === "POST" && query.has("delete")) return deleteObjectsActions(request, bucket);
  if (method === "PUT") return on("CreateBucket");
  if (method === "DELETE") return on("DeleteBucket");
  return [];
}

/**
 * DeleteObjects needs s3:DeleteObject on every key it names (s3:DeleteObjectVersion for an entry with a
 * VersionId); a body that does not parse is refused by the handler.
 */
function deleteObjectsActions(request: UnkaiRequest, bucket: string): ActionRequest[] {
  try {
    const entries = listOf(parseXml(request.body, "Delete").Object);
    return entries.map((o) => ({ action: o.VersionId === undefined ? "s3:DeleteObject" : "s3:DeleteObjectVersion", resource: objectArn(bucket, text(o.Key)) }));
  } catch {
    return [];
  }
}

function objectActions(request: UnkaiRequest, bucket: string, key: string): ActionRequest[] {
  const { method, query } = request;
  const on = (action: string): ActionRequest => ({ action: `s3:${action}`, resource: objectArn(bucket, key) });
  const uploadId = query.get("uploadId");
  const versioned = query.has("versionId");
  if (query.has("tagging")) {
    const action = ({ PUT: "PutObjectTagging", GET: "GetObjectTagging", DELETE: "DeleteObjectTagging" } as Record<string, string>)[method];
    return action ? [on(action)] : [];
  }
  if (query.has("acl")) {
    const action = ({ PUT: "PutObjectAcl", GET: "GetObjectAcl" } as Record<string, string>)[method];
    return action ? [on(versioned ? action.replace("Acl", "VersionAcl") : action)] : [];
  }
  if (query.has("attributes")) return method === "GET" ? [on(versioned ? "GetObjectVersion" : "GetObject"), on(versioned ? "GetObjectVersionAttributes" : "GetObjectAttributes")] : [];
  // CopyObject and UploadPartCopy read the source and write the target.
  if (method === "PUT" && request.headers["x-amz-copy-source"] !== undefined) {
    try {
      const source = copySource(request.headers["x-amz-copy-source"]);
      const read = source.versionId === null ? "s3:GetObject" : "s3:GetObjectVersion";
      return [{ action: read, resource: objectArn(source.bucket, source.key) }, on("PutObject")];
    } catch {
      return [on("PutObject")];
    }
  }
  if (method === "PUT" || (method === "POST" && (query.has("uploads") || uploadId !== null))) return [on("PutObject")];
  if (method === "GET" && uploadId !== null) return [on("ListMultipartUploadParts")];
  if (method === "GET" || method === "HEAD") return [on(versioned ? "GetObjectVersion" : "GetObject")];
  if (method === "DELETE" && uploadId !== null) return [on("AbortMultipartUpload")];
  if (method === "DELETE") return [on(versioned ? "DeleteObjectVersion" : "DeleteObject")];
  return [];
}

/** The permissions an S3 request needs. */
export function s3Actions(request: UnkaiRequest): readonly ActionRequest[] {
  let target;
  try {
    target = targetOf(request);
  } catch {
    return [];
  }
  if (target.bucket === undefined) return request.method === "GET" ? [{ action: "s3:ListAllMyBuckets", resource: "*" }] : [];
  return target.key === undefined ? bucketActions(request, target.bucket) : objectActions(request, target.bucket, target.key);
}
