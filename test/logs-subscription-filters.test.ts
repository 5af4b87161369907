/**
 * Subscription filters: PutSubscriptionFilter / DescribeSubscriptionFilters / DeleteSubscriptionFilter
 * checked as CloudWatch Logs checks them, and delivery of matching events — from PutLogEvents and from
 * another function's own output — to a subscriber function as AWS's `awslogs` event. The subscriber
 * (fixture logs-subscriber) decodes what it received and writes it to its own log, read back here.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteSubscriptionFilterCommand,
  DescribeSubscriptionFiltersCommand, FilterLogEventsCommand, PutLogEventsCommand, PutSubscriptionFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AddPermissionCommand, DeleteFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { aws, createFromFixture, DEFAULT_CREDENTIALS, invoke, lambda } from "./helpers/clients.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { allowServiceToInvoke } from "./helpers/service-access.js";

const ACCOUNT = "000000000000";
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const logsClient = (url: string) => new CloudWatchLogsClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });

interface Delivered {
  readonly keys: string[];
  readonly data: {
    messageType: string; owner: string; logGroup: string; logStream: string; subscriptionFilters: string[];
    logEvents: { id: string; timestamp: number; message: string }[];
  };
}

describe("subscription filters", () => {
  const suite = unkaiSuite();
  let logs: CloudWatchLogsClient;

  before(async () => {
    logs = logsClient(suite.unkai.url);
    await createFromFixture(suite.client, "subscriber", "logs-subscriber");
    // As AWS requires: the function's policy lets CloudWatch Logs invoke it (here for every group of the account).
    await allowServiceToInvoke(suite.client, "subscriber", "logs.amazonaws.com", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*`);
    await createFromFixture(suite.client, "producer", "node-cjs");
    for (const group of ["/app/orders", "/aws/lambda/producer", "/aws/lambda/subscriber"]) await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/orders", logStreamName: "web-1" }));
  });

  /** What the subscriber has received so far, in the order it logged it. */
  const received = async (): Promise<Delivered[]> => {
    const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/subscriber", filterPattern: '"RECEIVED"' }));
    return events.map((e) => JSON.parse((e.message ?? "").slice((e.message ?? "").indexOf("RECEIVED ") + 9)) as Delivered);
  };
  const receivedFrom = (group: string, count: number) =>
    waitFor(`${count} deliveries from ${group}`, async () => {
      const from = (await received()).filter((d) => d.data.logGroup === group);
      return from.length >= count ? from : undefined;
    });
  const refused = (call: Promise<unknown>, name: string, message: RegExp) =>
    assert.rejects(call, (error: Error) => {
      assert.equal(error.name, name);
      assert.match(error.message, message);
      return true;
    });
  const put = (logGroupName: string, filterName: string, filterPattern: string, destinationArn = fnArn("subscriber")) =>
    logs.send(new PutSubscriptionFilterCommand({ logGroupName, filterName, filterPattern, destinationArn }));

  it("refuses what CloudWatch Logs refuses: a missing group, a bad pattern, a destination that is not a function here, a third filter", async () => {
    await refused(put("/nope", "f", ""), "ResourceNotFoundException", /^The specified log group does not exist\.$/);
    await refused(put("/app/orders", "f", "{ $.a = "), "InvalidParameterException", /^Invalid filter pattern/);
    await refused(put("/app/orders", "f", "", fnArn("missing")), "InvalidParameterException", /^Could not execute the lambda function\. Make sure you have given CloudWatch Logs permission/);
    await refused(put("/app/orders", "f", "", "arn:aws:sqs:us-east-1:000000000000:q"), "InvalidParameterException", /not a Lambda function or Kinesis stream/);
    await refused(put("/app/orders", "f", "", "arn:aws:lambda:eu-west-1:000000000000:function:subscriber"), "InvalidParameterException", /not a Lambda function or Kinesis stream/);
    await refused(put("/app/orders", "bad:name", ""), "InvalidParameterException", /filterName/);
    await refused(logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "/app/orders", filterName: "none" })), "ResourceNotFoundException", /subscription filter does not exist/);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/full" }));
    await put("/full", "b", "x");
    await put("/full", "a", "y");
    await refused(put("/full", "c", "z"), "LimitExceededException", /^Resource limit exceeded\.$/);
    await put("/full", "b", "x2");
    const cli = await aws(suite.unkai.url, ["logs", "describe-subscription-filters", "--log-group-name", "/full"]);
    assert.equal(cli.code, 0, cli.stderr);
    const described = (JSON.parse(cli.stdout) as { subscriptionFilters: Record<string, unknown>[] }).subscriptionFilters;
    assert.deepEqual(described.map((f) => [f.filterName, f.filterPattern, f.destinationArn, f.distribution, f.logGroupName]), [
      ["a", "y", fnArn("subscriber"), "ByLogStream", "/full"], ["b", "x2", fnArn("subscriber"), "ByLogStream", "/full"],
    ], "in ASCII order of name; replacing at the limit is allowed");
    assert.ok(described.every((f) => typeof f.creationTime === "number"));
    const page = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/full", limit: 1 }));
    assert.deepEqual([page.subscriptionFilters?.map((f) => f.filterName), page.nextToken !== undefined], [["a"], true]);
    await logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "/full", filterName: "a" }));
    assert.deepEqual((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/full", filterNamePrefix: "a" }))).subscriptionFilters, []);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: "/full" }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/full" }));
    assert.deepEqual((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/full" }))).subscriptionFilters, [], "DeleteLogGroup removes its filters");
  });

  it("delivers the matching events of a PutLogEvents batch as AWS's awslogs event, and only those", async () => {
    const cli = await aws(suite.unkai.url, ["logs", "put-subscription-filter", "--log-group-name", "/app/orders", "--filter-name", "errors", "--filter-pattern", "ERROR", "--destination-arn", fnArn("subscriber")]);
    assert.equal(cli.code, 0, cli.stderr);
    const t = Date.now();
    const messages = ["INFO order=1 accepted", "ERROR payment-failed order=2", "DEBUG ERRORS are not ERROR-free", "ERROR payment-failed order=3"];
    await logs.send(new PutLogEventsCommand({ logGroupName: "/app/orders", logStreamName: "web-1", logEvents: messages.map((message, i) => ({ timestamp: t + i, message })) }));
    const [delivery] = await receivedFrom("/app/orders", 1);
    assert.ok(delivery);
    assert.deepEqual(delivery.keys, ["awslogs"]);
    const { logEvents, ...envelope } = delivery.data;
    assert.deepEqual(envelope, { messageType: "DATA_MESSAGE", owner: ACCOUNT, logGroup: "/app/orders", logStream: "web-1", subscriptionFilters: ["errors"] });
    assert.deepEqual(Object.keys(delivery.data), ["messageType", "owner", "logGroup", "logStream", "subscriptionFilters", "logEvents"]);
    assert.deepEqual(logEvents.map(({ timestamp, message }) => [timestamp - t, message]), [[1, messages[1]], [2, messages[2]], [3, messages[3]]]);
    for (const event of logEvents) {
      assert.deepEqual(Object.keys(event), ["id", "timestamp", "message"]);
      assert.match(event.id, /^\d{56}$/, "CloudWatch's ids are 56-digit decimal strings");
    }
    assert.equal(new Set(logEvents.map((e) => e.id)).size, 3);
  });

  it("delivers matching lines of another function's own output, not its other lines (SDK filter on /aws/lambda/producer)", async () => {
    await put("/aws/lambda/producer", "payments", '"payment-failed"');
    await invoke(suite.client, "producer", { note: "all good" });
    const bad = await invoke(suite.client, "producer", { note: "payment-failed for order 7" });
    const [delivery] = await receivedFrom("/aws/lambda/producer", 1);
    assert.ok(delivery);
    assert.equal(delivery.data.subscriptionFilters[0], "payments");
    assert.deepEqual(delivery.data.logEvents.map((e) => e.message.replace(/^\S+\t\S+\tINFO\t/, "")), ['echo {"note":"payment-failed for order 7"}'],
      "START, END and REPORT of the same invocation, and the other invocation, are not delivered");
    assert.match(delivery.data.logStream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]+$/, "the invocation's own stream");
    assert.equal(bad.functionError, undefined);
    assert.equal((await received()).filter((d) => JSON.stringify(d).includes("all good")).length, 0);
  });

  it("a function subscribed to its own log group is stopped after 16 chained deliveries; Unkai keeps answering", async () => {
    await createFromFixture(suite.client, "looper", "logs-subscriber", { Environment: { Variables: { SUMMARY: "1" } } });
    await allowServiceToInvoke(suite.client, "looper", "logs.amazonaws.com", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*`);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/looper" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/aws/lambda/looper", logStreamName: "seed" }));
    // Two filters to the same function: without a stop, each invocation would cause two more.
    await put("/aws/lambda/looper", "all", "", fnArn("looper"));
    await put("/aws/lambda/looper", "starts", '"START RequestId"', fnArn("looper"));
    await logs.send(new PutLogEventsCommand({ logGroupName: "/aws/lambda/looper", logStreamName: "seed", logEvents: [{ timestamp: Date.now(), message: "START RequestId seed" }] }));
    await waitFor("the loop to be stopped", () => (/subscription delivery stopped/.test(suite.unkai.stderr()) ? true : undefined), 60_000);
    const starts = async () => (await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/looper", filterPattern: '"START RequestId:"' }))).events?.length ?? 0;
    // Two filters double each generation; the seed's chain gets 16 deliveries in all, so 16 invocations.
    await waitFor("the 16 chained invocations to finish", async () => ((await starts()) >= 16 ? true : undefined), 30_000);
    assert.equal(await starts(), 16);
    assert.equal((await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: "/aws/lambda/looper" }))).subscriptionFilters?.length, 2, "Unkai keeps answering");
    await logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "/aws/lambda/looper", filterName: "all" }));
    await logs.send(new DeleteSubscriptionFilterCommand({ logGroupName: "/aws/lambda/looper", filterName: "starts" }));
  });
});

describe("subscription filters under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });

  it("needs the function's policy to let CloudWatch Logs invoke it for that log group, as AWS does", async () => {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "sink-role", AssumeRolePolicyDocument: trust }));
    await createFromFixture(suite.client, "sink", "logs-subscriber", { Role: `arn:aws:iam::${ACCOUNT}:role/sink-role` });
    const logs = logsClient(suite.unkai.url);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/guarded" }));
    const put = () => logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/guarded", filterName: "f", filterPattern: "", destinationArn: fnArn("sink") }));
    const cannot = /^Could not execute the lambda function\. Make sure you have given CloudWatch Logs permission to execute your function\.$/;
    await assert.rejects(put(), (error: Error) => error.name === "InvalidParameterException" && cannot.test(error.message));
    await suite.client.send(new AddPermissionCommand({
      FunctionName: "sink", StatementId: "other-group", Action: "lambda:InvokeFunction", Principal: "logs.amazonaws.com",
      SourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/elsewhere:*`,
    }));
    await assert.rejects(put(), (error: Error) => error.name === "InvalidParameterException", "a permission for another log group does not do");
    await suite.client.send(new AddPermissionCommand({
      FunctionName: "sink", StatementId: "logs", Action: "lambda:InvokeFunction", Principal: "logs.us-east-1.amazonaws.com",
      SourceArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/guarded:*`,
    }));
    await put();
  });
});

describe("subscription delivery across a crash", () => {
  it("a delivery queued before Unkai is killed reaches the function after the restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-logsub-"));
    const env = { UNKAI_ASYNC_RETRY_SCALE: "0.01" };
    try {
      const first = await startUnkai(env, dataDir);
      const client = lambda(first.url);
      await createFromFixture(client, "held", "logs-subscriber");
      await allowServiceToInvoke(client, "held", "logs.amazonaws.com", `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*`);
      // Throttled: the delivery waits in the queue until the function may run again.
      await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "held", ReservedConcurrentExecutions: 0 }));
      const logs = logsClient(first.url);
      await logs.send(new CreateLogGroupCommand({ logGroupName: "/crash" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: "/crash", logStreamName: "s" }));
      await logs.send(new PutSubscriptionFilterCommand({ logGroupName: "/crash", filterName: "f", filterPattern: "ERROR", destinationArn: fnArn("held") }));
      await logs.send(new PutLogEventsCommand({ logGroupName: "/crash", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "ERROR before the crash" }] }));
      const exited = new Promise((resolve) => first.process.once("exit", resolve));
      first.process.kill("SIGKILL");
      await exited;
      client.destroy();
      logs.destroy();

      const second = await startUnkai(env, dataDir);
      try {
        const again = lambda(second.url);
        await again.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "held" }));
        const after = logsClient(second.url);
        const line = await waitFor("the delivery after the restart", async () => {
          // The group appears with the function's first output.
          const found = await after.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/held", filterPattern: '"RECEIVED"' }))
            .catch((error: Error) => (error.name === "ResourceNotFoundException" ? undefined : Promise.reject(error)));
          return found?.events?.[0]?.message;
        }, 30_000);
        assert.match(line, /"logGroup":"\/crash".*"message":"ERROR before the crash"/);
        again.destroy();
        after.destroy();
      } finally {
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
