/** Reads the SigV4 credential scope (access key, region, service) from a request. Verification comes later. */
import type { Caller } from "./http.js";

const CREDENTIAL = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function callerOf(headers: Readonly<Record<string, string | undefined>>, query: URLSearchParams, defaultRegion: string): Caller {
  const authorization = headers.authorization;
  const scope = authorization ? CREDENTIAL.exec(authorization) : undefined;
  if (scope) return { accessKeyId: scope[1], region: scope[3] ?? defaultRegion, service: scope[4] };
  const presigned = query.get("X-Amz-Credential");
  if (presigned) {
    const [accessKeyId, , region, service] = presigned.split("/");
    return { accessKeyId, region: region ?? defaultRegion, service };
  }
  return { accessKeyId: undefined, region: defaultRegion, service: undefined };
}
