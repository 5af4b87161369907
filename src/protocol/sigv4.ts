/** Reads a request's SigV4 signature (Authorization header or presigned query) into its parts, without checking it. */
import type { Caller } from "./http.js";

export const ALGORITHM = "AWS4-HMAC-SHA256";
/** Presigned URLs live at most seven days, as on AWS. */
export const MAX_PRESIGNED_SECONDS = 604_800;

/** A signature as the client sent it. */
export interface SignatureParts {
  readonly form: "header" | "query";
  readonly accessKeyId: string;
  /** The credential scope's day (yyyymmdd), region and service. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  /** Lower-cased header names the signature covers. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** X-Amz-Date: yyyymmddThhmmssZ. */
  readonly amzDate: string;
  /** X-Amz-Expires of a presigned URL, in seconds. */
  readonly expiresSeconds: number | undefined;
  readonly sessionToken: string | undefined;
}

export type ParsedSignature = { readonly kind: "unsigned" } | { readonly kind: "malformed"; readonly message: string } | { readonly kind: "signed"; readonly parts: SignatureParts };

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;
/** The scope of a `Credential=` field: key id, day, region, service (read from a signature that failed to parse). */
const CREDENTIAL_IN = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Each request's headers are parsed once: the adapter reads the claimed caller from them, then the
 * verifier the signature, with nothing in between on the usual path. The last parse is kept with the
 * headers object it came from and the values it read (Authorization, X-Amz-Date, Date,
 * X-Amz-Security-Token), and used only while they are still that object's.
 */
let lastParse: { headers: object; authorization: string; amzDate: string | undefined; date: string | undefined; token: string | undefined; parsed: ParsedSignature } | undefined;

export function parseSignature(headers: Readonly<Record<string, string | undefined>>, query: URLSearchParams): ParsedSignature {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const kept = lastParse;
    if (kept !== undefined && kept.headers === headers && kept.authorization === authorization && kept.amzDate === headers["x-amz-date"] && kept.date === headers.date && kept.token === headers["x-amz-security-token"]) {
      return kept.parsed;
    }
    const parsed = fromHeader(authorization, headers);
    lastParse = { headers, authorization, amzDate: headers["x-amz-date"], date: headers.date, token: headers["x-amz-security-token"], parsed };
    return parsed;
  }
  if (query.has("X-Amz-Signature") || query.has("X-Amz-Credential") || query.has("X-Amz-Algorithm")) return fromQuery(query);
  return { kind: "unsigned" };
}

function malformed(message: string): ParsedSignature {
  return { kind: "malformed", message };
}

