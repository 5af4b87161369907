/**
 * The model-driven protocol codecs through real clients. Part one: CloudWatch Logs (awsJson1_1) and
 * STS (awsQuery), which Unkai serves on the codecs, against a real Unkai with SDK v3, the AWS CLI v2
 * and boto3. Part two: services built with `modelService` on the SQS and CloudWatch models (their
 * operations a few lines of in-memory test state), served by Unkai's own HTTP adapter on a real socket,
 * so each protocol those models list meets the clients that speak it: SDK v3 and boto3 1.43 (awsJson1_0
 * with awsQueryCompatible), the AWS CLI 2.9.19 (awsQuery), and rpcv2Cbor as the Go SDK sends it.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DescribeLogStreamsCommand, GetLogEventsCommand, paginateDescribeLogGroups, paginateDescribeLogStreams,
  PutLogEventsCommand, type CreateLogGroupCommandInput, type DescribeLogStreamsCommandInput,
} from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateQueueCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { cbor } from "@smithy/core/cbor";
import pino from "pino";
import { COMMON_ERRORS, QUERY_COMMON_ERRORS, UnkaiError } from "../src/core/errors.js";
import { loadModel } from "../src/protocol/codecs/model.js";
import { modelService, type Operations } from "../src/protocol/codecs/model-service.js";
import type { Service } from "../src/protocol/http.js";
import { FrontDoor } from "../src/server/front-door.js";
import { createApiServer } from "../src/server/http-adapter.js";
import { aws, DEFAULT_CREDENTIALS, signedFetch } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

const REGION = "us-east-1";
const client = { endpoint: "", region: REGION, credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
const md5 = (text: string) => createHash("md5").update(text).digest("hex");
/** boto3 1.43 (the pyenv Python), which speaks SQS's and CloudWatch's newer awsJson1_0. */
const NEW_PYTHON = "/root/.pyenv/versions/3.11.7/bin/python3";

