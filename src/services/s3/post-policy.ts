/**
 * The policy document of a browser-based upload (POST Object): base64 JSON with an `expiration` and
 * `conditions`, signed with SigV4 by whoever handed the form out. S3 checks every field against the
 * conditions (exact match, `starts-with`, `content-length-range`) and refuses fields no condition covers.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { CredentialLookup, SigningSecret } from "../../protocol/sigv4-verify.js";
import { S3Error } from "./errors.js";

/** What the policy allows once its conditions on the fields have held: the file's size bounds. */
export interface SizeRange {
  readonly min: number;
  readonly max: number;
}

type Condition = { readonly kind: "eq" | "starts-with"; readonly field: string; readonly value: string; readonly shown: string } | { readonly kind: "range"; readonly min: number; readonly max: number };

/** Fields S3 never asks a condition for. */
const UNCOVERED = new Set(["file", "policy", "x-amz-signature", "awsaccesskeyid", "signature"]);

function invalidPolicy(detail: string): S3Error {
  return new S3Error("InvalidPolicyDocument", `Invalid Policy: ${detail}`);
}

function denied(detail: string): S3Error {
  return new S3Error("AccessDenied", `Invalid according to Policy: ${detail}`);
}

function parseCondition(raw: unknown): Condition {
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw)) {
    const entries = Object.entries(raw as Record<string, unknown>);
    const [name, value] = entries[0] ?? [];
    if (entries.length !== 1 || typeof name !== "string" || typeof value !== "string") throw invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
    return { kind: "eq", field: name.toLowerCase(), value, shown: JSON.stringify(["eq", `$${name}`, value]).replaceAll('","', '", "') };
  }
  if (!Array.isArray(raw)) throw invalidPolicy("Invalid Condition: a condition must be an object or a list.");
  const [operator, first, second] = raw as unknown[];
  const op = typeof operator === "string" ? operator.toLowerCase() : "";
  if (op === "content-length-range") {
    const min = Number(first);
    const max = Number(second);
    if (raw.length !== 3 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0) throw invalidPolicy("Invalid content-length-range: the bounds must be whole numbers.");
    return { kind: "range", min, max };
  }
  if ((op !== "eq" && op !== "starts-with") || raw.length !== 3 || typeof first !== "string" || typeof second !== "string" || !first.startsWith("$")) {
    throw invalidPolicy(`Invalid Condition: ${JSON.stringify(raw)}`);
  }
  return { kind: op, field: first.slice(1).toLowerCase(), value: second, shown: `[${raw.map((part) => JSON.stringify(part)).join(", ")}]` };
}

