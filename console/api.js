/** Unkai's public APIs as any client uses them: SigV4-signed AWS SDK v3 clients, and signed fetches for /_unkai/. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { APIGatewayClient } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client } from "@aws-sdk/client-apigatewayv2";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IAMClient } from "@aws-sdk/client-iam";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SignatureV4 } from "@smithy/signature-v4";

const KEY = "unkai-console-credentials";
/** Unkai's loopback key pair, and the region Unkai runs in (written into the page by the server). */
const DEFAULTS = {
  accessKeyId: "test",
  secretAccessKey: "test",
  region: document.querySelector('meta[name="unkai-region"]')?.getAttribute("content") || "us-east-1",
};

export function getCredentials() {
  try {
    return { ...DEFAULTS, ...JSON.parse(sessionStorage.getItem(KEY) ?? "{}") };
  } catch {
    return { ...DEFAULTS };
  }
}

export function setCredentials(value) {
  sessionStorage.setItem(KEY, JSON.stringify(value));
  clients = undefined;
}

let clients;

function build() {
  const { accessKeyId, secretAccessKey, region } = getCredentials();
  const options = { endpoint: location.origin, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 };
  return {
    lambda: new LambdaClient(options),
    logs: new CloudWatchLogsClient(options),
    // S3 on Unkai's one port: buckets in the path, never in the host name.
    s3: new S3Client({ ...options, forcePathStyle: true }),
    apis: new ApiGatewayV2Client(options),
    restApis: new APIGatewayClient(options),
    sqs: new SQSClient(options),
    sns: new SNSClient(options),
    cloudwatch: new CloudWatchClient(options),
    events: new EventBridgeClient(options),
    scheduler: new SchedulerClient(options),
    iam: new IAMClient(options),
    kinesis: new KinesisClient(options),
    // Items in and out as plain JSON (numbers, strings, lists, maps, sets), as the tables page shows them.
    documents: DynamoDBDocumentClient.from(new DynamoDBClient(options), { marshallOptions: { removeUndefinedValues: true } }),
  };
}

export const lambda = () => (clients ??= build()).lambda;
export const logs = () => (clients ??= build()).logs;
export const s3 = () => (clients ??= build()).s3;
export const apis = () => (clients ??= build()).apis;
export const restApis = () => (clients ??= build()).restApis;
export const sqs = () => (clients ??= build()).sqs;
export const sns = () => (clients ??= build()).sns;
export const cloudwatch = () => (clients ??= build()).cloudwatch;
export const events = () => (clients ??= build()).events;
export const scheduler = () => (clients ??= build()).scheduler;
export const iam = () => (clients ??= build()).iam;
export const kinesis = () => (clients ??= build()).kinesis;
export const documents = () => (clients ??= build()).documents;

/** A fetch of Unkai's own endpoints, signed with SigV4 for the service `unkai`. Throws with Unkai's message on errors. */
export async function unkaiFetch(path, { method = "GET", query = {}, body } = {}) {
  const { accessKeyId, secretAccessKey, region } = getCredentials();
  const signer = new SignatureV4({ service: "unkai", region, credentials: { accessKeyId, secretAccessKey }, sha256: Sha256 });
  const headers = { host: location.host };
  if (body !== undefined) headers["content-type"] = "application/json";
  const signed = await signer.sign({
    method,
    protocol: location.protocol,
    hostname: location.hostname,
    port: location.port ? Number(location.port) : undefined,
    path,
    query,
    headers,
    body,
  });
  // The browser sets Host itself (and refuses to be told); it is the same value that was signed.
  const sendHeaders = { ...signed.headers };
  delete sendHeaders.host;
  const search = new URLSearchParams(query).toString();
  const response = await fetch(`${path}${search ? `?${search}` : ""}`, { method, headers: sendHeaders, body });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const data = await response.json();
      message = data.message ?? data.Message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    const error = new Error(message);
    error.name = response.headers.get("x-amzn-errortype") ?? "Error";
    throw error;
  }
  return response;
}

export const unkaiJson = async (path, options) => (await unkaiFetch(path, options)).json();

/** All functions, following ListFunctions' markers. */
export async function listAllFunctions() {
  const all = [];
  let Marker;
  do {
    const page = await lambda().send(new ListFunctionsCommand({ Marker, MaxItems: 50 }));
    all.push(...(page.Functions ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return all;
}
