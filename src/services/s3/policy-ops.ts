/**
 * Bucket policies: PutBucketPolicy (validated as S3 does, refused with S3's MalformedPolicy wording,
 * then with IAM's grammar: src/core/iam-policy/validate.ts), GetBucketPolicy, DeleteBucketPolicy and
 * GetBucketPolicyStatus. The policy is enforced by IAM's evaluator, not here: a signed caller's
 * request through `--iam enforce` (src/auth/resource-policies.ts), an unsigned one through
 * src/auth/anonymous-access.ts (a public-read bucket).
 */
import { MalformedPolicyError, parsePolicy } from "../../core/iam-policy/index.js";
import { bucketSettingId } from "../../core/s3-bucket-settings.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { xmlResponse } from "./xml.js";

/** S3 refuses bucket policies over 20 KB. */
const MAX_POLICY_BYTES = 20 * 1024;

const malformed = (message: string) => new S3Error("MalformedPolicy", message);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const strings = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** A Principal (or NotPrincipal) S3 accepts: `*`, or AWS accounts/users/roles/sessions, services, canonical users. */
function checkPrincipal(block: unknown): void {
  if (block === "*") return;
  if (!isObject(block) || Object.keys(block).length === 0) throw malformed("Invalid principal in policy");
  for (const [type, values] of Object.entries(block)) {
    const list = strings(values);
    if (list.length === 0 || !list.every((v) => typeof v === "string" && v !== "")) throw malformed("Invalid principal in policy");
    if (type === "AWS") {
      const aws = /^(\*|\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)|arn:aws[a-z-]*:sts::\d{12}:assumed-role\/.+)$/;
      if (!list.every((v) => aws.test(v as string))) throw malformed("Invalid principal in policy");
    } else if (type !== "Service" && type !== "CanonicalUser" && type !== "Federated") {
      throw malformed("Invalid principal in policy");
    }
  }
}

/** Every Resource must be this bucket or objects in it (wildcards allowed after the bucket's name). */
function checkResources(statement: Record<string, unknown>, bucket: string): void {
  const resources = strings(statement.Resource ?? statement.NotResource);
  if (resources.length === 0) throw malformed("Missing required field Resource");
  for (const resource of resources) {
    if (typeof resource !== "string") throw malformed("Policy has invalid resource");
    const ours = resource === `arn:aws:s3:::${bucket}` || resource.startsWith(`arn:aws:s3:::${bucket}/`);
    if (!ours) throw malformed("Policy has invalid resource");
  }
}

function checkStatement(statement: unknown, bucket: string): void {
  if (!isObject(statement)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  if (statement.Principal === undefined && statement.NotPrincipal === undefined) throw malformed("Missing required field Principal");
  checkPrincipal(statement.Principal ?? statement.NotPrincipal);
  const actions = strings(statement.Action ?? statement.NotAction);
  if (actions.length === 0) throw malformed("Missing required field Action");
  if (!actions.every((a) => typeof a === "string" && (a === "*" || /^s3:[A-Za-z*?]+$/.test(a)))) throw malformed("Policy has invalid action");
  checkResources(statement, bucket);
}

/** Refuses what S3 refuses, with its messages; returns the document as given (S3 keeps the text). */
export function validateBucketPolicy(text: string, bucket: string): string {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw malformed("Policies must be less than 20 KB");
  let json: unknown;
  try {
    json = text.trimStart().startsWith("{") ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!isObject(json)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  const statements = strings(json.Statement);
  if (statements.length === 0) throw malformed("Missing required field Statement");
  for (const statement of statements) checkStatement(statement, bucket);
  try {
    parsePolicy(text, "resource");
  } catch (error) {
    if (error instanceof MalformedPolicyError) throw malformed(error.message);
    throw error;
  }
  return text;
}

export async function putBucketPolicy(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const policy = validateBucketPolicy(request.body.toString("utf8"), bucket);
  await context.settings.put(bucketSettingId(bucket, "policy"), { bucket, kind: "policy", policy });
  return { status: 204 };
}

async function requirePolicy(context: S3Context, bucket: string): Promise<string> {
  await requireBucket(context, bucket);
  const setting = await context.settings.get(bucketSettingId(bucket, "policy"));
  if (setting?.kind !== "policy") throw new S3Error("NoSuchBucketPolicy", "The bucket policy does not exist", `/${bucket}`, { BucketName: bucket });
  return setting.policy;
}

export async function getBucketPolicy(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  return { status: 200, headers: { "Content-Type": "application/json" }, body: await requirePolicy(context, bucket) };
}

export async function deleteBucketPolicy(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  await context.settings.delete(bucketSettingId(bucket, "policy"));
  return { status: 204 };
}

/** Public: an Allow for everyone that no condition narrows (S3's "IsPublic" is stricter about which conditions narrow). */
export async function getBucketPolicyStatus(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  const policy = parsePolicy(await requirePolicy(context, bucket), "resource");
  const everyone = (block: unknown) => block === "*" || (isObject(block) && strings(block.AWS).includes("*"));
  const isPublic = policy.statements.some((s) => s.effect === "Allow" && s.principal !== undefined && everyone(s.principal) && s.conditions.length === 0);
  return xmlResponse("PolicyStatus", { IsPublic: isPublic ? "true" : "false" });
}
