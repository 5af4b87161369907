/**
 * Alarms' tags: `Tags` on PutMetricAlarm and PutCompositeAlarm kept at creation and ignored on update (as the API
 * reference says), TagResource / UntagResource / ListTagsForResource on the alarm's ARN (SDK v3 and the AWS CLI over
 * Query), the 50-tag limit, a duplicate key, an ARN that names no alarm here, a non-ARN, and tags gone with the alarm.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, ListTagsForResourceCommand, PutCompositeAlarmCommand, PutMetricAlarmCommand,
  TagResourceCommand, UntagResourceCommand, type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const arn = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;
const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name, Namespace: "Tags", MetricName: "M", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1,
  ComparisonOperator: "GreaterThanThreshold", ...extra,
});
const tags = (n: number, prefix = "k") => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));

describe("CloudWatch alarm tags", () => {
  const suite = unkaiSuite();
  let cw: CloudWatchClient;
  const listed = async (name: string) => (await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn(name) }))).Tags ?? [];

  before(() => {
    cw = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
  });

  it("PutMetricAlarm's Tags are kept when it creates the alarm and ignored when it updates it; DescribeAlarms does not answer them", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm("a1", { Tags: [{ Key: "team", Value: "a" }, { Key: "__proto__", Value: "odd" }] })));
    assert.deepEqual(await listed("a1"), [{ Key: "team", Value: "a" }, { Key: "__proto__", Value: "odd" }]);
    await cw.send(new PutMetricAlarmCommand(alarm("a1", { Threshold: 5, Tags: [{ Key: "team", Value: "b" }] })));
    assert.deepEqual(await listed("a1"), [{ Key: "team", Value: "a" }, { Key: "__proto__", Value: "odd" }]);
    const described = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["a1"] }))).MetricAlarms?.[0];
    assert.equal(described?.Threshold, 5);
    assert.equal((described as Record<string, unknown>).tags, undefined);
  });

  it("PutCompositeAlarm's Tags likewise", async () => {
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: "c1", AlarmRule: "ALARM(a1)", Tags: [{ Key: "kind", Value: "composite" }] }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: "c1", AlarmRule: "OK(a1)", Tags: [] }));
    assert.deepEqual(await listed("c1"), [{ Key: "kind", Value: "composite" }]);
  });

  it("TagResource adds and overwrites, UntagResource removes (absent keys ignored)", async () => {
    await cw.send(new TagResourceCommand({ ResourceARN: arn("a1"), Tags: [{ Key: "team", Value: "c" }, { Key: "env", Value: "" }] }));
    assert.deepEqual(await listed("a1"), [{ Key: "team", Value: "c" }, { Key: "__proto__", Value: "odd" }, { Key: "env", Value: "" }]);
    await cw.send(new UntagResourceCommand({ ResourceARN: arn("a1"), TagKeys: ["team", "__proto__", "never"] }));
    assert.deepEqual(await listed("a1"), [{ Key: "env", Value: "" }]);
  });

  it("limits and bad input: 50 tags at most, a key given twice, a key too long, an ARN of no alarm, a non-ARN", async () => {
    await cw.send(new TagResourceCommand({ ResourceARN: arn("a1"), Tags: tags(49) }));
    assert.equal((await listed("a1")).length, 50);
    assert.match(await attempt(() => cw.send(new TagResourceCommand({ ResourceARN: arn("a1"), Tags: [{ Key: "one-more", Value: "x" }] }))), /^InvalidParameterValue(Exception)?: A CloudWatch resource may have at most 50 tags\.$/);
    assert.match(await attempt(() => cw.send(new PutMetricAlarmCommand(alarm("many", { Tags: tags(51) })))), /at most 50 tags/);
    assert.match(await attempt(() => cw.send(new PutMetricAlarmCommand(alarm("twice", { Tags: [{ Key: "k", Value: "1" }, { Key: "k", Value: "2" }] })))), /^InvalidParameterValue(Exception)?: The tag key k is given more than once\.$/);
    assert.match(await attempt(() => cw.send(new TagResourceCommand({ ResourceARN: arn("a1"), Tags: [{ Key: "k".repeat(129), Value: "x" }] }))), /^InvalidParameterValue(Exception)?: /);
    assert.match(await attempt(() => cw.send(new ListTagsForResourceCommand({ ResourceARN: arn("missing") }))), /^ResourceNotFoundException: The resource .*alarm:missing does not exist/);
    assert.match(await attempt(() => cw.send(new ListTagsForResourceCommand({ ResourceARN: "arn:aws:cloudwatch:eu-west-1:111111111111:alarm:a1" }))), /^ResourceNotFoundException: /);
    assert.match(await attempt(() => cw.send(new TagResourceCommand({ ResourceARN: "not an arn", Tags: [] }))), /^InvalidParameterValue(Exception)?: The value not an arn for parameter ResourceARN is not a valid ARN\.$/);
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["many", "twice"] }))).MetricAlarms, [], "a refused alarm is not created");
  });

  it("tags go with the alarm: one made again under its name starts with none", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm("gone", { Tags: [{ Key: "t", Value: "1" }] })));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["gone"] }));
    assert.match(await attempt(() => cw.send(new ListTagsForResourceCommand({ ResourceARN: arn("gone") }))), /^ResourceNotFoundException: /);
    await cw.send(new PutMetricAlarmCommand(alarm("gone")));
    assert.deepEqual(await listed("gone"), []);
  });

  it("the AWS CLI (Query): tag-resource, list-tags-for-resource, untag-resource, and a missing alarm's error code", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm("cli")));
    const tag = await aws(suite.unkai.url, ["cloudwatch", "tag-resource", "--resource-arn", arn("cli"), "--tags", "Key=team,Value=q"]);
    assert.equal(tag.code, 0, tag.stderr);
    const list = await aws(suite.unkai.url, ["cloudwatch", "list-tags-for-resource", "--resource-arn", arn("cli")]);
    assert.deepEqual(JSON.parse(list.stdout), { Tags: [{ Key: "team", Value: "q" }] });
    const untag = await aws(suite.unkai.url, ["cloudwatch", "untag-resource", "--resource-arn", arn("cli"), "--tag-keys", "team"]);
    assert.equal(untag.code, 0, untag.stderr);
    assert.deepEqual(await listed("cli"), []);
    const missing = await aws(suite.unkai.url, ["cloudwatch", "list-tags-for-resource", "--resource-arn", arn("nope")]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /\(ResourceNotFoundException\)/);
  });
});
