/**
 * PutBucketWebsite / GetBucketWebsite / DeleteBucketWebsite: the static website configuration kept as a
 * bucket setting (index and error documents, RedirectAllRequestsTo, RoutingRules); website.ts serves it.
 */
import { bucketSettingId, type WebsiteConfiguration, type WebsiteRedirect, type WebsiteRoutingRule } from "../../core/s3-bucket-settings.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { parseXml, text, xmlResponse } from "./xml.js";

const MAX_ROUTING_RULES = 50;

const record = (value: unknown): Record<string, unknown> | undefined => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined);
const optional = (value: unknown): string | undefined => (value === undefined ? undefined : text(value));
const many = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

function invalid(message: string, name: string, value: string): S3Error {
  return new S3Error("InvalidArgument", message, undefined, { ArgumentName: name, ArgumentValue: value });
}

function protocolOf(value: unknown): string | undefined {
  const protocol = optional(value);
  if (protocol !== undefined && protocol !== "http" && protocol !== "https") throw invalid("Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.", "Protocol", protocol);
  return protocol;
}

function redirectOf(raw: Record<string, unknown>): WebsiteRedirect {
  const redirect = {
    hostName: optional(raw.HostName), protocol: protocolOf(raw.Protocol), replaceKeyPrefixWith: optional(raw.ReplaceKeyPrefixWith),
    replaceKeyWith: optional(raw.ReplaceKeyWith), httpRedirectCode: optional(raw.HttpRedirectCode),
  };
  if (redirect.replaceKeyPrefixWith !== undefined && redirect.replaceKeyWith !== undefined) {
    throw invalid("You can only define ReplaceKeyPrefix or ReplaceKey but not both.", "ReplaceKeyPrefixWith", redirect.replaceKeyPrefixWith);
  }
  if (redirect.httpRedirectCode !== undefined && !/^3\d\d$/.test(redirect.httpRedirectCode)) {
    throw invalid("The provided HTTP redirect code is not valid. It should be a string containing a number.", "HttpRedirectCode", redirect.httpRedirectCode);
  }
  return redirect;
}

function ruleOf(raw: unknown): WebsiteRoutingRule {
  const rule = record(raw) ?? {};
  const redirect = record(rule.Redirect);
  if (!redirect) throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: a RoutingRule needs a Redirect.");
  const condition = record(rule.Condition) ?? {};
  const code = optional(condition.HttpErrorCodeReturnedEquals);
  if (code !== undefined && !/^[45]\d\d$/.test(code)) throw invalid("The provided HTTP error code is not valid. Valid codes are 4XX or 5XX.", "HttpErrorCodeReturnedEquals", code);
  return { keyPrefixEquals: optional(condition.KeyPrefixEquals), httpErrorCodeReturnedEquals: code, redirect: redirectOf(redirect) };
}

/** Parses and validates a WebsiteConfiguration document as S3 does. */
export function parseWebsite(body: Buffer): WebsiteConfiguration {
  const document = parseXml(body, "WebsiteConfiguration");
  const all = record(document.RedirectAllRequestsTo);
  const index = record(document.IndexDocument);
  const errorDocument = record(document.ErrorDocument);
  const rules = many(record(document.RoutingRules)?.RoutingRule);
  if (all) {
    if (index || errorDocument || rules.length > 0) throw invalid("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.", "RedirectAllRequestsTo", "");
    const hostName = text(all.HostName);
    if (hostName === "") throw invalid("A value for HostName must be provided with RedirectAllRequestsTo.", "HostName", "");
    return { indexSuffix: undefined, errorKey: undefined, redirectAll: { hostName, protocol: protocolOf(all.Protocol) }, routingRules: [] };
  }
  if (!index) throw invalid("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty", "IndexDocument", "");
  const suffix = text(index.Suffix);
  if (suffix === "" || suffix.includes("/")) throw invalid("The IndexDocument Suffix is not well formed", "IndexDocument", suffix);
  const errorKey = errorDocument ? text(errorDocument.Key) : undefined;
  if (errorKey === "") throw invalid("The ErrorDocument Key is not well formed", "ErrorDocument", "");
  if (rules.length > MAX_ROUTING_RULES) throw invalid(`A website configuration may have at most ${MAX_ROUTING_RULES} routing rules.`, "RoutingRules", String(rules.length));
  return { indexSuffix: suffix, errorKey, redirectAll: undefined, routingRules: rules.map(ruleOf) };
}

export async function putBucketWebsite(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const website = parseWebsite(request.body);
  await context.settings.put(bucketSettingId(bucket, "website"), { bucket, kind: "website", website });
  return { status: 200 };
}

/** The bucket's website configuration; undefined when it has none. */
export async function websiteOf(context: S3Context, bucket: string): Promise<WebsiteConfiguration | undefined> {
  const setting = await context.settings.get(bucketSettingId(bucket, "website"));
  return setting?.kind === "website" ? setting.website : undefined;
}

const defined = (entries: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(entries).filter((entry): entry is [string, string] => entry[1] !== undefined));

export async function getBucketWebsite(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const website = await websiteOf(context, bucket);
  if (!website) throw new S3Error("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", `/${bucket}`, { BucketName: bucket });
  const content: Record<string, unknown> = {};
  if (website.redirectAll) content.RedirectAllRequestsTo = defined({ HostName: website.redirectAll.hostName, Protocol: website.redirectAll.protocol });
  if (website.indexSuffix !== undefined) content.IndexDocument = { Suffix: website.indexSuffix };
  if (website.errorKey !== undefined) content.ErrorDocument = { Key: website.errorKey };
  if (website.routingRules.length > 0) {
    content.RoutingRules = {
      RoutingRule: website.routingRules.map((rule) => {
        const condition = defined({ KeyPrefixEquals: rule.keyPrefixEquals, HttpErrorCodeReturnedEquals: rule.httpErrorCodeReturnedEquals });
        const { hostName, protocol, replaceKeyPrefixWith, replaceKeyWith, httpRedirectCode } = rule.redirect;
        const redirect = defined({ HostName: hostName, Protocol: protocol, ReplaceKeyPrefixWith: replaceKeyPrefixWith, ReplaceKeyWith: replaceKeyWith, HttpRedirectCode: httpRedirectCode });
        return Object.keys(condition).length > 0 ? { Condition: condition, Redirect: redirect } : { Redirect: redirect };
      }),
    };
  }
  return xmlResponse("WebsiteConfiguration", content);
}

export async function deleteBucketWebsite(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const id = bucketSettingId(bucket, "website");
  if ((await context.settings.get(id)) !== undefined) await context.settings.delete(id);
  return { status: 204 };
}
