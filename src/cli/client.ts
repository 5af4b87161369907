/** AWS SDK clients pointed at a Unkai server: the CLI is a thin layer over the same API everyone uses. */
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { DEFAULT_KEY } from "../auth/access-keys.js";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { CliError } from "./output.js";

export const ENDPOINT_OPTION = { endpoint: { type: "string" } } as const;

export function endpointOf(flag: string | undefined): string {
  return flag ?? process.env.UNKAI_ENDPOINT ?? `http://127.0.0.1:${process.env.UNKAI_PORT ?? "4566"}`;
}

function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? DEFAULT_KEY.accessKeyId,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? DEFAULT_KEY.secretAccessKey,
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    },
    maxAttempts: 1,
  };
}

/**
 * fetch() for Unkai's own /_unkai/ endpoints (or, with `service`, another service's Query API), SigV4-signed
 * with the same credentials as the SDK clients.
 */
export async function signedFetch(
  endpoint: string,
  path: string,
  init: { method?: string; body?: string; service?: string; contentType?: string } = {},
): Promise<Response> {
  const { region, credentials } = clientConfig(endpoint);
  const url = new URL(path, endpoint);
  const query: Record<string, string> = Object.fromEntries(url.searchParams);
  const signer = new SignatureV4({ credentials, region, service: init.service ?? "unkai", sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign({
    method: init.method ?? "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port) || undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...(init.body !== undefined ? { "content-type": init.contentType ?? "application/json" } : {}) },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return fetch(url, { method: signed.method, headers: signed.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}

export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient(clientConfig(endpoint));
}

export function apiGatewayV2Client(endpoint: string): ApiGatewayV2Client {
  return new ApiGatewayV2Client(clientConfig(endpoint));
}

export function logsClient(endpoint: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient(clientConfig(endpoint));
}

/** Turns SDK and connection errors into one readable line with a hint. */
export function explain(error: unknown, endpoint: string): never {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  if (e.code === "ECONNREFUSED" || e.cause?.code === "ECONNREFUSED" || /ECONNREFUSED/.test(e.message ?? "")) {
    throw new CliError(`cannot reach Unkai at ${endpoint}.`, "Start it with `unkai start`, or pass --endpoint.");
  }
  if (e.name === "ResourceNotFoundException") throw new CliError(e.message ?? "not found", "List functions with `unkai ls`.");
  throw new CliError(`${e.name ?? "Error"}: ${e.message ?? String(error)}`);
}
