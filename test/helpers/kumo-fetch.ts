/** fetch for Kumo's own /_kumo/ endpoints, signed with SigV4 (service `kumo`) like every client's calls. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

const signer = new SignatureV4({ service: "kumo", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, sha256: Sha256 });

export async function kumoFetch(baseUrl: string, path: string, init: { method?: string; query?: Record<string, string>; body?: string } = {}): Promise<Response> {
  const url = new URL(baseUrl);
  const method = init.method ?? "GET";
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: init.query ?? {},
    headers: { host: url.host, ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
    body: init.body,
  });
  const search = new URLSearchParams(init.query ?? {}).toString();
  return fetch(`${baseUrl}${path}${search ? `?${search}` : ""}`, { method, headers: signed.headers, body: init.body, redirect: "manual" });
}
