/**
 * Composite alarms: PutCompositeAlarm through SDK v3 and the AWS CLI 2.9.19 (Query), a rule over two
 * metric alarms (ALARM/OK/NOT/AND/OR, names and ARNs) followed on each evaluation, its actions sent to an
 * SNS topic (AlarmRule in the notification, no Trigger), DescribeAlarms' AlarmTypes, and bad rules
 * (syntax, unknown alarms, a cycle, a metric alarm's name) refused with CloudWatch's ValidationError.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand, SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import { allowServicesToSend } from "./helpers/service-access.js";

describe("CloudWatch composite alarms", () => {
  const suite = unkaiSuite({ UNKAI_ALARM_EVALUATION_INTERVAL_MS: "300" });
  let cw: CloudWatchClient;
  let inbox = "";
  let topicArn = "";
  const options = () => ({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const child = (AlarmName: string) => cw.send(new PutMetricAlarmCommand({
    AlarmName, Namespace: "Shop", MetricName: AlarmName, Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "ignore",
  }));
  const set = (AlarmName: string, StateValue: "OK" | "ALARM") => cw.send(new SetAlarmStateCommand({ AlarmName, StateValue, StateReason: "test" }));
  const stateOf = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["CompositeAlarm"] }))).CompositeAlarms?.[0]?.StateValue;
  const becomes = (name: string, state: string) => waitFor(`${name} in ${state}`, async () => ((await stateOf(name)) === state ? true : undefined), 20_000);
  const refused = (AlarmName: string, AlarmRule: string, message: RegExp) =>
    assert.rejects(cw.send(new PutCompositeAlarmCommand({ AlarmName, AlarmRule })), (error: Error) => {
      assert.match(error.message, message);
      return true;
    });

  before(async () => {
    cw = new CloudWatchClient(options());
    const sqs = new SQSClient(options());
    const sns = new SNSClient(options());
    inbox = (await sqs.send(new CreateQueueCommand({ QueueName: "composite-inbox" }))).QueueUrl ?? "";
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox, AttributeNames: ["QueueArn"] }))).Attributes?.QueueArn;
    topicArn = (await sns.send(new CreateTopicCommand({ Name: "composite-ops" }))).TopicArn ?? "";
    await allowServicesToSend(sqs, inbox, queueArn ?? "", [{ service: "sns.amazonaws.com", sourceArn: topicArn }]);
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }));
    for (const name of ["cpu-high", "disk-high", "deploying"]) await child(name);
  });

  it("follows its rule over the children's states and notifies its topic with the rule", async () => {
    const deployingArn = `arn:aws:cloudwatch:us-east-1:000000000000:alarm:deploying`;
    await cw.send(new PutCompositeAlarmCommand({
      AlarmName: "service-degraded", AlarmRule: `(ALARM(cpu-high) OR ALARM("disk-high")) AND NOT ALARM(${deployingArn})`, AlarmActions: [topicArn],
    }));
    await becomes("service-degraded", "OK");
    await set("cpu-high", "ALARM");
    await becomes("service-degraded", "ALARM");
    const sqs = new SQSClient(options());
    const message = await waitFor("the composite's notification", async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox, WaitTimeSeconds: 1 }))).Messages?.[0], 20_000);
    const body = JSON.parse(message.Body ?? "{}") as { AlarmName?: string; NewStateValue?: string; AlarmRule?: string; Trigger?: unknown };
    assert.deepEqual([body.AlarmName, body.NewStateValue, body.Trigger], ["service-degraded", "ALARM", undefined]);
    assert.match(body.AlarmRule ?? "", /ALARM\(cpu-high\)/);
    await set("deploying", "ALARM");
    await becomes("service-degraded", "OK");
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "service-degraded", HistoryItemType: "StateUpdate" }));
    assert.ok((history.AlarmHistoryItems ?? []).every((h) => h.AlarmType === "CompositeAlarm"));
    assert.ok((history.AlarmHistoryItems?.length ?? 0) >= 3, "INSUFFICIENT_DATA → OK → ALARM → OK");
  });

  it("DescribeAlarms answers composites only when AlarmTypes asks for them; the CLI creates one with TRUE", async () => {
    const out = await aws(suite.unkai.url, ["cloudwatch", "put-composite-alarm", "--alarm-name", "always", "--alarm-rule", "TRUE"]);
    assert.equal(out.code, 0, out.stderr);
    await becomes("always", "ALARM");
    const plain = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["always", "cpu-high"] }));
    assert.deepEqual([plain.MetricAlarms?.map((a) => a.AlarmName), plain.CompositeAlarms], [["cpu-high"], []]);
    const both = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["always", "cpu-high"], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
    assert.deepEqual(both.CompositeAlarms?.map((a) => [a.AlarmName, a.AlarmRule]), [["always", "TRUE"]]);
  });

  it("refuses bad rules, unknown alarms, cycles and replacing a metric alarm", async () => {
    await refused("bad", "ALARM(cpu-high) AND", /AlarmRule is not valid: the rule ends too early/);
    await refused("bad", "ALARM(cpu-high) XOR OK(disk-high)", /AlarmRule is not valid/);
    await refused("bad", 'ALARM("")', /names no alarm/);
    await refused("bad", "ALARM()", /AlarmRule is not valid/);
    await refused("bad", "ALARM(nope) OR OK(missing-too)", /alarms \[nope, missing-too\] in the alarm rule do not exist/);
    await refused("cpu-high", "TRUE", /is a metric alarm/);
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: "a-level", AlarmRule: "ALARM(cpu-high)" }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: "b-level", AlarmRule: "ALARM(a-level)" }));
    await refused("a-level", "ALARM(b-level)", /leads back to a-level itself/);
    await refused("deep", `${"(".repeat(100)}TRUE${")".repeat(100)}`, /nests more than 64 levels/);
  });
});
