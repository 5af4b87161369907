/**
 * GetMetricData metric math: the expression language (precedence, series with scalars and with each
 * other, SUM/AVG/MIN/MAX over a series and over an array, FILL with a value, REPEAT and LINEAR, IF,
 * comparisons and logic, METRICS(), RATE/DIFF/RUNNING_SUM) through SDK v3 (JSON) and the AWS CLI 2.9.19
 * (Query/XML), and bad expressions (syntax, unknown ids and functions, cycles, hostile depth and length)
 * answered with CloudWatch's ValidationError naming the expression, never a 500.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { aws } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

/** Five whole minutes that end a few minutes ago: points at minutes 0..4. */
const base = (Math.floor(Date.now() / 60_000) - 10) * 60_000;
const minute = (m: number) => new Date(base + m * 60_000);
const ERRORS = [1, undefined, 3, 4, undefined];
const CALLS = [10, 10, 20, 40, 50];

describe("CloudWatch metric math (GetMetricData expressions)", () => {
  const suite = unkaiSuite();
  let cw: CloudWatchClient;
  const stat = (Id: string, MetricName: string, extra: Partial<MetricDataQuery> = {}): MetricDataQuery =>
    ({ Id, MetricStat: { Metric: { Namespace: "Math", MetricName }, Period: 60, Stat: "Sum" }, ReturnData: false, ...extra });
  const run = async (Expression: string, extra: MetricDataQuery[] = []) => {
    const out = await cw.send(new GetMetricDataCommand({
      StartTime: minute(0), EndTime: minute(5), ScanBy: "TimestampAscending",
      MetricDataQueries: [stat("errors", "Errors"), stat("calls", "Calls"), ...extra, { Id: "e", Expression, Period: 60 }],
    }));
    return (out.MetricDataResults ?? []).map((r) => ({ label: r.Label, points: (r.Timestamps ?? []).map((t, i) => [(t.getTime() - base) / 60_000, r.Values?.[i]]) }));
  };
  const points = async (expression: string) => (await run(expression))[0]?.points;
  const refused = (expression: string, message: RegExp) =>
    assert.rejects(run(expression), (error: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.$metadata?.httpStatusCode, 400, error.message);
      assert.match(error.message, message);
      return true;
    });

  before(async () => {
    cw = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    const MetricData = CALLS.flatMap((calls, m) => [
      { MetricName: "Calls", Value: calls, Timestamp: minute(m) },
      ...(ERRORS[m] === undefined ? [] : [{ MetricName: "Errors", Value: ERRORS[m], Timestamp: minute(m) }]),
    ]);
    await cw.send(new PutMetricDataCommand({ Namespace: "Math", MetricData }));
  });

  it("arithmetic: precedence, a series with a scalar, two series where both have a value", async () => {
    assert.deepEqual(await points("100 * errors / calls"), [[0, 10], [2, 15], [3, 10]]);
    assert.deepEqual(await points("calls - 2 * 3 ^ 2"), [[0, -8], [1, -8], [2, 2], [3, 22], [4, 32]]);
    assert.deepEqual(await points("-(errors + 1)"), [[0, -2], [2, -4], [3, -5]]);
    assert.deepEqual(await points("calls / 0"), [], "division by zero yields no point, not Infinity");
  });

  it("SUM, AVG, MIN and MAX: a scalar over one series (drawn at every period), a series over an array", async () => {
    assert.deepEqual(await points("SUM(calls)"), [0, 1, 2, 3, 4].map((m) => [m, 130]));
    assert.deepEqual(await points("calls - AVG(calls)"), [[0, -16], [1, -16], [2, -6], [3, 14], [4, 24]]);
    assert.deepEqual(await points("MAX(calls) - MIN(calls)"), [0, 1, 2, 3, 4].map((m) => [m, 40]));
    assert.deepEqual(await points("SUM([errors, calls])"), [[0, 11], [1, 10], [2, 23], [3, 44], [4, 50]]);
    assert.deepEqual(await points("AVG(METRICS())"), [[0, 5.5], [1, 10], [2, 11.5], [3, 22], [4, 50]]);
  });

  it("FILL with a value, REPEAT and LINEAR; IF with and without a false branch; comparisons and logic", async () => {
    assert.deepEqual(await points("FILL(errors, 0)"), [[0, 1], [1, 0], [2, 3], [3, 4], [4, 0]]);
    assert.deepEqual(await points("FILL(errors, REPEAT)"), [[0, 1], [1, 1], [2, 3], [3, 4], [4, 4]]);
    assert.deepEqual(await points("FILL(errors, LINEAR)"), [[0, 1], [1, 2], [2, 3], [3, 4], [4, 4]]);
    assert.deepEqual(await points("IF(calls > 15, calls, 0)"), [[0, 0], [1, 0], [2, 20], [3, 40], [4, 50]]);
    assert.deepEqual(await points("IF(calls >= 20 AND calls < 50, 1)"), [[2, 1], [3, 1]]);
    assert.deepEqual(await points("IF(NOT (calls == 10) || calls != 10, calls)"), [[2, 20], [3, 40], [4, 50]]);
  });

  it("METRICS() gives one result per series, and RATE, DIFF, RUNNING_SUM follow the points", async () => {
    const filled = await run('FILL(METRICS("err"), 0)', [stat("errs_total", "Errors", { Label: "Total errors" })]);
    assert.deepEqual(filled.map((r) => [r.label, r.points.length]), [["e Errors", 5], ["e Total errors", 5]]);
    assert.deepEqual(await points("DIFF(calls)"), [[1, 0], [2, 10], [3, 20], [4, 10]]);
    assert.deepEqual(await points("RATE(calls)"), [[1, 0], [2, 10 / 60], [3, 20 / 60], [4, 10 / 60]]);
    assert.deepEqual(await points("RUNNING_SUM(calls)"), [[0, 10], [1, 20], [2, 40], [3, 80], [4, 130]]);
    assert.deepEqual(await points("PERIOD(calls) + 0 * calls"), [0, 1, 2, 3, 4].map((m) => [m, 60]));
  });

  it("refuses bad expressions with a ValidationError naming the expression and what is wrong", async () => {
    await refused("errors +", /Error in expression e: the expression ends too early/);
    await refused("errors ) 2", /Error in expression e: unexpected '\)'/);
    await refused("FOO(errors)", /Error in expression e: unknown function FOO/);
    await refused("nothing * 2", /Error in expression e: there is no query with the Id nothing/);
    await refused("FILL(errors, SOMETIMES)", /FILL's second argument is a number, REPEAT or LINEAR/);
    await refused("[errors] + [calls]", /cannot take two arrays/);
    await refused("errors $ 2", /unexpected character '\$'/);
    await refused(`${"(".repeat(200)}1${")".repeat(200)}`, /nests more than 64 levels/);
    await refused(`1${" + 1".repeat(400)}`, /longer than 1024 characters/);
    await assert.rejects(cw.send(new GetMetricDataCommand({
      StartTime: minute(0), EndTime: minute(5), MetricDataQueries: [{ Id: "a", Expression: "b + 1" }, { Id: "b", Expression: "a * 2" }],
    })), /refer to each other in a cycle/);
  });

  it("the AWS CLI 2.9.19 (Query protocol) evaluates an expression", async () => {
    const queries = [
      { Id: "errors", MetricStat: { Metric: { Namespace: "Math", MetricName: "Errors" }, Period: 60, Stat: "Sum" }, ReturnData: false },
      { Id: "calls", MetricStat: { Metric: { Namespace: "Math", MetricName: "Calls" }, Period: 60, Stat: "Sum" }, ReturnData: false },
      { Id: "rate", Expression: "100 * FILL(errors, 0) / calls", Label: "Error rate" },
    ];
    const out = await aws(suite.unkai.url, ["cloudwatch", "get-metric-data", "--start-time", minute(0).toISOString(), "--end-time", minute(5).toISOString(),
      "--scan-by", "TimestampAscending", "--metric-data-queries", JSON.stringify(queries)]);
    assert.equal(out.code, 0, out.stderr);
    const [result] = (JSON.parse(out.stdout) as { MetricDataResults: { Id: string; Label: string; Values: number[] }[] }).MetricDataResults;
    assert.deepEqual([result?.Id, result?.Label, result?.Values], ["rate", "Error rate", [10, 0, 15, 10, 0]]);
  });
});
