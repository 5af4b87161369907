/**
 * POST Object: a browser-based upload, an HTML form posted to the bucket's address. The form carries
 * its own authentication (a policy document signed with SigV4), so the request itself is unsigned;
 * the file part streams into the blob store like a PutObject body and is announced as
 * `ObjectCreated:Post`.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { checkEncryptionRequest } from "./sse.js";
import { checkAclHeaders } from "./acl-ops.js";
import { validateKey } from "./addressing.js";
import { quoted, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { formBoundary, readForm } from "./form-data.js";
import { checksumHeaders, DEFAULT_ALGORITHM } from "./checksums.js";
import { commitObject } from "./object-ops.js";
import { MAX_UPLOAD_BYTES, openPayload } from "./payload.js";
import { checkFields, checkPolicySignature, openPolicy } from "./post-policy.js";
import { tagSetPairs, validTags } from "./tagging-ops.js";
import { xmlResponse } from "./xml.js";

/** S3 reads at most 20 KB of fields before the file. */
const MAX_FIELD_BYTES = 20 * 1024;

/** Form fields stored with the object, as the same-named headers of a PutObject are. */
const STORED_FIELDS = ["content-type", "cache-control", "content-disposition", "content-encoding", "expires", "content-language"];

/** Whether a request is a browser-based upload: an unsigned-looking POST of a form to a bucket. */
export function isPostObject(request: UnkaiRequest, key: string | undefined): boolean {
  return request.method === "POST" && key === undefined && request.query.size === 0 && formBoundary(request.headers["content-type"]) !== undefined;
}

/**
 * The `acl` and `x-amz-grant-*` fields, checked as PutObject's headers are (the bucket enforces its
 * owner: only `private` and `bucket-owner-full-control` pass), and the `tagging` field's
 * `<Tagging>` document, checked against S3's tag limits; both before the file is read.
 */
function aclAndTags(context: S3Context, request: UnkaiRequest, fields: ReadonlyMap<string, string>): Record<string, string> | undefined {
  const aclHeaders: Record<string, string> = {};
  for (const [name, value] of fields) if (name === "acl" || name.startsWith("x-amz-grant-")) aclHeaders[name === "acl" ? "x-amz-acl" : name] = value;
  checkAclHeaders(context, { ...request, headers: aclHeaders }, "object");
  const tagging = fields.get("tagging");
  return tagging === undefined ? undefined : validTags(tagSetPairs({ ...request, body: Buffer.from(tagging, "utf8") }));
}

function storedFields(fields: ReadonlyMap<string, string>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of fields) if (STORED_FIELDS.includes(name) || name.startsWith("x-amz-meta-")) headers[name] = value;
  return headers;
}

export async function postObject(context: S3Context, request: UnkaiRequest, bucketName: string): Promise<UnkaiResponse> {
  const boundary = formBoundary(request.headers["content-type"]) ?? "";
  if (!request.bodyStream) throw new S3Error("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");
  await requireBucket(context, bucketName);
  const form = await readForm(request.bodyStream, boundary, MAX_FIELD_BYTES);
  const fields = new Map(form.fields);
  const file = form.file;
  if (!file) throw new S3Error("InvalidArgument", "POST requires exactly one file upload per request.", undefined, { ArgumentName: "file", ArgumentValue: "0" });
  try {
    const rawKey = fields.get("key");
    if (rawKey === undefined) throw new S3Error("InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", undefined, { ArgumentName: "key", ArgumentValue: "" });
    const key = rawKey.replaceAll("${filename}", file.filename);
    validateKey(key);
    const range = await authorizeForm(context, request, bucketName, key, fields);
    const tags = aclAndTags(context, request, fields);
    checkEncryptionRequest(fields);
    return await storeFile(context, request, bucketName, key, fields, file.body, range, tags);
  } finally {
    // An early refusal leaves the file unread: drain it so the answer reaches the client.
    file.body.resume();
  }
}