/** Runs a boto3 snippet (`c` is the client) and returns what it prints as JSON, or the error's code. */
async function boto3(python: string, service: string, url: string, body: string): Promise<unknown> {
  const script = [
    "import json, sys, boto3, botocore.exceptions",
    `c = boto3.client("${service}", endpoint_url=sys.argv[1], region_name="${REGION}", aws_access_key_id="test", aws_secret_access_key="test")`,
    "try:",
    ...body.split("\n").map((line) => `    ${line}`),
    "except botocore.exceptions.ClientError as e:",
    "    print(json.dumps({'error': e.response['Error']['Code']}))",
  ].join("\n");
  const run = await runProcess(python, ["-c", script, url], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

describe("Logs (awsJson1_1) and STS (awsQuery) on the codecs, against a real Unkai", () => {
  const suite = unkaiSuite();
  let logs: CloudWatchLogsClient;
  before(() => void (logs = new CloudWatchLogsClient({ ...client, endpoint: suite.unkai.url })));
  after(() => logs.destroy());
  const post = (target: string, body: string) =>
    signedFetch(`${suite.unkai.url}/`, { method: "POST", service: "logs", headers: { "x-amz-target": `Logs_20140328.${target}`, "content-type": "application/x-amz-json-1.1" }, body });

  it("round-trips log events through SDK v3, the AWS CLI v2 and boto3", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/codec/app" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/codec/app", logStreamName: "s" }));
    await logs.send(new PutLogEventsCommand({ logGroupName: "/codec/app", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "from sdk" }] }));
    const cli = await aws(suite.unkai.url, ["logs", "put-log-events", "--log-group-name", "/codec/app", "--log-stream-name", "s", "--log-events", `timestamp=${Date.now()},message=from-cli`]);
    assert.equal(cli.code, 0, cli.stderr);
    const read = await boto3("/usr/bin/python3", "logs", suite.unkai.url, "print(json.dumps([e['message'] for e in c.get_log_events(logGroupName='/codec/app', logStreamName='s', startFromHead=True)['events']]))");
    assert.deepEqual(read, ["from sdk", "from-cli"]);
    const sdk = await logs.send(new GetLogEventsCommand({ logGroupName: "/codec/app", logStreamName: "s" }));
    assert.deepEqual(sdk.events?.map((e) => e.message), ["from sdk", "from-cli"]);
  });

  it("GetLogEvents pages as CloudWatch Logs does: newest first page by default, backward and forward tokens, the same token at either end", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/codec/paged" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/codec/paged", logStreamName: "s" }));
    const t0 = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: "/codec/paged", logStreamName: "s", logEvents: [1, 2, 3, 4, 5].map((n) => ({ timestamp: t0 + n, message: `e${n}` })) }));
    const page = (input: { nextToken?: string; startFromHead?: boolean }) => logs.send(new GetLogEventsCommand({ logGroupName: "/codec/paged", logStreamName: "s", limit: 2, ...input }));
    const newest = await page({});
    assert.deepEqual(newest.events?.map((e) => e.message), ["e4", "e5"], "without startFromHead: the newest events, oldest first");
    const older = await page({ nextToken: newest.nextBackwardToken });
    assert.deepEqual(older.events?.map((e) => e.message), ["e2", "e3"]);
    const oldest = await page({ nextToken: older.nextBackwardToken });
    assert.deepEqual(oldest.events?.map((e) => e.message), ["e1"]);
    const beyond = await page({ nextToken: oldest.nextBackwardToken });
    assert.deepEqual(beyond.events, []);
    assert.equal(beyond.nextBackwardToken, oldest.nextBackwardToken, "at the start the backward token comes back unchanged");
    const forward = await page({ nextToken: beyond.nextForwardToken });
    assert.deepEqual(forward.events?.map((e) => e.message), ["e1", "e2"], "forward again from the start");
    const head = await page({ startFromHead: true });
    assert.deepEqual(head.events?.map((e) => e.message), ["e1", "e2"]);
    const end = await page({ nextToken: newest.nextForwardToken });
    assert.deepEqual(end.events, []);
    assert.equal(end.nextForwardToken, newest.nextForwardToken, "at the end the forward token comes back unchanged (how the CLI stops)");
    await logs.send(new PutLogEventsCommand({ logGroupName: "/codec/paged", logStreamName: "s", logEvents: [{ timestamp: t0 + 6, message: "e6" }] }));
    assert.deepEqual((await page({ nextToken: end.nextForwardToken })).events?.map((e) => e.message), ["e6"], "a tail reads what came later");
    // The AWS CLI v2 (no paginator for this call): one page, and a token that reads on.
    const cli = await aws(suite.unkai.url, ["logs", "get-log-events", "--log-group-name", "/codec/paged", "--log-stream-name", "s", "--start-from-head", "--limit", "2"]);
    assert.equal(cli.code, 0, cli.stderr);
    const cliPage = JSON.parse(cli.stdout) as { events: { message: string }[]; nextForwardToken: string };
    assert.deepEqual(cliPage.events.map((e) => e.message), ["e1", "e2"]);
    assert.deepEqual((await page({ nextToken: cliPage.nextForwardToken })).events?.map((e) => e.message), ["e3", "e4"]);
    await assert.rejects(page({ nextToken: "garbage" }), { name: "InvalidParameterException", message: "The specified nextToken is invalid." });
  });

  it("DescribeLogStreams orders by name or last event time and pages with nextToken; DescribeLogGroups pages too (SDK paginators, CLI auto-paging)", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/codec/many" }));
    const t0 = Date.now();
    // Written newest-name-first, so name order and time order differ.
    for (const [i, name] of ["e", "d", "c", "b", "a"].entries()) {
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/codec/many", logStreamName: name }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "/codec/many", logStreamName: name, logEvents: [{ timestamp: t0 + i, message: name }] }));
    }
    const names = async (input: Omit<DescribeLogStreamsCommandInput, "logGroupName">) => {
      const out: string[] = [];
      for await (const page of paginateDescribeLogStreams({ client: logs, pageSize: 2 }, { logGroupName: "/codec/many", ...input })) out.push(...(page.logStreams ?? []).map((s) => s.logStreamName ?? ""));
      return out;
    };
    assert.deepEqual(await names({}), ["a", "b", "c", "d", "e"], "by name by default, paged two at a time");
    assert.deepEqual(await names({ descending: true }), ["e", "d", "c", "b", "a"]);
    assert.deepEqual(await names({ orderBy: "LastEventTime", descending: true }), ["a", "b", "c", "d", "e"], "the newest event first");
    assert.deepEqual(await names({ orderBy: "LastEventTime" }), ["e", "d", "c", "b", "a"]);
    assert.deepEqual(await names({ logStreamNamePrefix: "c" }), ["c"]);
    await assert.rejects(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/codec/many", orderBy: "LastEventTime", logStreamNamePrefix: "a" })),
      { name: "InvalidParameterException", message: "Cannot order by LastEventTime with a logStreamNamePrefix." });
    const cli = await aws(suite.unkai.url, ["logs", "describe-log-streams", "--log-group-name", "/codec/many", "--page-size", "2"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { logStreams: { logStreamName: string }[] }).logStreams.map((s) => s.logStreamName), ["a", "b", "c", "d", "e"], "the CLI follows nextToken");
    const groups: string[] = [];
    for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 1 }, { logGroupNamePrefix: "/codec/" })) groups.push(...(page.logGroups ?? []).map((g) => g.logGroupName ?? ""));
    assert.ok(groups.includes("/codec/many") && groups.includes("/codec/app"), groups.join());
    assert.equal(new Set(groups).size, groups.length, "each group once");
  });

  it("answers the model's constraints with InvalidParameterException in AWS's words", async () => {
    await assert.rejects(logs.send(new CreateLogGroupCommand({} as CreateLogGroupCommandInput)), (error: Error) => {
      assert.equal(error.name, "InvalidParameterException");
      assert.equal(error.message, "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null");
      return true;
    });
    await assert.rejects(logs.send(new PutLogEventsCommand({ logGroupName: "/codec/app", logStreamName: "s", logEvents: [] })), {
      name: "InvalidParameterException", message: "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    const cli = await aws(suite.unkai.url, ["logs", "create-log-group", "--log-group-name", "bad name!"]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /InvalidParameterException.*Member must satisfy regular expression pattern/);
  });

  it("answers malformed bodies with SerializationException (400), an unknown operation with UnknownOperationException", async () => {
    for (const [body, message] of [["{nope", "The request body is not valid JSON."], ['{"logGroupName": 5}', "NUMBER_VALUE cannot be converted to String at 'logGroupName'"], ["[1]", "The request body must be a JSON object."]] as const) {
      const response = await post("CreateLogGroup", body);
      assert.equal(response.status, 400, body);
      assert.deepEqual(await response.json(), { __type: "SerializationException", message }, body);
    }
    const unknown = await post("NoSuchThing", "{}");
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { __type: string }).__type, "UnknownOperationException");
  });

  it("answers STS's GetCallerIdentity to SDK v3 (awsQuery) as the CLI and boto3 get it", async () => {
    const sts = new STSClient({ ...client, endpoint: suite.unkai.url });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    assert.equal(identity.Arn, `arn:aws:iam::${identity.Account ?? ""}:root`);
    assert.match(identity.Account ?? "", /^\d{12}$/);
  });
});

