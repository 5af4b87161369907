/**
 * EventBridge API destinations on a real Unkai: connections and API destinations made with the AWS
 * CLI v2 and SDK v3; a rule's API destination target calling a node:http server in this test with
 * the connection's API key or Basic credentials, the target's path, header and query parameters and
 * its input transformer; a failing endpoint retried and then dead-lettered to SQS; secrets never
 * described; errors as EventBridge answers them.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  CreateApiDestinationCommand, CreateConnectionCommand, DeleteApiDestinationCommand, DeleteConnectionCommand, DescribeApiDestinationCommand,
  DescribeConnectionCommand, EventBridgeClient, ListApiDestinationsCommand, ListConnectionsCommand, PutEventsCommand, PutRuleCommand,
  PutTargetsCommand, UpdateApiDestinationCommand, UpdateConnectionCommand, type Target,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const SECRET = "s3cr3t-key-value";

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** A local endpoint that records every request and answers the status its path asks for (`/status/500/…`). */
class Endpoint {
  readonly received: Received[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        const status = Number(/^\/status\/(\d{3})/.exec(req.url ?? "")?.[1] ?? 200);
        res.writeHead(status, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Waits for a request whose path starts with `prefix`. */
  one(prefix: string): Promise<Received> {
    return waitFor(`a request to ${prefix}`, () => Promise.resolve(this.received.find((r) => r.url.startsWith(prefix))), 30_000);
  }
}

describe("EventBridge API destinations", () => {
  // Retry delays at 1/100 of EventBridge's, so the failing endpoint is dead-lettered in well under a second.
  const suite = unkaiSuite({ UNKAI_ASYNC_RETRY_SCALE: "0.01" });
  const endpoint = new Endpoint();
  let base = "";
  let events: EventBridgeClient;
  let sqs: SQSClient;

  before(async () => {
    base = await endpoint.start();
    const config = { endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    events = new EventBridgeClient(config);
    sqs = new SQSClient(config);
  });
  after(async () => {
    events.destroy();
    sqs.destroy();
    await endpoint.stop();
  });

  const ruleTo = async (name: string, source: string, targets: Target[]) => {
    await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: [source] }) }));
    const put = await events.send(new PutTargetsCommand({ Rule: name, Targets: targets }));
    assert.equal(put.FailedEntryCount, 0, JSON.stringify(put.FailedEntries));
  };
  const putEvent = async (source: string, detail: unknown): Promise<string> => {
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: "thing", Detail: JSON.stringify(detail) }] }));
    assert.equal(put.FailedEntryCount, 0);
    return put.Entries?.[0]?.EventId ?? "";
  };
  const cli = async (args: string[]): Promise<Record<string, unknown>> => {
    const run = await aws(suite.unkai.url, ["events", ...args]);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as Record<string, unknown>;
  };

  it("delivers an event with the API key header and a path parameter (connection and destination made by the AWS CLI v2)", async () => {
    const connection = await cli(["create-connection", "--name", "keyed", "--authorization-type", "API_KEY",
      "--auth-parameters", JSON.stringify({ ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRET } })]);
    assert.equal(connection.ConnectionState, "AUTHORIZED");
    assert.match(String(connection.ConnectionArn), /^arn:aws:events:us-east-1:000000000000:connection\/keyed\/[0-9a-f-]{36}$/);
    const destination = await cli(["create-api-destination", "--name", "orders", "--connection-arn", String(connection.ConnectionArn),
      "--invocation-endpoint", `${base}/orders/*/created`, "--http-method", "POST", "--invocation-rate-limit-per-second", "10"]);
    assert.equal(destination.ApiDestinationState, "ACTIVE");
    await ruleTo("to-api", "shop", [{
      Id: "api", Arn: String(destination.ApiDestinationArn),
      HttpParameters: { PathParameterValues: ["o 42"], HeaderParameters: { "x-tenant": "acme" }, QueryStringParameters: { v: "2" } },
    }]);
    const id = await putEvent("shop", { order: 42 });
    const got = await endpoint.one("/orders/");
    assert.equal(got.method, "POST");
    assert.equal(got.url, "/orders/o%2042/created?v=2");
    assert.equal(got.headers["x-api-key"], SECRET);
    assert.equal(got.headers["x-tenant"], "acme");
    assert.match(String(got.headers["content-type"]), /^application\/json/);
    const body = JSON.parse(got.body) as { id: string; detail: unknown };
    assert.equal(body.id, id, "the body is the event");
    assert.deepEqual(body.detail, { order: 42 });
  });

  it("calls with Basic credentials and sends the input transformer's result (SDK v3)", async () => {
    const connection = await events.send(new CreateConnectionCommand({
      Name: "basic", AuthorizationType: "BASIC", AuthParameters: { BasicAuthParameters: { Username: "ann", Password: SECRET } },
    }));
    const destination = await events.send(new CreateApiDestinationCommand({
      Name: "basic-put", ConnectionArn: connection.ConnectionArn, InvocationEndpoint: `${base}/basic`, HttpMethod: "PUT",
    }));
    await ruleTo("to-basic", "crm", [{
      Id: "basic", Arn: destination.ApiDestinationArn, InputTransformer: { InputPathsMap: { n: "$.detail.name" }, InputTemplate: '{"hello": <n>}' },
    }]);
    await putEvent("crm", { name: "bo" });
    const got = await endpoint.one("/basic");
    assert.equal(got.method, "PUT");
    assert.equal(got.headers.authorization, `Basic ${Buffer.from(`ann:${SECRET}`).toString("base64")}`);
    assert.deepEqual(JSON.parse(got.body), { hello: "bo" });
  });

  it("retries an endpoint that answers 500, then dead-letters the event to SQS", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "api-dlq" }));
    const connection = await events.send(new CreateConnectionCommand({
      Name: "to-fail", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRET } },
    }));
    const destination = await events.send(new CreateApiDestinationCommand({
      Name: "broken", ConnectionArn: connection.ConnectionArn, InvocationEndpoint: `${base}/status/500/broken`, HttpMethod: "POST",
    }));
    await ruleTo("to-broken", "flaky", [{
      Id: "broken", Arn: destination.ApiDestinationArn, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:api-dlq` },
    }]);
    const id = await putEvent("flaky", { k: 1 });
    const dead = await waitFor<Message>("the dead-lettered event", async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
      return got.Messages?.[0];
    }, 30_000);
    assert.equal((JSON.parse(dead.Body ?? "") as { id: string }).id, id);
    assert.equal(dead.MessageAttributes?.TARGET_ARN?.StringValue, destination.ApiDestinationArn);
    assert.equal(dead.MessageAttributes?.RETRY_ATTEMPTS?.StringValue, "2");
    assert.match(dead.MessageAttributes?.ERROR_MESSAGE?.StringValue ?? "", /answered HTTP 500/);
    assert.equal(endpoint.received.filter((r) => r.url === "/status/500/broken").length, 3, "the first attempt and two retries");
  });

  it("dead-letters a 400 answer without retries (EventBridge retries only 401, 407, 409, 429 and 5xx) and retries a 429", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "api-4xx-dlq" }));
    const connection = await events.send(new CreateConnectionCommand({
      Name: "to-4xx", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRET } },
    }));
    const destinationTo = (name: string, status: number) => events.send(new CreateApiDestinationCommand({
      Name: name, ConnectionArn: connection.ConnectionArn, InvocationEndpoint: `${base}/status/${status}/${name}`, HttpMethod: "POST",
    }));
    const bad = await destinationTo("bad-request", 400);
    const busy = await destinationTo("busy", 429);
    const policy = { RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:api-4xx-dlq` } };
    await ruleTo("to-4xx", "client-errors", [{ Id: "bad", Arn: bad.ApiDestinationArn, ...policy }, { Id: "busy", Arn: busy.ApiDestinationArn, ...policy }]);
    await putEvent("client-errors", { k: 1 });
    const dead: Message[] = [];
    await waitFor("both dead-lettered events", async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageAttributeNames: ["All"], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      dead.push(...(got.Messages ?? []));
      return dead.length >= 2 ? true : undefined;
    }, 30_000);
    const of = (arn: string | undefined) => dead.find((m) => m.MessageAttributes?.TARGET_ARN?.StringValue === arn)?.MessageAttributes ?? {};
    assert.equal(of(bad.ApiDestinationArn).RETRY_ATTEMPTS?.StringValue, "0");
    assert.equal(of(bad.ApiDestinationArn).EXHAUSTED_RETRY_CONDITION, undefined, "no retry condition was exhausted");
    assert.match(of(bad.ApiDestinationArn).ERROR_MESSAGE?.StringValue ?? "", /answered HTTP 400/);
    assert.equal(of(busy.ApiDestinationArn).EXHAUSTED_RETRY_CONDITION?.StringValue, "MaximumRetryAttempts");
    assert.equal(endpoint.received.filter((r) => r.url === "/status/400/bad-request").length, 1, "a 400 is not retried");
    assert.equal(endpoint.received.filter((r) => r.url === "/status/429/busy").length, 3, "a 429 is retried");
  });

  it("holds invocations over InvocationRateLimitPerSecond back and delivers them later", async () => {
    const connection = await events.send(new CreateConnectionCommand({
      Name: "limited", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRET } },
    }));
    const destination = await events.send(new CreateApiDestinationCommand({
      Name: "limited", ConnectionArn: connection.ConnectionArn, InvocationEndpoint: `${base}/limited`, HttpMethod: "POST", InvocationRateLimitPerSecond: 1,
    }));
    await ruleTo("to-limited", "limited", [{ Id: "l", Arn: destination.ApiDestinationArn }]);
    const sentAt = Date.now();
    await putEvent("limited", { n: 1 });
    await putEvent("limited", { n: 2 });
    await waitFor("both events at the endpoint", async () => (endpoint.received.filter((r) => r.url === "/limited").length === 2 ? true : undefined), 30_000);
    const arrivals = endpoint.received.filter((r) => r.url === "/limited").map((r) => (JSON.parse(r.body) as { detail: { n: number } }).detail.n);
    assert.deepEqual(arrivals.sort(), [1, 2], "each event once");
    assert.ok(Date.now() - sentAt >= 900, "the second invocation waited for the next second");
  });

  it("stores an OAuth client-credentials connection but fails its deliveries with a clear reason, without calling the endpoint", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "oauth-dlq" }));
    const connection = await events.send(new CreateConnectionCommand({
      Name: "oauth", AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
      AuthParameters: { OAuthParameters: { ClientParameters: { ClientID: "id", ClientSecret: SECRET }, AuthorizationEndpoint: `${base}/token`, HttpMethod: "POST" } },
    }));
    const described = await events.send(new DescribeConnectionCommand({ Name: "oauth" }));
    assert.deepEqual(described.AuthParameters?.OAuthParameters?.ClientParameters, { ClientID: "id" });
    const destination = await events.send(new CreateApiDestinationCommand({
      Name: "oauth-dest", ConnectionArn: connection.ConnectionArn, InvocationEndpoint: `${base}/oauth-target`, HttpMethod: "POST",
    }));
    await ruleTo("to-oauth", "oauthy", [{
      Id: "o", Arn: destination.ApiDestinationArn, RetryPolicy: { MaximumRetryAttempts: 0 }, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:oauth-dlq` },
    }]);
    await putEvent("oauthy", {});
    const dead = await waitFor<Message>("the dead-lettered OAuth event", async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
      return got.Messages?.[0];
    }, 30_000);
    assert.match(dead.MessageAttributes?.ERROR_MESSAGE?.StringValue ?? "", /OAUTH_CLIENT_CREDENTIALS, which Unkai stores but does not call with/);
    assert.ok(!endpoint.received.some((r) => r.url.startsWith("/oauth-target") || r.url.startsWith("/token")));
  });

  it("never describes a secret, by SDK v3 or the AWS CLI v2, also after an update", async () => {
    await events.send(new CreateConnectionCommand({
      Name: "hidden", Description: "d", AuthorizationType: "API_KEY",
      AuthParameters: {
        ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRET },
        InvocationHttpParameters: { HeaderParameters: [{ Key: "x-secret", Value: SECRET, IsValueSecret: true }, { Key: "x-open", Value: "plain", IsValueSecret: false }] },
      },
    }));
    await events.send(new UpdateConnectionCommand({ Name: "hidden", AuthParameters: { ApiKeyAuthParameters: { ApiKeyValue: `${SECRET}-2` } } }));
    const described = await events.send(new DescribeConnectionCommand({ Name: "hidden" }));
    assert.deepEqual(described.AuthParameters?.ApiKeyAuthParameters, { ApiKeyName: "x-api-key" });
    assert.deepEqual(described.AuthParameters?.InvocationHttpParameters?.HeaderParameters, [{ Key: "x-secret", IsValueSecret: true }, { Key: "x-open", Value: "plain", IsValueSecret: false }]);
    assert.equal(described.ConnectionState, "AUTHORIZED");
    assert.match(described.SecretArn ?? "", /^arn:aws:secretsmanager:us-east-1:000000000000:secret:events!connection\/hidden\//);
    const texts = [
      JSON.stringify(described),
      JSON.stringify(await events.send(new ListConnectionsCommand({}))),
      JSON.stringify(await cli(["describe-connection", "--name", "hidden"])),
      JSON.stringify(await cli(["describe-connection", "--name", "basic"])),
      JSON.stringify(await events.send(new DescribeConnectionCommand({ Name: "oauth" }))),
      JSON.stringify(await cli(["list-connections"])),
    ];
    for (const text of texts) assert.ok(!text.includes(SECRET), `no secret in ${text}`);
  });

  it("lists, updates and deletes, and answers EventBridge's errors", async () => {
    const listed = await events.send(new ListApiDestinationsCommand({ NamePrefix: "basic" }));
    assert.deepEqual(listed.ApiDestinations?.map((d) => d.Name), ["basic-put"]);
    await events.send(new UpdateApiDestinationCommand({ Name: "basic-put", HttpMethod: "PATCH", InvocationEndpoint: `${base}/patched` }));
    const updated = await events.send(new DescribeApiDestinationCommand({ Name: "basic-put" }));
    assert.equal(updated.HttpMethod, "PATCH");
    assert.equal(updated.InvocationEndpoint, `${base}/patched`);
    const names = (await events.send(new ListConnectionsCommand({ NamePrefix: "b" }))).Connections?.map((c) => c.Name);
    assert.deepEqual(names, ["basic"]);

    const arn = (await events.send(new DescribeConnectionCommand({ Name: "basic" }))).ConnectionArn;
    await assert.rejects(events.send(new CreateConnectionCommand({ Name: "basic", AuthorizationType: "BASIC", AuthParameters: { BasicAuthParameters: { Username: "a", Password: "b" } } })),
      { name: "ResourceAlreadyExistsException", message: "Connection 'basic' already exists." });
    await assert.rejects(events.send(new CreateApiDestinationCommand({ Name: "basic-put", ConnectionArn: arn, InvocationEndpoint: `${base}/x`, HttpMethod: "POST" })),
      { name: "ResourceAlreadyExistsException", message: "An api-destination 'basic-put' already exists." });
    await assert.rejects(events.send(new DescribeConnectionCommand({ Name: "nope" })),
      { name: "ResourceNotFoundException", message: "Failed to describe the connection(s). Connection 'nope' does not exist." });
    await assert.rejects(events.send(new DescribeApiDestinationCommand({ Name: "nope" })),
      { name: "ResourceNotFoundException", message: "Failed to describe the api-destination(s). An api-destination 'nope' does not exist." });
    await assert.rejects(events.send(new CreateApiDestinationCommand({ Name: "local-file", ConnectionArn: arn, InvocationEndpoint: "file:///etc/passwd", HttpMethod: "POST" })),
      { name: "ValidationException", message: /InvocationEndpoint is not valid.*only http:\/\/ and https:\/\//s });
    await assert.rejects(events.send(new CreateConnectionCommand({ Name: "mismatch", AuthorizationType: "API_KEY", AuthParameters: { BasicAuthParameters: { Username: "a", Password: "b" } } })),
      { name: "ValidationException", message: /ApiKeyAuthParameters must be specified/ });

    await events.send(new DeleteApiDestinationCommand({ Name: "basic-put" }));
    const deleted = await events.send(new DeleteConnectionCommand({ Name: "hidden" }));
    assert.equal(deleted.ConnectionState, "DELETING");
    await assert.rejects(events.send(new DescribeApiDestinationCommand({ Name: "basic-put" })), { name: "ResourceNotFoundException" });
    await assert.rejects(events.send(new DeleteConnectionCommand({ Name: "hidden" })), { name: "ResourceNotFoundException" });
  });
});
