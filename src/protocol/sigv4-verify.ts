/**
 * SigV4 verification: rebuilds the canonical request exactly as it arrived (signed headers only,
 * the raw path, the query) and lets @smithy/signature-v4 compute the signature the caller's
 * secret gives; a mismatch, an unknown key, a stale date or an expired URL is an AuthenticationError.
 */
import { timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import type { HttpRequest } from "@smithy/types";
import { UnkaiError, type ErrorCode } from "../core/errors.js";
import type { AuthFailureReason, AuthRefusal, Caller, Principal } from "./http.js";
import { amzDateToMs, msToAmzDate, normalAmzDate, parseSignature, type SignatureParts } from "./sigv4.js";
import { VerifyingSigner } from "./sigv4-signer.js";
import { scopeMessage, scopeMismatch, type ScopeMismatch, type ScopeRule } from "./sigv4-scope.js";

/** How far a request's X-Amz-Date may be from Unkai's clock, as on AWS. */
export const MAX_SKEW_MS = 15 * 60_000;
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const CONTENT_SHA256 = "x-amz-content-sha256";
const SECURITY_TOKEN = "x-amz-security-token";
const PRESIGN_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"];
const sha256 = Hash.bind(null, "sha256");

/** A refused signature; `reason` lets a service pick its own error code (S3's XML ones). */
export class AuthenticationError extends UnkaiError implements AuthRefusal {
  constructor(
    code: ErrorCode,
    message: string,
    readonly reason: AuthFailureReason,
    /** For `wrong-scope`: which part of the credential scope, and what the endpoint expected. */
    readonly scope?: ScopeMismatch,
  ) {
    super(code, message);
  }
}

/** What Unkai knows about an access key. */
export interface SigningSecret {
  readonly secretAccessKey: string;
  /** Session credentials must present this token (X-Amz-Security-Token). */
  readonly sessionToken?: string | undefined;
  readonly principal: Principal;
}

export interface CredentialLookup {
  find(accessKeyId: string): Promise<SigningSecret | undefined>;
  /** Told of each verified caller (IAM's access key last use); must be cheap, it runs on every request. */
  used?(caller: Caller): void;
}

/** The parts of a request the signature covers, as known once its headers have arrived. */
export interface SignedHead {
  readonly method: string;
  /** Raw, percent-encoded path as sent. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Headers as received, `[name, value, …]`: a repeated header is signed as its values joined by ','. */
  readonly rawHeaders?: readonly string[];
  /** Whether a body follows the headers (Content-Length above 0 or Transfer-Encoding). */
  readonly bodyExpected: boolean;
  /** A service streams the body (S3 uploads): it checks the payload itself, so the signature must not need it. */
  readonly streamed: boolean;
}

/**
 * What the headers alone settle. `verified`: the signature is good; when the signer declared a hex
 * payload hash, the body must still hash to `payloadSha256` (the caller checks it as the body arrives).
 * `needs-body`: the signature covers a payload hash nobody declared, so only the body can finish the check.
 */
export type HeaderVerdict =
  | { readonly kind: "verified"; readonly caller: Caller; readonly payloadSha256: string | undefined }
  | { readonly kind: "needs-body"; readonly finish: (body: Buffer) => Promise<Caller> };

const BAD_SIGNATURE = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN = "The security token included in the request is invalid.";
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** The refusal for a body that does not hash to its declared x-amz-content-sha256 (S3: XAmzContentSHA256Mismatch). */
export function payloadMismatch(): AuthenticationError {
  return new AuthenticationError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.", "payload-mismatch");
}

/**
 * Checks the signature as far as the headers allow, before any body byte is read: the form, the
 * date, the credential scope against the endpoint, the key and token, and the signature itself
 * whenever the payload hash is declared (x-amz-content-sha256, a presigned UNSIGNED-PAYLOAD) or
 * there is no body. Throws an AuthenticationError on any failure.
 */
export async function verifyHeaders(request: SignedHead, lookup: CredentialLookup, now: number, scope: ScopeRule): Promise<HeaderVerdict> {
  const { parts, secret } = await checkCredentials(request, lookup, now, scope);
  const caller: Caller = { accessKeyId: parts.accessKeyId, region: parts.region, service: parts.service, principal: secret.principal };
  const declared = request.headers[CONTENT_SHA256];
  const payloadSha256 = declared !== undefined && HEX_SHA256.test(declared) ? declared : undefined;
  if (request.streamed && declared === undefined && parts.form === "header") {
    throw new AuthenticationError("InvalidSignatureException", "Streamed request bodies must declare x-amz-content-sha256.", "bad-signature");
  }
  const knownPayload = declared !== undefined || !request.bodyExpected || request.streamed;
  if (parts.form === "header") {
    if (knownPayload) {
      const signature = headerSignature(request, undefined, parts, secret);
      expectSignature(parts, [typeof signature === "string" ? signature : await signature]);
      return { kind: "verified", caller, payloadSha256 };
    }
    return { kind: "needs-body", finish: async (body) => (expectSignature(parts, [await headerSignature(request, body, parts, secret)]), caller) };
  }
  // A presigned URL's payload hash is whatever its signer chose: S3 and botocore use UNSIGNED-PAYLOAD,
  // the JavaScript SDK the hash of the body; the first can be checked now, the second needs the body.
  const candidates = declared !== undefined ? [declared] : knownPayload ? [UNSIGNED_PAYLOAD, undefined] : [UNSIGNED_PAYLOAD];
  const early = await querySignatures(request, undefined, parts, secret, candidates);
  if (early.some((signature) => sameText(signature, parts.signature))) return { kind: "verified", caller, payloadSha256 };
  if (knownPayload) throw new AuthenticationError("InvalidSignatureException", BAD_SIGNATURE, "bad-signature");
  return { kind: "needs-body", finish: async (body) => (expectSignature(parts, await querySignatures(request, body, parts, secret, [undefined])), caller) };
}

/** Everything but the signature itself: form, date, scope, key and session token. */
async function checkCredentials(request: SignedHead, lookup: CredentialLookup, now: number, scope: ScopeRule): Promise<{ parts: SignatureParts; secret: SigningSecret }> {
  const parsed = parseSignature(request.headers, request.query);
  if (parsed.kind === "unsigned") throw new AuthenticationError("MissingAuthenticationTokenException", "Missing Authentication Token", "unsigned");
  if (parsed.kind === "malformed") throw new AuthenticationError("IncompleteSignatureException", parsed.message, "malformed");
  const parts = parsed.parts;
  checkTime(parts, now);
  const mismatch = scopeMismatch(parts, scope);
  if (mismatch) throw new AuthenticationError("InvalidSignatureException", scopeMessage(mismatch), "wrong-scope", mismatch);
  const secret = await lookup.find(parts.accessKeyId);
  if (!secret) throw new AuthenticationError("UnrecognizedClientException", INVALID_TOKEN, "unknown-key");
  if ((secret.sessionToken ?? "") !== "" || parts.sessionToken !== undefined) {
    if (!secret.sessionToken || !parts.sessionToken || !sameText(secret.sessionToken, parts.sessionToken)) {
      throw new AuthenticationError("UnrecognizedClientException", INVALID_TOKEN, "unknown-key");
    }
  }
  return { parts, secret };
}

function expectSignature(parts: SignatureParts, expected: readonly string[]): void {
  if (!expected.some((signature) => sameText(signature, parts.signature))) throw new AuthenticationError("InvalidSignatureException", BAD_SIGNATURE, "bad-signature");
}

function checkTime(parts: SignatureParts, now: number): void {
  const signedAt = amzDateToMs(parts.amzDate);
  if (!Number.isFinite(signedAt)) throw new AuthenticationError("IncompleteSignatureException", `X-Amz-Date '${parts.amzDate}' is not a valid date.`, "malformed");
  if (signedAt - now > MAX_SKEW_MS) {
    throw new AuthenticationError("InvalidSignatureException", `Signature not yet current: ${parts.amzDate} is still later than ${msToAmzDate(now + MAX_SKEW_MS)} (${msToAmzDate(now)} + 15 min.)`, "skewed");
  }
  if (parts.expiresSeconds !== undefined) {
    const expiresAt = signedAt + parts.expiresSeconds * 1000;
    if (now > expiresAt) throw new AuthenticationError("InvalidSignatureException", `Signature expired: ${msToAmzDate(expiresAt)} is now earlier than ${msToAmzDate(now)} (the URL was valid for ${parts.expiresSeconds} s).`, "expired-url");
  } else if (now - signedAt > MAX_SKEW_MS) {
    throw new AuthenticationError("InvalidSignatureException", `Signature expired: ${parts.amzDate} is now earlier than ${msToAmzDate(now - MAX_SKEW_MS)} (${msToAmzDate(now)} - 15 min.)`, "skewed");
  }
}

/**
 * Signers by everything that shapes them (key id, secret, token, region, service): a signer is built
 * once per key and scope instead of once per request, and @smithy/signature-v4 keeps the signing key
 * it derives for a day's scope. The secret is part of the name, so a key whose secret changed gets a
 * new signer; a deleted key never gets this far (the lookup refuses it first). Bounded: the oldest
 * entry goes once it is full (session credentials come and go with environments).
 */
const signers = new Map<string, VerifyingSigner>();
const MAX_SIGNERS = 256;

function signerFor(parts: SignatureParts, secret: SigningSecret): VerifyingSigner {
  const name = `${parts.accessKeyId}\n${secret.secretAccessKey}\n${parts.sessionToken ?? ""}\n${parts.region}\n${parts.service}`;
  let signer = signers.get(name);
  if (!signer) {
    if (signers.size >= MAX_SIGNERS) signers.delete(signers.keys().next().value as string);
    signer = keepSigningKey(newSigner(parts, secret));
    signers.set(name, signer);
  }
  return signer;
}

type SigningKeyOf = (credentials: unknown, region: string, shortDate: string, service?: string) => Promise<Uint8Array>;

/**
 * The signing key a signer derives for one day, kept on the signer itself. @smithy/signature-v4 caches
 * derived keys too, but finds them under an HMAC of the credentials it computes on every request; a
 * signer here serves one key and scope, so the day is all that can change. Its method is private in
 * the types, hence the cast; should a release rename it, the signer simply keeps its own behaviour.
 */
function keepSigningKey(signer: VerifyingSigner): VerifyingSigner {
  const target = signer as unknown as { getSigningKey?: SigningKeyOf };
  const derive = target.getSigningKey;
  if (typeof derive !== "function") return signer;
  let kept: { readonly at: string; readonly key: Promise<Uint8Array> } | undefined;
  target.getSigningKey = (credentials, region, shortDate, service) => {
    const at = `${shortDate}/${region}/${service ?? ""}`;
    if (kept?.at !== at) kept = { at, key: derive.call(signer, credentials, region, shortDate, service) };
    return kept.key;
  };
  return signer;
}

function newSigner(parts: SignatureParts, secret: SigningSecret): VerifyingSigner {
  return new VerifyingSigner({
    credentials: { accessKeyId: parts.accessKeyId, secretAccessKey: secret.secretAccessKey, ...(parts.sessionToken ? { sessionToken: parts.sessionToken } : {}) },
    region: parts.region,
    service: parts.service,
    sha256,
    // S3 signs the path as sent; every other service encodes it once more.
    uriEscapePath: parts.service !== "s3",
    applyChecksum: false,
  });
}

/** The request as it arrived, reduced to what the signature covers. */
function baseRequest(request: SignedHead, body: Buffer | undefined, headers: Record<string, string>, dropPresignParams: boolean): HttpRequest {
  // Parameter names are the caller's: with no prototype, `constructor` or `toString` reads as absent
  // until sent, and `__proto__` is kept as a parameter (the signer's canonicalQuery reads own keys).
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [key, value] of request.query) {
    if (dropPresignParams && PRESIGN_PARAMS.includes(key)) continue;
    const seen = query[key];
    query[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  const host = request.headers.host ?? "";
  return {
    method: request.method,
    protocol: "http:",
    hostname: host.replace(/:\d+$/, ""),
    path: request.path,
    query,
    headers,
    ...(body !== undefined && body.length > 0 ? { body } : {}),
  };
}

function signedHeaderValues(request: SignedHead, parts: SignatureParts): Record<string, string> {
  const headers: Record<string, string> = {};
  const repeats = repeatedHeaders(request.rawHeaders, request.headers);
  for (const name of parts.signedHeaders) {
    // HTTP/2's `:authority` reaches the request as its Host (http-adapter.ts drops pseudo-headers).
    const value = name === ":authority" ? request.headers.host : (repeats?.get(name)?.join(",") ?? request.headers[name]);
    if (value === undefined) throw new AuthenticationError("InvalidSignatureException", `The signed header '${name}' is missing from the request.`, "bad-signature");
    headers[name] = asSigned(value);
  }
  return headers;
}

/**
 * node:http hands header values over as latin1, one character per byte, while clients sign a
 * non-ASCII value as the UTF-8 text it is: bytes that form valid UTF-8 are signed as that text. (A
 * value that is not valid UTF-8, such as the single latin1 byte SDK v3 writes for `é`, stays as read:
 * the SDK signed that same character.)
 */
function asSigned(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value)) return value;
  const bytes = Buffer.from(value, "latin1");
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : value;
}