/** A few SQS operations over a Map, enough for each protocol's round trip; real SQS is issue 16's. */
function sqsTestService(baseUrl: () => string): Service {
  const queues = new Map<string, string[]>();
  const queueOf = (url: string) => queues.get(url.split("/").pop() ?? "") ?? (() => { throw new UnkaiError("QueueDoesNotExist", "The specified queue does not exist."); })();
  const operations: Operations = {
    async CreateQueue(input: { QueueName: string }) {
      if (!queues.has(input.QueueName)) queues.set(input.QueueName, []);
      return { QueueUrl: `${baseUrl()}/000000000000/${input.QueueName}` };
    },
    async GetQueueUrl(input: { QueueName: string }) {
      queueOf(input.QueueName);
      return { QueueUrl: `${baseUrl()}/000000000000/${input.QueueName}` };
    },
    async SendMessage(input: { QueueUrl: string; MessageBody: string }) {
      queueOf(input.QueueUrl).push(input.MessageBody);
      return { MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody) };
    },
    async ReceiveMessage(input: { QueueUrl: string }) {
      const body = queueOf(input.QueueUrl).shift();
      if (body === undefined) return {};
      return { Messages: [{ MessageId: randomUUID(), ReceiptHandle: randomUUID(), Body: body, MD5OfBody: md5(body), Attributes: { SentTimestamp: String(Date.now()) } }] };
    },
  };
  const errors = { ...COMMON_ERRORS, ...QUERY_COMMON_ERRORS, ValidationException: { status: 400, messageKey: "message", userType: false }, SerializationException: { status: 400, messageKey: "message", userType: false }, QueueDoesNotExist: { status: 400, messageKey: "message", userType: false } } as const;
  return modelService({ name: "sqs", model: loadModel("sqs"), errors, operations, signingNames: ["sqs"], logger: pino({ level: "silent" }) });
}

