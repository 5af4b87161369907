/**
 * EventBridge's message targets on a real Unkai: events routed to SQS queues (standard and FIFO, with
 * an input transformer) through SDK v3, the AWS CLI v2 and boto3, and to an SNS topic; PutTargets' per-target refusals;
 * a delivery that survives a SIGKILL right after PutEvents answered; a failing target retried (also
 * across a restart) and then dead-lettered with EventBridge's DLQ attributes.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { CreateApiDestinationCommand, CreateConnectionCommand, EventBridgeClient, ListRuleNamesByTargetCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
/** Retry delays at 1/100 of EventBridge's (1 s doubling becomes 10 ms doubling). */
const FAST_RETRIES = { UNKAI_ASYNC_RETRY_SCALE: "0.01" };

function clients(url: string) {
  const config = { endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
  return { events: new EventBridgeClient(config), sqs: new SQSClient(config) };
}

type Clients = ReturnType<typeof clients>;

/** A queue policy letting this account's EventBridge rules send, which --iam enforce checks as AWS does. */
const fromRules = (name: string) => ({
  Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN(name), Condition: { ArnLike: { "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/*` } } }] }),
});

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  assert.ok(created.QueueUrl);
  return created.QueueUrl;
}

/** Waits for one message on the queue and returns it with its attributes. */
async function receiveOne(sqs: SQSClient, url: string): Promise<Message> {
  return waitFor(`a message on ${url}`, async () => {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["All"], AttributeNames: ["All"], WaitTimeSeconds: 1 }));
    return got.Messages?.[0];
  }, 30_000);
}

async function ruleTo(events: EventBridgeClient, name: string, source: string, targets: NonNullable<ConstructorParameters<typeof PutTargetsCommand>[0]["Targets"]>) {
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: [source] }) }));
  const put = await events.send(new PutTargetsCommand({ Rule: name, Targets: targets }));
  assert.equal(put.FailedEntryCount, 0, JSON.stringify(put.FailedEntries));
}

async function putEvent(events: EventBridgeClient, source: string, detail: unknown): Promise<string> {
  const put = await events.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: "thing", Detail: JSON.stringify(detail) }] }));
  assert.equal(put.FailedEntryCount, 0);
  const id = put.Entries?.[0]?.EventId;
  assert.ok(id);
  return id;
}

async function withUnkai(env: Record<string, string>, body: (unkai: TestUnkai, c: Clients) => Promise<void>, dataDir?: string): Promise<void> {
  const unkai = await startUnkai(env, dataDir);
  const c = clients(unkai.url);
  try {
    await body(unkai, c);
  } finally {
    c.events.destroy();
    c.sqs.destroy();
    if (unkai.process.exitCode === null && unkai.process.signalCode === null) assert.equal(await unkai.stop(), 0);
  }
}

async function kill(unkai: TestUnkai): Promise<void> {
  const exited = new Promise((resolve) => unkai.process.once("exit", resolve));
  unkai.process.kill("SIGKILL");
  await exited;
}

