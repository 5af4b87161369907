/**
 * Bucket CORS: PutBucketCors (validated as S3 does), GetBucketCors (NoSuchCORSConfiguration when
 * there is none), DeleteBucketCors; the `OPTIONS` preflight answered from the rules (403
 * AccessForbidden when none allows it), and the rules' headers on actual answers (`withCors`).
 */
import { bucketSettingId, type CorsRule } from "../../core/s3-bucket-settings.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { corsHeaders, matchingRule, requestedHeaders } from "./cors.js";
import { S3Error } from "./errors.js";
import { parseXml, text, xmlResponse } from "./xml.js";

const MAX_RULES = 100;
const METHODS = new Set(["GET", "PUT", "HEAD", "POST", "DELETE"]);
const NOT_ALLOWED = "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/** An element that may repeat: one is parsed as a value, several as an array. */
const many = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
const texts = (value: unknown): string[] => many(value).map(text);

function oneWildcard(values: readonly string[], element: string): void {
  for (const value of values) {
    if (value.split("*").length > 2) throw new S3Error("InvalidRequest", `${element} "${value}" can not have more than one wildcard.`);
  }
}

function ruleOf(raw: unknown): CorsRule {
  const rule = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const allowedOrigins = texts(rule.AllowedOrigin);
  const allowedMethods = texts(rule.AllowedMethod);
  if (allowedOrigins.length === 0 || allowedMethods.length === 0) {
    throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: a CORSRule needs an AllowedOrigin and an AllowedMethod.");
  }
  const unsupported = allowedMethods.find((m) => !METHODS.has(m));
  if (unsupported !== undefined) throw new S3Error("InvalidRequest", `Found unsupported HTTP method in CORS config. Unsupported method is ${unsupported}`);
  const allowedHeaders = texts(rule.AllowedHeader);
  oneWildcard(allowedOrigins, "AllowedOrigin");
  oneWildcard(allowedHeaders, "AllowedHeader");
  const maxAge = text(rule.MaxAgeSeconds);
  if (maxAge !== "" && !/^\d+$/.test(maxAge)) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: MaxAgeSeconds must be a whole number.");
  const id = text(rule.ID);
  return { id: id === "" ? undefined : id, allowedOrigins, allowedMethods, allowedHeaders, exposeHeaders: texts(rule.ExposeHeader), maxAgeSeconds: maxAge === "" ? undefined : Number(maxAge) };
}

export async function putBucketCors(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const raw = many(parseXml(request.body, "CORSConfiguration").CORSRule);
  if (raw.length === 0) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: it has no CORSRule.");
  if (raw.length > MAX_RULES) throw new S3Error("InvalidRequest", `The CORS configuration must not have more than ${MAX_RULES} rules.`);
  const rules = raw.map(ruleOf);
  await context.settings.put(bucketSettingId(bucket, "cors"), { bucket, kind: "cors", rules });
  return { status: 200 };
}

/** The bucket's CORS rules; undefined when it has none. */
export async function corsRules(context: S3Context, bucket: string): Promise<readonly CorsRule[] | undefined> {
  const setting = await context.settings.get(bucketSettingId(bucket, "cors"));
  return setting?.kind === "cors" ? setting.rules : undefined;
}

export async function getBucketCors(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const rules = await corsRules(context, bucket);
  if (rules === undefined) throw new S3Error("NoSuchCORSConfiguration", "The CORS configuration does not exist", `/${bucket}`, { BucketName: bucket });
  const CORSRule = rules.map((r) => ({
    ...(r.id === undefined ? {} : { ID: r.id }),
    AllowedHeader: r.allowedHeaders, AllowedMethod: r.allowedMethods, AllowedOrigin: r.allowedOrigins, ExposeHeader: r.exposeHeaders,
    ...(r.maxAgeSeconds === undefined ? {} : { MaxAgeSeconds: r.maxAgeSeconds }),
  }));
  return xmlResponse("CORSConfiguration", { CORSRule });
}

export async function deleteBucketCors(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  await context.settings.delete(bucketSettingId(bucket, "cors"));
  return { status: 204 };
}

/** A preflight `OPTIONS` to a bucket or an object in it, answered from the bucket's rules. */
export async function preflight(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  const origin = request.headers.origin;
  const method = request.headers["access-control-request-method"];
  if (origin === undefined) throw new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  if (method === undefined) throw new S3Error("BadRequest", "Invalid Access-Control-Request-Method: null");
  await requireBucket(context, bucket);
  const rules = await corsRules(context, bucket);
  if (rules === undefined) throw new S3Error("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", undefined, { Method: method, ResourceType: "BUCKET" });
  const headers = requestedHeaders(request.headers["access-control-request-headers"]);
  const rule = matchingRule(rules, origin, method, headers);
  if (rule === undefined) throw new S3Error("AccessForbidden", NOT_ALLOWED, undefined, { Method: method, ResourceType: "OBJECT" });
  return { status: 200, headers: corsHeaders(rule, origin, headers) };
}

/** `response` with the CORS headers of the rule allowing this request's Origin and method, when one does. */
export async function withCors(context: S3Context, request: UnkaiRequest, bucket: string | undefined, response: UnkaiResponse): Promise<UnkaiResponse> {
  const origin = request.headers.origin;
  if (origin === undefined || bucket === undefined || request.method === "OPTIONS") return response;
  const rules = await corsRules(context, bucket);
  const rule = rules && matchingRule(rules, origin, request.method);
  return rule === undefined ? response : { ...response, headers: { ...response.headers, ...corsHeaders(rule, origin) } };
}
