/**
 * HTTP APIs' JWT authorizers, as API Gateway runs them: the token from the identity source (a
 * `Bearer ` prefix dropped), its signature checked with the issuer's JWKS (discovered from
 * `<issuer>/.well-known/openid-configuration`; RSA algorithms only, as API Gateway), `iss` the
 * issuer, `aud` or `client_id` one of the audiences, `exp`/`nbf` current; a route's scopes need one
 * of them in `scope`/`scp`. Refusals: 401 with `WWW-Authenticate` for a missing or invalid token, 403
 * for a token without the scope. Signature checks are jose's (MIT), not ours.
 */
import { Readable } from "node:stream";
import type * as Jose from "jose";
import type { JWTPayload, createRemoteJWKSet } from "jose";
import type { HttpAuthorizer } from "../../core/api-definitions.js";
import { setOwn } from "../../core/own-keys.js";
import { requestValue, type ServedRequest } from "../../api-mapping/request-parts.js";
import { readWhole } from "../../store/read-whole.js";
import type { HttpResult } from "../../api-mapping/responses.js";

const ALGORITHMS = ["RS256", "RS384", "RS512"];
/** How long a discovered JWKS address is kept, and how long discovery and key fetches may take. */
const DISCOVERY_TTL_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;
/** The most an issuer's OpenID configuration or JWKS may hold: the issuer is whatever URL an API names, so it cannot make Unkai buffer more. */
const MAX_ISSUER_DOCUMENT_BYTES = 1024 * 1024;
/** Clock skew allowed on exp and nbf. */
const CLOCK_TOLERANCE_S = 5;

export type JwtVerdict =
  | { readonly kind: "allow"; readonly claims: Record<string, string>; readonly scopes: string[] | null }
  | { readonly kind: "refuse"; readonly result: HttpResult; readonly error: string };

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** jose is loaded on the first JWT to check (about 10 MB and 40 ms that a server without JWT authorizers never pays). */
let loaded: Promise<typeof Jose> | undefined;
const jose = () => (loaded ??= import("jose"));

export class JwtAuthorizers {
  private readonly keySets = new Map<string, { readonly keys: Promise<KeySet>; readonly until: number }>();

  async authorize(authorizer: HttpAuthorizer, scopes: readonly string[] | undefined, request: ServedRequest): Promise<JwtVerdict> {
    const config = authorizer.jwtConfiguration;
    const raw = tokenFrom(authorizer.identitySource[0] ?? "", request);
    if (config === undefined || raw === undefined || raw === "") return unauthorized("", "no token");
    const token = raw.replace(/^Bearer\s+/i, "");
    let payload: JWTPayload;
    try {
      const { jwtVerify } = await jose();
      payload = (await jwtVerify(token, await this.keysOf(config.issuer), { issuer: config.issuer, algorithms: ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S })).payload;
    } catch (error) {
      return unauthorized(scopeText(scopes), describe(error));
    }
    const audiences = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
    if (typeof payload.client_id === "string") audiences.push(payload.client_id);
    if (!audiences.some((a) => config.audience.includes(a))) return unauthorized(scopeText(scopes), "the token's audience (aud or client_id) is not one this authorizer accepts");
    const granted = grantedScopes(payload);
    if (scopes !== undefined && scopes.length > 0 && !scopes.some((s) => granted.includes(s))) {
      return { kind: "refuse", error: "the token has none of the route's scopes", result: answer(403, "Forbidden", { "www-authenticate": `Bearer scope="${scopeText(scopes)}" error="insufficient_scope" error_description="the token does not have the required scopes"` }) };
    }
    return { kind: "allow", claims: claimsText(payload), scopes: granted.length > 0 ? granted : null };
  }

  /** The issuer's key set: its JWKS address discovered once (kept 10 minutes), the keys fetched and cached by jose. */
  private keysOf(issuer: string): Promise<KeySet> {
    const known = this.keySets.get(issuer);
    if (known && known.until > Date.now()) return known.keys;
    const keys = discover(issuer);
    this.keySets.set(issuer, { keys, until: Date.now() + DISCOVERY_TTL_MS });
    // A failed discovery is tried again on the next request.
    keys.catch(() => this.keySets.delete(issuer));
    return keys;
  }
}

/** fetch, with the body read no further than MAX_ISSUER_DOCUMENT_BYTES (for discovery, and jose's JWKS fetches). */
async function cappedFetch(url: string | URL, init: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (response.body === null) return response;
  const tooLarge = () => new Error(`the issuer's document at ${String(url)} is larger than ${MAX_ISSUER_DOCUMENT_BYTES} bytes`);
  const body = await readWhole(Readable.fromWeb(response.body), MAX_ISSUER_DOCUMENT_BYTES, tooLarge);
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

async function discover(issuer: string): Promise<KeySet> {
  const response = await cappedFetch(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error" });
  if (!response.ok) throw new Error(`the issuer's OpenID configuration answered ${response.status}`);
  const jwksUri = ((await response.json()) as { jwks_uri?: unknown }).jwks_uri;
  if (typeof jwksUri !== "string" || !/^https?:\/\//.test(jwksUri)) throw new Error("the issuer's OpenID configuration has no jwks_uri");
  const { createRemoteJWKSet, customFetch } = await jose();
  return createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: FETCH_TIMEOUT_MS, [customFetch]: cappedFetch });
}

function tokenFrom(source: string, request: ServedRequest): string | undefined {
  const [, kind, name = ""] = /^\$request\.(header|querystring)\.(.+)$/.exec(source) ?? [];
  return kind === "header" || kind === "querystring" ? requestValue(request, kind, name) : undefined;
}

function grantedScopes(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === "string") return raw.split(" ").filter((s) => s !== "");
  return Array.isArray(raw) ? raw.filter((s): s is string => typeof s === "string") : [];
}

/** Claims as API Gateway passes them on: strings; arrays as `[a b]`, other values as JSON. */
function claimsText(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  // The token's issuer names the claims (`__proto__` too): setOwn keeps each one an entry.
  for (const [name, value] of Object.entries(payload)) setOwn(claims, name, claimText(value));
  return claims;
}

function claimText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(" ")}]`;
  return JSON.stringify(value);
}

/** A route's scopes for a WWW-Authenticate header (quotes and line breaks cannot break out of it). */
const scopeText = (scopes: readonly string[] | undefined) => (scopes ?? []).join(" ").replace(/["\\\r\n]/g, " ");

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === "ERR_JWT_EXPIRED") return "the token has expired";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return `the token's claims are not valid: ${(error as Error).message}`;
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return "the token's signature is not valid";
  if (typeof code === "string" && code.startsWith("ERR_JWKS")) return "no key of the issuer's JWKS matches the token";
  if (code === "ERR_JOSE_ALG_NOT_ALLOWED") return "the token is not signed with an RSA algorithm";
  return (error as Error).message?.slice(0, 200) ?? "the token is not valid";
}

function unauthorized(scope: string, description: string): JwtVerdict {
  const safe = description.replace(/["\\\r\n]/g, " ");
  return { kind: "refuse", error: description, result: answer(401, "Unauthorized", { "www-authenticate": `Bearer scope="${scope}" error="invalid_token" error_description="${safe}"` }) };
}

function answer(status: number, message: string, headers: Record<string, string>): HttpResult {
  return { status, headers: { "content-type": "application/json", ...headers }, body: Buffer.from(JSON.stringify({ message })) };
}