describe("EventBridge message targets", () => {
  it("routes events to a standard queue (input transformer) and a FIFO queue (group id), by SDK v3", async () => {
    await withUnkai({}, async (_unkai, { events, sqs }) => {
      const plain = await queue(sqs, "eb-plain", fromRules("eb-plain"));
      const fifo = await queue(sqs, "eb-orders.fifo", { FifoQueue: "true", ...fromRules("eb-orders.fifo") });
      await ruleTo(events, "to-queues", "shop", [
        { Id: "plain", Arn: QUEUE_ARN("eb-plain"), InputTransformer: { InputPathsMap: { order: "$.detail.order" }, InputTemplate: '{"order": <order>, "via": "eventbridge"}' } },
        { Id: "fifo", Arn: QUEUE_ARN("eb-orders.fifo"), SqsParameters: { MessageGroupId: "orders" } },
      ]);
      const id = await putEvent(events, "shop", { order: 7 });
      assert.deepEqual(JSON.parse((await receiveOne(sqs, plain)).Body ?? ""), { order: 7, via: "eventbridge" });
      const ordered = await receiveOne(sqs, fifo);
      const event = JSON.parse(ordered.Body ?? "") as Record<string, unknown>;
      assert.equal(event.id, id);
      assert.equal(event.source, "shop");
      assert.deepEqual(event.detail, { order: 7 });
      assert.equal(ordered.Attributes?.MessageGroupId, "orders");
    });
  });

  it("refuses targets it cannot deliver to, per target, and a FIFO queue target without a group", async () => {
    await withUnkai({}, async (_unkai, { events, sqs }) => {
      await queue(sqs, "eb-ok");
      await events.send(new PutRuleCommand({ Name: "mixed", EventPattern: '{"source": ["x"]}' }));
      const put = await events.send(new PutTargetsCommand({
        Rule: "mixed", Targets: [
          { Id: "ok", Arn: QUEUE_ARN("eb-ok") },
          { Id: "machine", Arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:s` },
          { Id: "bad-dlq", Arn: QUEUE_ARN("eb-ok"), DeadLetterConfig: { Arn: `arn:aws:sns:us-east-1:${ACCOUNT}:topic` } },
        ],
      }));
      assert.equal(put.FailedEntryCount, 2);
      assert.deepEqual(put.FailedEntries?.map((f) => [f.TargetId, f.ErrorCode]), [["machine", "ValidationException"], ["bad-dlq", "ValidationException"]]);
      assert.match(put.FailedEntries?.[0]?.ErrorMessage ?? "", /not a target this Unkai delivers to/);
      const fifo = await events.send(new PutTargetsCommand({ Rule: "mixed", Targets: [{ Id: "f", Arn: QUEUE_ARN("q.fifo") }] })).catch((e: Error) => e);
      assert.ok(fifo instanceof Error);
      assert.equal(fifo.name, "ValidationException");
      assert.match(fifo.message, /SqsParameters must be specified for target: f/);
      const cli = await aws(_unkai.url, ["events", "list-targets-by-rule", "--rule", "mixed"]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.deepEqual((JSON.parse(cli.stdout) as { Targets: { Id: string }[] }).Targets.map((t) => t.Id), ["ok"]);
    });
  });

  it("AWS CLI v2 wires a FIFO target and boto3 puts the event that lands there", async () => {
    await withUnkai({}, async (unkai, { sqs }) => {
      const fifo = await queue(sqs, "eb-cli.fifo", { FifoQueue: "true", ...fromRules("eb-cli.fifo") });
      assert.equal((await aws(unkai.url, ["events", "put-rule", "--name", "cli", "--event-pattern", '{"detail-type": ["Py"]}'])).code, 0);
      const targets = JSON.stringify([{ Id: "q", Arn: QUEUE_ARN("eb-cli.fifo"), SqsParameters: { MessageGroupId: "g1" }, InputPath: "$.detail" }]);
      const put = await aws(unkai.url, ["events", "put-targets", "--rule", "cli", "--targets", targets]);
      assert.equal(put.code, 0, put.stderr);
      assert.equal((JSON.parse(put.stdout) as { FailedEntryCount: number }).FailedEntryCount, 0);
      const script = [
        "import json, sys, boto3",
        'eb = boto3.client("events", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")',
        'r = eb.put_events(Entries=[{"Source": "py", "DetailType": "Py", "Detail": json.dumps({"from": "boto3"})}])',
        'print(json.dumps(r["FailedEntryCount"]))',
      ].join("\n");
      const run = await runProcess("/usr/bin/python3", ["-c", script, unkai.url], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.trim(), "0");
      const got = await receiveOne(sqs, fifo);
      assert.deepEqual(JSON.parse(got.Body ?? ""), { from: "boto3" });
      assert.equal(got.Attributes?.MessageGroupId, "g1");
    });
  });

  it("routes an event to an SNS topic target, which publishes it to its subscribed queue; ListRuleNamesByTarget finds the rule", async () => {
    await withUnkai({ UNKAI_IAM: "enforce" }, async (unkai, { events, sqs }) => {
      const sns = new SNSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      try {
        const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:eb-topic`;
        const ruleArn = `arn:aws:events:us-east-1:${ACCOUNT}:rule/to-topic`;
        // As on AWS, the topic's policy lets the rule publish and the queue's lets the topic send.
        const allow = (service: string, action: string, resource: string, source: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: action, Resource: resource, Condition: { ArnEquals: { "aws:SourceArn": source } } }] });
        await sns.send(new CreateTopicCommand({ Name: "eb-topic", Attributes: { Policy: allow("events.amazonaws.com", "sns:Publish", topicArn, ruleArn) } }));
        const url = await queue(sqs, "eb-from-topic", { Policy: allow("sns.amazonaws.com", "sqs:SendMessage", QUEUE_ARN("eb-from-topic"), topicArn) });
        await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: QUEUE_ARN("eb-from-topic"), Attributes: { RawMessageDelivery: "true" } }));
        await ruleTo(events, "to-topic", "billing", [{ Id: "topic", Arn: topicArn, InputPath: "$.detail" }]);
        await putEvent(events, "billing", { invoice: 42 });
        assert.deepEqual(JSON.parse((await receiveOne(sqs, url)).Body ?? ""), { invoice: 42 });
        const names = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: topicArn }));
        assert.deepEqual(names.RuleNames, ["to-topic"]);
        const cli = await aws(unkai.url, ["events", "list-rule-names-by-target", "--target-arn", QUEUE_ARN("eb-from-topic")]);
        assert.equal(cli.code, 0, cli.stderr);
        assert.deepEqual((JSON.parse(cli.stdout) as { RuleNames: string[] }).RuleNames, [], "a rule is found by its own targets only");
      } finally {
        sns.destroy();
      }
    });
  });

  it("an event PutEvents accepted reaches its queue after a SIGKILL right after the answer", async () => {
    let dataDir = "";
    let url = "";
    await withUnkai({}, async (unkai, { events, sqs }) => {
      dataDir = unkai.dataDir;
      url = await queue(sqs, "eb-durable", fromRules("eb-durable"));
      await ruleTo(events, "durable", "crash", [{ Id: "q", Arn: QUEUE_ARN("eb-durable") }]);
      await putEvent(events, "crash", { n: 1 });
      await kill(unkai);
    });
    await withUnkai({}, async (unkai, { sqs }) => {
      const got = await receiveOne(sqs, url.replace(/^http:\/\/[^/]+/, unkai.url));
      assert.deepEqual((JSON.parse(got.Body ?? "") as { detail: unknown }).detail, { n: 1 });
    }, dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });
});

