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
import { createHash, createHmac } from "node:crypto";
import { getCanonicalHeaders, getPayloadHash, SignatureV4 } from "@smithy/signature-v4";
import type { HttpRequest } from "@smithy/types";

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
  /** The signing key for one day and scope, derived once (a signer serves one key). */
  private kept: { readonly scope: string; readonly key: Buffer } | undefined;

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
    const prepared = { ...request, headers };
    const canonicalHeaders = getCanonicalHeaders(prepared, signing.unsignable, signing.signable);
    const canonical = this.createCanonicalRequest(prepared, canonicalHeaders, payloadHash(headers, request.body));
    const scope = `${longDate.slice(0, 8)}/${region}/${service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${createHash("sha256").update(canonical).digest("hex")}`;
    return createHmac("sha256", this.signingKey(signing.secretAccessKey, scope)).update(stringToSign).digest("hex");
  }

  private signingKey(secretAccessKey: string, scope: string): Buffer {
    if (this.kept?.scope === scope) return this.kept.key;
    let key: Buffer | string = `AWS4${secretAccessKey}`;
    for (const part of scope.split("/")) key = createHmac("sha256", key).update(part).digest();
    this.kept = { scope, key: key as Buffer };
    return this.kept.key;
  }
}

/** `sign`'s payload hash: a declared X-Amz-Content-Sha256 as given, else the body's (empty without one). */
function payloadHash(headers: Record<string, string>, body: unknown): string {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === "x-amz-content-sha256") return headers[name] as string;
  if (body === undefined || body === null) return EMPTY_SHA256;
  if (typeof body === "string" || ArrayBuffer.isView(body)) return createHash("sha256").update(body as string | Uint8Array).digest("hex");
  return "UNSIGNED-PAYLOAD";
}
