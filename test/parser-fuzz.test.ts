/**
 * Fuzzes every protocol parser (Lambda restJson, S3 REST/XML, Logs JSON 1.1, API Gateway v1 and v2
 * management, the /_unkai/ console API) with valid requests and seeded mutations of them, signed
 * with the test key so they reach the parsers. No answer may be a 5xx (S3's 501 NotImplemented for a
 * sub-resource Unkai lacks is S3's own answer), and Unkai must still answer afterwards.
 * Reproduce a run with UNKAI_FUZZ_SEED=<the printed seed>.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { DEFAULT_CREDENTIALS, invoke, ROLE } from "./helpers/clients.js";
import { Mutator, prng, type FuzzRequest } from "./helpers/fuzz.js";
import { signedS3Fetch } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";

/** 20 s in the suite; UNKAI_FUZZ_BUDGET_MS runs longer locally. */
const FUZZ_BUDGET_MS = Number(process.env.UNKAI_FUZZ_BUDGET_MS ?? 20_000);
const PARALLEL = 4;

const escape = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Sends the request byte for byte (node:http, so odd paths are not normalised away), signed unless told otherwise. */
async function send(baseUrl: string, fuzz: FuzzRequest): Promise<Answer> {
  const { hostname, port, host } = new URL(baseUrl);
  const queryString = Object.entries(fuzz.query).map(([k, v]) => `${escape(k)}=${escape(v)}`).join("&");
  let headers: Record<string, string> = { ...fuzz.headers, host, "content-length": String(fuzz.body.length) };
  if (fuzz.auth === undefined) {
    const s3 = fuzz.service === "s3";
    const signer = new SignatureV4({ credentials: DEFAULT_CREDENTIALS, region: "us-east-1", service: fuzz.service, sha256: Hash.bind(null, "sha256"), uriEscapePath: !s3, applyChecksum: !s3 });
    const signed = await signer.sign({
      method: fuzz.method, protocol: "http:", hostname, port: Number(port), path: fuzz.path, query: fuzz.query,
      headers: s3 ? { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...headers } : headers, body: fuzz.body,
    });
    headers = signed.headers;
  } else if (fuzz.auth !== "none") {
    headers = { ...headers, authorization: fuzz.auth.authorization, "x-amz-date": "20250101T000000Z" };
  }
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: fuzz.method, path: `${fuzz.path}${queryString ? `?${queryString}` : ""}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(fuzz.body);
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const EMPTY = Buffer.alloc(0);

/** Valid requests for every parser; the fuzzer sends these and mutations of them. */
function seeds(apiId: string, restApiId: string, zipBase64: string): FuzzRequest[] {
  const lambda = (method: string, path: string, body: unknown = undefined, query: Record<string, string> = {}): FuzzRequest =>
    ({ service: "lambda", method, path, query, headers: { "content-type": "application/json" }, body: body === undefined ? EMPTY : json(body) });
  const apigw = (method: string, path: string, body: unknown = undefined): FuzzRequest =>
    ({ service: "apigateway", method, path, query: {}, headers: { "content-type": "application/json" }, body: body === undefined ? EMPTY : json(body) });
  const logs = (operation: string, body: unknown): FuzzRequest =>
    ({ service: "logs", method: "POST", path: "/", query: {}, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Logs_20140328.${operation}` }, body: json(body) });
  const kinesis = (operation: string, body: unknown): FuzzRequest =>
    ({ service: "kinesis", method: "POST", path: "/", query: {}, headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Kinesis_20131202.${operation}` }, body: json(body) });
  const dynamodb = (operation: string, body: unknown): FuzzRequest =>
    ({ service: "dynamodb", method: "POST", path: "/", query: {}, headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` }, body: json(body) });
  const table = "arn:aws:dynamodb:us-east-1:000000000000:table/fz-table";
  const s3 = (method: string, path: string, query: Record<string, string> = {}, body = EMPTY, headers: Record<string, string> = {}): FuzzRequest =>
    ({ service: "s3", method, path, query, headers, body });
  const arn = "arn:aws:lambda:us-east-1:000000000000:function:fz";
  return [
    lambda("POST", "/2015-03-31/functions", { FunctionName: "fz2", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zipBase64 }, Timeout: 3, MemorySize: 128, Environment: { Variables: { A: "1" } }, Tags: { t: "v" } }),
    lambda("GET", "/2015-03-31/functions", undefined, { MaxItems: "5" }),
    lambda("GET", "/2015-03-31/functions/fz"),
    lambda("GET", "/2015-03-31/functions/fz/configuration", undefined, { Qualifier: "$LATEST" }),
    lambda("PUT", "/2015-03-31/functions/fz/configuration", { Timeout: 5, Description: "fuzzed", Environment: { Variables: { B: "2" } } }),
    lambda("PUT", "/2015-03-31/functions/fz2/code", { ZipFile: zipBase64 }),
    lambda("POST", "/2015-03-31/functions/fz/invocations", { hello: "world", list: [1, 2, 3] }),
    { ...lambda("POST", "/2015-03-31/functions/fz/invocations", { async: true }), headers: { "x-amz-invocation-type": "Event" } },
    lambda("POST", "/2021-11-15/functions/fz/response-streaming-invocations", { stream: 1 }),
    lambda("POST", "/2015-03-31/functions/fz/versions", { Description: "v" }),
    lambda("GET", "/2015-03-31/functions/fz/versions", undefined, { MaxItems: "2", Marker: "x" }),
    lambda("POST", "/2015-03-31/functions/fz/aliases", { Name: "live", FunctionVersion: "$LATEST", RoutingConfig: { AdditionalVersionWeights: { "1": 0.5 } } }),
    lambda("PUT", "/2015-03-31/functions/fz/aliases/live", { FunctionVersion: "$LATEST" }),
    lambda("GET", "/2015-03-31/functions/fz/aliases"),
    lambda("POST", "/2015-03-31/functions/fz/policy", { StatementId: "s1", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::bkt" }),
    lambda("GET", "/2015-03-31/functions/fz/policy"),
    lambda("DELETE", "/2015-03-31/functions/fz/policy/s1"),
    lambda("PUT", "/2017-10-31/functions/fz2/concurrency", { ReservedConcurrentExecutions: 5 }),
    lambda("GET", "/2019-09-30/functions/fz/concurrency"),
    lambda("PUT", "/2019-09-25/functions/fz/event-invoke-config", { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: `${arn}2` } } }),
    lambda("GET", "/2019-09-25/functions/fz/event-invoke-config/list"),
    lambda("POST", "/2021-10-31/functions/fz2/url", { AuthType: "NONE", Cors: { AllowOrigins: ["*"], MaxAge: 10 } }),
    lambda("GET", "/2021-10-31/functions/fz2/url"),
    lambda("POST", `/2017-03-31/tags/${escape(arn)}`, { Tags: { a: "b" } }),
    lambda("GET", `/2017-03-31/tags/${escape(arn)}`),
    lambda("DELETE", `/2017-03-31/tags/${escape(arn)}`, undefined, { tagKeys: "a" }),
    lambda("POST", "/2018-10-31/layers/lib/versions", { Content: { ZipFile: zipBase64 }, CompatibleRuntimes: ["nodejs20.x"], Description: "d" }),
    lambda("GET", "/2018-10-31/layers", undefined, { CompatibleRuntime: "nodejs20.x" }),
    lambda("GET", "/2018-10-31/layers/lib/versions/1"),
    lambda("GET", "/2016-08-19/account-settings"),
    logs("DescribeLogGroups", { logGroupNamePrefix: "/aws/lambda/", limit: 5 }),
    logs("DescribeLogStreams", { logGroupName: "/aws/lambda/fz", orderBy: "LastEventTime", descending: true, limit: 2 }),
    logs("FilterLogEvents", { logGroupName: "/aws/lambda/fz", filterPattern: "\"echo\"", startTime: 0, endTime: Date.now() + 60_000, limit: 10 }),
    logs("GetLogEvents", { logGroupName: "/aws/lambda/fz", logStreamName: "x", startFromHead: true, nextToken: "f/1" }),
    logs("DeleteLogGroup", { logGroupName: "/aws/lambda/nothing" }),
    kinesis("CreateStream", { StreamName: "fz-stream", ShardCount: 2 }),
    kinesis("PutRecord", { StreamName: "fz-stream", PartitionKey: "k", Data: "aGVsbG8=", ExplicitHashKey: "12345" }),
    kinesis("PutRecords", { StreamName: "fz-stream", Records: [{ PartitionKey: "a", Data: "eA==" }, { PartitionKey: "b", Data: "eQ==" }] }),
    kinesis("GetShardIterator", { StreamName: "fz-stream", ShardId: "shardId-000000000001", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: "49000001000000000000000000000000000000000000000000000001" }),
    kinesis("GetRecords", { ShardIterator: "WyJhcm4iLCJzaGFyZElkLTAwMDAwMDAwMDAwMCIsMCwwXQ.bad", Limit: 5 }),
    kinesis("ListShards", { StreamName: "fz-stream", MaxResults: 1, ShardFilter: { Type: "AFTER_SHARD_ID", ShardId: "shardId-000000000000" } }),
    kinesis("ListStreams", { Limit: 1, NextToken: "Ino" }),
    dynamodb("CreateTable", {
      TableName: "fz-table", BillingMode: "PAY_PER_REQUEST", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }], StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
      TableClass: "STANDARD", SSESpecification: { Enabled: true, KMSMasterKeyId: "alias/k" }, OnDemandThroughput: { MaxReadRequestUnits: 10 },
    }),
    dynamodb("PutItem", { TableName: "fz-table", Item: { pk: { S: "a" }, sk: { N: "1" }, m: { M: { l: { L: [{ B: "AAE=" }, { NS: ["1", "2.5"] }] } } } }, ConditionExpression: "attribute_not_exists(pk)" }),
    dynamodb("UpdateItem", { TableName: "fz-table", Key: { pk: { S: "a" }, sk: { N: "1" } }, UpdateExpression: "SET #c = if_not_exists(#c, :z) + :one REMOVE m.l[0]", ExpressionAttributeNames: { "#c": "c" }, ExpressionAttributeValues: { ":z": { N: "0" }, ":one": { N: "1" } }, ReturnValues: "ALL_NEW" }),
    dynamodb("Query", { TableName: "fz-table", KeyConditionExpression: "pk = :p AND sk BETWEEN :a AND :b", FilterExpression: "size(m) > :a", ExpressionAttributeValues: { ":p": { S: "a" }, ":a": { N: "0" }, ":b": { N: "9" } }, Limit: 1 }),
    dynamodb("TransactWriteItems", { TransactItems: [{ Put: { TableName: "fz-table", Item: { pk: { S: "b" }, sk: { N: "2" } } } }, { ConditionCheck: { TableName: "fz-table", Key: { pk: { S: "a" }, sk: { N: "1" } }, ConditionExpression: "attribute_exists(pk)" } }], ClientRequestToken: "fz-token" }),
    dynamodb("ExecuteStatement", { Statement: "SELECT * FROM \"fz-table\" WHERE pk = ? AND sk > ?", Parameters: [{ S: "a" }, { N: "0" }] }),
    dynamodb("UpdateTable", { TableName: "fz-table", TableClass: "STANDARD_INFREQUENT_ACCESS", WarmThroughput: { ReadUnitsPerSecond: 12000 } }),
    dynamodb("UpdateContinuousBackups", { TableName: "fz-table", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 } }),
    dynamodb("PutResourcePolicy", { ResourceArn: table, Policy: json({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "dynamodb:GetItem", Resource: table }] }).toString() }),
    dynamodb("DeleteResourcePolicy", { ResourceArn: table, ExpectedRevisionId: "1" }),
    apigw("POST", "/v2/apis", { name: "fz-api", protocolType: "HTTP", target: arn, corsConfiguration: { allowOrigins: ["*"] } }),
    apigw("GET", "/v2/apis"),
    apigw("GET", `/v2/apis/${apiId}`),
    apigw("PATCH", `/v2/apis/${apiId}`, { description: "patched", corsConfiguration: { allowMethods: ["GET"] } }),
    apigw("POST", `/v2/apis/${apiId}/routes`, { routeKey: "GET /items/{id}" }),
    apigw("POST", `/v2/apis/${apiId}/integrations`, { integrationType: "AWS_PROXY", integrationUri: arn, payloadFormatVersion: "2.0", timeoutInMillis: 3000 }),
    apigw("POST", `/v2/apis/${apiId}/stages`, { stageName: "dev", autoDeploy: true, stageVariables: { a: "b" } }),
    apigw("GET", `/v2/apis/${apiId}/routes`),
    apigw("POST", "/restapis", { name: "fz-rest", description: "r" }),
    apigw("GET", "/restapis"),
    apigw("GET", `/restapis/${restApiId}/resources`),
    apigw("POST", `/restapis/${restApiId}/resources/${restApiId}`, { pathPart: "{proxy+}" }),
    apigw("PUT", `/restapis/${restApiId}/resources/${restApiId}/methods/GET`, { authorizationType: "NONE" }),
    apigw("POST", `/restapis/${restApiId}/deployments`, { stageName: "prod" }),
    { ...lambda("GET", "/_unkai/metrics/summary"), service: "lambda" },
    lambda("GET", "/_unkai/functions/fz/metrics", undefined, { period: "60", hours: "1" }),
    lambda("GET", "/_unkai/functions/fz/invocations", undefined, { limit: "5" }),
    lambda("GET", "/_unkai/functions/fz/test-events"),
    lambda("PUT", "/_unkai/functions/fz/test-events/one", { event: { a: 1 } }),
    lambda("GET", "/_unkai/functions/fz/events/failed", undefined, { limit: "3" }),
    lambda("POST", "/_unkai/functions/fz/events/redrive", { ids: ["x"] }),
    lambda("GET", "/_unkai/events/stats"),
    s3("GET", "/"),
    s3("PUT", "/bkt2"),
    s3("PUT", "/bkt/dir/key.txt", {}, Buffer.from("hello"), { "content-type": "text/plain", "x-amz-meta-a": "b" }),
    s3("GET", "/bkt/dir/key.txt", {}, EMPTY, { range: "bytes=0-2" }),
    s3("HEAD", "/bkt/dir/key.txt"),
    s3("GET", "/bkt", { "list-type": "2", prefix: "dir/", delimiter: "/", "max-keys": "10" }),
    s3("GET", "/bkt", { marker: "a", "max-keys": "1" }),
    s3("PUT", "/bkt/copy.txt", {}, EMPTY, { "x-amz-copy-source": "/bkt/dir/key.txt" }),
    s3("POST", "/bkt", { delete: "" }, Buffer.from("<Delete><Object><Key>copy.txt</Key></Object><Quiet>true</Quiet></Delete>")),
    s3("PUT", "/bkt", { notification: "" }, Buffer.from(`<NotificationConfiguration><CloudFunctionConfiguration><CloudFunction>${arn}</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration></NotificationConfiguration>`)),
    s3("GET", "/bkt", { notification: "" }),
    s3("POST", "/bkt/big.bin", { uploads: "" }),
    s3("PUT", "/bkt/big.bin", { partNumber: "1", uploadId: "nope" }, Buffer.from("part")),
    s3("POST", "/bkt/big.bin", { uploadId: "nope" }, Buffer.from("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>")),
    s3("GET", "/bkt", { uploads: "" }),
    s3("GET", "/bkt", { location: "" }),
    s3("PUT", "/bkt/chunked.txt", {}, Buffer.from("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), {
      "content-encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": "5", "x-amz-trailer": "x-amz-checksum-crc32",
    }),
  ];
}

