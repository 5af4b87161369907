/**
 * The signer verification uses: @smithy/signature-v4's, plus two header-form computations of its own.
 * `exactSignature`: its `sign` drops a `date` header and adds `x-amz-date`, but SigV4 signs `date` like
 * any header when the client listed it (alone, the request's timestamp; with `x-amz-date`, just a
 * header), so that case builds the canonical request over exactly the headers the client signed.
 * `headerSignature`: what `sign` computes for every other header-form request, without its
 * per-request cost (a clone of the request, a chain of promises, hashes through byte-array wrappers,
 * a signing key looked up under an HMAC of the credentials): the same canonical request from the same
 * exported helpers, hashed synchronously with node:crypto under the day's signing key kept here.
 */
import { createHmac, createSecretKey, type KeyObject } from "node:crypto";
import { escapeUri } from "@smithy/core/protocols";
import { getCanonicalHeaders, getPayloadHash, SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";
import { sha256Hex } from "../core/sha256.js";

export interface ExactSigning {
  /** yyyymmddThhmmssZ: the request's timestamp (from X-Amz-Date, or else from Date). */
  readonly longDate: string;
  readonly region: string;
  readonly service: string;
  /** Headers present on the request that the client did not sign (a declared payload hash). Read, never changed. */
  readonly unsignable: Set<string>;
}

export interface HeaderSigning extends ExactSigning {
  /** The key's secret (the signer was made for that key, so it never changes for one signer). */
  readonly secretAccessKey: string;
  /** The session token the credentials carry: `sign` adds it as X-Amz-Security-Token. */
  readonly sessionToken: string | undefined;
  /** Headers the client listed in SignedHeaders. Read, never changed. */
  readonly signable: Set<string>;
}

/** Headers `sign` computes itself, so it drops them from the request first (its prepareRequest). */
const GENERATED_HEADERS = new Set(["authorization", "x-amz-date", "date"]);
/** SHA-256 of the empty payload: `sign`'s payload hash for a request without a body. */
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export class VerifyingSigner extends SignatureV4 {
  /**
   * The signing key for one day and scope, derived once (a signer serves one key), as a KeyObject: an
   * HMAC keyed with one does not copy the key in again for every request.
   */
  private kept: { readonly scope: string; readonly key: KeyObject } | undefined;

  /** The header-form signature over `request`'s headers as they are: none added, none dropped. */
  async exactSignature(request: HttpRequest, signing: ExactSigning): Promise<string> {
    const { longDate, region, service } = signing;
    const scope = `${longDate.slice(0, 8)}/${region}/${service}/aws4_request`;
    const headers = getCanonicalHeaders(request, signing.unsignable);
    const canonical = this.createCanonicalRequest(request, headers, await getPayloadHash(request, this.sha256));
    const stringToSign = await this.createStringToSign(longDate, scope, canonical, "AWS4-HMAC-SHA256");
    const { secretAccessKey } = await this.credentialProvider();
    let key: Buffer | string = `AWS4${secretAccessKey}`;
    for (const part of [longDate.slice(0, 8), region, service, "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
    return createHmac("sha256", key).update(stringToSign).digest("hex");
  }

  /**
   * The signature `sign(request, { signingDate, signableHeaders, unsignableHeaders, … })` puts in its
   * Authorization header (with `applyChecksum: false`), computed synchronously.
   */
  headerSignature(request: HttpRequest, signing: HeaderSigning): string {
    const { longDate, region, service } = signing;
    const headers: Record<string, string> = {};
    for (const name in request.headers) if (!GENERATED_HEADERS.has(name.toLowerCase())) headers[name] = request.headers[name] as string;
    headers["x-amz-date"] = longDate;
    if (signing.sessionToken) headers["x-amz-security-token"] = signing.sessionToken;
    const canonical = `${request.method}\n${this.pathAndQuery(request)}\n${canonicalHeaderLines(headers, signing.unsignable, signing.signable)}\n${payloadHash(headers, request.body)}`;
    const scope = `${longDate.slice(0, 8)}/${region}/${service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${sha256Hex(canonical)}`;
    return createHmac("sha256", this.signingKey(signing.secretAccessKey, scope)).update(stringToSign).digest("hex");
  }

  /**
   * The canonical request's path and query lines. The JSON and query protocols all send `POST /` with
   * no query, whose lines are fixed; any other request takes @smithy/signature-v4's own rules (the
   * path normalised and encoded once more for every service but S3, the query sorted and encoded).
   */
  private pathAndQuery(request: HttpRequest): string {
    if (request.path === "/" && isEmpty(request.query)) return "/\n";
    // getCanonicalPath is private in the types, though `sign` and subclasses call it.
    const path = (this as unknown as { getCanonicalPath(request: HttpRequest): string }).getCanonicalPath(request);
    return `${path}\n${canonicalQuery(request.query)}`;
  }

  /**
   * `sign` and `presign`'s canonical request, with the query written by canonicalQuery: @smithy's own
   * collects it in a plain object, where a parameter named `__proto__` turns into `[object Object]`, so
   * its value would go unsigned. (Such a request from a client with that flaw is refused, as AWS refuses it.)
   */
  override createCanonicalRequest(request: HttpRequest, canonicalHeaders: Record<string, string>, payloadHash: string): string {
    const names = Object.keys(canonicalHeaders).sort();
    return `${request.method}\n${this.pathAndQuery(request)}\n${names.map((name) => `${name}:${canonicalHeaders[name] as string}`).join("\n")}\n\n${names.join(";")}\n${payloadHash}`;
  }

  private signingKey(secretAccessKey: string, scope: string): KeyObject {
    if (this.kept?.scope === scope) return this.kept.key;
    let key: Buffer | string = `AWS4${secretAccessKey}`;
    for (const part of scope.split("/")) key = createHmac("sha256", key).update(part).digest();
    this.kept = { scope, key: createSecretKey(key as Buffer) };
    return this.kept.key;
  }
}

/** A value the canonical form changes: a line break or tab, two spaces in a row, or a space at either end. */
const NEEDS_TRIM = /[\r\n\t]| {2}|^ | $/;

/**
 * The canonical request's header lines, blank line and signed-header list, as `sign` writes them for
 * these headers: every one but those it may not sign unless the client signed them, by lower-cased
 * name in order, each value with line breaks made spaces, runs of spaces and tabs one space, and one
 * space trimmed from either end. (The headers here are the client's signed ones plus the date, token
 * and declared payload hash verification adds, so none is among those SigV4 never signs.)
 */
function canonicalHeaderLines(headers: Record<string, string>, unsignable: Set<string>, signable: Set<string>): string {
  const values = new Map<string, string>();
  for (const header of Object.keys(headers)) {
    const name = header.toLowerCase();
    if (unsignable.has(name) && !signable.has(name)) continue;
    const value = headers[header] as string;
    values.set(name, NEEDS_TRIM.test(value) ? value.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").replace(/^ | $/g, "") : value);
  }
  const names = [...values.keys()].sort();
  let lines = "";
  for (const name of names) lines += `${name}:${values.get(name) as string}\n`;
  return `${lines}\n${names.join(";")}`;
}

/**
 * SigV4's canonical query string: every parameter but X-Amz-Signature as `name=value`, both URI-encoded,
 * sorted by name and, for a repeated name, by pair; a parameter's name is any string (read by own key).
 */
function canonicalQuery(query: HttpRequest["query"]): string {
  const byName: [string, string][] = [];
  for (const name of Object.keys(query ?? {})) {
    if (name.toLowerCase() === "x-amz-signature") continue;
    const value = Object.getOwnPropertyDescriptor(query, name)?.value as string | string[] | null | undefined;
    const key = escapeUri(name);
    const values = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
    if (values.length > 0) byName.push([key, values.map((v) => `${key}=${escapeUri(v)}`).sort().join("&")]);
  }
  return byName.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, pairs]) => pairs).join("&");
}

function isEmpty(query: HttpRequest["query"]): boolean {
  for (const _ in query) return false;
  return true;
}

/** `sign`'s payload hash: a declared X-Amz-Content-Sha256 as given, else the body's (empty without one). */
function payloadHash(headers: Record<string, string>, body: unknown): string {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === "x-amz-content-sha256") return headers[name] as string;
  if (body === undefined || body === null) return EMPTY_SHA256;
  if (typeof body === "string" || ArrayBuffer.isView(body)) return sha256Hex(body as string | Uint8Array);
  return "UNSIGNED-PAYLOAD";
}
