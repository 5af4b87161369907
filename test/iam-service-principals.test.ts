/**
 * Under `--iam enforce`, AWS services invoke a function only where its resource policy allows their
 * service principal for the source (AddPermission with --principal and --source-arn), as on AWS:
 * S3 refuses the notification configuration and drops events once the permission is removed, SNS
 * counts a denied lambda delivery as failed and dead-letters it, EventBridge dead-letters it with
 * ERROR_CODE NO_PERMISSIONS, a CloudWatch alarm's Lambda action fails in the alarm's history, and a
 * Logs subscription filter stops delivering once the function no longer allows logs.amazonaws.com.
 * Queues take S3's and SNS's messages only where their policy allows the service for the source.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutSubscriptionFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, DescribeAlarmHistoryCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { awsS3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

describe("service principals invoking functions under --iam enforce", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ UNKAI_IAM: "enforce", UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) }));
  const config = () => ({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  let objects: S3Client;
  let sqs: SQSClient;

  /** `aws lambda add-permission` with the real CLI; the statement lets `principal` invoke `name` for `sourceArn`. */
  const permit = async (name: string, statementId: string, principal: string, sourceArn: string) => {
    const added = await aws(suite.unkai.url, ["lambda", "add-permission", "--function-name", name, "--statement-id", statementId,
      "--action", "lambda:InvokeFunction", "--principal", principal, "--source-arn", sourceArn, "--source-account", ACCOUNT]);
    assert.equal(added.code, 0, added.stderr);
  };
  const starts = (name: string) => collector.recorded(name).filter((r) => r.phase === "start");
  /** Waits for one message on `queue` and deletes it. */
  const nextMessage = (queue: string) => waitFor(`a message on ${queue}`, async () => {
    const url = `${suite.unkai.url}/${ACCOUNT}/${queue}`;
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageAttributeNames: ["All"] }));
    const message: Message | undefined = got.Messages?.[0];
    if (message) await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    return message;
  }, 30_000);

  before(async () => {
    await collector.start();
    objects = s3(suite.unkai.url);
    sqs = new SQSClient(config());
    const iam = new IAMClient(config());
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "fn-role", AssumeRolePolicyDocument: trust }));
    iam.destroy();
    for (const name of ["from-s3", "from-sns", "from-events", "from-alarm", "from-logs"]) {
      await createFromFixture(suite.client, name, "recorder", { Role: `arn:aws:iam::${ACCOUNT}:role/fn-role`, Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
    }
    for (const queue of ["sns-dlq", "events-dlq"]) await sqs.send(new CreateQueueCommand({ QueueName: queue }));
  });
  after(async () => {
    objects.destroy();
    sqs.destroy();
    await collector.close();
  });

  it("S3 refuses a notification configuration until the function allows s3.amazonaws.com for that bucket, and drops events once it no longer does", async () => {
    await objects.send(new CreateBucketCommand({ Bucket: "guarded" }));
    const configuration = JSON.stringify({ LambdaFunctionConfigurations: [{ Id: "all", LambdaFunctionArn: fnArn("from-s3"), Events: ["s3:ObjectCreated:*"] }] });
    const put = () => awsS3(suite.unkai.url, ["s3api", "put-bucket-notification-configuration", "--bucket", "guarded", "--notification-configuration", configuration]);
    const refused = await put();
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidArgument\).*Unable to validate the following destination configurations/);
    // S3's ArgumentValue names the function, as AWS words it.
    await assert.rejects(objects.send(new PutBucketNotificationConfigurationCommand({
      Bucket: "guarded", NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: fnArn("from-s3"), Events: ["s3:ObjectCreated:*"] }] },
    })), (error: Error & { ArgumentValue?: string }) => error.name === "InvalidArgument" && error.ArgumentValue === `Not authorized to invoke function [${fnArn("from-s3")}]`);

    await permit("from-s3", "other-bucket", "s3.amazonaws.com", "arn:aws:s3:::elsewhere");
    await permit("from-s3", "wrong-service", "sns.amazonaws.com", "arn:aws:s3:::guarded");
    assert.notEqual((await put()).code, 0, "a permission for another bucket or another service does not do");
    await permit("from-s3", "s3", "s3.amazonaws.com", "arn:aws:s3:::guarded");
    const accepted = await put();
    assert.equal(accepted.code, 0, accepted.stderr);

    await objects.send(new PutObjectCommand({ Bucket: "guarded", Key: "first.txt", Body: "1" }));
    await waitFor("the first notification", () => (starts("from-s3").length === 1 ? true : undefined), 30_000);
    const removed = await aws(suite.unkai.url, ["lambda", "remove-permission", "--function-name", "from-s3", "--statement-id", "s3"]);
    assert.equal(removed.code, 0, removed.stderr);
    // Checked as the write commits: an event not queued then never runs.
    await objects.send(new PutObjectCommand({ Bucket: "guarded", Key: "denied.txt", Body: "2" }));
    await permit("from-s3", "s3-again", "s3.amazonaws.com", "arn:aws:s3:::guarded");
    await objects.send(new PutObjectCommand({ Bucket: "guarded", Key: "third.txt", Body: "3" }));
    await waitFor("the third notification", () => (starts("from-s3").length >= 2 ? true : undefined), 30_000);
    const keys = starts("from-s3").map((r) => (r.event as { Records: { s3: { object: { key: string } } }[] }).Records[0]?.s3.object.key);
    assert.deepEqual(keys, ["first.txt", "third.txt"]);
  });

  it("SNS accepts the lambda subscription but fails a delivery the function's policy does not allow, to the subscription's dead-letter queue", async () => {
    const sns = new SNSClient(config());
    try {
      const { TopicArn: topic = "" } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
      await sns.send(new SubscribeCommand({
        TopicArn: topic, Protocol: "lambda", Endpoint: fnArn("from-sns"),
        Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("sns-dlq") }) },
      }));
      await sns.send(new PublishCommand({ TopicArn: topic, Message: "denied" }));
      const dead = await nextMessage("sns-dlq");
      assert.equal((JSON.parse(dead.Body ?? "{}") as { Message?: string }).Message, "denied");

      await permit("from-sns", "other-topic", "sns.amazonaws.com", `arn:aws:sns:us-east-1:${ACCOUNT}:other`);
      await sns.send(new PublishCommand({ TopicArn: topic, Message: "still denied" }));
      assert.equal((JSON.parse((await nextMessage("sns-dlq")).Body ?? "{}") as { Message?: string }).Message, "still denied");

      await permit("from-sns", "sns", "sns.amazonaws.com", topic);
      await sns.send(new PublishCommand({ TopicArn: topic, Message: "allowed" }));
      await waitFor("the allowed delivery", () => (starts("from-sns").length > 0 ? true : undefined), 30_000);
      const messages = starts("from-sns").map((r) => (r.event as { Records: { Sns: { Message: string } }[] }).Records[0]?.Sns.Message);
      assert.deepEqual(messages, ["allowed"]);
    } finally {
      sns.destroy();
    }
  });

  it("EventBridge dead-letters a function target whose policy does not allow events.amazonaws.com for the rule (NO_PERMISSIONS), without retrying", async () => {
    const events = new EventBridgeClient(config());
    try {
      const { RuleArn: rule = "" } = await events.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"] }) }));
      await events.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "fn", Arn: fnArn("from-events"), DeadLetterConfig: { Arn: queueArn("events-dlq") } }] }));
      const put = (detail: string) => events.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "order", Detail: JSON.stringify({ detail }) }] }));
      await put("denied");
      const dead = await nextMessage("events-dlq");
      assert.equal(dead.MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");
      assert.equal(dead.MessageAttributes?.RULE_ARN?.StringValue, rule);
      assert.equal(dead.MessageAttributes?.RETRY_ATTEMPTS?.StringValue, "0");
      assert.match(dead.MessageAttributes?.ERROR_MESSAGE?.StringValue ?? "", /^Not authorized to invoke function/);

      await permit("from-events", "other-rule", "events.amazonaws.com", `arn:aws:events:us-east-1:${ACCOUNT}:rule/other`);
      await put("still denied");
      assert.equal((await nextMessage("events-dlq")).MessageAttributes?.ERROR_CODE?.StringValue, "NO_PERMISSIONS");

      await permit("from-events", "events", "events.amazonaws.com", rule);
      await put("allowed");
      await waitFor("the allowed event", () => (starts("from-events").length > 0 ? true : undefined), 30_000);
      assert.deepEqual(starts("from-events").map((r) => (r.event as { detail: { detail: string } }).detail.detail), ["allowed"]);
    } finally {
      events.destroy();
    }
  });

  it("a CloudWatch alarm's Lambda action needs lambda.alarms.cloudwatch.amazonaws.com for the alarm", async () => {
    const cw = new CloudWatchClient(config());
    try {
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: "hot", Namespace: "Shop", MetricName: "Heat", Statistic: "Maximum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold", AlarmActions: [fnArn("from-alarm")],
      }));
      const alarmArn = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:hot`;
      const actions = async () => ((await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "hot", HistoryItemType: "Action" }))).AlarmHistoryItems ?? []).map((h) => h.HistorySummary ?? "");
      await cw.send(new SetAlarmStateCommand({ AlarmName: "hot", StateValue: "ALARM", StateReason: "denied" }));
      assert.match((await actions()).join("\n"), /Failed to execute action .*Not authorized to invoke function/);

      await permit("from-alarm", "alarm", "lambda.alarms.cloudwatch.amazonaws.com", alarmArn);
      await cw.send(new SetAlarmStateCommand({ AlarmName: "hot", StateValue: "OK", StateReason: "reset" }));
      await cw.send(new SetAlarmStateCommand({ AlarmName: "hot", StateValue: "ALARM", StateReason: "allowed" }));
      await waitFor("the alarm's invocation", () => (starts("from-alarm").length > 0 ? true : undefined), 30_000);
      assert.equal(starts("from-alarm").length, 1);
    } finally {
      cw.destroy();
    }
  });

  it("a Logs subscription filter delivers only while the function allows logs.amazonaws.com (or its regional name) for the log group", async () => {
    const logs = new CloudWatchLogsClient(config());
    try {
      const group = "/app/guarded";
      const groupArn = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${group}:*`;
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "s" }));
      await permit("from-logs", "logs", "logs.amazonaws.com", groupArn);
      await logs.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: "all", filterPattern: "", destinationArn: fnArn("from-logs") }));
      const write = (message: string) => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "s", logEvents: [{ timestamp: Date.now(), message }] }));
      await write("first");
      await waitFor("the first delivery", () => (starts("from-logs").length === 1 ? true : undefined), 30_000);

      const removed = await aws(suite.unkai.url, ["lambda", "remove-permission", "--function-name", "from-logs", "--statement-id", "logs"]);
      assert.equal(removed.code, 0, removed.stderr);
      // Checked as the append commits: a delivery refused then is never made.
      await write("denied");
      await permit("from-logs", "logs-regional", "logs.us-east-1.amazonaws.com", groupArn);
      await write("third");
      await waitFor("the third delivery", () => (starts("from-logs").length >= 2 ? true : undefined), 30_000);
      const messages = starts("from-logs").map((r) => {
        const data = (r.event as { awslogs: { data: string } }).awslogs.data;
        return (JSON.parse(gunzipSync(Buffer.from(data, "base64")).toString("utf8")) as { logEvents: { message: string }[] }).logEvents.map((e) => e.message).join();
      });
      assert.deepEqual(messages, ["first", "third"]);
    } finally {
      logs.destroy();
    }
  });

  it("a queue takes S3's and SNS's messages only where its policy allows s3.amazonaws.com / sns.amazonaws.com for that bucket or topic", async () => {
    const sns = new SNSClient(config());
    /** A queue policy letting `service` send for `sourceArn` (as the S3 and SNS guides write it). */
    const allow = (queue: string, service: string, sourceArn: string) => sqs.send(new SetQueueAttributesCommand({
      QueueUrl: `${suite.unkai.url}/${ACCOUNT}/${queue}`,
      Attributes: { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sqs:SendMessage", Resource: queueArn(queue), Condition: { ArnEquals: { "aws:SourceArn": sourceArn } } }] }) },
    }));
    try {
      for (const queue of ["s3-inbox", "sns-inbox"]) await sqs.send(new CreateQueueCommand({ QueueName: queue }));
      await objects.send(new CreateBucketCommand({ Bucket: "to-queue" }));
      const configuration = JSON.stringify({ QueueConfigurations: [{ Id: "q", QueueArn: queueArn("s3-inbox"), Events: ["s3:ObjectCreated:*"] }] });
      const put = () => awsS3(suite.unkai.url, ["s3api", "put-bucket-notification-configuration", "--bucket", "to-queue", "--notification-configuration", configuration]);
      const refused = await put();
      assert.match(refused.stderr, /\(InvalidArgument\).*Unable to validate the following destination configurations/, "S3's test event is refused without a queue policy");
      await allow("s3-inbox", "s3.amazonaws.com", "arn:aws:s3:::elsewhere");
      assert.notEqual((await put()).code, 0, "a policy for another bucket does not do");
      await allow("s3-inbox", "s3.amazonaws.com", "arn:aws:s3:::to-queue");
      const accepted = await put();
      assert.equal(accepted.code, 0, accepted.stderr);
      assert.match((await nextMessage("s3-inbox")).Body ?? "", /s3:TestEvent/);
      await objects.send(new PutObjectCommand({ Bucket: "to-queue", Key: "first.txt", Body: "1" }));
      await allow("s3-inbox", "sns.amazonaws.com", "arn:aws:s3:::to-queue");
      // Checked as the write commits (PutObject answers after the send): this one is dropped.
      await objects.send(new PutObjectCommand({ Bucket: "to-queue", Key: "denied.txt", Body: "2" }));
      await allow("s3-inbox", "s3.amazonaws.com", "arn:aws:s3:::to-queue");
      await objects.send(new PutObjectCommand({ Bucket: "to-queue", Key: "third.txt", Body: "3" }));
      const keyOf = (m: Message) => (JSON.parse(m.Body ?? "{}") as { Records: { s3: { object: { key: string } } }[] }).Records[0]?.s3.object.key;
      assert.deepEqual([keyOf(await nextMessage("s3-inbox")), keyOf(await nextMessage("s3-inbox"))], ["first.txt", "third.txt"]);

      const { TopicArn: topic = "" } = await sns.send(new CreateTopicCommand({ Name: "to-queue" }));
      await sns.send(new SubscribeCommand({
        TopicArn: topic, Protocol: "sqs", Endpoint: queueArn("sns-inbox"), Attributes: { RawMessageDelivery: "true", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("sns-dlq") }) },
      }));
      await sns.send(new PublishCommand({ TopicArn: topic, Message: "denied" }));
      const dead = JSON.parse((await nextMessage("sns-dlq")).Body ?? "{}") as { Message?: string };
      assert.equal(dead.Message, "denied", "a delivery the queue's policy refuses is a failed delivery, dead-lettered");
      await allow("sns-inbox", "sns.amazonaws.com", topic);
      await sns.send(new PublishCommand({ TopicArn: topic, Message: "allowed" }));
      assert.equal((await nextMessage("sns-inbox")).Body, "allowed");
    } finally {
      sns.destroy();
    }
  });

  it("CreateEventSourceMapping refuses a function whose execution role may not ReceiveMessage, DeleteMessage and GetQueueAttributes on the queue, as Lambda does", async () => {
    const iam = new IAMClient(config());
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "queue-reader", AssumeRolePolicyDocument: trust }));
    const receiveOnly = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:ReceiveMessage", Resource: queueArn("esm-guarded") }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: "queue-reader", PolicyName: "receive", PolicyDocument: receiveOnly }));
    await createFromFixture(suite.client, "from-sqs", "recorder", { Role: `arn:aws:iam::${ACCOUNT}:role/queue-reader` });
    await sqs.send(new CreateQueueCommand({ QueueName: "esm-guarded" }));
    const create = () => aws(suite.unkai.url, ["lambda", "create-event-source-mapping", "--function-name", "from-sqs", "--event-source-arn", queueArn("esm-guarded")]);

    const refused = await create();
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidParameterValueException\).*The function execution role does not have permissions to call DeleteMessage on SQS/);
    await iam.send(new AttachRolePolicyCommand({ RoleName: "queue-reader", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" }));
    iam.destroy();
    const made = await create();
    assert.equal(made.code, 0, made.stderr);
    assert.equal((JSON.parse(made.stdout) as { EventSourceArn: string }).EventSourceArn, queueArn("esm-guarded"));
  });
});
