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
import { openSqliteStore } from "../src/store/sqlite/index.js";
import type { MetricDatum } from "../src/store/ports.js";
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
    const t = Date.now();
    const send = (messages: string[], at: number) =>
      logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: "s", logEvents: messages.map((message, i) => ({ timestamp: at + i, message })) }));
    await send(["INFO fine", "ERROR payment-failed", '{"level":"ERROR","latency":900}', '{"level":"INFO","latency":5}', "ERRORS are not ERROR-free"], t);
    await send(['127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /a HTTP/1.0" 404 2048', "nothing here"], t + 100);
    const errors = await points("App", "Errors");
    assert.deepEqual(errors.map((p) => [p.timestamp - t, p.value, p.unit]), [[1, 1, "Count"], [2, 1, "Count"], [4, 1, "Count"], [101, 0, "Count"]],
      "one point per matching event; the batch with no match reports defaultValue once");
    assert.deepEqual((await points("App", "Latency")).map((p) => [p.value, p.unit]), [[900, "Milliseconds"]]);
    assert.deepEqual((await points("App", "Bytes")).map((p) => [p.value, p.dimensions]), [[2048, { Status: "404" }]]);
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
    assert.equal((await points("Fn", "Reports")).length, 2, "the invocation before the filter existed is not counted");
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