/** A local HTTP endpoint for API destination targets: answers `status` (changeable) and keeps every body it got. */
async function endpoint(): Promise<{ url: string; bodies: string[]; setStatus: (status: number) => void; close: () => Promise<void> }> {
  let status = 503;
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    setStatus: (next) => { status = next; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** An API destination (API_KEY connection) to `url`; returns its ARN. */
async function apiDestination(events: EventBridgeClient, name: string, url: string): Promise<string> {
  const connection = await events.send(new CreateConnectionCommand({
    Name: name, AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "k" } },
  }));
  const destination = await events.send(new CreateApiDestinationCommand({ Name: name, ConnectionArn: connection.ConnectionArn, InvocationEndpoint: url, HttpMethod: "POST" }));
  assert.ok(destination.ApiDestinationArn);
  return destination.ApiDestinationArn;
}

const attributesOf = (message: Message) => Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));

describe("EventBridge target retries and dead-letter queues", () => {
  it("dead-letters a target that does not exist at once, without retries (NO_RESOURCE, also under --iam enforce, where it has no policy), as EventBridge does", async () => {
    await withUnkai({ ...FAST_RETRIES, UNKAI_IAM: "enforce" }, async (_unkai, { events, sqs }) => {
      const dlq = await queue(sqs, "eb-dlq", fromRules("eb-dlq"));
      await ruleTo(events, "doomed", "app", [
        { Id: "gone", Arn: QUEUE_ARN("eb-missing"), RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: QUEUE_ARN("eb-dlq") } },
      ]);
      const id = await putEvent(events, "app", { k: "v" });
      const dead = await receiveOne(sqs, dlq);
      assert.equal((JSON.parse(dead.Body ?? "") as { id: string }).id, id, "the DLQ message is the event");
      const attributes = attributesOf(dead);
      assert.deepEqual(attributes, {
        RULE_ARN: `arn:aws:events:us-east-1:${ACCOUNT}:rule/doomed`,
        TARGET_ARN: QUEUE_ARN("eb-missing"),
        ERROR_CODE: "NO_RESOURCE",
        ERROR_MESSAGE: attributes.ERROR_MESSAGE,
        RETRY_ATTEMPTS: "0",
      }, "no retry happened, so no retry condition was exhausted");
      assert.match(attributes.ERROR_MESSAGE ?? "", /eb-missing does not exist/);
    });
  });

  it("retries a failing target (an API destination answering 503) and dead-letters it when MaximumRetryAttempts is reached, or at once when it is 0", async () => {
    const hook = await endpoint();
    try {
      await withUnkai(FAST_RETRIES, async (_unkai, { events, sqs }) => {
        const dlq = await queue(sqs, "eb-dlq0", fromRules("eb-dlq0"));
        const arn = await apiDestination(events, "flaky", hook.url);
        const policy = (attempts: number) => ({ RetryPolicy: { MaximumRetryAttempts: attempts, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: QUEUE_ARN("eb-dlq0") } });
        await ruleTo(events, "no-retry", "app0", [{ Id: "once", Arn: arn, ...policy(0) }]);
        await ruleTo(events, "two-retries", "app2", [{ Id: "thrice", Arn: arn, ...policy(2) }]);
        await putEvent(events, "app0", {});
        const first = attributesOf(await receiveOne(sqs, dlq));
        assert.equal(first.RETRY_ATTEMPTS, "0");
        assert.equal(first.EXHAUSTED_RETRY_CONDITION, "MaximumRetryAttempts");
        assert.equal(first.ERROR_CODE, "SDK_CLIENT_ERROR");
        await putEvent(events, "app2", {});
        const second = attributesOf(await receiveOne(sqs, dlq));
        assert.equal(second.RETRY_ATTEMPTS, "2");
        assert.equal(second.EXHAUSTED_RETRY_CONDITION, "MaximumRetryAttempts");
        assert.equal(hook.bodies.length, 1 + 3, "one attempt for the first event, three for the second");
      });
    } finally {
      await hook.close();
    }
  });

  it("keeps retrying a failing target across a restart and delivers once it answers", async () => {
    const hook = await endpoint();
    let dataDir = "";
    try {
      await withUnkai(FAST_RETRIES, async (unkai, { events }) => {
        dataDir = unkai.dataDir;
        await ruleTo(events, "patient", "app", [{ Id: "later", Arn: await apiDestination(events, "patient", hook.url) }]);
        await putEvent(events, "app", { wait: true });
        await waitFor("a failed first attempt", () => Promise.resolve(hook.bodies.length > 0 ? true : undefined), 10_000);
        await kill(unkai);
      });
      const failedBefore = hook.bodies.length;
      hook.setStatus(200);
      await withUnkai(FAST_RETRIES, async () => {
        await waitFor("the retried delivery after the restart", () => Promise.resolve(hook.bodies.length > failedBefore ? true : undefined), 30_000);
      }, dataDir);
      const delivered = hook.bodies.at(-1) ?? "";
      assert.deepEqual((JSON.parse(delivered) as { detail: unknown }).detail, { wait: true });
    } finally {
      await hook.close();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
