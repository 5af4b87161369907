/**
 * Kinesis streams as targets against a real Unkai under IAM enforcement (the default): a rule's events
 * become records with KinesisParameters.PartitionKeyPath's value (or the event id) as partition key, put
 * as the target's RoleArn may; a target without a role is refused at PutTargets, a role that may not put
 * records delivers nothing; a Logs subscription filter puts each batch as one gzipped record as its role;
 * and a stream is refused as a Lambda destination.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutSubscriptionFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, DEFAULT_CREDENTIALS, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const STREAM = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/events`;

describe("Kinesis streams as EventBridge and Logs subscription targets", () => {
  let unkai: TestUnkai;
  let kinesis: KinesisClient;
  let events: EventBridgeClient;
  let iam: IAMClient;
  before(async () => {
    unkai = await startUnkai();
    const options = { endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    kinesis = new KinesisClient(options);
    events = new EventBridgeClient(options);
    iam = new IAMClient(options);
    await kinesis.send(new CreateStreamCommand({ StreamName: "events", ShardCount: 1 }));
  });
  after(async () => {
    for (const client of [kinesis, events, iam]) client.destroy();
    if (unkai) assert.equal(await unkai.stop(), 0);
  });

  /** A role `service` may assume, allowed `actions` on the stream. */
  async function role(name: string, actions: string[], service = "events.amazonaws.com"): Promise<string> {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "put", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: STREAM }] }) }));
    return Role?.Arn ?? "";
  }
  const raw = async (StreamName: string) => {
    const iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    return (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records ?? [];
  };
  const records = async () => {
    return (await raw("events")).map((r) => ({ key: r.PartitionKey, event: JSON.parse(Buffer.from(r.Data ?? new Uint8Array()).toString()) as { id: string; detail: { user: string; n: number } } }));
  };

  it("puts each matched event as a record, keyed by PartitionKeyPath or the event id, as the target's role", async () => {
    const RoleArn = await role("events-to-kinesis", ["kinesis:PutRecord", "kinesis:PutRecords"]);
    await events.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"] }) }));
    await events.send(new PutTargetsCommand({ Rule: "orders", Targets: [
      { Id: "by-user", Arn: STREAM, RoleArn, KinesisParameters: { PartitionKeyPath: "$.detail.user" } },
      { Id: "by-id", Arn: STREAM, RoleArn, InputPath: "$.detail" },
    ] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "order", Detail: JSON.stringify({ user: "alice", n: 1 }) }] }));
    const eventId = put.Entries?.[0]?.EventId;
    const got = await waitFor("both records", async () => ((await records()).length >= 2 ? records() : undefined), 20_000);
    const byUser = got.find((r) => r.key === "alice");
    assert.equal(byUser?.event.id, eventId, "the whole event, keyed by the path's value");
    const byId = got.find((r) => r.key === eventId);
    assert.deepEqual(byId?.event, { user: "alice", n: 1 }, "InputPath applies to the data; the key is the event id");
  });

  it("refuses a stream target without a RoleArn or with a bad path, and delivers nothing as a role that may not put records", async () => {
    await assert.rejects(events.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "no-role", Arn: STREAM }] })), (e: Error) => e.name === "ValidationException" && /RoleArn is required/.test(e.message));
    const readOnly = await role("events-read-only", ["kinesis:DescribeStream"]);
    await assert.rejects(events.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "bad-path", Arn: STREAM, RoleArn: readOnly, KinesisParameters: { PartitionKeyPath: "detail.user" } }] })), { name: "ValidationException" });
    await events.send(new PutRuleCommand({ Name: "refused", EventPattern: JSON.stringify({ source: ["refused"] }) }));
    await events.send(new PutTargetsCommand({ Rule: "refused", Targets: [{ Id: "weak", Arn: STREAM, RoleArn: readOnly }] }));
    const before = (await records()).length;
    await events.send(new PutEventsCommand({ Entries: [{ Source: "refused", DetailType: "x", Detail: "{}" }] }));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal((await records()).length, before, "the role may not put records: nothing reached the stream");
  });

  it("is not a Lambda destination, as on AWS", async () => {
    await createFromFixture(lambda(unkai.url), "no-kinesis-destination", "node-esm");
    await assert.rejects(lambda(unkai.url).send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "no-kinesis-destination", DestinationConfig: { OnFailure: { Destination: STREAM } } })), { name: "InvalidParameterValueException" });
  });

  it("a Logs subscription filter puts each matched batch as one gzipped record, keyed by the log stream, as its role", async () => {
    const logs = new CloudWatchLogsClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await kinesis.send(new CreateStreamCommand({ StreamName: "logs", ShardCount: 1 }));
    const logsStream = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/logs`;
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app", logStreamName: "web-1" }));
    const filter = { logGroupName: "/app", filterName: "errors", filterPattern: "ERROR", destinationArn: logsStream };
    await assert.rejects(logs.send(new PutSubscriptionFilterCommand(filter)), (e: Error) => e.name === "InvalidParameterException" && /roleArn is required/.test(e.message));
    const weak = await iam.send(new CreateRoleCommand({ RoleName: "logs-weak", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "logs.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
    await assert.rejects(logs.send(new PutSubscriptionFilterCommand({ ...filter, roleArn: weak.Role?.Arn })), (e: Error) => e.name === "InvalidParameterException" && /Could not deliver test message/.test(e.message));
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "logs-to-kinesis", AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "logs-to-kinesis", PolicyName: "put", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kinesis:PutRecord", Resource: logsStream }] }) }));
    await logs.send(new PutSubscriptionFilterCommand({ ...filter, roleArn: Role?.Arn }));
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: "/app", logStreamName: "web-1", logEvents: [{ timestamp: now, message: "ERROR one" }, { timestamp: now, message: "fine" }, { timestamp: now + 1, message: "ERROR two" }] }));
    const [record] = await waitFor("the batch's record", async () => ((await raw("logs")).length > 0 ? raw("logs") : undefined), 20_000);
    assert.equal(record?.PartitionKey, "web-1");
    const batch = JSON.parse(gunzipSync(Buffer.from(record?.Data ?? new Uint8Array())).toString()) as { messageType: string; logGroup: string; logStream: string; subscriptionFilters: string[]; logEvents: { message: string }[] };
    assert.deepEqual([batch.messageType, batch.logGroup, batch.logStream, batch.subscriptionFilters], ["DATA_MESSAGE", "/app", "web-1", ["errors"]]);
    assert.deepEqual(batch.logEvents.map((e) => e.message), ["ERROR one", "ERROR two"]);
    logs.destroy();
  });
});
