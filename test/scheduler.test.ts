/**
 * EventBridge Scheduler on a real Unkai through SDK v3 and the AWS CLI v2: an at() schedule invoking a
 * function with its exact Input and deleting itself (ActionAfterCompletion DELETE); a rate schedule to
 * a FIFO queue (rates scaled by UNKAI_SCHEDULER_RATE_SCALE so rate(1 minute) fires every 1.2 s); an
 * EventBridge bus target; a failing target retried then dead-lettered; groups, tags, listing filters
 * and pagination; validation errors; IAM denial; a firing missed while Unkai was down is not replayed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { InvokeCommand, PutFunctionEventInvokeConfigCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ListTagsForResourceCommand,
  SchedulerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from "@aws-sdk/client-scheduler";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { failure } from "./helpers/outcome.js";
import { Collector, waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
/** Scheduler's execution role: it trusts Scheduler and may reach every target the tests name (made in `before`). */
const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduler-exec`;
const TRUSTS_SCHEDULER = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const TARGET_ACTIONS = ["lambda:InvokeFunction", "sqs:SendMessage", "sns:Publish", "events:PutEvents", "kinesis:PutRecord"];

/** A role trusting `trust`, allowed `actions` on `resource`. */
async function executionRole(iam: IAMClient, name: string, actions: string[], resource = "*", trust = TRUSTS_SCHEDULER): Promise<string> {
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "targets", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: resource }] }) }));
  assert.ok(Role?.Arn);
  return Role.Arn;
}
const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const FN_ARN = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const SCHEDULE_ARN = (group: string, name: string) => `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/${group}/${name}`;

/** `at(…)` for a UTC instant `ms` (whole seconds). */
const atExpression = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 19)})`;
/** A time `seconds` ahead, rounded up to a whole second. */
const ahead = (seconds: number) => Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000;

function clients(url: string, credentials: { accessKeyId: string; secretAccessKey: string } = DEFAULT_CREDENTIALS) {
  const config = { endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 };
  return { scheduler: new SchedulerClient(config), sqs: new SQSClient(config), events: new EventBridgeClient(config), iam: new IAMClient(config) };
}