/**
 * Whether the form may write `key`, and the sizes its policy allows. A signed form acts for whoever signed
 * it: their IAM policies must allow the PutObject. A form without a policy or signature is anonymous, as on
 * S3: accepted only where the bucket policy allows everyone `s3:PutObject` on the key (a Deny wins).
 */
async function authorizeForm(context: S3Context, request: UnkaiRequest, bucketName: string, key: string, fields: ReadonlyMap<string, string>): Promise<{ min: number; max: number }> {
  const needs = [{ action: "s3:PutObject", resource: `arn:aws:s3:::${bucketName}/${key}` }];
  if (!fields.has("x-amz-signature") && !fields.has("signature") && !fields.has("policy")) {
    if (await context.anonymousAllows?.(request, needs)) return { min: 0, max: MAX_UPLOAD_BYTES };
    throw new S3Error("AccessDenied", "Access Denied: an unsigned browser-based upload needs a bucket policy that allows everyone (Principal \"*\") s3:PutObject on the key.");
  }
  const signed = await checkPolicySignature(fields, context.credentials);
  const conditions = openPolicy(signed.policy, Date.now());
  const range = checkFields(conditions, new Map([...fields, ["key", key], ["bucket", bucketName]]), MAX_UPLOAD_BYTES);
  const caller = { ...request.caller, accessKeyId: signed.accessKeyId, service: "s3", principal: signed.secret.principal };
  const denial = await context.authorize?.({ ...request, caller }, needs);
  if (denial !== undefined) throw new S3Error("AccessDenied", denial);
  return range;
}

async function storeFile(
  context: S3Context, request: UnkaiRequest, bucketName: string, key: string, fields: ReadonlyMap<string, string>,
  body: NodeJS.ReadableStream, range: { min: number; max: number }, tags: Record<string, string> | undefined,
): Promise<UnkaiResponse> {
  const payload = openPayload({ ...request, headers: { "transfer-encoding": "chunked" }, bodyStream: body as UnkaiRequest["bodyStream"] }, range.max, undefined, DEFAULT_ALGORITHM);
  const blob = await context.bodies.write(payload.body);
  let digest;
  try {
    digest = payload.verify();
    if (digest.size < range.min) throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", undefined, { ProposedSize: String(digest.size), MinSizeAllowed: String(range.min) });
  } catch (error) {
    await context.bodies.remove(blob);
    throw error;
  }
  const etag = digest.md5.toString("hex");
  const headers = { ...storedFields(fields), ...checksumHeaders(digest.checksum && { ...digest.checksum, type: "FULL_OBJECT" }) };
  const record = { bucket: bucketName, key, blob, size: digest.size, etag, lastModified: Date.now(), headers, tags };
  const version = await commitObject(context, request, record, "ObjectCreated:Post");
  return answer(request, bucketName, key, etag, fields, version);
}

/** S3's answers: a 303 to `success_action_redirect`, else the status `success_action_status` asks for (204 by default). */
function answer(request: UnkaiRequest, bucket: string, key: string, etag: string, fields: ReadonlyMap<string, string>, version: Record<string, string>): UnkaiResponse {
  const location = `http://${request.headers.host ?? "localhost"}/${bucket}/${encodeURIComponent(key).replaceAll("%2F", "/")}`;
  const headers = { ETag: quoted(etag), Location: location, ...version };
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect !== undefined && /^https?:\/\//i.test(redirect)) {
    const target = new URL(redirect);
    target.searchParams.set("bucket", bucket);
    target.searchParams.set("key", key);
    target.searchParams.set("etag", quoted(etag));
    return { status: 303, headers: { ...headers, Location: target.toString() } };
  }
  const status = fields.get("success_action_status");
  if (status === "201") return xmlResponse("PostResponse", { Location: location, Bucket: bucket, Key: key, ETag: quoted(etag) }, headers, 201);
  return { status: status === "200" ? 200 : 204, headers };
}
