/**
 * Metric filters: PutMetricFilter / DescribeMetricFilters / DeleteMetricFilter checked as CloudWatch checks
 * them, and data points written at ingestion, from PutLogEvents and from a function's own output.
 * The points are read back from the store's metric data port (the CloudWatch service will serve them).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteMetricFilterCommand, DescribeMetricFiltersCommand,
  PutLogEventsCommand, PutMetricFilterCommand, type MetricTransformation,
} from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import type { MetricDatum, MetricFilter } from "../src/store/ports.js";
import { metricPoints } from "../src/services/logs/metric-ingestion.js";
import { compiledPattern } from "../src/services/logs/pattern-cache.js";
import { aws, createFromFixture, invoke } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

const GROUP = "/app/payments";

describe("metric filters", () => {
  const suite = unkaiSuite();
  let logs: CloudWatchLogsClient;

  before(async () => {
    logs = new CloudWatchLogsClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "s" }));
  });

  const points = async (namespace: string, metricName: string): Promise<MetricDatum[]> => {
    const store = openSqliteStore(join(suite.unkai.dataDir, "unkai.db"), () => undefined);
    try {
      return await store.metricData.query(namespace, metricName, 0, Number.MAX_SAFE_INTEGER);
    } finally {
      await store.close();
    }
  };
  const put = (filterName: string, filterPattern: string, t: Partial<MetricTransformation>) =>
    logs.send(new PutMetricFilterCommand({ logGroupName: GROUP, filterName, filterPattern, metricTransformations: [{ metricName: filterName, metricNamespace: "App", metricValue: "1", ...t }] }));
  const rejected = async (call: Promise<unknown>, pattern: RegExp) =>
    assert.rejects(call, (error: Error) => {
      assert.equal(error.name, "InvalidParameterException");
      assert.match(error.message, pattern);
      return true;
    });

  it("refuses what CloudWatch refuses: bad patterns, values and dimensions the pattern cannot extract, a missing group", async () => {
    await rejected(put("bad", "{ $.a = ", {}), /^Invalid filter pattern/);
    await rejected(put("bad", "ERROR", { metricValue: "$.latency" }), /Invalid metric value/);
    await rejected(put("bad", "[a, b]", { metricValue: "$c" }), /Invalid metric value/);
    await rejected(put("bad", "ERROR", { metricValue: "one" }), /Invalid metric value/);
    await rejected(put("bad", "ERROR", { dimensions: { Code: "$code" } }), /does not support dimensions/);
    await rejected(put("bad", "[a, code]", { dimensions: { Code: "$code" }, defaultValue: 0 }), /default value/);
    await rejected(put("bad", "[a, code]", { dimensions: { A: "$a", B: "$code", C: "$a", D: "$code" } }), /at most 3/);
    await rejected(put("bad", "ERROR", { unit: "Furlongs" as "Count" }), /unit/);
    await assert.rejects(logs.send(new PutMetricFilterCommand({ logGroupName: "/nope", filterName: "x", filterPattern: "", metricTransformations: [{ metricName: "m", metricNamespace: "n", metricValue: "1" }] })), { name: "ResourceNotFoundException" });
    const cli = await aws(suite.unkai.url, ["logs", "describe-metric-filters", "--filter-name-prefix", "x"]);
    assert.match(cli.stderr, /InvalidParameterException/);
  });

  it("each matching event yields a point at ingestion: constants, JSON and delimited values, dimensions, units, defaultValue", async () => {
    await put("Errors", "ERROR", { defaultValue: 0, unit: "Count" });
    await put("Latency", '{ $.level = "ERROR" && $.latency > 0 }', { metricValue: "$.latency", unit: "Milliseconds" });
    await put("Bytes", "[ip, user, username, timestamp, request, status, bytes]", { metricValue: "$bytes", dimensions: { Status: "$status" }, unit: "Bytes" });
    // At the start of a second: the points of one metric, second and value are stored as one statistic set.
    const t = Math.floor(Date.now() / 1000) * 1000 - 5_000;
    const send = (messages: string[], at: number) =>
      logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: "s", logEvents: messages.map((message, i) => ({ timestamp: at + i, message })) }));
    await send(["INFO fine", "ERROR payment-failed", '{"level":"ERROR","latency":900}', '{"level":"INFO","latency":5}', "ERRORS are not ERROR-free"], t);
    await send(['127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 2048', "nothing here"], t + 100);
    const errors = await points("App", "Errors");
    assert.deepEqual(errors.map((p) => [p.timestamp - t, p.value, p.unit, p.statistics?.sampleCount ?? 1]), [[0, 1, "Count", 3], [0, 0, "Count", 1]],
      "one sample per matching event (three in one second: one set); the batch with no match reports defaultValue once");
    assert.deepEqual((await points("App", "Latency")).map((p) => [p.value, p.unit]), [[900, "Milliseconds"]]);
    assert.deepEqual((await points("App", "Bytes")).map((p) => [p.value, p.dimensions]), [[2048, { Status: "404" }]]);
  });

  it("a dimension named __proto__ is a dimension of the point", () => {
    const dimensions = JSON.parse('{"__proto__": "$code", "constructor": "$code"}') as Record<string, string>;
    const filter: MetricFilter = { logGroupName: GROUP, filterName: "f", filterPattern: "[code]", creationTime: 0, metricTransformations: [{ metricName: "M", metricNamespace: "App", metricValue: "1", dimensions }] };
    const [point] = metricPoints(filter, compiledPattern(filter.filterPattern), [{ timestamp: 1, message: "500" }]);
    assert.deepEqual(Object.entries(point?.dimensions ?? {}), [["__proto__", "500"], ["constructor", "500"]]);
  });

  it("points merged per second answer GetMetricStatistics and GetMetricData exactly as the single values would", async () => {
    const cw = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/merge" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/merge", logStreamName: "s" }));
    await logs.send(new PutMetricFilterCommand({
      logGroupName: "/merge", filterName: "Took", filterPattern: "[word, ms]", metricTransformations: [{ metricName: "Took", metricNamespace: "App", metricValue: "$ms", unit: "Milliseconds" }],
    }));
    // The start of a minute: the two seconds below share one 60-second period (periods are aligned to the clock,
    // so a t in a minute's last second put the second second in the next period's datapoint).
    const t = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
    // Two seconds of values, repeated and not (1.5 is not a whole number: stored on its own), sent by concurrent requests.
    const values = [[100, 100, 200, 300, 300, 300, 1.5, 7], [300, 300, 300, 300, 5]];
    await Promise.all(values.flatMap((second, s) => [0, 1, 2].map((r) => logs.send(new PutLogEventsCommand({
      logGroupName: "/merge", logStreamName: "s",
      logEvents: second.map((ms, i) => ({ timestamp: t + s * 1000 + r * 100 + i, message: `took ${ms}` })),
    })))));
    const all = values.flat().flatMap((v) => [v, v, v]);
    const stored = await points("App", "Took");
    // At most one point per request, second and whole value (fewer when requests share a turn of the event loop).
    assert.ok(stored.length <= 21, `${stored.length} points stored for ${all.length} samples`);
    const sorted = [...all].sort((a, b) => a - b);
    const rank = (q: number) => sorted[Math.ceil(q * sorted.length) - 1];
    const stats = await cw.send(new GetMetricStatisticsCommand({
      Namespace: "App", MetricName: "Took", StartTime: new Date(t + 500), EndTime: new Date(t + 2_000), Period: 60,
      Statistics: ["SampleCount", "Sum", "Minimum", "Maximum", "Average"], ExtendedStatistics: ["p50", "p90", "p99"],
    }));
    const [point] = stats.Datapoints ?? [];
    const sum = all.reduce((a, b) => a + b, 0);
    assert.deepEqual([point?.SampleCount, point?.Sum, point?.Minimum, point?.Maximum, point?.Average], [all.length, sum, 1.5, 300, sum / all.length],
      "a StartTime within a second reads that whole second, as CloudWatch rounds it down");
    assert.deepEqual(point?.ExtendedStatistics, { p50: rank(0.5), p90: rank(0.9), p99: rank(0.99) });
    const data = await cw.send(new GetMetricDataCommand({
      StartTime: new Date(t), EndTime: new Date(t + 2_000),
      MetricDataQueries: [{ Id: "n", MetricStat: { Metric: { Namespace: "App", MetricName: "Took" }, Period: 1, Stat: "SampleCount" } },
        { Id: "p", MetricStat: { Metric: { Namespace: "App", MetricName: "Took" }, Period: 1, Stat: "p50" } }],
    }));
    const series = (id: string) => data.MetricDataResults?.find((r) => r.Id === id)?.Values;
    assert.deepEqual(series("n"), [15, 24], "per second, newest first");
    assert.deepEqual(series("p"), [300, 100]);
  });

  it("DescribeMetricFilters answers AWS's shape with its filters and pages; DeleteMetricFilter removes one (SDK, CLI, boto3)", async () => {
    const all = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: GROUP }));
    assert.deepEqual(all.metricFilters?.map((f) => f.filterName), ["Bytes", "Errors", "Latency"]);
    const bytes = all.metricFilters?.[0];
    assert.equal(bytes?.logGroupName, GROUP);
    assert.equal(bytes?.filterPattern, "[ip, user, username, timestamp, request, status, bytes]");
    assert.deepEqual(bytes?.metricTransformations, [{ metricName: "Bytes", metricNamespace: "App", metricValue: "$bytes", dimensions: { Status: "$status" }, unit: "Bytes" }]);
    assert.ok(typeof bytes?.creationTime === "number" && bytes.creationTime > 0);
    const page = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: GROUP, limit: 2 }));
    assert.equal(page.metricFilters?.length, 2);
    const rest = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: GROUP, limit: 2, nextToken: page.nextToken }));
    assert.deepEqual(rest.metricFilters?.map((f) => f.filterName), ["Latency"]);
    assert.equal(rest.nextToken, undefined);
    const byMetric = await aws(suite.unkai.url, ["logs", "describe-metric-filters", "--metric-name", "Errors", "--metric-namespace", "App"]);
    assert.equal(byMetric.code, 0, byMetric.stderr);
    assert.deepEqual((JSON.parse(byMetric.stdout) as { metricFilters: { filterName: string }[] }).metricFilters.map((f) => f.filterName), ["Errors"]);
    await logs.send(new DeleteMetricFilterCommand({ logGroupName: GROUP, filterName: "Latency" }));
    await assert.rejects(logs.send(new DeleteMetricFilterCommand({ logGroupName: GROUP, filterName: "Latency" })), { name: "ResourceNotFoundException" });
    const script = [
      "import json, sys, boto3",
      `c = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      `c.put_metric_filter(logGroupName="${GROUP}", filterName="Warn", filterPattern="?WARN ?WARNING", metricTransformations=[{"metricName": "Warn", "metricNamespace": "App", "metricValue": "1"}])`,
      `print(json.dumps([f["filterName"] for f in c.describe_metric_filters(logGroupName="${GROUP}", filterNamePrefix="W")["metricFilters"]]))`,
    ].join("\n");
    const run = await runProcess("/usr/bin/python3", ["-c", script, suite.unkai.url], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), ["Warn"]);
  });

  it("a function's own log lines feed its group's metric filters, from the moment the filter exists", async () => {
    await createFromFixture(suite.client, "healthy", "node-cjs");
    await invoke(suite.client, "healthy");
    await logs.send(new PutMetricFilterCommand({
      logGroupName: "/aws/lambda/healthy", filterName: "Reports", filterPattern: '"REPORT RequestId"',
      metricTransformations: [{ metricName: "Reports", metricNamespace: "Fn", metricValue: "1" }],
    }));
    await invoke(suite.client, "healthy");
    await invoke(suite.client, "healthy");
    const samples = (await points("Fn", "Reports")).reduce((n, p) => n + (p.statistics?.sampleCount ?? 1), 0);
    assert.equal(samples, 2, "the invocation before the filter existed is not counted");
  });

  it("a log group holds at most 100 metric filters (LimitExceededException); replacing one is not adding", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/full" }));
    const putNamed = (filterName: string) =>
      logs.send(new PutMetricFilterCommand({ logGroupName: "/full", filterName, filterPattern: "x", metricTransformations: [{ metricName: "m", metricNamespace: "n", metricValue: "1" }] }));
    for (let i = 0; i < 100; i++) await putNamed(`f${i}`);
    await assert.rejects(putNamed("f100"), (error: Error) => error.name === "LimitExceededException" && /Resource limit exceeded/.test(error.message));
    await putNamed("f7");
  });

  it("DeleteLogGroup removes the group's metric filters", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/gone" }));
    await logs.send(new PutMetricFilterCommand({ logGroupName: "/gone", filterName: "f", filterPattern: "", metricTransformations: [{ metricName: "m", metricNamespace: "n", metricValue: "1" }] }));
    await logs.send(new DeleteLogGroupCommand({ logGroupName: "/gone" }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/gone" }));
    assert.deepEqual((await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/gone" }))).metricFilters, []);
  });
});
