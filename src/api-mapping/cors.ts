/** CORS as HTTP APIs and Function URLs apply it: preflights answered from the config, headers added to responses. */
import { z } from "zod/v3";
import type { CorsConfig } from "../core/api-definitions.js";
import { headerValue } from "./request-parts.js";
import type { HttpResult } from "./responses.js";

/** A CORS configuration as apigatewayv2 and unkai.json take it (lowerCamel members). */
export const corsInput = z.object({
  allowOrigins: z.array(z.string()).optional(),
  allowMethods: z.array(z.string()).optional(),
  allowHeaders: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: z.number().int().min(-1).max(86_400).optional(),
  allowCredentials: z.boolean().optional(),
}).strict();

/** A preflight answer when the request is one (OPTIONS with Origin and Access-Control-Request-Method), else undefined. */
export function preflight(cors: CorsConfig, method: string, rawHeaders: readonly string[]): HttpResult | undefined {
  const origin = headerValue(rawHeaders, "origin");
  const requested = headerValue(rawHeaders, "access-control-request-method");
  if (method !== "OPTIONS" || origin === undefined || requested === undefined) return undefined;
  const headers: Record<string, string> = {};
  const allowedOrigin = allowOrigin(cors, origin);
  const methodAllowed = cors.allowMethods.includes("*") || cors.allowMethods.some((m) => m.toUpperCase() === requested.toUpperCase());
  if (allowedOrigin !== undefined && methodAllowed) {
    headers["access-control-allow-origin"] = allowedOrigin;
    headers["access-control-allow-methods"] = cors.allowMethods.includes("*") ? requested.toUpperCase() : cors.allowMethods.join(",");
    const requestedHeaders = headerValue(rawHeaders, "access-control-request-headers");
    if (cors.allowHeaders.length > 0) {
      headers["access-control-allow-headers"] = cors.allowHeaders.includes("*") && requestedHeaders ? requestedHeaders : cors.allowHeaders.join(",");
    }
    if (cors.maxAge !== undefined) headers["access-control-max-age"] = String(cors.maxAge);
    if (cors.allowCredentials) headers["access-control-allow-credentials"] = "true";
    if (allowedOrigin !== "*") headers.vary = "Origin";
  }
  return { status: 204, headers, body: Buffer.alloc(0) };
}

/** The response with CORS headers added when the request's Origin is allowed. */
export function withCors(cors: CorsConfig, rawHeaders: readonly string[], response: HttpResult): HttpResult {
  const origin = headerValue(rawHeaders, "origin");
  if (origin === undefined) return response;
  const allowedOrigin = allowOrigin(cors, origin);
  if (allowedOrigin === undefined) return response;
  const headers: Record<string, string | string[]> = { ...response.headers, "access-control-allow-origin": allowedOrigin };
  if (cors.exposeHeaders.length > 0) headers["access-control-expose-headers"] = cors.exposeHeaders.join(",");
  if (cors.allowCredentials) headers["access-control-allow-credentials"] = "true";
  if (allowedOrigin !== "*") headers.vary = "Origin";
  return { ...response, headers };
}

/** Whether the configuration lets pages of `origin` call the resource (the front door asks before anything is read). */
export function corsAllowsOrigin(cors: CorsConfig, origin: string): boolean {
  return allowOrigin(cors, origin) !== undefined;
}

/** `*` when every origin is allowed (and credentials are not), the origin itself when listed, else undefined. */
function allowOrigin(cors: CorsConfig, origin: string): string | undefined {
  if (cors.allowOrigins.includes("*")) return cors.allowCredentials ? origin : "*";
  return cors.allowOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}
