/**
 * The model-driven services' IAM actions are derived from their models (src/protocol/codecs/
 * derived-authorization.ts): every operation of SQS's, DynamoDB's and EventBridge's model maps to at
 * least one `<prefix>:<action>` on a resource, so none is silently allowed; spot checks of the resource
 * each names; API Gateway's management APIs by method and path.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import type { ActionRequest } from "../src/core/iam-policy/index.js";
import { loadModel } from "../src/protocol/codecs/model.js";
import type { Service, UnkaiRequest } from "../src/protocol/http.js";
import { loadConfig } from "../src/server/config.js";
import { startUnkai, type RunningUnkai } from "../src/server/unkai.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";

function rpc(targetPrefix: string, operation: string, body: unknown, service: string, version = "1.0"): UnkaiRequest {
  return {
    method: "POST", path: "/", query: new URLSearchParams(), rawQuery: "", rawHeaders: [], remoteAddress: "127.0.0.1", requestId: "t",
    headers: { host: "127.0.0.1", "x-amz-target": `${targetPrefix}.${operation}`, "content-type": `application/x-amz-json-${version}` },
    body: Buffer.from(JSON.stringify(body)),
    caller: { accessKeyId: "test", region: REGION, service, principal: { kind: "key", name: "test" } },
  };
}

function rest(method: string, path: string): UnkaiRequest {
  return {
    method, path, query: new URLSearchParams(), rawQuery: "", rawHeaders: [], remoteAddress: "127.0.0.1", requestId: "t", headers: { host: "127.0.0.1" }, body: Buffer.alloc(0),
    caller: { accessKeyId: "test", region: REGION, service: "apigateway", principal: { kind: "key", name: "test" } },
  };
}

const plain = (needs: readonly ActionRequest[] | Promise<readonly ActionRequest[]>) => sync(needs).map((n) => ({ action: n.action, resource: n.resource }));

/** The tables tested here answer synchronously (only a Function URL's needs a read first). */
function sync(needs: readonly ActionRequest[] | Promise<readonly ActionRequest[]>): readonly ActionRequest[] {
  if (needs instanceof Promise) throw new Error("expected a synchronous authorization table");
  return needs;
}

