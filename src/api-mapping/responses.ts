/** Maps what a function returned to the HTTP response, as API Gateway and Function URLs do; undefined means malformed. */
import { ownValue, setOwn } from "../core/own-keys.js";

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** Headers a served API sets itself; a function's values for them are dropped. */
const HOP_BY_HOP = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "x-amzn-requestid"]);
const V1_KEYS = new Set(["statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"]);

/** Payload 2.0: a structured response when `statusCode` is present, else inferred (200, JSON, the payload as the body). */
export function responseV2(payload: Buffer): HttpResult | undefined {
  const value = parse(payload);
  if (value === PARSE_FAILED) return undefined;
  if (!isObject(value) || value.statusCode === undefined) {
    return { status: 200, headers: { "content-type": "application/json" }, body: payload };
  }
  const status = statusOf(value.statusCode);
  const body = bodyOf(value.body, value.isBase64Encoded);
  const headers = singleHeaders(value.headers);
  if (status === undefined || body === undefined || headers === undefined) return undefined;
  if (value.cookies !== undefined) {
    if (!Array.isArray(value.cookies) || !value.cookies.every((c) => typeof c === "string")) return undefined;
    if (value.cookies.length > 0) headers["set-cookie"] = value.cookies;
  }
  return { status, headers, body };
}

/** Payload 1.0: `statusCode` required, `body` a string, no other members (API Gateway's "Malformed Lambda proxy response"). */
export function responseV1(payload: Buffer): HttpResult | undefined {
  const value = parse(payload);
  if (!isObject(value) || Object.keys(value).some((key) => !V1_KEYS.has(key))) return undefined;
  const status = statusOf(value.statusCode);
  const body = bodyOf(value.body, value.isBase64Encoded);
  const headers = singleHeaders(value.headers);
  if (status === undefined || body === undefined || headers === undefined) return undefined;
  if (value.multiValueHeaders !== undefined && value.multiValueHeaders !== null) {
    if (!isObject(value.multiValueHeaders)) return undefined;
    for (const [name, values] of Object.entries(value.multiValueHeaders)) {
      if (!Array.isArray(values) || HOP_BY_HOP.has(name.toLowerCase())) continue;
      const key = existingKey(headers, name) ?? name;
      // Values in both maps are sent once each, as API Gateway merges them.
      const merged = new Set([...asArray(ownValue(headers, key)), ...values.filter(isScalar).map(String)]);
      setOwn(headers, key, [...merged]);
    }
  }
  return { status, headers, body };
}

const PARSE_FAILED = Symbol("parse failed");

function parse(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString("utf8"));
  } catch {
    return PARSE_FAILED;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

function statusOf(value: unknown): number | undefined {
  const status = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  return typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

function bodyOf(value: unknown, base64: unknown): Buffer | undefined {
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (typeof value !== "string") return undefined;
  return base64 === true ? Buffer.from(value, "base64") : Buffer.from(value, "utf8");
}

function singleHeaders(value: unknown): Record<string, string | string[]> | undefined {
  const headers: Record<string, string | string[]> = {};
  if (value === undefined || value === null) return headers;
  if (!isObject(value)) return undefined;
  for (const [name, header] of Object.entries(value)) {
    if (!isScalar(header) || HOP_BY_HOP.has(name.toLowerCase())) continue;
    // The function names its headers (`constructor`, `__proto__` included): they are the map's own members.
    setOwn(headers, name, String(header));
  }
  return headers;
}

function existingKey(headers: Record<string, unknown>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(headers).find((key) => key.toLowerCase() === lower);
}

function asArray(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