/** A queue policy letting an EventBridge rule's deliveries in (checked under --iam enforce, as on AWS). */
const eventsMaySend = (queueName: string, rule: string) => ({
  Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN(queueName), Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:events:us-east-1:${ACCOUNT}:rule/${rule}` } } }] }),
});

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string> = {}): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  assert.ok(created.QueueUrl);
  return created.QueueUrl;
}

async function receive(sqs: SQSClient, url: string, count: number, timeoutMs = 20_000): Promise<Message[]> {
  const got: Message[] = [];
  await waitFor(`${count} message(s) on ${url}`, async () => {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["All"], AttributeNames: ["All"], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    got.push(...(page.Messages ?? []));
    // Deleted at once: a FIFO group stays locked while one of its messages is in flight.
    for (const message of page.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    return got.length >= count ? true : undefined;
  }, timeoutMs);
  return got;
}

/** A schedule that never fires during the test (a rate would fire at once, as on AWS) unless `extra` says otherwise. */
const schedule = (name: string, extra: Partial<CreateScheduleCommandInput> & { Target: CreateScheduleCommandInput["Target"] }): CreateScheduleCommandInput => ({
  Name: name, ScheduleExpression: "cron(0 12 1 1 ? 2199)", FlexibleTimeWindow: { Mode: "OFF" }, ...extra,
});

// The tests use separate schedules, queues and functions: they run at once to keep the file short.
describe("EventBridge Scheduler", { concurrency: true }, () => {
  let unkai: TestUnkai;
  let fns: LambdaClient;
  let c: ReturnType<typeof clients>;
  const collector = new Collector();

  before(async () => {
    await collector.start();
    unkai = await startUnkai({ ...(await collector.env()), UNKAI_IAM: "enforce", UNKAI_SCHEDULER_RATE_SCALE: "0.02", UNKAI_ASYNC_RETRY_SCALE: "0.001" });
    fns = lambda(unkai.url);
    // startUnkai made the functions' role (unkai-test, trusting Lambda), which --iam enforce requires.
    c = clients(unkai.url);
    assert.equal(await executionRole(c.iam, "scheduler-exec", TARGET_ACTIONS), ROLE);
  });
  after(async () => {
    await collector.close();
    fns?.destroy();
    c?.scheduler.destroy();
    c?.sqs.destroy();
    c?.events.destroy();
    c?.iam.destroy();
    assert.equal(await unkai.stop(), 0);
  });

  it("an at() schedule invokes a function asynchronously with its exact Input, then deletes itself (ActionAfterCompletion DELETE)", async (t) => {
    await createFromFixture(fns, "sched-fn", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("sched-fn") } } });
    const fireAt = ahead(3);
    const input = { job: "nightly-report", nested: { n: 1, list: [true, null] } };
    const created = await c.scheduler.send(new CreateScheduleCommand(schedule("once", {
      ScheduleExpression: atExpression(fireAt), ActionAfterCompletion: "DELETE", Target: { Arn: FN_ARN("sched-fn"), RoleArn: ROLE, Input: JSON.stringify(input) },
    })));
    assert.equal(created.ScheduleArn, SCHEDULE_ARN("default", "once"));
    const got = await c.scheduler.send(new GetScheduleCommand({ Name: "once" }));
    assert.equal(got.ScheduleExpression, atExpression(fireAt));
    assert.equal(got.ActionAfterCompletion, "DELETE");
    const [start] = await waitFor("the scheduled invocation", () => {
      const starts = collector.recorded("sched-fn").filter((r) => r.phase === "start");
      return starts.length > 0 ? starts : undefined;
    }, 30_000);
    assert.deepEqual(start?.event, input, "the function receives Input verbatim, without an event envelope");
    const lateMs = (start?.at ?? 0) - fireAt;
    assert.ok(lateMs >= 0, `started ${lateMs} ms before its time`);
    t.diagnostic(`the function started ${lateMs} ms after its at() time (cold start included)`);
    await waitFor("the completed schedule to be deleted", async () => {
      const gone = await failure(c.scheduler.send(new GetScheduleCommand({ Name: "once" })));
      return gone.name === "ResourceNotFoundException" ? gone : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(collector.recorded("sched-fn").filter((r) => r.phase === "start").length, 1, "fired once");
  });

  it("a rate schedule made with the AWS CLI sends to a FIFO queue with its MessageGroupId and context attributes; disabling stops it", async () => {
    const url = await queue(c.sqs, "ticks.fifo", { FifoQueue: "true" });
    const target = { Arn: QUEUE_ARN("ticks.fifo"), RoleArn: ROLE, Input: "tick from <aws.scheduler.schedule-arn> at <aws.scheduler.scheduled-time>", SqsParameters: { MessageGroupId: "ticks" } };
    const cli = await aws(unkai.url, ["scheduler", "create-schedule", "--name", "ticker", "--schedule-expression", "rate(1 minute)", "--flexible-time-window", "Mode=OFF", "--target", JSON.stringify(target)]);
    assert.equal(cli.code, 0, cli.stderr);
    const messages = await receive(c.sqs, url, 2);
    for (const message of messages) {
      assert.match(message.Body ?? "", new RegExp(`^tick from ${SCHEDULE_ARN("default", "ticker")} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`));
      assert.equal(message.Attributes?.MessageGroupId, "ticks");
    }
    const times = messages.map((m) => Date.parse(/at (\S+)$/.exec(m.Body ?? "")?.[1] ?? ""));
    assert.notEqual(times[0], times[1], "two firings, not one redelivered");
    const update = await aws(unkai.url, ["scheduler", "update-schedule", "--name", "ticker", "--schedule-expression", "rate(1 minute)", "--state", "DISABLED", "--flexible-time-window", "Mode=OFF", "--target", JSON.stringify(target)]);
    assert.equal(update.code, 0, update.stderr);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 })); // drain a firing in flight
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const after = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    assert.equal(after.Messages?.length ?? 0, 0, "a disabled schedule does not fire");
    const listed = await aws(unkai.url, ["scheduler", "list-schedules", "--state", "DISABLED"]);
    assert.deepEqual((JSON.parse(listed.stdout) as { Schedules: { Name: string }[] }).Schedules.map((s) => s.Name), ["ticker"]);
    assert.equal((await aws(unkai.url, ["scheduler", "delete-schedule", "--name", "ticker"])).code, 0);
  });

  it("a rate schedule fires at once when it has no StartDate, and first at its StartDate when it has one", async () => {
    const url = await queue(c.sqs, "rate-start");
    const target = { Arn: QUEUE_ARN("rate-start"), RoleArn: ROLE, Input: "<aws.scheduler.schedule-arn> <aws.scheduler.scheduled-time>" };
    // rate(1 hour) is 72 s at this suite's rate scale: a first firing one period late would miss the wait.
    const createdAt = Date.now();
    await c.scheduler.send(new CreateScheduleCommand(schedule("no-start", { ScheduleExpression: "rate(1 hour)", Target: target })));
    const startAt = ahead(3);
    await c.scheduler.send(new CreateScheduleCommand(schedule("with-start", { ScheduleExpression: "rate(1 hour)", StartDate: new Date(startAt), Target: target })));
    const messages = await receive(c.sqs, url, 2, 30_000);
    const firstOf = (name: string) => messages.map((m) => (m.Body ?? "").split(" ")).find(([arn]) => arn === SCHEDULE_ARN("default", name))?.[1];
    const immediate = Date.parse(firstOf("no-start") ?? "");
    assert.ok(Math.abs(immediate - createdAt) < 5_000, `fired for ${firstOf("no-start")}, created at ${new Date(createdAt).toISOString()}`);
    assert.equal(firstOf("with-start"), new Date(startAt).toISOString().replace(".000Z", "Z"));
    for (const name of ["no-start", "with-start"]) await c.scheduler.send(new DeleteScheduleCommand({ Name: name }));
  });

  it("a FLEXIBLE window fires at its start, a time inside AWS's window that a test can predict", async () => {
    const url = await queue(c.sqs, "flexible");
    const fireAt = ahead(2);
    await c.scheduler.send(new CreateScheduleCommand(schedule("flex", {
      ScheduleExpression: atExpression(fireAt), FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 5 },
      Target: { Arn: QUEUE_ARN("flexible"), RoleArn: ROLE, Input: "<aws.scheduler.scheduled-time>" },
    })));
    const [message] = await receive(c.sqs, url, 1);
    assert.equal(message?.Body, new Date(fireAt).toISOString().replace(".000Z", "Z"));
    assert.ok(Number(message?.Attributes?.SentTimestamp) - fireAt < 30_000, "sent at the window's start, not minutes into it");
  });

  it("an EventBridge target puts an event with the schedule's Source, DetailType and Input as detail on the bus", async () => {
    const url = await queue(c.sqs, "from-bus", eventsMaySend("from-bus", "from-scheduler"));
    await c.events.send(new PutRuleCommand({ Name: "from-scheduler", EventPattern: JSON.stringify({ source: ["my.scheduler"] }) }));
    await c.events.send(new PutTargetsCommand({ Rule: "from-scheduler", Targets: [{ Id: "q", Arn: QUEUE_ARN("from-bus") }] }));
    await c.scheduler.send(new CreateScheduleCommand(schedule("to-bus", {
      ScheduleExpression: atExpression(ahead(2)),
      Target: { Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`, RoleArn: ROLE, Input: '{"report": "daily"}', EventBridgeParameters: { Source: "my.scheduler", DetailType: "Report Due" } },
    })));
    const [message] = await receive(c.sqs, url, 1);
    const event = JSON.parse(message?.Body ?? "{}") as Record<string, unknown>;
    assert.equal(event.source, "my.scheduler");
    assert.equal(event["detail-type"], "Report Due");
    assert.deepEqual(event.detail, { report: "daily" });
    assert.deepEqual(event.resources, [SCHEDULE_ARN("default", "to-bus")]);
  });

  it("a Kinesis target puts Input as one record keyed by KinesisParameters.PartitionKey; without one it is refused", async () => {
    const kinesis = new KinesisClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: "ticks", ShardCount: 1 }));
      const Arn = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/ticks`;
      const refused = await failure(c.scheduler.send(new CreateScheduleCommand(schedule("to-stream-bare", { Target: { Arn, RoleArn: ROLE, Input: "{}" } }))));
      assert.equal(refused.name, "ValidationException");
      assert.match(refused.message, /KinesisParameters.PartitionKey is required/);
      await c.scheduler.send(new CreateScheduleCommand(schedule("to-stream", {
        ScheduleExpression: atExpression(ahead(2)), Target: { Arn, RoleArn: ROLE, Input: '{"tick": 1}', KinesisParameters: { PartitionKey: "tenant-7" } },
      })));
      assert.deepEqual((await c.scheduler.send(new GetScheduleCommand({ Name: "to-stream" }))).Target?.KinesisParameters, { PartitionKey: "tenant-7" });
      const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "ticks", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      const [record] = await waitFor("the scheduled record", async () => {
        const got = (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
        return got.length > 0 ? got : undefined;
      }, 20_000);
      assert.equal(record?.PartitionKey, "tenant-7");
      assert.deepEqual(JSON.parse(Buffer.from(record?.Data ?? new Uint8Array()).toString()), { tick: 1 });
    } finally {
      kinesis.destroy();
    }
  });

  it("an SNS target publishes Input as the message, which reaches the topic's subscribed queue", async () => {
    const sns = new SNSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      const { TopicArn: topicArn = "" } = await sns.send(new CreateTopicCommand({ Name: "sched-topic" }));
      // Under --iam enforce the queue's policy must let the topic send, as on AWS.
      const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN("from-topic"), Condition: { ArnEquals: { "aws:SourceArn": topicArn } } }] };
      const url = await queue(c.sqs, "from-topic", { Policy: JSON.stringify(policy) });
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: QUEUE_ARN("from-topic") }));
      await c.scheduler.send(new CreateScheduleCommand(schedule("to-topic", {
        ScheduleExpression: atExpression(ahead(2)), Target: { Arn: topicArn, RoleArn: ROLE, Input: "backup at <aws.scheduler.scheduled-time>" },
      })));
      const [message] = await receive(c.sqs, url, 1);
      const envelope = JSON.parse(message?.Body ?? "{}") as { Type?: string; TopicArn?: string; Message?: string };
      assert.equal(envelope.Type, "Notification");
      assert.equal(envelope.TopicArn, topicArn);
      assert.match(envelope.Message ?? "", /^backup at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      sns.destroy();
    }
  });

  it("event buses are a destinations target: a Lambda OnSuccess destination on the default bus reaches a rule's queue", async () => {
    const url = await queue(c.sqs, "lambda-results", eventsMaySend("lambda-results", "lambda-results"));
    await c.events.send(new PutRuleCommand({ Name: "lambda-results", EventPattern: JSON.stringify({ source: ["lambda"] }) }));
    await c.events.send(new PutTargetsCommand({ Rule: "lambda-results", Targets: [{ Id: "q", Arn: QUEUE_ARN("lambda-results") }] }));
    await createFromFixture(fns, "dest-fn", "node-cjs");
    await fns.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: "dest-fn", DestinationConfig: { OnSuccess: { Destination: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` } },
    }));
    await fns.send(new InvokeCommand({ FunctionName: "dest-fn", InvocationType: "Event", Payload: Buffer.from('{"x": 1}') }));
    const [message] = await receive(c.sqs, url, 1, 30_000);
    const event = JSON.parse(message?.Body ?? "{}") as { source: string; "detail-type": string; resources: string[]; detail: { requestPayload: unknown; requestContext: { condition: string } } };
    assert.equal(event.source, "lambda");
    assert.equal(event["detail-type"], "Lambda Function Invocation Result - Success");
    assert.deepEqual(event.detail.requestPayload, { x: 1 });
    assert.equal(event.detail.requestContext.condition, "Success");
    assert.match(event.resources[0] ?? "", /^arn:aws:lambda:us-east-1:000000000000:function:dest-fn/);
  });

  it("a failing target is retried per its RetryPolicy, then dead-lettered with Scheduler's attributes", async () => {
    const dlq = await queue(c.sqs, "sched-dlq");
    await c.scheduler.send(new CreateScheduleCommand(schedule("doomed", {
      ScheduleExpression: atExpression(ahead(2)),
      Target: { Arn: FN_ARN("no-such-function"), RoleArn: ROLE, Input: '{"n": 7}', RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 600 }, DeadLetterConfig: { Arn: QUEUE_ARN("sched-dlq") } },
    })));
    const [dead] = await receive(c.sqs, dlq, 1);
    assert.equal(dead?.Body, '{"n": 7}');
    const attributes = Object.fromEntries(Object.entries(dead?.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]));
    assert.equal(attributes.SCHEDULE_ARN, SCHEDULE_ARN("default", "doomed"));
    assert.equal(attributes.TARGET_ARN, FN_ARN("no-such-function"));
    assert.equal(attributes.EXHAUSTED_RETRY_CONDITION, "MaximumRetryAttempts");
    assert.equal(attributes.RETRY_ATTEMPTS, "2");
    assert.equal(attributes.ERROR_CODE, "NO_RESOURCE");
  });

  it("acts as the target's execution role: a role that may not send, or does not trust Scheduler, delivers nothing (dead-lettered NO_PERMISSIONS)", async () => {
    const guarded = await queue(c.sqs, "guarded");
    const dlq = await queue(c.sqs, "guarded-dlq");
    const narrow = await executionRole(c.iam, "scheduler-narrow", ["sqs:SendMessage"], QUEUE_ARN("elsewhere"));
    const lambdaOnly = await executionRole(c.iam, "trusts-lambda", ["sqs:SendMessage"], "*", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }));
    for (const [name, RoleArn] of [["narrow-role", narrow], ["untrusting-role", lambdaOnly]] as const) {
      await c.scheduler.send(new CreateScheduleCommand(schedule(name, {
        ScheduleExpression: atExpression(ahead(2)),
        Target: { Arn: QUEUE_ARN("guarded"), RoleArn, Input: JSON.stringify({ from: name }), RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: QUEUE_ARN("guarded-dlq") } },
      })));
    }
    const dead = await receive(c.sqs, dlq, 2);
    assert.deepEqual(dead.map((m) => (JSON.parse(m.Body ?? "{}") as { from: string }).from).sort(), ["narrow-role", "untrusting-role"]);
    for (const message of dead) {
      assert.equal(message.MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");
      assert.equal(message.MessageAttributes?.RETRY_ATTEMPTS?.StringValue, "0", "a refusal is not retried");
    }
    const leaked = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: guarded, WaitTimeSeconds: 1 }));
    assert.deepEqual(leaked.Messages ?? [], [], "nothing reached the queue the roles may not send to");
  });

  it("schedule groups: default exists, tags, listing filters and pages, and deleting a group deletes its schedules", async () => {
    const groups = await c.scheduler.send(new ListScheduleGroupsCommand({}));
    assert.ok(groups.ScheduleGroups?.some((g) => g.Name === "default" && g.State === "ACTIVE"));
    const { ScheduleGroupArn: arn } = await c.scheduler.send(new CreateScheduleGroupCommand({ Name: "team-a", Tags: [{ Key: "owner", Value: "ops" }] }));
    assert.equal(arn, `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule-group/team-a`);
    await c.scheduler.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "dev" }, { Key: "owner", Value: "platform" }] }));
    await c.scheduler.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["env"] }));
    assert.deepEqual((await c.scheduler.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: "owner", Value: "platform" }]);
    const target = { Arn: QUEUE_ARN("from-bus"), RoleArn: ROLE };
    for (const name of ["job-1", "job-2", "job-3", "other"]) await c.scheduler.send(new CreateScheduleCommand(schedule(name, { GroupName: "team-a", Target: target })));
    await c.scheduler.send(new UpdateScheduleCommand(schedule("job-2", { GroupName: "team-a", State: "DISABLED", Target: target })));
    const first = await c.scheduler.send(new ListSchedulesCommand({ GroupName: "team-a", NamePrefix: "job-", MaxResults: 2 }));
    assert.deepEqual(first.Schedules?.map((s) => s.Name), ["job-1", "job-2"]);
    assert.ok(first.NextToken);
    const second = await c.scheduler.send(new ListSchedulesCommand({ GroupName: "team-a", NamePrefix: "job-", MaxResults: 2, NextToken: first.NextToken }));
    assert.deepEqual(second.Schedules?.map((s) => s.Name), ["job-3"]);
    assert.equal(second.NextToken, undefined);
    const disabled = await c.scheduler.send(new ListSchedulesCommand({ GroupName: "team-a", State: "DISABLED" }));
    assert.deepEqual(disabled.Schedules?.map((s) => [s.Name, s.Target?.Arn]), [["job-2", QUEUE_ARN("from-bus")]]);
    const wrongGroup = await failure(c.scheduler.send(new GetScheduleCommand({ Name: "job-1" })));
    assert.equal(wrongGroup.name, "ResourceNotFoundException", "a schedule is found in its own group only");
    await c.scheduler.send(new DeleteScheduleCommand({ Name: "other", GroupName: "team-a" }));
    const cli = await aws(unkai.url, ["scheduler", "delete-schedule-group", "--name", "team-a"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((await failure(c.scheduler.send(new GetScheduleGroupCommand({ Name: "team-a" })))).name, "ResourceNotFoundException");
    assert.equal((await failure(c.scheduler.send(new GetScheduleCommand({ Name: "job-1", GroupName: "team-a" })))).name, "ResourceNotFoundException");
    const defaultDelete = await failure(c.scheduler.send(new DeleteScheduleGroupCommand({ Name: "default" })));
    assert.equal(defaultDelete.name, "ValidationException");
  });

  it("validation, conflict and not-found errors as Scheduler answers them (SDK v3 and the CLI)", async () => {
    const target = { Arn: QUEUE_ARN("from-bus"), RoleArn: ROLE };
    const create = (input: Partial<CreateScheduleCommandInput>) => failure(c.scheduler.send(new CreateScheduleCommand({ ...schedule("v", { Target: target }), ...input })));
    const cases: [Partial<CreateScheduleCommandInput>, string, RegExp][] = [
      [{ ScheduleExpression: "rate(0 minutes)" }, "ValidationException", /^Invalid Schedule Expression rate\(0 minutes\)\.$/],
      [{ ScheduleExpression: "cron(0 12 * * * *)" }, "ValidationException", /^Invalid Schedule Expression cron\(0 12 \* \* \* \*\)\.$/],
      [{ ScheduleExpression: "at(2026-02-30T10:00:00)" }, "ValidationException", /^Invalid Schedule Expression at\(2026-02-30T10:00:00\)\.$/],
      [{ ScheduleExpression: "cron(0 9 * * ? *)", ScheduleExpressionTimezone: "Mars/Olympus" }, "ValidationException", /Mars\/Olympus/],
      [{ Name: "has space" }, "ValidationException", /Value 'has space' at 'name' failed to satisfy constraint/],
      [{ FlexibleTimeWindow: { Mode: "FLEXIBLE" } }, "ValidationException", /MaximumWindowInMinutes/],
      [{ GroupName: "nowhere" }, "ResourceNotFoundException", /^Schedule group nowhere does not exist\.$/],
      [{ EndDate: new Date(Date.now() - 60_000) }, "ValidationException", /EndDate/],
      [{ Target: { Arn: FN_ARN("f"), RoleArn: ROLE, Input: "not json" } }, "ValidationException", /JSON/],
      [{ Target: { Arn: QUEUE_ARN("q.fifo"), RoleArn: ROLE } }, "ValidationException", /MessageGroupId/],
      [{ Target: { Arn: "arn:aws:s3:::bucket", RoleArn: ROLE } }, "ValidationException", /arn:aws:s3:::bucket/],
    ];
    for (const [input, name, message] of cases) {
      const error = await create(input);
      assert.equal(error.name, name, JSON.stringify(input));
      assert.match(error.message, message);
      assert.equal(error.$metadata?.httpStatusCode, name === "ResourceNotFoundException" ? 404 : 400);
    }
    await c.scheduler.send(new CreateScheduleCommand(schedule("dup", { Target: target })));
    const conflict = await failure(c.scheduler.send(new CreateScheduleCommand(schedule("dup", { Target: target }))));
    assert.deepEqual([conflict.name, conflict.message, conflict.$metadata?.httpStatusCode], ["ConflictException", "Schedule dup already exists.", 409]);
    const missing = await aws(unkai.url, ["scheduler", "get-schedule", "--name", "ghost"]);
    assert.match(missing.stderr, /\(ResourceNotFoundException\) when calling the GetSchedule operation(?: \(reached max retries: 0\))?: Schedule ghost does not exist\./);
    const noWindow = await aws(unkai.url, ["scheduler", "create-schedule", "--name", "w", "--schedule-expression", "rate(1 hour)", "--target", JSON.stringify(target)]);
    assert.notEqual(noWindow.code, 0, "the CLI itself requires --flexible-time-window");
    const raw = await fetch(`${unkai.url}/schedules/x`, { method: "GET" });
    assert.equal(raw.status, 403, "an unsigned request is refused");
  });

  it("IAM: a user's key without scheduler permissions is denied; with scheduler:ListSchedules it lists", async () => {
    await c.iam.send(new CreateUserCommand({ UserName: "sched-reader" }));
    await c.iam.send(new PutUserPolicyCommand({
      UserName: "sched-reader", PolicyName: "read", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "scheduler:ListSchedules", Resource: "*" }] }),
    }));
    const { AccessKey } = await c.iam.send(new CreateAccessKeyCommand({ UserName: "sched-reader" }));
    assert.ok(AccessKey?.AccessKeyId && AccessKey.SecretAccessKey);
    const reader = clients(unkai.url, { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey });
    try {
      await reader.scheduler.send(new ListSchedulesCommand({}));
      const denied = await failure(reader.scheduler.send(new CreateScheduleCommand(schedule("sneaky", { Target: { Arn: QUEUE_ARN("from-bus"), RoleArn: ROLE } }))));
      assert.equal(denied.name, "AccessDeniedException");
      assert.match(denied.message, /user\/sched-reader is not authorized to perform: scheduler:CreateSchedule on resource: arn:aws:scheduler:us-east-1:000000000000:schedule\/default\/sneaky/);
      assert.equal((await failure(c.scheduler.send(new GetScheduleCommand({ Name: "sneaky" })))).name, "ResourceNotFoundException");
      // Allowed to create schedules but not to pass the role: a role's permissions are not borrowed.
      await c.iam.send(new PutUserPolicyCommand({
        UserName: "sched-reader", PolicyName: "write", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "scheduler:CreateSchedule", Resource: "*" }] }),
      }));
      const unpassed = await waitFor("the user's new policy to take effect", async () => {
        const error = await failure(reader.scheduler.send(new CreateScheduleCommand(schedule("borrowed", { Target: { Arn: QUEUE_ARN("from-bus"), RoleArn: ROLE } }))));
        return /iam:PassRole/.test(error.message) ? error : undefined;
      });
      assert.equal(unpassed.name, "AccessDeniedException");
      assert.match(unpassed.message, /is not authorized to perform: iam:PassRole on resource: arn:aws:iam::000000000000:role\/scheduler-exec/);
      await c.iam.send(new PutUserPolicyCommand({
        UserName: "sched-reader", PolicyName: "pass", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:PassRole", Resource: ROLE, Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } } }] }),
      }));
      await waitFor("iam:PassRole to take effect", async () => (await reader.scheduler.send(new CreateScheduleCommand(schedule("borrowed", { Target: { Arn: QUEUE_ARN("from-bus"), RoleArn: ROLE } })))).ScheduleArn);
    } finally {
      reader.scheduler.destroy();
    }
  });
});