/** One mutation of a seed: body, path, query, headers, or the signature itself. */
function mutate(m: Mutator, seed: FuzzRequest): FuzzRequest {
  switch (m.int(8)) {
    case 0:
      return seed;
    case 7:
      return { ...seed, method: m.pick(["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]), body: m.chance(0.5) ? seed.body : m.mutateBody(seed.body) };
    case 1:
    case 2:
      return { ...seed, body: m.mutateBody(seed.body) };
    case 3:
      return { ...seed, path: m.mutatePath(seed.path) };
    case 4:
      return { ...seed, query: m.mutateQuery(seed.query) };
    case 5:
      return { ...seed, headers: m.mutateHeaders(seed.headers) };
    default:
      return { ...seed, auth: m.chance(0.3) ? "none" : { authorization: m.oddAuthorization() }, query: m.chance(0.5) ? seed.query : m.mutateQuery({ "X-Amz-Algorithm": "AWS4-HMAC-SHA256" }) };
  }
}

describe("protocol parser fuzzing", () => {
  const suite = unkaiSuite({ UNKAI_PYTHON: "/nonexistent/python3" });

  it("answers random and mutated requests to every parser without a 5xx, and keeps serving", async (t) => {
    const seed = Number(process.env.UNKAI_FUZZ_SEED ?? Date.now() % 2 ** 31);
    t.diagnostic(`fuzz seed ${seed} (rerun with UNKAI_FUZZ_SEED=${seed})`);
    console.log(`protocol fuzz seed: ${seed}`);
    const zip = await zipFiles({ "index.js": "exports.handler = async (event) => ({ echo: event });" });
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "fz", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: zip } }));
    await invoke(suite.client, "fz", { warm: true });
    assert.equal((await signedS3Fetch(suite.unkai.url, "PUT", "/bkt")).status, 200);
    const api = await send(suite.unkai.url, { service: "apigateway", method: "POST", path: "/v2/apis", query: {}, headers: { "content-type": "application/json" }, body: json({ name: "seed", protocolType: "HTTP" }) });
    const rest = await send(suite.unkai.url, { service: "apigateway", method: "POST", path: "/restapis", query: {}, headers: { "content-type": "application/json" }, body: json({ name: "seed" }) });
    const apiId = (JSON.parse(api.body) as { apiId: string }).apiId;
    const restApiId = (JSON.parse(rest.body) as { id: string }).id;
    const corpus = seeds(apiId, restApiId, zip.toString("base64"));

    const m = new Mutator(prng(seed));
    // Every request is drawn up front from the seed, so the same seed sends the same requests.
    const planned = Array.from({ length: Math.ceil(FUZZ_BUDGET_MS / 2) }, (_, index) => ({ index, request: mutate(m, m.pick(corpus)) }));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const deadline = Date.now() + FUZZ_BUDGET_MS;
    async function worker(): Promise<void> {
      for (let next = planned.shift(); next && Date.now() < deadline; next = planned.shift()) {
        const { index, request: fuzz } = next;
        let answer: Answer;
        try {
          answer = await send(suite.unkai.url, fuzz);
        } catch (error) {
          // The client refused to build it (e.g. a header node:http will not send): not a server answer.
          if ((error as NodeJS.ErrnoException).code?.startsWith("ERR_") || error instanceof URIError || error instanceof TypeError) continue;
          failures.push(`#${index} ${fuzz.method} ${fuzz.path}: connection failed: ${(error as Error).message}`);
          continue;
        }
        sent++;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const s3NotImplemented = answer.status === 501 && answer.body.includes("<Code>NotImplemented</Code>");
        if (answer.status >= 500 && !s3NotImplemented) {
          const what = createHash("sha256").update(fuzz.body).digest("hex").slice(0, 12);
          failures.push(`#${index} ${fuzz.method} ${fuzz.path}?${JSON.stringify(fuzz.query).slice(0, 200)} headers=${JSON.stringify(fuzz.headers).slice(0, 200)} body(${fuzz.body.length} B, sha ${what})=${JSON.stringify(fuzz.body.toString("utf8").slice(0, 200))} → ${answer.status} ${answer.body.slice(0, 300)}`);
        }
      }
    }
    await Promise.all(Array.from({ length: PARALLEL }, () => worker()));
    t.diagnostic(`sent ${sent} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    assert.ok(sent > 200, `the fuzzer sent only ${sent} requests`);
    assert.deepEqual(failures.slice(0, 20), [], `seed ${seed}: ${failures.length} answers were 5xx or failed`);

    assert.equal(suite.unkai.process.exitCode, null, "Unkai is still running");
    const health = await fetch(`${suite.unkai.url}/_unkai/health`);
    assert.equal(health.status, 200);
    const after = await send(suite.unkai.url, { service: "lambda", method: "GET", path: "/2015-03-31/functions/fz", query: {}, headers: {}, body: EMPTY });
    assert.equal(after.status === 200 || after.status === 404, true, `a plain signed request still answers (${after.status})`);
  });
});
