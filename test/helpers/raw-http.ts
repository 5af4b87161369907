/** Requests no SDK would send: any Host, any Origin, any credential scope, a presigned body; over node:http. */
import { request as httpRequest } from "node:http";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { DEFAULT_CREDENTIALS } from "./clients.js";

export interface RawRequest {
  readonly method?: string;
  /** Path with query. */
  readonly path: string;
  /** Sent as given, Host included (the URL only gives the socket's address). */
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One request to `url`'s address, headers exactly as given; a fresh connection each time. */
export function rawRequest(url: string, request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method: request.method ?? "GET", path: request.path, headers: request.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.once("error", reject);
    req.end(request.body);
  });
}

export interface SigningChoice {
  readonly method?: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  /** The Host to sign and send (default: the URL's). */
  readonly host?: string;
  readonly service?: string;
  readonly region?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Presign into the query string (what a web page can do with a known key) instead of an Authorization header. */
  readonly presign?: boolean;
}

/** A request signed with the default key the way `choice` says, ready for rawRequest. */
export async function signedRaw(url: string, choice: SigningChoice): Promise<RawRequest> {
  const host = choice.host ?? new URL(url).host;
  const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: choice.region ?? "us-east-1", service: choice.service ?? "lambda", sha256: Hash.bind(null, "sha256") });
  const headers = { ...Object.fromEntries(Object.entries(choice.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])), host };
  const base = { method: choice.method ?? "GET", protocol: "http:", hostname: host.replace(/:\d+$/, ""), path: choice.path, query: choice.query ?? {}, headers, ...(choice.body !== undefined ? { body: choice.body } : {}) };
  if (choice.presign) {
    const signed = await signer.presign(base, { expiresIn: 300 });
    const query = new URLSearchParams(signed.query as Record<string, string>).toString();
    return { method: base.method, path: `${choice.path}?${query}`, headers, ...(choice.body !== undefined ? { body: choice.body } : {}) };
  }
  const signed = await signer.sign(base);
  const search = new URLSearchParams(choice.query ?? {}).toString();
  return { method: base.method, path: `${choice.path}${search ? `?${search}` : ""}`, headers: signed.headers, ...(choice.body !== undefined ? { body: choice.body } : {}) };
}

/** The error code of a restJson answer (header) or an S3 XML one (<Code>). */
export function errorCode(response: RawResponse): string | undefined {
  const header = response.headers["x-amzn-errortype"];
  if (typeof header === "string") return header;
  return /<Code>([^<]+)<\/Code>/.exec(response.body)?.[1];
}