describe("EventBridge Scheduler after downtime", () => {
  it("a firing missed while Unkai was down is not replayed at restart; later firings happen", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-scheduler-missed-"));
    const env = { UNKAI_SCHEDULER_MISSED_AFTER_MS: "2000" };
    try {
      let unkai = await startUnkai(env, dataDir);
      let c = clients(unkai.url);
      await executionRole(c.iam, "scheduler-exec", TARGET_ACTIONS);
      c.iam.destroy();
      const url = await queue(c.sqs, "missed");
      const fireAt = ahead(3);
      await c.scheduler.send(new CreateScheduleCommand(schedule("while-down", { ScheduleExpression: atExpression(fireAt), Target: { Arn: QUEUE_ARN("missed"), RoleArn: ROLE, Input: "missed" } })));
      c.scheduler.destroy();
      c.sqs.destroy();
      assert.equal(await unkai.stop(), 0);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, fireAt + 3_000 - Date.now())));
      unkai = await startUnkai(env, dataDir);
      c = clients(unkai.url);
      try {
        await c.scheduler.send(new CreateScheduleCommand(schedule("after-restart", { ScheduleExpression: atExpression(ahead(2)), Target: { Arn: QUEUE_ARN("missed"), RoleArn: ROLE, Input: "on time" } })));
        const [message] = await receive(c.sqs, url, 1);
        assert.equal(message?.Body, "on time", "the missed firing was not delivered before the later one");
        const more = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        assert.equal(more.Messages?.length ?? 0, 0, "nor after it");
        assert.equal((await c.scheduler.send(new GetScheduleCommand({ Name: "while-down" }))).Name, "while-down", "the schedule itself is kept");
      } finally {
        c.scheduler.destroy();
        c.sqs.destroy();
        assert.equal(await unkai.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