/** Decodes the policy and checks its expiration; the conditions come back for `checkFields`. */
export function openPolicy(base64: string, now: number): readonly Condition[] {
  let document: { expiration?: unknown; conditions?: unknown };
  try {
    document = JSON.parse(Buffer.from(base64, "base64").toString("utf8")) as typeof document;
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
  if (document === null || typeof document !== "object") throw invalidPolicy("Invalid JSON.");
  if (typeof document.expiration !== "string") throw invalidPolicy("Policy missing expiration.");
  const expires = Date.parse(document.expiration);
  if (Number.isNaN(expires)) throw invalidPolicy(`Invalid 'expiration' value: '${document.expiration}'`);
  if (!Array.isArray(document.conditions)) throw invalidPolicy("Policy missing conditions.");
  const conditions = document.conditions.map(parseCondition);
  if (expires < now) throw denied("Policy expired.");
  return conditions;
}

/**
 * Checks every condition against the fields (`bucket` and the expanded `key` included) and that each
 * field is covered by one; answers the size range the file must fall in.
 */
export function checkFields(conditions: readonly Condition[], fields: ReadonlyMap<string, string>, maxBytes: number): SizeRange {
  let range: SizeRange = { min: 0, max: maxBytes };
  const covered = new Set<string>();
  for (const condition of conditions) {
    if (condition.kind === "range") {
      range = { min: condition.min, max: Math.min(condition.max, maxBytes) };
      continue;
    }
    covered.add(condition.field);
    const value = fields.get(condition.field) ?? "";
    const holds = condition.kind === "eq" ? value === condition.value : startsWith(condition.field, value, condition.value);
    if (!holds) throw denied(`Policy Condition failed: ${condition.shown}`);
  }
  const extra = [...fields.keys()].filter((name) => !covered.has(name) && !UNCOVERED.has(name) && !name.startsWith("x-ignore-"));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(", ")}`);
  return range;
}

/** `starts-with` on Content-Type applies to each member of a comma-separated list, as S3 does. */
function startsWith(field: string, value: string, prefix: string): boolean {
  if (field !== "content-type") return value.startsWith(prefix);
  return value.split(",").every((member) => member.trim().startsWith(prefix));
}

/**
 * Checks the form's SigV4 signature over the base64 policy with the key its `x-amz-credential`
 * names (`<key id>/<date>/<region>/s3/aws4_request`); session keys must bring their token.
 */
/** The checked policy (base64) and who signed it. */
export interface SignedPolicy {
  readonly policy: string;
  readonly accessKeyId: string;
  readonly secret: SigningSecret;
}

export async function checkPolicySignature(fields: ReadonlyMap<string, string>, lookup: CredentialLookup): Promise<SignedPolicy> {
  if (fields.has("awsaccesskeyid") && !fields.has("x-amz-signature")) return checkSignatureV2(fields, lookup);
  const required = (name: string) => requiredField(fields, name);
  const algorithm = required("x-amz-algorithm");
  const credential = required("x-amz-credential");
  required("x-amz-date");
  const signature = required("x-amz-signature");
  const policy = required("policy");
  if (algorithm !== "AWS4-HMAC-SHA256") throw new S3Error("InvalidArgument", "Only the AWS4-HMAC-SHA256 algorithm is supported for POST uploads.", undefined, { ArgumentName: "x-amz-algorithm", ArgumentValue: algorithm });
  const [accessKeyId, scopeDate, region, service, terminal, ...rest] = credential.split("/");
  if (!accessKeyId || !scopeDate || !region || service !== "s3" || terminal !== "aws4_request" || rest.length > 0) {
    throw new S3Error("InvalidArgument", `Invalid credential: ${credential}; expected <key id>/<date>/<region>/s3/aws4_request.`, undefined, { ArgumentName: "x-amz-credential", ArgumentValue: credential });
  }
  const secret = await signingSecret(fields, accessKeyId, lookup);
  const key = [scopeDate, region, service, terminal].reduce<Buffer>((derived, part) => createHmac("sha256", derived).update(part).digest(), Buffer.from(`AWS4${secret.secretAccessKey}`));
  const expected = createHmac("sha256", key).update(policy).digest("hex");
  checkSame(signature, expected);
  return { policy, accessKeyId, secret };
}

/**
 * The older form boto3 still signs by default (signature version 2): `AWSAccessKeyId` and a base64
 * HMAC-SHA1 `signature` of the base64 policy.
 */
async function checkSignatureV2(fields: ReadonlyMap<string, string>, lookup: CredentialLookup): Promise<SignedPolicy> {
  const policy = requiredField(fields, "policy");
  const signature = requiredField(fields, "signature");
  const accessKeyId = requiredField(fields, "awsaccesskeyid");
  const secret = await signingSecret(fields, accessKeyId, lookup);
  checkSame(signature, createHmac("sha1", secret.secretAccessKey).update(policy).digest("base64"));
  return { policy, accessKeyId, secret };
}

function requiredField(fields: ReadonlyMap<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) throw new S3Error("InvalidArgument", `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, undefined, { ArgumentName: name, ArgumentValue: "" });
  return value;
}

async function signingSecret(fields: ReadonlyMap<string, string>, accessKeyId: string, lookup: CredentialLookup): Promise<SigningSecret> {
  const secret = await lookup.find(accessKeyId);
  if (!secret) throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  if (secret.sessionToken !== undefined && fields.get("x-amz-security-token") !== secret.sessionToken) {
    throw new S3Error("InvalidAccessKeyId", "The provided token is malformed or otherwise invalid.");
  }
  return secret;
}

function checkSame(signature: string, expected: string): void {
  if (signature.length !== expected.length || !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) {
    throw new S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
  }
}