/** The header-form signature the caller's secret gives: computed synchronously, unless the client signed `date`. */
function headerSignature(request: SignedHead, body: Buffer | undefined, parts: SignatureParts, secret: SigningSecret): string | Promise<string> {
  const headers = signedHeaderValues(request, parts);
  const unsignable = new Set<string>();
  const declared = request.headers[CONTENT_SHA256];
  if (declared !== undefined && !(CONTENT_SHA256 in headers)) {
    headers[CONTENT_SHA256] = declared;
    unsignable.add(CONTENT_SHA256);
  }
  if (parts.sessionToken !== undefined && !parts.signedHeaders.includes(SECURITY_TOKEN)) unsignable.add(SECURITY_TOKEN);
  const signer = signerFor(parts, secret);
  if (parts.signedHeaders.includes("date")) {
    return signer.exactSignature(baseRequest(request, body, headers, false), { longDate: parts.amzDate, region: parts.region, service: parts.service, unsignable });
  }
  // What signer.sign would put in its Authorization header for this date and these headers, computed synchronously.
  return signer.headerSignature(baseRequest(request, body, headers, false), {
    longDate: normalAmzDate(parts.amzDate),
    region: parts.region,
    service: parts.service,
    secretAccessKey: secret.secretAccessKey,
    sessionToken: parts.sessionToken,
    signable: signableSet(parts.signedHeaders),
    unsignable,
  });
}

