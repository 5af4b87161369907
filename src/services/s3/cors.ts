/**
 * S3's CORS rule matching: the first rule whose AllowedOrigin (one `*` wildcard allowed), AllowedMethod
 * and, for a preflight, every requested header (AllowedHeader, one `*` each) fit the request decides;
 * its headers go on the answer. Nothing matches: no `Access-Control-*` header at all.
 */
import type { CorsRule } from "../../core/s3-bucket-settings.js";

/** `pattern` with at most one `*` (any run of characters) against `value`. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf("*");
  if (star < 0) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

/** The request headers a preflight asks for (`Access-Control-Request-Headers`), lower-cased. */
export function requestedHeaders(header: string | undefined): string[] {
  return (header ?? "").split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
}

/** The first rule allowing `origin` to make a `method` request with `headers`. */
export function matchingRule(rules: readonly CorsRule[], origin: string, method: string, headers: readonly string[] = []): CorsRule | undefined {
  return rules.find((rule) =>
    rule.allowedOrigins.some((o) => wildcardMatch(o, origin))
    && rule.allowedMethods.includes(method)
    && headers.every((h) => rule.allowedHeaders.some((allowed) => wildcardMatch(allowed.toLowerCase(), h))));
}

/**
 * The `Access-Control-*` headers `rule` gives pages of `origin`. An origin rule of `*` answers `*` (and
 * no credentials), as S3 does; any other answers the origin itself, with credentials allowed.
 */
export function corsHeaders(rule: CorsRule, origin: string, preflightHeaders?: readonly string[]): Record<string, string> {
  const everyone = rule.allowedOrigins.includes("*") && !rule.allowedOrigins.some((o) => o !== "*" && wildcardMatch(o, origin));
  const headers: Record<string, string> = {
    "Access-Control-Allow-Origin": everyone ? "*" : origin,
    "Access-Control-Allow-Methods": rule.allowedMethods.join(", "),
    Vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  };
  if (!everyone) headers["Access-Control-Allow-Credentials"] = "true";
  if (preflightHeaders !== undefined && preflightHeaders.length > 0) headers["Access-Control-Allow-Headers"] = preflightHeaders.join(", ");
  if (rule.exposeHeaders.length > 0) headers["Access-Control-Expose-Headers"] = rule.exposeHeaders.join(", ");
  if (rule.maxAgeSeconds !== undefined) headers["Access-Control-Max-Age"] = String(rule.maxAgeSeconds);
  return headers;
}
