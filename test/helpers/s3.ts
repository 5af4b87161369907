import assert from "node:assert/strict";
/** S3 clients for tests: SDK v3 (path-style or virtual-hosted) and the AWS CLI v2 with an S3 config file. */
import { createHash } from "node:crypto";
import { Agent } from "node:http";
import type { LookupFunction } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Sha256 } from "@aws-crypto/sha256-js";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { aws, type CliResult } from "./clients.js";
import { runBoto3 } from "./boto3.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

export function s3(url: string): S3Client {
  return new S3Client({ endpoint: url, region: "us-east-1", credentials, forcePathStyle: true, maxAttempts: 1 });
}

/** A client that addresses buckets as `<bucket>.s3.localhost:<port>`; every name resolves to loopback. */
export function virtualHostedS3(url: string): S3Client {
  const port = new URL(url).port;
  const lookup: LookupFunction = (_host, options, callback) =>
    options.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4);
  const httpAgent = new Agent({ lookup });
  return new S3Client({
    endpoint: `http://s3.localhost:${port}`,
    region: "us-east-1",
    credentials,
    forcePathStyle: false,
    maxAttempts: 1,
    requestHandler: { httpAgent },
  });
}

/** Runs `/usr/bin/aws` against Unkai with an `[default] s3 = …` config (path-style addressing). */
export function awsS3(url: string, args: readonly string[], s3Settings: Record<string, string> = {}, cwd?: string): Promise<CliResult> {
  const dir = mkdtempSync(join(tmpdir(), "unkai-awscfg-"));
  const config = join(dir, "config");
  const settings = { addressing_style: "path", ...s3Settings };
  writeFileSync(config, `[default]\nregion = us-east-1\ns3 =\n${Object.entries(settings).map(([k, v]) => `  ${k} = ${v}`).join("\n")}\n`);
  return aws(url, args, cwd, config);
}

const signer = new SignatureV4({ service: "s3", region: "us-east-1", credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });

/**
 * Headers for a hand-made S3 request (odd bodies the SDK would not send), signed with the default
 * key; the payload hash is the request's own `x-amz-content-sha256` (UNSIGNED-PAYLOAD if absent).
 */
export async function signedS3Headers(url: string, method: string, path: string, headers: Record<string, string | number>): Promise<Record<string, string>> {
  const { hostname, port, host } = new URL(url);
  const lowered = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]));
  const signed = await signer.sign({
    method, protocol: "http:", hostname, port: Number(port), path, query: {},
    headers: { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...lowered },
  });
  return signed.headers;
}

/**
 * A STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload as the Java and .NET SDKs send one: the request signed
 * in its header, then each chunk signed (with the library's string signer) over the one before.
 * `corrupt` swaps a chunk's bytes after signing, as a tampering proxy would.
 */
export async function signedChunkedUpload(url: string, path: string, chunks: readonly Buffer[], corrupt?: { index: number; data: Buffer }): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const { hostname, port, host } = new URL(url);
  const signingDate = new Date();
  const decodedLength = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const signed = await signer.sign({
    method: "PUT", protocol: "http:", hostname, port: Number(port), path, query: {},
    headers: { host, "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(decodedLength) },
  }, { signingDate });
  const amzDate = signed.headers["x-amz-date"] ?? "";
  let previous = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? "")?.[1] ?? "";
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const hash = (data: Buffer) => createHash("sha256").update(data).digest("hex");
  const parts: Buffer[] = [];
  for (const [index, chunk] of [...chunks, Buffer.alloc(0)].entries()) {
    previous = await signer.sign(["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, hash(Buffer.alloc(0)), hash(chunk)].join("\n"), { signingDate });
    const sent = corrupt?.index === index ? corrupt.data : chunk;
    parts.push(Buffer.from(`${sent.length.toString(16)};chunk-signature=${previous}\r\n`), sent, Buffer.from("\r\n"));
  }
  return { headers: signed.headers, body: Buffer.concat(parts) };
}

/** A hand-made S3 request (path with query, any body) signed with the default key, UNSIGNED-PAYLOAD unless a hash is given. */
export async function signedS3Fetch(url: string, method: string, pathAndQuery: string, init: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Response> {
  const target = new URL(pathAndQuery, url);
  const lowered = Object.fromEntries(Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const query: Record<string, string> = {};
  for (const [name, value] of target.searchParams) query[name] = value;
  const signed = await signer.sign({
    method, protocol: "http:", hostname: target.hostname, port: Number(target.port), path: target.pathname, query,
    headers: { host: target.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...lowered },
  });
  return fetch(target, { method, headers: signed.headers, ...(init.body !== undefined ? { body: init.body } : {}) });
}

/**
 * Runs a Python snippet with boto3 (Debian's /usr/bin/python3) against Unkai: `s3` is a path-style
 * client, `url` the endpoint, `args` the extra arguments; the snippet prints its result as JSON.
 */
export function boto3S3(url: string, snippet: string, args: readonly string[] = []): Promise<unknown> {
  return runBoto3([
    "import json, sys, boto3, botocore.config, botocore.exceptions",
    "url = sys.argv[1]",
    "args = sys.argv[2:]",
    `s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",`,
    `                  config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))`,
    snippet,
  ], [url, ...args]);
}

/** Asserts `promise` fails with the S3 error `code` (and a message matching `message`). */
export async function rejectsWithS3Error(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    assert.equal(error.name, code);
    if (message) assert.match(error.message, message);
    return true;
  });
}