/** The last SignedHeaders list as a set: a client signs the same names request after request (the list is kept read, sigv4.ts). */
let lastSignable: { readonly names: readonly string[]; readonly set: Set<string> } | undefined;

function signableSet(names: readonly string[]): Set<string> {
  if (lastSignable?.names !== names) lastSignable = { names, set: new Set(names) };
  return lastSignable.set;
}

/** The signatures a presigned URL would carry for each candidate payload hash (undefined: the hash of `body`). */
async function querySignatures(request: SignedHead, body: Buffer | undefined, parts: SignatureParts, secret: SigningSecret, hashes: readonly (string | undefined)[]): Promise<string[]> {
  const signer = signerFor(parts, secret);
  const out: string[] = [];
  for (const hash of hashes) {
    const headers = signedHeaderValues(request, parts);
    const unsignable = new Set<string>();
    if (hash !== undefined && !(CONTENT_SHA256 in headers)) {
      headers[CONTENT_SHA256] = hash;
      unsignable.add(CONTENT_SHA256);
    }
    const presigned = await signer.presign(baseRequest(request, body, headers, true), {
      signingDate: new Date(amzDateToMs(parts.amzDate)),
      expiresIn: parts.expiresSeconds ?? 0,
      signableHeaders: new Set(parts.signedHeaders),
      unsignableHeaders: unsignable,
      unhoistableHeaders: new Set(Object.keys(headers)),
      signingRegion: parts.region,
      signingService: parts.service,
    });
    out.push(String(presigned.query?.["X-Amz-Signature"] ?? ""));
  }
  return out;
}

/**
 * The headers the request repeats, by lower-cased name, with their trimmed values: SigV4 joins them with
 * ',' where node:http joins them with ', ' (or keeps only the first). Undefined when none repeats.
 */
function repeatedHeaders(rawHeaders: readonly string[] | undefined, headers: SignedHead["headers"]): Map<string, string[]> | undefined {
  if (!rawHeaders || distinctNames(headers, rawHeaders.length / 2)) return undefined;
  const names: string[] = [];
  const seen = new Set<string>();
  let repeats: Map<string, string[]> | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    if (seen.has(name)) (repeats ??= new Map()).set(name, []);
    seen.add(name);
    names.push(name);
  }
  if (!repeats) return undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) repeats.get(names[i / 2] as string)?.push((rawHeaders[i + 1] as string).trim());
  return repeats;
}

/**
 * Whether the parsed headers have a name for each of `pairs` raw headers: each name in them is one the
 * request sent (lower-cased), so as many names as raw headers means no name came twice (the usual case,
 * settled without lower-casing every raw name).
 */
function distinctNames(headers: SignedHead["headers"], pairs: number): boolean {
  let names = 0;
  for (const _ in headers) names++;
  return names === pairs;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