function fromHeader(authorization: string, headers: Readonly<Record<string, string | undefined>>): ParsedSignature {
  const space = authorization.indexOf(" ");
  const algorithm = space > 0 ? authorization.slice(0, space) : authorization;
  if (algorithm !== ALGORITHM) return malformed(`Authorization header requires the ${ALGORITHM} algorithm, got '${algorithm.slice(0, 40)}'.`);
  // The three fields by name, the last of a repeated one winning; any other field is ignored.
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (const part of authorization.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name === "Credential") credential = part.slice(eq + 1).trim();
    else if (name === "SignedHeaders") signedHeaders = part.slice(eq + 1).trim();
    else if (name === "Signature") signature = part.slice(eq + 1).trim();
  }
  if (!credential || !signedHeaders || !signature) {
    return malformed("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  // SigV4 takes the timestamp from X-Amz-Date, or else from the Date header (botocore signs Date when a caller sets it).
  const amzDate = headers["x-amz-date"] ?? fromDateHeader(headers.date);
  if (!amzDate || !AMZ_DATE.test(amzDate)) return malformed("Authorization header requires an 'X-Amz-Date' header in the form yyyyMMddTHHmmssZ, or a valid 'Date' header.");
  return parts("header", credential, signedHeaders, signature, amzDate, undefined, headers["x-amz-security-token"]);
}

/** An HTTP date (`Thu, 03 Dec 2026 13:50:00 GMT`, or with a numeric zone as botocore writes it) as yyyymmddThhmmssZ. */
function fromDateHeader(value: string | undefined): string | undefined {
  if (value === undefined || !/^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$/.test(value.trim())) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : msToAmzDate(ms);
}

function fromQuery(query: URLSearchParams): ParsedSignature {
  const algorithm = query.get("X-Amz-Algorithm");
  if (algorithm !== ALGORITHM) return malformed(`Presigned URLs require X-Amz-Algorithm=${ALGORITHM}.`);
  const credential = query.get("X-Amz-Credential");
  const signedHeaders = query.get("X-Amz-SignedHeaders");
  const signature = query.get("X-Amz-Signature");
  const amzDate = query.get("X-Amz-Date");
  const expires = query.get("X-Amz-Expires");
  if (!credential || !signedHeaders || !signature || !amzDate || !expires) {
    return malformed("Presigned URLs require X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.");
  }
  if (!AMZ_DATE.test(amzDate)) return malformed("X-Amz-Date must be in the form yyyyMMddTHHmmssZ.");
  const seconds = /^\d{1,7}$/.test(expires) ? Number(expires) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_PRESIGNED_SECONDS)) {
    return malformed(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_SECONDS} (seven days), got '${expires.slice(0, 20)}'.`);
  }
  return parts("query", credential, signedHeaders, signature, amzDate, seconds, query.get("X-Amz-Security-Token") ?? undefined);
}

function parts(
  form: SignatureParts["form"],
  credential: string,
  signedHeaders: string,
  signature: string,
  amzDate: string,
  expiresSeconds: number | undefined,
  sessionToken: string | undefined,
): ParsedSignature {
  const scope = credentialScope(credential);
  if (!scope) return malformed(`Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request, got '${credential.slice(0, 120)}'.`);
  if (!SIGNATURE.test(signature)) return malformed("Signature must be 64 lower-case hex digits.");
  const names = signedHeaderNames(signedHeaders);
  if (!names) return malformed("SignedHeaders must be lower-case header names separated by ';' and include 'host' (or ':authority' over HTTP/2).");
  const { accessKeyId, scopeDate, region, service } = scope;
  return { kind: "signed", parts: { form, accessKeyId, scopeDate, region, service, signedHeaders: names, signature, amzDate, expiresSeconds, sessionToken } };
}

const SIGNATURE = /^[0-9a-f]{64}$/;

interface CredentialScope {
  readonly accessKeyId: string;
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
}

/**
 * A client signs request after request with the same credential scope and the same header names, so the
 * last of each is kept read (its text is the whole input: the same text reads the same).
 */
let lastScope: { readonly credential: string; readonly scope: CredentialScope | undefined } | undefined;
let lastNames: { readonly signedHeaders: string; readonly names: readonly string[] | undefined } | undefined;

function credentialScope(credential: string): CredentialScope | undefined {
  if (lastScope?.credential === credential) return lastScope.scope;
  const match = CREDENTIAL.exec(credential);
  const [, accessKeyId = "", scopeDate = "", region = "", service = ""] = match ?? [];
  lastScope = { credential, scope: match ? { accessKeyId, scopeDate, region, service } : undefined };
  return lastScope.scope;
}

/** SignedHeaders' names, or undefined when one is not a lower-case header name or neither `host` nor `:authority` is among them. */
function signedHeaderNames(signedHeaders: string): readonly string[] | undefined {
  if (lastNames?.signedHeaders === signedHeaders) return lastNames.names;
  const names = signedHeaders.split(";");
  // Over HTTP/2 the SDKs sign the `:authority` pseudo-header where HTTP/1.1 has Host (SigV4 takes either).
  const valid = names.every((name) => /^:?[a-z0-9-]+$/.test(name)) && (names.includes("host") || names.includes(":authority"));
  lastNames = { signedHeaders, names: valid ? Object.freeze(names) : undefined };
  return lastNames.names;
}

/** The caller of a request no signature was asked of. */
export function anonymousCaller(defaultRegion: string): Caller {
  return { accessKeyId: undefined, region: defaultRegion, service: undefined, principal: { kind: "anonymous" } };
}

/**
 * Who the request says signed it (scope read, nothing checked yet), so that a service can claim it
 * by its signing service (S3) before verification; the adapter replaces it with the verified caller.
 */
export function claimedCaller(headers: Readonly<Record<string, string | undefined>>, query: URLSearchParams, defaultRegion: string): Caller {
  const parsed = parseSignature(headers, query);
  if (parsed.kind === "signed") return { accessKeyId: parsed.parts.accessKeyId, region: parsed.parts.region, service: parsed.parts.service, principal: { kind: "anonymous" } };
  // A malformed signature whose credential scope can still be read is refused by the service it names, in its own words.
  const scope = parsed.kind === "malformed" ? CREDENTIAL_IN.exec(headers.authorization ?? `Credential=${query.get("X-Amz-Credential") ?? ""},`) : null;
  if (!scope) return anonymousCaller(defaultRegion);
  return { ...anonymousCaller(scope[2] ?? defaultRegion), service: scope[3] };
}


/** The last date `amzDateToMs` read: clients sign with the current second, so the same one comes again and again. */
let lastMs = { amzDate: "", ms: Number.NaN };

/** yyyymmddThhmmssZ → epoch ms. */
export function amzDateToMs(amzDate: string): number {
  if (lastMs.amzDate === amzDate) return lastMs.ms;
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`;
  lastMs = { amzDate, ms: Date.parse(iso) };
  return lastMs.ms;
}

/** epoch ms → yyyymmddThhmmssZ. */
export function msToAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/** The last date `normalAmzDate` was asked for: clients sign with the current second, so it is asked for again and again. */
let lastNormal = { given: "", normal: "" };

/** An X-Amz-Date as the signer writes that instant (a field out of range, such as hour 24, rolls over as Date does). */
export function normalAmzDate(amzDate: string): string {
  if (lastNormal.given !== amzDate) lastNormal = { given: amzDate, normal: msToAmzDate(amzDateToMs(amzDate)) };
  return lastNormal.normal;
}
