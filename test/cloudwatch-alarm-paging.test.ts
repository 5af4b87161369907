/**
 * DescribeAlarms and DescribeAlarmHistory page with MaxRecords and NextToken: SDK v3's paginators and
 * the AWS CLI's own paging (Query protocol) walk every alarm and entry once, in order; a page survives
 * an alarm deleted between calls; a token that is not ours answers InvalidNextToken.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, paginateDescribeAlarmHistory, paginateDescribeAlarms,
  PutCompositeAlarmCommand, PutMetricAlarmCommand, SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { aws } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const NAMES = ["page-a", "page-b", "page-c", "page-d", "page-e", "page-f", "page-g"];

describe("CloudWatch alarm paging", () => {
  // No evaluation during the test: the history holds only what the test writes.
  const suite = unkaiSuite({ UNKAI_ALARM_EVALUATION_INTERVAL_MS: "3600000" });
  let cw: CloudWatchClient;
  const cli = async (args: string[]) => {
    const out = await aws(suite.unkai.url, ["cloudwatch", ...args]);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as Record<string, unknown>;
  };

  before(async () => {
    cw = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    // Created out of order: pages are by name.
    for (const name of [...NAMES].reverse()) {
      await cw.send(new PutMetricAlarmCommand({ AlarmName: name, Namespace: "Paging", MetricName: "Hits", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" }));
    }
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: "page-composite", AlarmRule: 'ALARM("page-a")' }));
    for (const state of ["ALARM", "OK", "ALARM", "OK", "ALARM"] as const) await cw.send(new SetAlarmStateCommand({ AlarmName: "page-a", StateValue: state, StateReason: `set ${state}` }));
  });

  it("SDK v3's paginateDescribeAlarms walks every alarm once, by name, in pages of MaxRecords", async () => {
    const pages: string[][] = [];
    for await (const page of paginateDescribeAlarms({ client: cw, pageSize: 3 }, { AlarmTypes: ["MetricAlarm", "CompositeAlarm"] })) {
      pages.push([...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])].map((a) => a.AlarmName ?? "").sort());
    }
    assert.deepEqual(pages, [["page-a", "page-b", "page-c"], ["page-composite", "page-d", "page-e"], ["page-f", "page-g"]]);
    const all = await cw.send(new DescribeAlarmsCommand({}));
    assert.equal(all.NextToken, undefined, "seven metric alarms fit the default page");
    assert.deepEqual(all.MetricAlarms?.map((a) => a.AlarmName), NAMES);
  });

  it("the AWS CLI pages on its own (--page-size) and resumes with --starting-token", async () => {
    const walked = await cli(["describe-alarms", "--page-size", "2"]);
    assert.deepEqual((walked.MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName), NAMES);
    const first = await cli(["describe-alarms", "--page-size", "2", "--max-items", "3"]);
    assert.deepEqual((first.MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName), NAMES.slice(0, 3));
    assert.equal(typeof first.NextToken, "string");
    const rest = await cli(["describe-alarms", "--page-size", "2", "--starting-token", first.NextToken as string]);
    assert.deepEqual((rest.MetricAlarms as { AlarmName: string }[]).map((a) => a.AlarmName), NAMES.slice(3));
  });

  it("a page continues after the last alarm it gave, even when that alarm is deleted between calls", async () => {
    await cw.send(new PutMetricAlarmCommand({ AlarmName: "zz-gone", Namespace: "Paging", MetricName: "Hits", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" }));
    await cw.send(new PutMetricAlarmCommand({ AlarmName: "zz-kept", Namespace: "Paging", MetricName: "Hits", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" }));
    const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "zz-", MaxRecords: 1 }));
    assert.deepEqual(first.MetricAlarms?.map((a) => a.AlarmName), ["zz-gone"]);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["zz-gone"] }));
    const next = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "zz-", MaxRecords: 1, NextToken: first.NextToken }));
    assert.deepEqual(next.MetricAlarms?.map((a) => a.AlarmName), ["zz-kept"]);
    assert.equal(next.NextToken, undefined);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["zz-kept"] }));
  });

  it("paginateDescribeAlarmHistory and the CLI walk the history once, newest or oldest first", async () => {
    const whole = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "page-a" }));
    const summaries = (whole.AlarmHistoryItems ?? []).map((h) => `${h.HistoryItemType} ${h.HistorySummary}`);
    assert.equal(summaries.length, 6, "created, then five state changes");
    assert.equal(whole.NextToken, undefined);
    const walk = async (ScanBy: "TimestampDescending" | "TimestampAscending") => {
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeAlarmHistory({ client: cw, pageSize: 4 }, { AlarmName: "page-a", ScanBy })) {
        pages++;
        seen.push(...(page.AlarmHistoryItems ?? []).map((h) => `${h.HistoryItemType} ${h.HistorySummary}`));
      }
      return { seen, pages };
    };
    assert.deepEqual(await walk("TimestampDescending"), { seen: summaries, pages: 2 });
    assert.deepEqual(await walk("TimestampAscending"), { seen: [...summaries].reverse(), pages: 2 });
    const viaCli = await cli(["describe-alarm-history", "--alarm-name", "page-a", "--page-size", "1"]);
    assert.deepEqual((viaCli.AlarmHistoryItems as { HistoryItemType: string; HistorySummary: string }[]).map((h) => `${h.HistoryItemType} ${h.HistorySummary}`), summaries);
  });

  it("a token that is not ours, or another operation's, answers InvalidNextToken; MaxRecords stays within 1–100", async () => {
    const historyToken = (await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "page-a", MaxRecords: 1 }))).NextToken;
    assert.ok(historyToken);
    const alarmsToken = (await cw.send(new DescribeAlarmsCommand({ MaxRecords: 1 }))).NextToken;
    assert.ok(alarmsToken);
    const refused = { name: "InvalidNextToken", message: "The next token specified is invalid." };
    await assert.rejects(cw.send(new DescribeAlarmsCommand({ NextToken: "garbage!" })), refused);
    await assert.rejects(cw.send(new DescribeAlarmsCommand({ NextToken: Buffer.from("[1]").toString("base64url") })), refused);
    await assert.rejects(cw.send(new DescribeAlarmsCommand({ NextToken: historyToken })), refused);
    await assert.rejects(cw.send(new DescribeAlarmHistoryCommand({ NextToken: alarmsToken })), refused);
    await assert.rejects(cw.send(new DescribeAlarmHistoryCommand({ NextToken: Buffer.from('{"op":"DescribeAlarmHistory","timestamp":"x","id":1}').toString("base64url") })), refused);
    const viaCli = await aws(suite.unkai.url, ["cloudwatch", "describe-alarms", "--no-paginate", "--next-token", "not-a-token"]);
    assert.notEqual(viaCli.code, 0);
    assert.match(viaCli.stderr, /\(InvalidNextToken\).*The next token specified is invalid\./);
    for (const MaxRecords of [0, 101]) {
      await assert.rejects(cw.send(new DescribeAlarmsCommand({ MaxRecords })), { name: "InvalidParameterValueException", message: new RegExp(`The value ${MaxRecords} for parameter MaxRecords is invalid`) });
    }
  });
});
