/**
 * CloudWatch alarms: PutMetricAlarm / DescribeAlarms / DescribeAlarmsForMetric / SetAlarmState /
 * Enable/DisableAlarmActions / DescribeAlarmHistory / DeleteAlarms over SDK v3 and the AWS CLI (Query),
 * the evaluator's transitions (interval shortened to 300 ms) with their actions delivered to an SQS
 * queue (AWS's alarm notification JSON) and a Lambda function (the aws.cloudwatch alarm event), and
 * seed 003 end to end: a function logs FATAL_ERROR → metric filter → metric → alarm → SNS topic → the
 * administrator's queue, a webhook (HTTP subscriber) and an email mailbox subscribed to it.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { before, describe, it } from "node:test";
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, DescribeAlarmsForMetricCommand, DisableAlarmActionsCommand,
  GetMetricStatisticsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, CreateLogGroupCommand, PutMetricFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, createFromFixture, invoke, signedFetch } from "./helpers/clients.js";
import { allowServicesToSend, allowServiceToInvoke } from "./helpers/service-access.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";

/** A webhook for SNS: confirms its subscription, keeps each notification's envelope. */
async function webhook(): Promise<{ url: string; received: SnsEnvelope[]; close: () => void }> {
  const received: SnsEnvelope[] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    req.on("end", () => {
      res.end();
      const message = JSON.parse(text) as SnsEnvelope & { SubscribeURL?: string };
      if (message.Type === "SubscriptionConfirmation" && message.SubscribeURL) void fetch(message.SubscribeURL);
      else received.push(message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, received, close: () => server.close() };
}
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** What SNS puts on a subscribed queue (the alarm's JSON is its Message). */
interface SnsEnvelope { Type: string; TopicArn: string; Subject: string; Message: string }

interface Notification { AlarmName: string; NewStateValue: string; OldStateValue: string; NewStateReason: string; StateChangeTime: string; AlarmArn: string; Trigger: Record<string, unknown> }

describe("CloudWatch alarms", () => {
  const suite = unkaiSuite({ UNKAI_ALARM_EVALUATION_INTERVAL_MS: "300" });
  let cw: CloudWatchClient;
  let sqs: SQSClient;
  const config = () => ({ endpoint: suite.unkai.url, region: "us-east-1", credentials, maxAttempts: 1 });
  before(() => {
    cw = new CloudWatchClient(config());
    sqs = new SQSClient(config());
  });

  /** Waits for the next message on `queueUrl` whose body satisfies `match`, deleting what it reads. */
  const nextNotification = (queueUrl: string, match: (n: Notification) => boolean) =>
    waitFor("an alarm notification on the queue", async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const m of Messages ?? []) {
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        const body = JSON.parse(m.Body ?? "{}") as Notification;
        if (match(body)) return body;
      }
      return undefined;
    }, 45_000);
  const state = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.StateValue;

  it("transitions OK → ALARM on data, sends AWS's notification to a queue and the alarm event to a function, records history", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alarms" }));
    assert.ok(QueueUrl);
    await createFromFixture(suite.client, "on-alarm", "fatal-logger");
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:alarms`;
    const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:on-alarm`;
    await allowServiceToInvoke(suite.client, "on-alarm", "lambda.alarms.cloudwatch.amazonaws.com", `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-errors`);
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: "shop-errors", Namespace: "Shop", MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "api" }], Statistic: "Sum", Period: 60, EvaluationPeriods: 1,
      Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching", AlarmActions: [queueArn, functionArn], OKActions: [queueArn],
    }));
    const ok = await nextNotification(QueueUrl, (n) => n.NewStateValue === "OK");
    assert.equal(ok.OldStateValue, "INSUFFICIENT_DATA");
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Errors", Value: 3, Dimensions: [{ Name: "Service", Value: "api" }] }] }));
    const alarm = await nextNotification(QueueUrl, (n) => n.NewStateValue === "ALARM");
    assert.equal(alarm.AlarmName, "shop-errors");
    assert.equal(alarm.AlarmArn, `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:shop-errors`);
    assert.equal(alarm.OldStateValue, "OK");
    assert.match(alarm.NewStateReason, /^Threshold Crossed: 1 out of the last 1 datapoints \[3 \(.+\)\] was greater than or equal to the threshold \(1\)/);
    assert.match(alarm.StateChangeTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.deepEqual(alarm.Trigger, {
      MetricName: "Errors", Namespace: "Shop", StatisticType: "Statistic", Statistic: "SUM", Unit: null, Dimensions: [{ value: "api", name: "Service" }], Period: 60,
      EvaluationPeriods: 1, DatapointsToAlarm: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", Threshold: 1, TreatMissingData: "notBreaching", EvaluateLowSampleCountPercentile: "",
    });
    // The function action ran (its invocation is counted in AWS/Lambda).
    await waitFor("the alarm's function to be invoked", async () => {
      const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "on-alarm" }], StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: ["Sum"] }));
      return (out.Datapoints?.[0]?.Sum ?? 0) >= 1 ? true : undefined;
    }, 30_000);
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "shop-errors" }));
    const summaries = history.AlarmHistoryItems?.map((h) => `${h.HistoryItemType}: ${h.HistorySummary}`) ?? [];
    assert.ok(summaries.includes("StateUpdate: Alarm updated from OK to ALARM"), summaries.join("\n"));
    assert.ok(summaries.includes(`Action: Successfully executed action ${functionArn}`), summaries.join("\n"));
    assert.ok(summaries.includes('ConfigurationUpdate: Alarm "shop-errors" created'));
    const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: "Shop", MetricName: "Errors", Dimensions: [{ Name: "Service", Value: "api" }] }));
    assert.deepEqual(forMetric.MetricAlarms?.map((a) => a.AlarmName), ["shop-errors"]);
    const inAlarm = await aws(suite.unkai.url, ["cloudwatch", "describe-alarms", "--state-value", "ALARM"]);
    assert.equal(inAlarm.code, 0, inAlarm.stderr);
    const described = (JSON.parse(inAlarm.stdout) as { MetricAlarms: { AlarmName: string; Statistic: string; Threshold: number; AlarmActions: string[] }[] }).MetricAlarms;
    assert.deepEqual(described.map((a) => [a.AlarmName, a.Statistic, a.Threshold, a.AlarmActions]), [["shop-errors", "Sum", 1, [queueArn, functionArn]]]);
  });

  it("a point for the period just ended that arrives after it ended still counts: an empty period in progress is not missing data", async () => {
    const periodMs = 60_000;
    // Not in a minute's last 20 s: the point must still be in the last complete period while the alarm
    // is evaluated (once the next minute ends, it is two periods back and rightly no longer counts).
    const intoMinuteMs = Date.now() % periodMs;
    if (intoMinuteMs > periodMs - 20_000) await new Promise((resolve) => setTimeout(resolve, periodMs - intoMinuteMs + 500));
    // A point stamped in the previous minute, as a function's log line written behind lands just after the boundary.
    const previous = new Date(Math.floor(Date.now() / periodMs) * periodMs - 1_000);
    await cw.send(new PutMetricDataCommand({ Namespace: "Late", MetricData: [{ MetricName: "Fatal", Value: 1, Timestamp: previous }] }));
    await cw.send(new PutMetricAlarmCommand({ AlarmName: "late", Namespace: "Late", MetricName: "Fatal", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching" }));
    await waitFor("the late point to alarm", async () => ((await state("late")) === "ALARM" ? true : undefined));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["late"] }));
  });

  it("SetAlarmState moves the state until the next evaluation; disabled actions send nothing; DeleteAlarms; errors in CloudWatch's words", async () => {
    await cw.send(new PutMetricAlarmCommand({ AlarmName: "quiet", Namespace: "Shop", MetricName: "Nothing", Statistic: "Average", Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 5, ComparisonOperator: "GreaterThanThreshold" }));
    await waitFor("the first evaluation", async () => ((await state("quiet")) === "INSUFFICIENT_DATA" ? true : undefined));
    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ["quiet"] }));
    await cw.send(new SetAlarmStateCommand({ AlarmName: "quiet", StateValue: "ALARM", StateReason: "testing" }));
    await waitFor("the evaluator to set it back", async () => ((await state("quiet")) === "INSUFFICIENT_DATA" ? true : undefined));
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "quiet", HistoryItemType: "StateUpdate" }));
    assert.deepEqual(history.AlarmHistoryItems?.map((h) => h.HistorySummary), ["Alarm updated from ALARM to INSUFFICIENT_DATA", "Alarm updated from INSUFFICIENT_DATA to ALARM"]);
    const prefixed = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "qu" }));
    assert.deepEqual(prefixed.MetricAlarms?.map((a) => [a.AlarmName, a.ActionsEnabled, a.DatapointsToAlarm, a.TreatMissingData]), [["quiet", false, 1, "missing"]]);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["quiet"] }));
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["quiet"] }))).MetricAlarms, []);

    const refused = (call: Promise<unknown>, name: string, message: RegExp) => assert.rejects(call, (error: Error) => {
      assert.equal(error.name, name, error.message);
      assert.match(error.message, message);
      return true;
    });
    await refused(cw.send(new DeleteAlarmsCommand({ AlarmNames: ["nope"] })), "ResourceNotFound", /Alarm nope does not exist/);
    await refused(cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" })), "ResourceNotFound", /does not exist/);
    const base = { AlarmName: "bad", Namespace: "Shop", MetricName: "m", Statistic: "Sum" as const, Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" as const };
    await refused(cw.send(new PutMetricAlarmCommand({ ...base, AlarmActions: ["not-an-arn"] })), "InvalidParameterValueException", /Invalid arn syntax/);
    await refused(cw.send(new PutMetricAlarmCommand({ ...base, Period: 45 })), "InvalidParameterValueException", /Period/);
    await refused(cw.send(new PutMetricAlarmCommand({ ...base, DatapointsToAlarm: 2 })), "InvalidParameterValueException", /DatapointsToAlarm/);
    await refused(cw.send(new PutMetricAlarmCommand({ AlarmName: "math", EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold", Metrics: [{ Id: "e1", Expression: "m1 * 2" }] })), "InvalidParameterValueException", /metric math/);
    const cli = await aws(suite.unkai.url, ["cloudwatch", "put-metric-alarm", "--alarm-name", "x", "--evaluation-periods", "1", "--comparison-operator", "GreaterThanThreshold", "--threshold", "1", "--metric-name", "m", "--namespace", "n", "--period", "60"]);
    assert.match(cli.stderr, /InvalidParameterCombination.*Statistic and ExtendedStatistic/);
  });

  it("seed 003: a function logs FATAL_ERROR → metric filter → metric → alarm → SNS topic → the administrator's queue, webhook and mailbox, and good input brings it back to OK", async () => {
    const logs = new CloudWatchLogsClient(config());
    const sns = new SNSClient(config());
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "admin" }));
    assert.ok(QueueUrl);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ops-alerts" }));
    await allowServicesToSend(sqs, QueueUrl, `arn:aws:sqs:us-east-1:${ACCOUNT}:admin`, [{ service: "sns.amazonaws.com", sourceArn: String(TopicArn) }]);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:admin` }));
    // The administrator's other two ends: a webhook and a mailbox, each confirmed as on AWS.
    const hook = await webhook();
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: hook.url }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "admin@example.com" }));
    const mailbox = async () => ((await (await signedFetch(`${suite.unkai.url}/_unkai/mail/admin%40example.com`, { service: "unkai" })).json()) as { messages: { subject: string; body: string }[] }).messages;
    const confirmation = await waitFor("the confirmation mail", async () => (await mailbox())[0], 20_000);
    assert.equal((await fetch(/Confirm subscription: (\S+)/.exec(confirmation.body)?.[1] ?? "")).status, 200);
    const envelopes: SnsEnvelope[] = [];
    const viaTopic = (match: (n: Notification) => boolean) => nextNotification(QueueUrl, (n) => {
      const envelope = n as unknown as SnsEnvelope;
      if (envelope.Type !== "Notification" || !match(JSON.parse(envelope.Message) as Notification)) return false;
      envelopes.push(envelope);
      return true;
    }).then(() => JSON.parse(envelopes.at(-1)?.Message ?? "{}") as Notification);
    await createFromFixture(suite.client, "payments", "fatal-logger");
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/aws/lambda/payments" })).catch(() => undefined);
    await logs.send(new PutMetricFilterCommand({ logGroupName: "/aws/lambda/payments", filterName: "fatal", filterPattern: "FATAL_ERROR", metricTransformations: [{ metricName: "FatalErrors", metricNamespace: "Payments", metricValue: "1" }] }));
    const put = await aws(suite.unkai.url, ["cloudwatch", "put-metric-alarm", "--alarm-name", "payments-fatal", "--namespace", "Payments", "--metric-name", "FatalErrors", "--statistic", "Sum",
      "--period", "10", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanOrEqualToThreshold", "--treat-missing-data", "notBreaching",
      "--alarm-actions", String(TopicArn), "--ok-actions", String(TopicArn)]);
    assert.equal(put.code, 0, put.stderr);
    await viaTopic((n) => n.NewStateValue === "OK");
    await invoke(suite.client, "payments", { order: 1 });
    await invoke(suite.client, "payments", { bad: true, order: 2 });
    const alarm = await viaTopic((n) => n.NewStateValue === "ALARM");
    assert.equal(alarm.AlarmName, "payments-fatal");
    assert.deepEqual([alarm.Trigger.MetricName, alarm.Trigger.Namespace, alarm.Trigger.Period], ["FatalErrors", "Payments", 10]);
    assert.equal(envelopes.at(-1)?.TopicArn, TopicArn);
    assert.match(envelopes.at(-1)?.Subject ?? "", /^ALARM: "payments-fatal" in /);
    const hooked = await waitFor("the alarm at the webhook", async () => hook.received.find((e) => (JSON.parse(e.Message) as Notification).NewStateValue === "ALARM"), 20_000);
    assert.match(hooked.Subject, /^ALARM: "payments-fatal" in /);
    const mailed = await waitFor("the alarm in the mailbox", async () => (await mailbox()).find((m) => m.subject.startsWith("ALARM: \"payments-fatal\"")), 20_000);
    assert.equal((JSON.parse(mailed.body.split("\n--\n")[0] ?? "{}") as Notification).AlarmName, "payments-fatal", "the email carries the alarm's JSON");
    await invoke(suite.client, "payments", { order: 3 });
    const back = await viaTopic((n) => n.NewStateValue === "OK");
    assert.equal(back.OldStateValue, "ALARM");
    hook.close();
    logs.destroy();
    sns.destroy();
  });
});
