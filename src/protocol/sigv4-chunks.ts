/**
 * Per-chunk signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` uploads (aws-chunked bodies): each
 * chunk is signed over the SHA-256 of its bytes and the signature before it, the first over the
 * request's own (already verified) signature, so no chunk can be altered, dropped or reordered
 * without the secret. The signing key is the request's, derived from the same credential scope.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { CredentialLookup } from "./sigv4-verify.js";
import { ALGORITHM, parseSignature } from "./sigv4.js";

const EMPTY_SHA256 = createHash("sha256").digest("hex");

/** Checks one chunk's signature given the SHA-256 (hex) of its bytes; each call moves the chain on. */
export type ChunkChain = (signature: string | undefined, sha256: string) => boolean;

/** The chain for a request signed in its Authorization header, or undefined when it has none to chain from. */
export async function chunkChain(headers: Readonly<Record<string, string | undefined>>, query: URLSearchParams, lookup: CredentialLookup): Promise<ChunkChain | undefined> {
  const parsed = parseSignature(headers, query);
  if (parsed.kind !== "signed" || parsed.parts.form !== "header") return undefined;
  const secret = await lookup.find(parsed.parts.accessKeyId);
  if (!secret) return undefined;
  const { scopeDate, region, service, amzDate } = parsed.parts;
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const key = [scopeDate, region, service, "aws4_request"].reduce<Buffer>(
    (derived, part) => createHmac("sha256", derived).update(part).digest(),
    Buffer.from(`AWS4${secret.secretAccessKey}`),
  );
  let previous = parsed.parts.signature;
  return (signature, sha256) => {
    const toSign = [`${ALGORITHM}-PAYLOAD`, amzDate, scope, previous, EMPTY_SHA256, sha256].join("\n");
    const expected = createHmac("sha256", key).update(toSign).digest("hex");
    previous = expected;
    return signature !== undefined && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
  };
}