function cloudWatchTestService(): Service {
  const metrics: { Namespace: string; MetricName: string }[] = [];
  const operations: Operations = {
    async PutMetricData(input: { Namespace: string; MetricData: { MetricName: string; Timestamp?: Date }[] }) {
      for (const datum of input.MetricData) {
        assert.ok(datum.Timestamp === undefined || datum.Timestamp instanceof Date, "timestamps arrive as Dates whatever the wire");
        metrics.push({ Namespace: input.Namespace, MetricName: datum.MetricName });
      }
    },
    async ListMetrics(input: { Namespace?: string }) {
      return { Metrics: metrics.filter((m) => input.Namespace === undefined || m.Namespace === input.Namespace) };
    },
  };
  const errors = { ...COMMON_ERRORS, ...QUERY_COMMON_ERRORS, ValidationException: { status: 400, messageKey: "message", userType: false }, SerializationException: { status: 400, messageKey: "message", userType: false } } as const;
  return modelService({ name: "monitoring", model: loadModel("monitoring"), errors, operations, signingNames: ["monitoring"], logger: pino({ level: "silent" }) });
}

describe("modelService on the SQS and CloudWatch models, through Unkai's HTTP adapter", () => {
  let url = "";
  const api = createApiServer({
    services: [sqsTestService(() => url), cloudWatchTestService()],
    defaultRegion: REGION,
    credentials: { find: async (id) => (id === "test" ? { secretAccessKey: "test", principal: { kind: "key", name: "test" } } : undefined) },
    frontDoor: new FrontDoor({ listenHost: "127.0.0.1", publicHosts: [], allowOrigins: [] }),
    onError: (error) => assert.fail(String(error)),
  });
  before(async () => {
    await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  });
  after(async () => {
    const closed = new Promise<void>((resolve) => api.server.once("close", () => resolve()));
    api.close();
    api.closeAllConnections();
    await closed;
  });

  it("SQS: SDK v3 (awsJson1_0), the AWS CLI 2.9.19 (awsQuery) and boto3 1.43 share one queue", async () => {
    const sqs = new SQSClient({ ...client, endpoint: url });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "q1", Attributes: { DelaySeconds: "0" }, tags: { team: "a" } }));
    assert.equal(QueueUrl, `${url}/000000000000/q1`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "from sdk <&>" }));
    const cliSend = await aws(url, ["sqs", "send-message", "--queue-url", QueueUrl, "--message-body", "from cli"]);
    assert.equal(cliSend.code, 0, cliSend.stderr);
    const cliReceive = await aws(url, ["sqs", "receive-message", "--queue-url", QueueUrl, "--attribute-names", "All"]);
    assert.equal(cliReceive.code, 0, cliReceive.stderr);
    const received = JSON.parse(cliReceive.stdout) as { Messages: { Body: string; MD5OfBody: string; Attributes: Record<string, string> }[] };
    assert.equal(received.Messages[0]?.Body, "from sdk <&>");
    assert.ok(received.Messages[0]?.Attributes.SentTimestamp, "the flattened Attribute map came back through Query XML");
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    assert.deepEqual(next.Messages?.map((m) => m.Body), ["from cli"]);
    const python = await boto3(NEW_PYTHON, "sqs", url, `c.send_message(QueueUrl="${QueueUrl}", MessageBody="from boto3")\nprint(json.dumps(c.receive_message(QueueUrl="${QueueUrl}")["Messages"][0]["Body"]))`);
    assert.equal(python, "from boto3");
    sqs.destroy();
  });

  it("SQS errors carry the Query code to every client: x-amzn-query-error on JSON, <Code> in Query XML", async () => {
    const sqs = new SQSClient({ ...client, endpoint: url });
    await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: "missing" })), (error: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.$metadata?.httpStatusCode, 400);
      // SDK v3 names the error by the model's shape and restores the Query code from x-amzn-query-error.
      assert.deepEqual([error.name, error.Code], ["QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"]);
      return true;
    });
    sqs.destroy();
    assert.deepEqual(await boto3(NEW_PYTHON, "sqs", url, 'c.get_queue_url(QueueName="missing")'), { error: "AWS.SimpleQueueService.NonExistentQueue" });
    const cli = await aws(url, ["sqs", "get-queue-url", "--queue-name", "missing"]);
    assert.match(cli.stderr, /AWS\.SimpleQueueService\.NonExistentQueue/);
    const raw = await signedFetch(`${url}/`, { method: "POST", service: "sqs", headers: { "x-amz-target": "AmazonSQS.GetQueueUrl", "content-type": "application/x-amz-json-1.0" }, body: "{}" });
    assert.equal(raw.status, 400);
    assert.equal(raw.headers.get("x-amzn-query-error"), "ValidationException;Sender");
    assert.equal(((await raw.json()) as { message: string }).message, "1 validation error detected: Value null at 'queueName' failed to satisfy constraint: Member must not be null");
  });

  it("CloudWatch: SDK v3 (awsJson1_0), the AWS CLI (awsQuery) and a Go-SDK-style rpcv2Cbor call see the same metrics", async () => {
    const cw = new CloudWatchClient({ ...client, endpoint: url });
    await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "FromSdk", Value: 1, Timestamp: new Date() }] }));
    const cli = await aws(url, ["cloudwatch", "put-metric-data", "--namespace", "App", "--metric-name", "FromCli", "--value", "2", "--timestamp", new Date().toISOString()]);
    assert.equal(cli.code, 0, cli.stderr);
    const body = Buffer.from(cbor.serialize({ Namespace: "App" }));
    const response = await signedFetch(`${url}/service/GraniteServiceVersion20100801/operation/ListMetrics`, {
      method: "POST", service: "monitoring", headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", accept: "application/cbor" }, body,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("smithy-protocol"), "rpc-v2-cbor");
    const listed = cbor.deserialize(new Uint8Array(await response.arrayBuffer())) as { Metrics: { MetricName: string }[] };
    assert.deepEqual(listed.Metrics.map((m) => m.MetricName), ["FromSdk", "FromCli"]);
    const sdk = await cw.send(new ListMetricsCommand({ Namespace: "App" }));
    assert.deepEqual(sdk.Metrics?.map((m) => m.MetricName), ["FromSdk", "FromCli"]);
    cw.destroy();
    const bad = await signedFetch(`${url}/service/GraniteServiceVersion20100801/operation/ListMetrics`, { method: "POST", service: "monitoring", headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor" }, body: Buffer.from([0xff, 0x00]) });
    assert.equal(bad.status, 400);
    assert.equal((cbor.deserialize(new Uint8Array(await bad.arrayBuffer())) as { __type: string }).__type, "SerializationException");
  });
});
