/**
 * The website address of a bucket with a website configuration (website-ops.ts): path form
 * `/_aws/s3-website/<bucket>/<path>` on Unkai's port, or Host `<bucket>.s3-website.localhost`
 * (`<bucket>.s3-website[-.]<region>.localhost` too). Anonymous GET/HEAD only, as on AWS: objects are
 * served only where the bucket policy lets everyone read them; `/` and directories get the index
 * document, misses the error document with 404, and redirects follow RedirectAllRequestsTo and the
 * RoutingRules (and an object's `x-amz-website-redirect-location`). Errors are HTML pages, as AWS's website endpoints answer.
 */
import { Readable } from "node:stream";
import type { WebsiteConfiguration, WebsiteRedirect } from "../../core/s3-bucket-settings.js";
import type { AnonymousAccess } from "../../auth/anonymous-access.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { getObject } from "./object-ops.js";
import { websiteOf } from "./website-ops.js";

const PATH_PREFIX = "/_aws/s3-website/";
const WEBSITE_HOST = /^(.+)\.s3-website(?:[.-][a-z0-9-]+)?\.localhost(?::\d+)?$/i;

export interface WebsiteTarget {
  readonly bucket: string;
  /** The requested path without its leading `/`, percent-decoded: the key before index documents. */
  readonly path: string;
  /** What precedes the path in this website's URLs (the path form's `/_aws/s3-website/<bucket>`). */
  readonly base: string;
}

function decoded(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The bucket and path a website request names; undefined when the request is not one. */
export function websiteTarget(request: UnkaiRequest): WebsiteTarget | undefined {
  const hosted = request.headers.host === undefined ? undefined : WEBSITE_HOST.exec(request.headers.host)?.[1]?.toLowerCase();
  if (hosted !== undefined) {
    const path = decoded(request.path.replace(/^\//, ""));
    return path === undefined ? undefined : { bucket: hosted, path, base: "" };
  }
  if (!request.path.startsWith(PATH_PREFIX)) return undefined;
  const rest = request.path.slice(PATH_PREFIX.length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const path = decoded(slash < 0 ? "" : rest.slice(slash + 1));
  if (bucket === "" || path === undefined) return undefined;
  return { bucket, path, base: `${PATH_PREFIX}${bucket}` };
}

const STATUS_TEXT: Record<number, string> = { 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed" };

function htmlError(request: UnkaiRequest, status: number, code: string, message: string, extra: Record<string, string> = {}): UnkaiResponse {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const items = Object.entries({ Code: code, Message: message, ...extra, RequestId: request.requestId }).map(([name, value]) => `<li>${name}: ${escape(value)}</li>`).join("\n");
  const title = `${status} ${STATUS_TEXT[status] ?? "Error"}`;
  const body = `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n${items}\n</ul>\n<hr/>\n</body>\n</html>\n`;
  return { status, headers: { "Content-Type": "text/html; charset=utf-8" }, body: request.method === "HEAD" ? "" : body };
}

function redirectTo(request: UnkaiRequest, target: WebsiteTarget, redirect: WebsiteRedirect, matchedPrefix: string): UnkaiResponse {
  const key = redirect.replaceKeyWith ?? (redirect.replaceKeyPrefixWith !== undefined ? redirect.replaceKeyPrefixWith + target.path.slice(matchedPrefix.length) : target.path);
  const encoded = encodeURI(key);
  const location = redirect.hostName !== undefined
    ? `${redirect.protocol ?? "http"}://${redirect.hostName}/${encoded}`
    : `${redirect.protocol ?? "http"}://${request.headers.host ?? "localhost"}${target.base}/${encoded}`;
  return { status: Number(redirect.httpRedirectCode ?? "301"), headers: { Location: location } };
}

/** The first routing rule for this path and error code (undefined: before any object is looked up). */
function routingRule(website: WebsiteConfiguration, path: string, errorCode: string | undefined) {
  return website.routingRules.find((rule) => (rule.keyPrefixEquals === undefined || path.startsWith(rule.keyPrefixEquals)) && rule.httpErrorCodeReturnedEquals === errorCode);
}

export async function serveWebsite(context: S3Context, anonymous: AnonymousAccess | undefined, request: UnkaiRequest, target: WebsiteTarget): Promise<UnkaiResponse> {
  if (request.method !== "GET" && request.method !== "HEAD") return htmlError(request, 405, "MethodNotAllowed", `The specified method is not allowed against this resource.`, { Method: request.method });
  const { bucket, path } = target;
  if (!(await context.store.bucket(bucket))) return htmlError(request, 404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });
  const website = await websiteOf(context, bucket);
  if (!website) return htmlError(request, 404, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", { BucketName: bucket });
  if (website.redirectAll) {
    const { hostName, protocol } = website.redirectAll;
    return { status: 301, headers: { Location: `${protocol ?? "http"}://${hostName}/${encodeURI(path)}` } };
  }
  const early = routingRule(website, path, undefined);
  if (early) return redirectTo(request, target, early.redirect, early.keyPrefixEquals ?? "");
  const suffix = website.indexSuffix ?? "index.html";
  const key = path === "" || path.endsWith("/") ? `${path}${suffix}` : path;
  const readable = (name: string) => anonymous !== undefined && anonymous.allowed(request, [{ action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${name}` }]);
  const plain = { ...request, query: new URLSearchParams() };
  if (!(await readable(key))) return missing(context, request, target, website, 403, readable);
  try {
    const object = await getObject(context, plain, bucket, key, request.method === "HEAD");
    const redirect = object.headers?.["x-amz-website-redirect-location"];
    if (typeof redirect !== "string") return object;
    // An object stored with a redirect location sends the browser there (a key path stays on this website).
    if (object.body instanceof Readable) object.body.destroy();
    return { status: 301, headers: { Location: redirect.startsWith("/") ? `${target.base}${redirect}` : redirect } };
  } catch (error) {
    if (!(error instanceof S3Error) || error.code !== "NoSuchKey") throw error;
  }
  // `/docs` where `docs/index.html` exists: S3 sends the browser to the directory.
  if (key === path && path !== "" && (await context.store.object(bucket, `${path}/${suffix}`)) !== undefined) {
    return { status: 302, headers: { Location: `${target.base}/${encodeURI(path)}/` } };
  }
  return missing(context, request, target, website, 404, readable);
}

/** A 403 or 404: a routing rule for that code, else the error document with that status, else S3's page. */
async function missing(context: S3Context, request: UnkaiRequest, target: WebsiteTarget, website: WebsiteConfiguration, status: 403 | 404, readable: (key: string) => false | Promise<boolean>): Promise<UnkaiResponse> {
  const rule = routingRule(website, target.path, String(status));
  if (rule) return redirectTo(request, target, rule.redirect, rule.keyPrefixEquals ?? "");
  if (website.errorKey !== undefined && (await readable(website.errorKey))) {
    try {
      const page = await getObject(context, { ...request, headers: {}, query: new URLSearchParams() }, target.bucket, website.errorKey, request.method === "HEAD");
      return { ...page, status };
    } catch (error) {
      if (!(error instanceof S3Error) || error.code !== "NoSuchKey") throw error;
    }
  }
  return status === 403
    ? htmlError(request, 403, "AccessDenied", "Access Denied")
    : htmlError(request, 404, "NoSuchKey", "The specified key does not exist.", { Key: target.path });
}
