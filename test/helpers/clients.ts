/** The real clients tests drive Unkai with: AWS SDK v3 and the AWS CLI v2. */
import { join } from "node:path";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, type CreateFunctionCommandInput, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { zipDirectory } from "../../src/store/code/zip-directory.js";
import { AWS_CLI, FIXTURES } from "./paths.js";
import type { Keys } from "./outcome.js";
import { runProcess, type Run } from "./process.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export const ROLE = "arn:aws:iam::000000000000:role/unkai-test";

/** A Lambda client for `url`, signing with the account's default key unless given others. */
export function lambda(url: string, credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: "test", secretAccessKey: "test" }): LambdaClient {
  return new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

export const DEFAULT_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

export interface SignedInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly redirect?: "follow" | "manual";
  /** The signing name in the credential scope (the endpoint's service); Lambda's unless given. */
  readonly service?: string;
}

/** fetch() signed with SigV4 (default keys unless given), for raw requests the SDKs would not send. */
export async function signedFetch(url: string, init: SignedInit = {}, credentials: { accessKeyId: string; secretAccessKey: string } = DEFAULT_CREDENTIALS): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({ credentials, region: "us-east-1", service: init.service ?? "lambda", sha256: Hash.bind(null, "sha256") });
  const lowered = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = await signer.sign({
    method: init.method ?? "GET",
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port) || undefined,
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { ...lowered, host: target.host },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  return fetch(target, { method: signed.method, headers: signed.headers, redirect: init.redirect ?? "follow", ...(init.body !== undefined ? { body: init.body } : {}) });
}

export function fixtureZip(name: string): Promise<Buffer> {
  return zipDirectory(join(FIXTURES, name));
}

/** Creates a function from a fixture folder with SDK v3. */
export async function createFromFixture(
  client: LambdaClient,
  name: string,
  fixture: string,
  extra: Partial<CreateFunctionCommandInput> = {},
): Promise<void> {
  await client.send(new CreateFunctionCommand({
    FunctionName: name,
    Runtime: "nodejs20.x",
    Handler: "index.handler",
    Role: ROLE,
    Code: { ZipFile: await fixtureZip(fixture) },
    ...extra,
  }));
}

export interface Invoked {
  readonly status: number | undefined;
  readonly functionError: string | undefined;
  readonly payload: string;
  readonly json: unknown;
  readonly log: string;
  readonly raw: InvokeCommandOutput;
}

export async function invoke(client: LambdaClient, name: string, payload: unknown = {}, tail = true): Promise<Invoked> {
  const raw = await client.send(new InvokeCommand({
    FunctionName: name,
    Payload: Buffer.from(JSON.stringify(payload)),
    LogType: tail ? "Tail" : "None",
  }));
  const text = Buffer.from(raw.Payload ?? new Uint8Array()).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: raw.StatusCode,
    functionError: raw.FunctionError,
    payload: text,
    json,
    log: raw.LogResult ? Buffer.from(raw.LogResult, "base64").toString("utf8") : "",
    raw,
  };
}

export type CliResult = Run;

/** Runs the real AWS CLI v2 against Unkai, with no config file unless one is given. */
export function aws(url: string, args: readonly string[], cwd?: string, configFile = "/dev/null"): Promise<CliResult> {
  return awsAs(url, DEFAULT_CREDENTIALS, args, cwd, configFile);
}

/** The AWS CLI v2 signing with `keys` (an IAM user's, or a role session's with its token) rather than the default key. */
export function awsAs(url: string, keys: Keys, args: readonly string[], cwd?: string, configFile = "/dev/null"): Promise<CliResult> {
  return runProcess(AWS_CLI, ["--endpoint-url", url, "--output", "json", ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      ...(keys.sessionToken ? { AWS_SESSION_TOKEN: keys.sessionToken } : {}),
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_PAGER: "",
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_MAX_ATTEMPTS: "1",
    },
  });
}

/** Parses the REPORT line of a log tail into its fields. */
export function parseReport(log: string): Record<string, string> {
  const line = log.split("\n").find((l) => l.startsWith("REPORT RequestId: "));
  if (!line) throw new Error(`no REPORT line in log:\n${log}`);
  const fields: Record<string, string> = {};
  for (const part of line.split("\t")) {
    const at = part.indexOf(": ");
    if (at > 0) fields[part.slice(0, at).replace(/^REPORT /, "")] = part.slice(at + 2);
  }
  return fields;
}
