/**
 * CloudWatch alarm operations under `--iam enforce` are authorized on the alarm's ARN, as the Service
 * Authorization Reference lists them: a user whose policy allows alarm operations only on
 * `arn:aws:cloudwatch:<region>:<account>:alarm:team-*` manages its alarms and is refused another's (SDK v3 over
 * AWS JSON, the AWS CLI over Query); DeleteAlarms and Enable/DisableAlarmActions need every alarm they name;
 * DescribeAlarms is authorized on `alarm:*` (so a team-scoped policy cannot list); a Deny on
 * `aws:ResourceTag/locked` (the alarm's tags) and a condition on `aws:RequestTag`/`aws:TagKeys` decide as on AWS.
 * Before alarms were named by their ARN every one of these was `*`, and the team-scoped user was refused even its own.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, DisableAlarmActionsCommand, ListTagsForResourceCommand, PutMetricAlarmCommand,
  SetAlarmStateCommand, TagResourceCommand, type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { awsAs, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const alarmArn = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
const TEAM_ALARMS = alarmArn("team-*");
const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow", Resource: TEAM_ALARMS,
      Action: [
        "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:SetAlarmState", "cloudwatch:DisableAlarmActions",
        "cloudwatch:DescribeAlarmHistory", "cloudwatch:ListTagsForResource",
      ],
    },
    // Tagging its alarms with `owner` only.
    { Effect: "Allow", Resource: TEAM_ALARMS, Action: "cloudwatch:TagResource", Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["owner"] } } },
    // A locked alarm is no one's to change, whatever else allows it.
    { Effect: "Deny", Resource: "*", Action: ["cloudwatch:SetAlarmState", "cloudwatch:DeleteAlarms"], Condition: { StringEquals: { "aws:ResourceTag/locked": "yes" } } },
  ],
});

const implicit = (action: string, resource: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/alarm-team is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
const explicit = (action: string, resource: string) =>
  `User: arn:aws:iam::${ACCOUNT}:user/alarm-team is not authorized to perform: ${action} on resource: ${resource} with an explicit deny in an identity-based policy`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const refused = (sentence: string) => new RegExp(`^AccessDenied(Exception)?: ${escape(sentence)}$`);

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name, Namespace: "Team", MetricName: "Errors", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
  ComparisonOperator: "GreaterThanOrEqualToThreshold", ...extra,
});

describe("CloudWatch alarms authorized on their ARN under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let keys: Keys;
  let root: CloudWatchClient;
  let user: CloudWatchClient;
  const names = async () => ((await root.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName).sort();

  before(async () => {
    const config = { endpoint: suite.unkai.url, region: REGION, credentials: DEFAULT_CREDENTIALS };
    const iam = new IAMClient(config);
    await iam.send(new CreateUserCommand({ UserName: "alarm-team" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "alarm-team", PolicyName: "team-alarms", PolicyDocument: POLICY }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: "alarm-team" }));
    keys = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    root = new CloudWatchClient(config);
    user = new CloudWatchClient({ ...config, credentials: keys });
    await root.send(new PutMetricAlarmCommand(alarm("other-1")));
  });

  it("SDK v3: the team's alarms are created, set and tagged; another's is refused on its own ARN", async () => {
    assert.equal(await attempt(() => user.send(new PutMetricAlarmCommand(alarm("team-1")))), "ok");
    assert.equal(await attempt(() => user.send(new SetAlarmStateCommand({ AlarmName: "team-1", StateValue: "ALARM", StateReason: "test" }))), "ok");
    assert.match(await attempt(() => user.send(new PutMetricAlarmCommand(alarm("other-1")))), refused(implicit("cloudwatch:PutMetricAlarm", alarmArn("other-1"))));
    assert.match(await attempt(() => user.send(new SetAlarmStateCommand({ AlarmName: "other-1", StateValue: "OK", StateReason: "x" }))), refused(implicit("cloudwatch:SetAlarmState", alarmArn("other-1"))));
    // A name with characters a pattern must not mistake: `team-*` does not reach `teamX`.
    assert.match(await attempt(() => user.send(new PutMetricAlarmCommand(alarm("teamX/..:1")))), refused(implicit("cloudwatch:PutMetricAlarm", alarmArn("teamX/..:1"))));
    assert.deepEqual(await names(), ["other-1", "team-1"]);
  });

  it("DeleteAlarms and DisableAlarmActions need every alarm they name: one refused, none is touched", async () => {
    await user.send(new PutMetricAlarmCommand(alarm("team-del")));
    assert.match(await attempt(() => user.send(new DeleteAlarmsCommand({ AlarmNames: ["team-del", "other-1"] }))), refused(implicit("cloudwatch:DeleteAlarms", alarmArn("other-1"))));
    assert.match(await attempt(() => user.send(new DisableAlarmActionsCommand({ AlarmNames: ["team-del", "other-1"] }))), refused(implicit("cloudwatch:DisableAlarmActions", alarmArn("other-1"))));
    const described = await root.send(new DescribeAlarmsCommand({ AlarmNames: ["team-del", "other-1"] }));
    assert.deepEqual(described.MetricAlarms?.map((a) => [a.AlarmName, a.ActionsEnabled]), [["other-1", true], ["team-del", true]]);
    assert.equal(await attempt(() => user.send(new DisableAlarmActionsCommand({ AlarmNames: ["team-del"] }))), "ok");
    assert.equal(await attempt(() => user.send(new DeleteAlarmsCommand({ AlarmNames: ["team-del"] }))), "ok");
    assert.deepEqual(await names(), ["other-1", "team-1"]);
  });

  it("DescribeAlarms is authorized on alarm:* whatever it filters by, so a team-scoped policy cannot list", async () => {
    assert.match(await attempt(() => user.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "team-" }))), refused(implicit("cloudwatch:DescribeAlarms", alarmArn("*"))));
    assert.match(await attempt(() => user.send(new DescribeAlarmsCommand({ AlarmNames: ["team-1"] }))), refused(implicit("cloudwatch:DescribeAlarms", alarmArn("*"))));
    assert.match(await attempt(() => user.send(new DescribeAlarmsCommand({ AlarmTypes: ["CompositeAlarm"] }))), refused(implicit("cloudwatch:DescribeAlarms", "*")));
  });

  it("the alarm's tags are its aws:ResourceTag: locking one denies SetAlarmState and DeleteAlarms on it alone", async () => {
    await user.send(new PutMetricAlarmCommand(alarm("team-locked", { Tags: [{ Key: "owner", Value: "me" }] })));
    await root.send(new TagResourceCommand({ ResourceARN: alarmArn("team-locked"), Tags: [{ Key: "locked", Value: "yes" }] }));
    assert.match(await attempt(() => user.send(new SetAlarmStateCommand({ AlarmName: "team-locked", StateValue: "OK", StateReason: "x" }))), refused(explicit("cloudwatch:SetAlarmState", alarmArn("team-locked"))));
    assert.match(await attempt(() => user.send(new DeleteAlarmsCommand({ AlarmNames: ["team-1", "team-locked"] }))), refused(explicit("cloudwatch:DeleteAlarms", alarmArn("team-locked"))));
    assert.equal(await attempt(() => user.send(new SetAlarmStateCommand({ AlarmName: "team-1", StateValue: "OK", StateReason: "x" }))), "ok", "an unlocked alarm is not");
    await root.send(new TagResourceCommand({ ResourceARN: alarmArn("team-locked"), Tags: [{ Key: "locked", Value: "no" }] }));
    assert.equal(await attempt(() => user.send(new SetAlarmStateCommand({ AlarmName: "team-locked", StateValue: "OK", StateReason: "x" }))), "ok", "the retag counts from the next request");
  });

  it("TagResource gives aws:TagKeys: the owner key is allowed, any other refused", async () => {
    assert.equal(await attempt(() => user.send(new TagResourceCommand({ ResourceARN: alarmArn("team-1"), Tags: [{ Key: "owner", Value: "ops" }] }))), "ok");
    assert.match(await attempt(() => user.send(new TagResourceCommand({ ResourceARN: alarmArn("team-1"), Tags: [{ Key: "owner", Value: "ops" }, { Key: "locked", Value: "no" }] }))),
      refused(implicit("cloudwatch:TagResource", alarmArn("team-1"))));
    const { Tags } = await user.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn("team-1") }));
    assert.deepEqual(Tags, [{ Key: "owner", Value: "ops" }]);
    assert.match(await attempt(() => user.send(new ListTagsForResourceCommand({ ResourceARN: alarmArn("other-1") }))), refused(implicit("cloudwatch:ListTagsForResource", alarmArn("other-1"))));
  });

  it("the AWS CLI (Query): put-metric-alarm and describe-alarm-history on the team's alarm; another's refused with AccessDenied", async () => {
    const put = (name: string) => awsAs(suite.unkai.url, keys, ["cloudwatch", "put-metric-alarm", "--alarm-name", name, "--namespace", "Team", "--metric-name", "Errors",
      "--statistic", "Sum", "--period", "60", "--evaluation-periods", "1", "--threshold", "1", "--comparison-operator", "GreaterThanThreshold"]);
    const mine = await put("team-cli");
    assert.equal(mine.code, 0, mine.stderr);
    const history = await awsAs(suite.unkai.url, keys, ["cloudwatch", "describe-alarm-history", "--alarm-name", "team-cli"]);
    assert.equal(history.code, 0, history.stderr);
    assert.equal((JSON.parse(history.stdout) as { AlarmHistoryItems: unknown[] }).AlarmHistoryItems.length, 1);
    const theirs = await put("other-cli");
    assert.notEqual(theirs.code, 0);
    assert.match(theirs.stderr, /\(AccessDenied\)/);
    assert.ok(theirs.stderr.includes(implicit("cloudwatch:PutMetricAlarm", alarmArn("other-cli"))), theirs.stderr);
    const all = await awsAs(suite.unkai.url, keys, ["cloudwatch", "describe-alarm-history"]);
    assert.ok(all.stderr.includes(implicit("cloudwatch:DescribeAlarmHistory", alarmArn("*"))), all.stderr);
  });
});