describe("IAM actions derived from the service models", () => {
  let unkai: RunningUnkai;
  let dataDir: string;
  const service = (name: string): Service => {
    const found = unkai.services.find((s) => s.name === name);
    assert.ok(found?.authorize !== undefined, `${name} has an authorize seam`);
    return found;
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "unkai-iam-derived-"));
    unkai = await startUnkai(loadConfig({ dataDir, port: "0", sandbox: "process", deployExample: "false", prestartPerRuntime: "0" }, {}), pino({ level: "silent" }));
  });
  after(async () => {
    await unkai.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const models: [string, string, string, string, string][] = [
    ["sqs", "sqs", "AmazonSQS", "sqs", "1.0"],
    ["dynamodb", "dynamodb", "DynamoDB_20120810", "dynamodb", "1.0"],
    ["events", "events", "AWSEvents", "events", "1.1"],
    ["kinesis", "kinesis", "Kinesis_20131202", "kinesis", "1.1"],
    ["dynamodbstreams", "dynamodbstreams", "DynamoDBStreams_20120810", "dynamodb", "1.0"],
    ["cloudwatch", "monitoring", "GraniteServiceVersion20100801", "cloudwatch", "1.0"],
  ];
  /** Operations that also ask for another service's actions, as AWS documents (DynamoDB's exports write to S3, imports read from it). */
  const crossService: Record<string, readonly string[]> = { ExportTableToPointInTime: ["s3"], ImportTable: ["s3"], EnableKinesisStreamingDestination: ["kinesis"] };
  for (const [name, model, target, prefix, version] of models) {
    it(`every ${name} operation of the model maps to ${prefix}:… on a resource`, () => {
      const operations = Object.keys(loadModel(model).operations);
      assert.ok(operations.length >= 4, "the model lists its operations");
      const unmapped = operations.filter((operation) => {
        const needs = sync(service(name).authorize?.(rpc(target, operation, {}, name, version)) ?? []);
        const allowed = (action: string) => action.startsWith(`${prefix}:`) || (crossService[operation] ?? []).includes(action.split(":")[0] ?? "");
        return needs.length === 0 || !needs[0]?.action.startsWith(`${prefix}:`) || needs.some((n) => !allowed(n.action) || n.resource === "");
      });
      assert.deepEqual(unmapped, []);
    });
  }

  it("CloudWatch names the alarm (each one of DeleteAlarms), alarm:* for DescribeAlarms, * for metrics; keys for actions, namespace and tags", () => {
    const needs = (operation: string, body: unknown) => sync(service("cloudwatch").authorize?.(rpc("GraniteServiceVersion20100801", operation, body, "monitoring")) ?? []);
    const alarm = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
    assert.deepEqual(needs("PutMetricAlarm", { AlarmName: "a", AlarmActions: ["arn:aws:sns:us-east-1:000000000000:t"], Tags: [{ Key: "team", Value: "x" }] }), [{
      action: "cloudwatch:PutMetricAlarm", resource: alarm("a"),
      keys: { "aws:TagKeys": ["team"], "aws:RequestTag/team": "x", "cloudwatch:AlarmActions": ["arn:aws:sns:us-east-1:000000000000:t"] },
    }]);
    assert.deepEqual(plain(needs("DeleteAlarms", { AlarmNames: ["a", "b", "a"] })), [{ action: "cloudwatch:DeleteAlarms", resource: alarm("a") }, { action: "cloudwatch:DeleteAlarms", resource: alarm("b") }]);
    assert.deepEqual(plain(needs("EnableAlarmActions", { AlarmNames: [] })), [{ action: "cloudwatch:EnableAlarmActions", resource: alarm("*") }]);
    assert.deepEqual(plain(needs("DescribeAlarms", { AlarmNamePrefix: "a" })), [{ action: "cloudwatch:DescribeAlarms", resource: alarm("*") }]);
    assert.deepEqual(plain(needs("DescribeAlarms", { AlarmTypes: ["MetricAlarm", "CompositeAlarm"] })), [{ action: "cloudwatch:DescribeAlarms", resource: "*" }]);
    assert.deepEqual(plain(needs("DescribeAlarmHistory", { AlarmName: "a" })), [{ action: "cloudwatch:DescribeAlarmHistory", resource: alarm("a") }]);
    assert.deepEqual(plain(needs("DescribeAlarmHistory", {})), [{ action: "cloudwatch:DescribeAlarmHistory", resource: alarm("*") }]);
    assert.deepEqual(plain(needs("DescribeAlarmsForMetric", { MetricName: "m", Namespace: "n" })), [{ action: "cloudwatch:DescribeAlarmsForMetric", resource: "*" }]);
    assert.deepEqual(plain(needs("UntagResource", { ResourceARN: alarm("a"), TagKeys: ["k"] })), [{ action: "cloudwatch:UntagResource", resource: alarm("a") }]);
    assert.deepEqual(needs("PutMetricData", { Namespace: "App", MetricData: [] }), [{ action: "cloudwatch:PutMetricData", resource: "*", keys: { "cloudwatch:namespace": "App" } }]);
  });

  it("CloudWatch dashboards are named by their global ARN (no Region), each one DeleteDashboards names; ListDashboards *", () => {
    const needs = (operation: string, body: unknown) => plain(service("cloudwatch").authorize?.(rpc("GraniteServiceVersion20100801", operation, body, "monitoring")) ?? []);
    const dashboard = (name: string) => `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${name}`;
    assert.deepEqual(sync(service("cloudwatch").authorize?.(rpc("GraniteServiceVersion20100801", "PutDashboard", { DashboardName: "ops", DashboardBody: "{}", Tags: [{ Key: "team", Value: "x" }] }, "monitoring")) ?? []), [{
      action: "cloudwatch:PutDashboard", resource: dashboard("ops"), keys: { "aws:TagKeys": ["team"], "aws:RequestTag/team": "x" },
    }]);
    assert.deepEqual(needs("GetDashboard", { DashboardName: "ops" }), [{ action: "cloudwatch:GetDashboard", resource: dashboard("ops") }]);
    assert.deepEqual(needs("DeleteDashboards", { DashboardNames: ["a", "b"] }), [{ action: "cloudwatch:DeleteDashboards", resource: dashboard("a") }, { action: "cloudwatch:DeleteDashboards", resource: dashboard("b") }]);
    assert.deepEqual(needs("ListDashboards", { DashboardNamePrefix: "a" }), [{ action: "cloudwatch:ListDashboards", resource: "*" }]);
    assert.deepEqual(needs("TagResource", { ResourceARN: dashboard("ops"), Tags: [] }), [{ action: "cloudwatch:TagResource", resource: dashboard("ops") }]);
  });

  it("SQS names the queue of its URL or name; batches are their single action", () => {
    const needs = (operation: string, body: unknown) => plain(service("sqs").authorize?.(rpc("AmazonSQS", operation, body, "sqs")) ?? []);
    const queue = `arn:aws:sqs:${REGION}:${ACCOUNT}:orders`;
    assert.deepEqual(needs("SendMessage", { QueueUrl: `http://localhost:4566/${ACCOUNT}/orders`, MessageBody: "x" }), [{ action: "sqs:SendMessage", resource: queue }]);
    assert.deepEqual(needs("SendMessageBatch", { QueueUrl: `http://h/${ACCOUNT}/orders`, Entries: [] }), [{ action: "sqs:SendMessage", resource: queue }]);
    assert.deepEqual(needs("CreateQueue", { QueueName: "orders" }), [{ action: "sqs:CreateQueue", resource: queue }]);
    assert.deepEqual(needs("ListQueues", {}), [{ action: "sqs:ListQueues", resource: "*" }]);
  });

  it("Kinesis names the stream by name, ARN or resource ARN, GetRecords the stream its iterator names, listings *", () => {
    const needs = (operation: string, body: unknown) => plain(service("kinesis").authorize?.(rpc("Kinesis_20131202", operation, body, "kinesis", "1.1")) ?? []);
    const stream = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/s1`;
    assert.deepEqual(needs("PutRecord", { StreamName: "s1", PartitionKey: "k", Data: "" }), [{ action: "kinesis:PutRecord", resource: stream }]);
    assert.deepEqual(needs("DescribeStreamSummary", { StreamARN: stream }), [{ action: "kinesis:DescribeStreamSummary", resource: stream }]);
    assert.deepEqual(needs("ListTagsForResource", { ResourceARN: stream }), [{ action: "kinesis:ListTagsForResource", resource: stream }]);
    const iterator = `${Buffer.from(JSON.stringify([stream, "shardId-000000000000", 0, 0])).toString("base64url")}.seal`;
    assert.deepEqual(needs("GetRecords", { ShardIterator: iterator }), [{ action: "kinesis:GetRecords", resource: stream }]);
    assert.deepEqual(needs("GetRecords", { ShardIterator: "not-an-iterator" }), [{ action: "kinesis:GetRecords", resource: "*" }]);
    assert.deepEqual(needs("ListStreams", {}), [{ action: "kinesis:ListStreams", resource: "*" }]);
  });

  it("DynamoDB names the table, the index, every table of a batch, and each transaction item's own action", () => {
    const needs = (operation: string, body: unknown) => plain(service("dynamodb").authorize?.(rpc("DynamoDB_20120810", operation, body, "dynamodb")) ?? []);
    const table = (t: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${t}`;
    assert.deepEqual(needs("GetItem", { TableName: "t1", Key: {} }), [{ action: "dynamodb:GetItem", resource: table("t1") }]);
    assert.deepEqual(needs("Query", { TableName: "t1", IndexName: "byDate" }), [{ action: "dynamodb:Query", resource: `${table("t1")}/index/byDate` }]);
    assert.deepEqual(needs("UpdateContinuousBackups", { TableName: "t1", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }), [{ action: "dynamodb:UpdateContinuousBackups", resource: table("t1") }]);
    assert.deepEqual(needs("DescribeContinuousBackups", { TableName: "t1" }), [{ action: "dynamodb:DescribeContinuousBackups", resource: table("t1") }]);
    const backup = `${table("t1")}/backup/01733443200000-0a1b2c3d`;
    assert.deepEqual(needs("CreateBackup", { TableName: "t1", BackupName: "b1" }), [{ action: "dynamodb:CreateBackup", resource: table("t1") }]);
    assert.deepEqual(needs("DescribeBackup", { BackupArn: backup }), [{ action: "dynamodb:DescribeBackup", resource: backup }]);
    assert.deepEqual(needs("DeleteBackup", { BackupArn: backup }), [{ action: "dynamodb:DeleteBackup", resource: backup }]);
    assert.deepEqual(needs("ListBackups", { TableName: "t1" }), [{ action: "dynamodb:ListBackups", resource: "*" }], "ListBackups names no resource, whatever it filters by");
    assert.deepEqual(needs("RestoreTableFromBackup", { TargetTableName: "t2", BackupArn: backup }), [
      { action: "dynamodb:RestoreTableFromBackup", resource: backup },
      ...["BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query", "Scan", "UpdateItem"].map((action) => ({ action: `dynamodb:${action}`, resource: table("t2") })),
    ], "a restore needs the backup, and the item actions on its target table");
    assert.deepEqual(needs("PutResourcePolicy", { ResourceArn: table("t1"), Policy: "{}" }), [{ action: "dynamodb:PutResourcePolicy", resource: table("t1") }]);
    // Exports and imports: the DynamoDB action plus the S3 actions AWS's developer guide documents for each.
    assert.deepEqual(needs("ExportTableToPointInTime", { TableArn: table("t1"), S3Bucket: "b", S3Prefix: "daily/" }), [
      { action: "dynamodb:ExportTableToPointInTime", resource: table("t1") },
      { action: "s3:AbortMultipartUpload", resource: "arn:aws:s3:::b/daily/AWSDynamoDB/*" },
      { action: "s3:PutObject", resource: "arn:aws:s3:::b/daily/AWSDynamoDB/*" },
      { action: "s3:PutObjectAcl", resource: "arn:aws:s3:::b/daily/AWSDynamoDB/*" },
    ]);
    assert.deepEqual(needs("ImportTable", { S3BucketSource: { S3Bucket: "b", S3KeyPrefix: "in/" }, InputFormat: "CSV", TableCreationParameters: { TableName: "t2" } }), [
      { action: "dynamodb:ImportTable", resource: table("t2") },
      { action: "s3:GetObject", resource: "arn:aws:s3:::b/in/*" },
      { action: "s3:ListBucket", resource: "arn:aws:s3:::b" },
    ]);
    const listing = sync(service("dynamodb").authorize?.(rpc("DynamoDB_20120810", "ImportTable", { S3BucketSource: { S3Bucket: "b", S3KeyPrefix: "in/" }, TableCreationParameters: { TableName: "t2" } }, "dynamodb")) ?? []);
    assert.deepEqual(listing[2]?.keys, { "s3:prefix": "in/" });
    assert.deepEqual(needs("DescribeExport", { ExportArn: `${table("t1")}/export/01234567890123-abcdef12` }), [{ action: "dynamodb:DescribeExport", resource: `${table("t1")}/export/01234567890123-abcdef12` }]);
    assert.deepEqual(needs("ListImports", {}), [{ action: "dynamodb:ListImports", resource: "*" }]);
    // Kinesis destinations: enabling also needs the Kinesis actions the developer guide lists, on the stream.
    const kinesisStream = "arn:aws:kinesis:us-east-1:000000000000:stream/changes";
    assert.deepEqual(needs("EnableKinesisStreamingDestination", { TableName: "t1", StreamArn: kinesisStream }), [
      { action: "dynamodb:EnableKinesisStreamingDestination", resource: table("t1") },
      { action: "kinesis:ListStreams", resource: "*" },
      { action: "kinesis:PutRecords", resource: kinesisStream },
      { action: "kinesis:DescribeStream", resource: kinesisStream },
    ]);
    assert.deepEqual(needs("DisableKinesisStreamingDestination", { TableName: "t1", StreamArn: kinesisStream }), [{ action: "dynamodb:DisableKinesisStreamingDestination", resource: table("t1") }]);
    assert.deepEqual(needs("DescribeKinesisStreamingDestination", { TableName: "t1" }), [{ action: "dynamodb:DescribeKinesisStreamingDestination", resource: table("t1") }]);
    // DynamoDB Streams: the stream its ARN or (GetRecords) its iterator names.
    const streamNeeds = (operation: string, body: unknown) => plain(service("dynamodbstreams").authorize?.(rpc("DynamoDBStreams_20120810", operation, body, "dynamodb")) ?? []);
    const stream = `${table("t1")}/stream/2026-12-05T00:00:00.000`;
    assert.deepEqual(streamNeeds("DescribeStream", { StreamArn: stream }), [{ action: "dynamodb:DescribeStream", resource: stream }]);
    const iterator = `${Buffer.from(JSON.stringify([stream, "shardId-1", 0, 0])).toString("base64url")}.seal`;
    assert.deepEqual(streamNeeds("GetRecords", { ShardIterator: iterator }), [{ action: "dynamodb:GetRecords", resource: stream }]);
    assert.deepEqual(streamNeeds("ListStreams", {}), [{ action: "dynamodb:ListStreams", resource: "*" }]);
    assert.deepEqual(needs("BatchWriteItem", { RequestItems: { a: [], b: [] } }), [{ action: "dynamodb:BatchWriteItem", resource: table("a") }, { action: "dynamodb:BatchWriteItem", resource: table("b") }]);
    // A transaction's items: the single-item action on each table, with dynamodb:EnclosingOperation (AWS, "Using IAM with DynamoDB transactions").
    const transact = { TransactItems: [{ Put: { TableName: "a" } }, { Delete: { TableName: "c" } }, { ConditionCheck: { TableName: "a" } }, { Update: { TableName: "a" } }, { Put: { TableName: "a" } }] };
    assert.deepEqual(needs("TransactWriteItems", transact), [
      { action: "dynamodb:PutItem", resource: table("a") }, { action: "dynamodb:DeleteItem", resource: table("c") },
      { action: "dynamodb:ConditionCheckItem", resource: table("a") }, { action: "dynamodb:UpdateItem", resource: table("a") },
    ]);
    const withKeys = sync(service("dynamodb").authorize?.(rpc("DynamoDB_20120810", "TransactGetItems", { TransactItems: [{ Get: { TableName: "b" } }] }, "dynamodb")) ?? []);
    assert.deepEqual(withKeys, [{ action: "dynamodb:GetItem", resource: table("b"), keys: { "dynamodb:EnclosingOperation": "TransactGetItems" } }]);
    // PartiQL: the statement's verb and table, as AWS asks; one request per distinct pair.
    assert.deepEqual(needs("ExecuteStatement", { Statement: `SELECT * FROM "t1"."byDate" WHERE a = ?`, Parameters: [{ S: "x" }] }), [{ action: "dynamodb:PartiQLSelect", resource: `${table("t1")}/index/byDate` }]);
    assert.deepEqual(needs("BatchExecuteStatement", { Statements: [{ Statement: "INSERT INTO t1 VALUE {'pk': 'a'}" }, { Statement: "INSERT INTO t1 VALUE {'pk': 'b'}" }, { Statement: "DELETE FROM t2 WHERE pk = 'a'" }] }), [
      { action: "dynamodb:PartiQLInsert", resource: table("t1") }, { action: "dynamodb:PartiQLDelete", resource: table("t2") },
    ]);
    assert.deepEqual(needs("ExecuteTransaction", { TransactStatements: [{ Statement: "UPDATE t3 SET a = 1 WHERE pk = 'a'" }] }), [{ action: "dynamodb:PartiQLUpdate", resource: table("t3") }]);
    assert.deepEqual(needs("ExecuteStatement", { Statement: "DELETE FROM t1 WHERE" }), [{ action: "dynamodb:PartiQLDelete", resource: "*" }], "a statement that does not parse asks for its verb on *");
  });

  it("every Scheduler operation of the model maps to scheduler:… on its schedule, group or tagged ARN (restJson1 paths)", () => {
    const model = loadModel("scheduler");
    const request = (method: string, path: string, query = ""): UnkaiRequest => ({
      ...rest(method, path), query: new URLSearchParams(query), caller: { accessKeyId: "test", region: REGION, service: "scheduler", principal: { kind: "key", name: "test" } },
    });
    const needs = (r: UnkaiRequest) => plain(service("scheduler").authorize?.(r) ?? []);
    const group = encodeURIComponent(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/g`);
    const unmapped = Object.values(model.operations).filter((operation) => {
      const path = (operation.http?.requestUri ?? "").replace("{Name}", "x").replace("{ResourceArn}", group);
      const got = needs(request(operation.http?.method ?? "GET", path));
      return got.length === 0 || got.some((n) => n.action !== `scheduler:${operation.name}`);
    }).map((operation) => operation.name);
    assert.deepEqual(unmapped, []);
    const arn = `arn:aws:scheduler:${REGION}:${ACCOUNT}`;
    assert.deepEqual(needs(request("DELETE", "/schedules/nightly", "groupName=team")), [{ action: "scheduler:DeleteSchedule", resource: `${arn}:schedule/team/nightly` }]);
    assert.deepEqual(needs(request("GET", "/schedules/nightly")), [{ action: "scheduler:GetSchedule", resource: `${arn}:schedule/default/nightly` }]);
    assert.deepEqual(needs(request("POST", "/schedule-groups/team")), [{ action: "scheduler:CreateScheduleGroup", resource: `${arn}:schedule-group/team` }]);
    assert.deepEqual(needs(request("GET", "/schedules")), [{ action: "scheduler:ListSchedules", resource: "*" }]);
    assert.deepEqual(needs(request("POST", `/tags/${group}`)), [{ action: "scheduler:TagResource", resource: decodeURIComponent(group) }]);
  });

  it("a role given to a service to act as needs iam:PassRole, with iam:PassedToService naming the service", () => {
    const passes = (needs: readonly ActionRequest[] | Promise<readonly ActionRequest[]>) =>
      sync(needs).filter((n) => n.action === "iam:PassRole").map((n) => ({ resource: n.resource, service: n.keys?.["iam:PassedToService"] }));
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
    const targets = [{ Id: "a", Arn: "arn:aws:kinesis:us-east-1:000000000000:stream/s", RoleArn: role("to-stream") }, { Id: "b", Arn: "x", RoleArn: role("to-stream") }, { Id: "c", Arn: "y" }];
    assert.deepEqual(passes(service("events").authorize?.(rpc("AWSEvents", "PutTargets", { Rule: "r", Targets: targets }, "events", "1.1")) ?? []), [
      { resource: role("to-stream"), service: "events.amazonaws.com" },
    ], "each distinct target role once; a target without one passes none");
    assert.deepEqual(passes(service("logs").authorize?.(rpc("Logs_20140328", "PutSubscriptionFilter", { logGroupName: "/g", filterName: "f", filterPattern: "", destinationArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s", roleArn: role("logs-to-stream") }, "logs", "1.1")) ?? []), [
      { resource: role("logs-to-stream"), service: "logs.amazonaws.com" },
    ]);
    const schedule = { ...rest("POST", "/schedules/nightly"), headers: { host: "127.0.0.1", "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" }, Target: { Arn: "arn:aws:sqs:us-east-1:000000000000:q", RoleArn: role("sched") } })) };
    assert.deepEqual(passes(service("scheduler").authorize?.({ ...schedule, caller: { ...schedule.caller, service: "scheduler" } }) ?? []), [{ resource: role("sched"), service: "scheduler.amazonaws.com" }]);
  });

  it("EventBridge names rules on their bus, buses, and the bus of each PutEvents entry", () => {
    const needs = (operation: string, body: unknown) => plain(service("events").authorize?.(rpc("AWSEvents", operation, body, "events", "1.1")) ?? []);
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}`;
    assert.deepEqual(needs("PutRule", { Name: "nightly" }), [{ action: "events:PutRule", resource: `${arn}:rule/nightly` }]);
    assert.deepEqual(needs("PutTargets", { Rule: "r", EventBusName: "orders", Targets: [] }), [{ action: "events:PutTargets", resource: `${arn}:rule/orders/r` }]);
    assert.deepEqual(needs("CreateEventBus", { Name: "orders" }), [{ action: "events:CreateEventBus", resource: `${arn}:event-bus/orders` }]);
    assert.deepEqual(needs("PutEvents", { Entries: [{}, { EventBusName: "orders" }] }), [
      { action: "events:PutEvents", resource: `${arn}:event-bus/default` }, { action: "events:PutEvents", resource: `${arn}:event-bus/orders` },
    ]);
    assert.deepEqual(needs("ListRules", {}), [{ action: "events:ListRules", resource: "*" }]);
  });

  it("EventBridge archives and replays: on archive/<ArchiveName> and replay/<ReplayName>, CreateArchive also on its bus, StartReplay also on its archive", () => {
    const needs = (operation: string, body: unknown) => plain(service("events").authorize?.(rpc("AWSEvents", operation, body, "events", "1.1")) ?? []);
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}`;
    assert.deepEqual(needs("CreateArchive", { ArchiveName: "keep", EventSourceArn: `${arn}:event-bus/orders` }), [
      { action: "events:CreateArchive", resource: `${arn}:archive/keep` }, { action: "events:CreateArchive", resource: `${arn}:event-bus/orders` },
    ]);
    for (const operation of ["DescribeArchive", "UpdateArchive", "DeleteArchive"]) {
      assert.deepEqual(needs(operation, { ArchiveName: "keep" }), [{ action: `events:${operation}`, resource: `${arn}:archive/keep` }]);
    }
    assert.deepEqual(needs("StartReplay", { ReplayName: "again", EventSourceArn: `${arn}:archive/keep` }), [
      { action: "events:StartReplay", resource: `${arn}:replay/again` }, { action: "events:StartReplay", resource: `${arn}:archive/keep` },
    ]);
    for (const operation of ["DescribeReplay", "CancelReplay"]) {
      assert.deepEqual(needs(operation, { ReplayName: "again" }), [{ action: `events:${operation}`, resource: `${arn}:replay/again` }]);
    }
    assert.deepEqual(needs("ListArchives", { NamePrefix: "k" }), [{ action: "events:ListArchives", resource: "*" }]);
    assert.deepEqual(needs("ListReplays", {}), [{ action: "events:ListReplays", resource: "*" }]);
  });

  it("API Gateway's management APIs: apigateway:<METHOD> on the path (v2 without /v2)", () => {
    assert.deepEqual(plain(service("apigateway").authorize?.(rest("DELETE", "/restapis/abc/stages/prod")) ?? []), [{ action: "apigateway:DELETE", resource: `arn:aws:apigateway:${REGION}::/restapis/abc/stages/prod` }]);
    assert.deepEqual(plain(service("apigatewayv2").authorize?.(rest("POST", "/v2/apis")) ?? []), [{ action: "apigateway:POST", resource: `arn:aws:apigateway:${REGION}::/apis` }]);
  });

  it("REST API tags: apigateway:<METHOD> on /tags/<URL-encoded ARN>, however the client escaped it; /tags/ and /v2/tags/ each claimed by one service", () => {
    const arn = `arn:aws:apigateway:${REGION}::/restapis/abc/stages/prod`;
    const resource = `arn:aws:apigateway:${REGION}::/tags/${encodeURIComponent(arn)}`;
    for (const path of [`/tags/${encodeURIComponent(arn)}`, `/tags/${arn.replaceAll("/", "%2F")}`]) {
      assert.deepEqual(plain(service("apigateway").authorize?.(rest("PUT", path)) ?? []), [{ action: "apigateway:PUT", resource }], path);
    }
    const claimants = (request: UnkaiRequest) => unkai.services.filter((s) => s.matches(request)).map((s) => s.name);
    assert.deepEqual(claimants(rest("GET", `/tags/${encodeURIComponent(arn)}`)), ["apigateway"]);
    assert.deepEqual(claimants(rest("GET", `/v2/tags/${encodeURIComponent(arn.replace("restapis", "apis"))}`)), ["apigatewayv2"]);
    // S3's path-style bucket `tags` stays S3's.
    const s3 = rest("GET", "/tags/report.csv");
    assert.deepEqual(claimants({ ...s3, caller: { ...s3.caller, service: "s3" } }), ["s3"]);
  });
});
