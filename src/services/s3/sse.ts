/**
 * Server-side encryption as S3 answers it since 2023: every object is SSE-S3 (`AES256`) by default. Unkai
 * keeps bodies in the operator's own blob store (data directory or `--blobs`) and does not encrypt them;
 * it answers as an SSE-S3 bucket does so that clients which check or ask for AES256 work unchanged.
 * KMS (`aws:kms`, `aws:kms:dsse`) and customer-provided keys (SSE-C) are refused rather than echoed:
 * echoing them would claim a key protects the data when none does.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { parseXml, text, xmlResponse } from "./xml.js";

export const SSE_HEADER = "x-amz-server-side-encryption";
const AES256 = "AES256";

function refuse(name: string, value: string): S3Error {
  if (value.startsWith("aws:kms")) {
    return new S3Error("InvalidArgument", `Server-side encryption with KMS keys (${value}) is not offered by Unkai: objects are stored as SSE-S3 (AES256); send AES256 or no ${name}.`, undefined, { ArgumentName: name, ArgumentValue: value });
  }
  return new S3Error("InvalidArgument", "The encryption method specified is not supported", undefined, { ArgumentName: name, ArgumentValue: value });
}

/**
 * Checks a write's encryption request (PutObject, CopyObject, CreateMultipartUpload headers, or a POST
 * form's fields by the same names): `AES256` or nothing is accepted.
 */
export function checkEncryptionRequest(values: { get(name: string): string | undefined }): void {
  const asked = values.get(SSE_HEADER);
  if (asked !== undefined && asked !== AES256) throw refuse(SSE_HEADER, asked);
  const customer = values.get("x-amz-server-side-encryption-customer-algorithm");
  if (customer !== undefined) {
    throw new S3Error("InvalidArgument", "Server-side encryption with customer-provided keys (SSE-C) is not offered by Unkai.", undefined, { ArgumentName: "x-amz-server-side-encryption-customer-algorithm", ArgumentValue: customer });
  }
}

/** The request's headers in the shape checkEncryptionRequest reads. */
export const headerValues = (request: UnkaiRequest) => ({ get: (name: string) => request.headers[name] });

/** Adds `x-amz-server-side-encryption: AES256` to a successful answer about an object. */
export async function encrypted(answer: Promise<UnkaiResponse>): Promise<UnkaiResponse> {
  const response = await answer;
  if (response.status >= 300) return response;
  return { ...response, headers: { ...response.headers, [SSE_HEADER]: AES256 } };
}

/** GetBucketEncryption: every bucket has S3's default configuration, SSE-S3 without a bucket key. */
export async function getBucketEncryption(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  return xmlResponse("ServerSideEncryptionConfiguration", { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: AES256 }, BucketKeyEnabled: false } });
}

/** PutBucketEncryption: SSE-S3 (the only configuration there is) is accepted and changes nothing; KMS is refused. */
export async function putBucketEncryption(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const document = parseXml(request.body, "ServerSideEncryptionConfiguration");
  const rules = Array.isArray(document.Rule) ? document.Rule : document.Rule === undefined ? [] : [document.Rule];
  if (rules.length !== 1) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
  const rule = rules[0] as Record<string, unknown> | undefined;
  const byDefault = rule?.ApplyServerSideEncryptionByDefault as Record<string, unknown> | undefined;
  if (byDefault === undefined || byDefault.SSEAlgorithm === undefined) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
  const algorithm = text(byDefault.SSEAlgorithm);
  if (algorithm !== AES256) throw refuse("SSEAlgorithm", algorithm);
  return { status: 200, headers: {} };
}

/** DeleteBucketEncryption: the bucket is back to the default, which is what it already has. */
export async function deleteBucketEncryption(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  return { status: 204, headers: {} };
}
