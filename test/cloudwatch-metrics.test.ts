/**
 * CloudWatch metrics over the three wires: the AWS CLI 2.9.19 and Debian's boto3 (Query/XML), SDK v3
 * (AWS JSON 1.0): PutMetricData in every form, ListMetrics, GetMetricStatistics, GetMetricData, bad input
 * answered with CloudWatch's errors, and hostile input (huge, NaN, a dimension explosion) refused or paged.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import {
  CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricDataCommand, type MetricDatum,
} from "@aws-sdk/client-cloudwatch";
import { aws, signedFetch } from "./helpers/clients.js";
import { runProcess } from "./helpers/process.js";
import { unkaiSuite } from "./helpers/suite.js";

/** A minute boundary a few minutes ago, so every point of a test falls in one known period. */
const minute = (Math.floor(Date.now() / 60_000) - 5) * 60_000;
const at = (seconds: number) => new Date(minute + seconds * 1000);

describe("CloudWatch metrics", () => {
  const suite = unkaiSuite();
  let cw: CloudWatchClient;
  before(() => {
    cw = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
  });
  const stats = (MetricName: string, extra: object = {}) =>
    cw.send(new GetMetricStatisticsCommand({ Namespace: "Shop", MetricName, StartTime: at(0), EndTime: at(60), Period: 60, Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"], ...extra }));
  /** `name` is the SDK's error name, or for a code the model has no shape for (ValidationError), the Query code it restores. */
  const refused = (call: Promise<unknown>, name: string, message: RegExp) =>
    assert.rejects(call, (error: Error & { Code?: string }) => {
      assert.equal(name === "ValidationError" ? error.Code : error.name, name, error.message);
      assert.match(error.message, message);
      return true;
    });

  it("SDK v3: a value, Values with Counts and a statistic set add up in one period; percentiles weigh counts", async () => {
    const data: MetricDatum[] = [
      { MetricName: "Latency", Value: 10, Unit: "Milliseconds", Timestamp: at(1) },
      { MetricName: "Latency", Values: [20, 30], Counts: [3, 1], Unit: "Milliseconds", Timestamp: at(2) },
      { MetricName: "Latency", Value: 99, Dimensions: [{ Name: "Path", Value: "/pay" }], Timestamp: at(3) },
      { MetricName: "Orders", StatisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 }, Timestamp: at(4) },
    ];
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: data }));
    const latency = await stats("Latency", { ExtendedStatistics: ["p50", "p99"], Statistics: ["SampleCount", "Sum", "Minimum", "Maximum"] });
    assert.deepEqual(latency.Datapoints?.map((d) => ({ ...d })), [
      { Timestamp: at(0), SampleCount: 5, Sum: 100, Minimum: 10, Maximum: 30, Unit: "Milliseconds", ExtendedStatistics: { p50: 20, p99: 30 } },
    ]);
    const orders = await stats("Orders", { ExtendedStatistics: ["p90"] });
    assert.deepEqual(orders.Datapoints?.map((d) => [d.SampleCount, d.Sum, d.Average, d.Minimum, d.Maximum, d.ExtendedStatistics]), [[4, 10, 2.5, 1, 4, undefined]], "no percentile from a statistic set");
    const path = await stats("Latency", { Dimensions: [{ Name: "Path", Value: "/pay" }] });
    assert.deepEqual(path.Datapoints?.map((d) => d.Sum), [99], "a dimension set is its own metric");
  });

  it("the AWS CLI (Query) writes and reads the same metrics; ListMetrics filters by dimensions", async () => {
    const put = await aws(suite.unkai.url, ["cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-name", "Carts", "--value", "7", "--dimensions", "Region=eu,Tier=gold", "--timestamp", at(5).toISOString()]);
    assert.equal(put.code, 0, put.stderr);
    const got = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "Shop", "--metric-name", "Carts", "--dimensions", "Name=Tier,Value=gold", "Name=Region,Value=eu",
      "--start-time", at(0).toISOString(), "--end-time", at(60).toISOString(), "--period", "60", "--statistics", "Sum", "--extended-statistics", "p50"]);
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(JSON.parse(got.stdout), { Label: "Carts", Datapoints: [{ Timestamp: at(0).toISOString().replace(".000Z", "+00:00"), Sum: 7, Unit: "None", ExtendedStatistics: { p50: 7 } }] });
    const listed = await aws(suite.unkai.url, ["cloudwatch", "list-metrics", "--namespace", "Shop", "--dimensions", "Name=Tier"]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual((JSON.parse(listed.stdout) as { Metrics: unknown }).Metrics, [{ Namespace: "Shop", MetricName: "Carts", Dimensions: [{ Name: "Region", Value: "eu" }, { Name: "Tier", Value: "gold" }] }]);
    const sdk = await cw.send(new ListMetricsCommand({ Namespace: "Shop", MetricName: "Latency" }));
    assert.deepEqual(sdk.Metrics?.map((m) => JSON.stringify(m.Dimensions)).sort(), ["[]", '[{"Name":"Path","Value":"/pay"}]']);
    const bad = await aws(suite.unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "Shop", "--metric-name", "Carts", "--start-time", at(0).toISOString(), "--end-time", at(60).toISOString(), "--period", "45", "--statistics", "Sum"]);
    assert.match(bad.stderr, /InvalidParameterValue.*Period must be 1, 5, 10, 30, or a multiple of 60/);
  });

  it("GetMetricData answers MetricStat queries newest first, and refuses an expression that names no query", async () => {
    const metric = { Namespace: "Shop", MetricName: "Latency" };
    const out = await cw.send(new GetMetricDataCommand({
      StartTime: at(-120), EndTime: at(60),
      MetricDataQueries: [{ Id: "avg", MetricStat: { Metric: metric, Period: 60, Stat: "Average" } }, { Id: "hidden", MetricStat: { Metric: metric, Period: 60, Stat: "Sum" }, ReturnData: false }, { Id: "p", Label: "tail", MetricStat: { Metric: metric, Period: 60, Stat: "p99" } }],
    }));
    assert.deepEqual(out.MetricDataResults?.map((r) => [r.Id, r.Label, r.Values, r.Timestamps, r.StatusCode]), [["avg", "Latency", [20], [at(0)], "Complete"], ["p", "tail", [30], [at(0)], "Complete"]]);
    await refused(cw.send(new GetMetricDataCommand({ StartTime: at(0), EndTime: at(60), MetricDataQueries: [{ Id: "e1", Expression: "m9 * 2" }] })), "ValidationError", /Error in expression e1: there is no query with the Id m9/);
    await refused(cw.send(new GetMetricDataCommand({ StartTime: at(0), EndTime: at(60), MetricDataQueries: [{ Id: "a", MetricStat: { Metric: metric, Period: 60, Stat: "p101" } }] })), "ValidationError", /is not a valid statistic/);
  });

  it("periods run from StartTime rounded down to its minute, not from the clock's period boundaries (GetMetricStatistics and GetMetricData)", async () => {
    // Points 10 s apart across two minutes; a 60-second period from minute + 32 s rounds its start down to
    // minute, so the first datapoint holds the point at +20 s (before StartTime, inside the rounded minute).
    const Namespace = "Aligned";
    await cw.send(new PutMetricDataCommand({ Namespace, MetricData: [0, 20, 40, 70, 100].map((s) => ({ MetricName: "Hits", Timestamp: at(s), Value: 1 })) }));
    const sums = async (StartTime: Date, Period: number) => ((await cw.send(new GetMetricStatisticsCommand({
      Namespace, MetricName: "Hits", StartTime, EndTime: at(110), Period, Statistics: ["Sum"],
    }))).Datapoints ?? []).sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0)).map((d) => [((d.Timestamp?.getTime() ?? 0) - minute) / 1000, d.Sum]);
    assert.deepEqual(await sums(at(32), 60), [[0, 3], [60, 2]], "start rounded down to the minute");
    // A 120-second period from minute + 60 s: one datapoint at +60 s for everything after it (the clock's
    // 120-second boundaries would put it where the minute happens to fall).
    assert.deepEqual(await sums(at(60), 120), [[60, 2]]);
    assert.deepEqual(await sums(at(0), 300), [[0, 5]]);
    const data = await cw.send(new GetMetricDataCommand({
      StartTime: at(60), EndTime: at(300), ScanBy: "TimestampAscending",
      MetricDataQueries: [{ Id: "n", MetricStat: { Metric: { Namespace, MetricName: "Hits" }, Period: 120, Stat: "SampleCount" } }, { Id: "k", Expression: "n * 0 + 1", Period: 120 }],
    }));
    assert.deepEqual(data.MetricDataResults?.map((r) => [r.Id, r.Timestamps?.map((t) => (t.getTime() - minute) / 1000), r.Values]), [["n", [60], [2]], ["k", [60], [1]]]);
    // A five-second period's start is rounded down to a multiple of five seconds: from +22 s, the point at +20 s counts.
    assert.deepEqual(await sums(at(22), 5), [[20, 1], [40, 1], [70, 1], [100, 1]]);
  });

  it("boto3 (Debian, Query) puts and reads statistics; its errors carry the Query codes", async () => {
    const script = [
      "import json, sys, datetime, boto3, botocore.exceptions",
      `c = boto3.client("cloudwatch", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")`,
      `t = datetime.datetime.fromtimestamp(${minute / 1000} + 6, datetime.timezone.utc)`,
      `c.put_metric_data(Namespace="Py", MetricData=[{"MetricName": "Hits", "Values": [1.0, 2.0], "Counts": [2.0, 2.0], "Timestamp": t}])`,
      `d = c.get_metric_statistics(Namespace="Py", MetricName="Hits", StartTime=t - datetime.timedelta(seconds=6), EndTime=t + datetime.timedelta(seconds=54), Period=60, Statistics=["Sum", "SampleCount"])["Datapoints"]`,
      "errors = []",
      `for call in [lambda: c.put_metric_data(Namespace="AWS/Lambda", MetricData=[{"MetricName": "x", "Value": 1}]), lambda: c.put_metric_data(Namespace="Py", MetricData=[{"MetricName": "x", "Value": 1, "StatisticValues": {"SampleCount": 1, "Sum": 1, "Minimum": 1, "Maximum": 1}}]), lambda: c.get_metric_statistics(Namespace="Py", MetricName="Hits", StartTime=t, EndTime=t, Period=60, Statistics=["Sum"])]:`,
      "    try:",
      "        call()",
      "    except botocore.exceptions.ClientError as e:",
      "        errors.append(e.response['Error']['Code'])",
      "print(json.dumps({'sum': [p['Sum'] for p in d], 'n': [p['SampleCount'] for p in d], 'errors': errors}))",
    ].join("\n");
    const run = await runProcess("/usr/bin/python3", ["-c", script, suite.unkai.url], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp", AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { sum: [6], n: [4], errors: ["InvalidParameterValue", "InvalidParameterCombination", "InvalidParameterValue"] });
  });

  it("bad input gets CloudWatch's errors, with the Query code in x-amzn-query-error", async () => {
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "m" }] })), "InvalidParameterCombinationException", /At least one of the parameters MetricData.member.1.Value and MetricData.member.1.StatisticValues must be specified/);
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "m", Value: 1, Timestamp: new Date(Date.now() - 15 * 86_400_000) }] })), "InvalidParameterValueException", /Timestamp must specify a time within the past two weeks/);
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "m", Values: [1, 2], Counts: [1] }] })), "InvalidParameterValueException", /must be of the same size/);
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "m", Value: 1, StorageResolution: 5 }] })), "InvalidParameterValueException", /StorageResolution/);
    await refused(cw.send(new GetMetricStatisticsCommand({ Namespace: "Shop", MetricName: "m", StartTime: new Date(0), EndTime: new Date(), Period: 60, Statistics: ["Sum"] })), "InvalidParameterCombinationException", /exceeds the limit of 1,440/);
    await refused(cw.send(new GetMetricStatisticsCommand({ Namespace: "Shop", MetricName: "m", StartTime: at(0), EndTime: at(60), Period: 60 })), "InvalidParameterCombinationException", /Statistics or ExtendedStatistics/);
    const raw = await signedFetch(`${suite.unkai.url}/`, { method: "POST", service: "monitoring", headers: { "x-amz-target": "GraniteServiceVersion20100801.PutMetricData", "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify({ MetricData: [] }) });
    assert.equal(raw.status, 400);
    assert.equal(raw.headers.get("x-amzn-query-error"), "MissingParameter;Sender");
    assert.deepEqual(await raw.json(), { __type: "MissingRequiredParameterException", message: "The parameter Namespace is required." });
    const cli = await aws(suite.unkai.url, ["cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-name", "m", "--value", "1", "--unit", "Furlongs"]);
    assert.match(cli.stderr, /InvalidParameterValue/);
  });

  it("hostile input: NaN and Infinity, 1,001 data, 151 values, 31 dimensions are refused; a huge count costs one point", async () => {
    for (const Value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e200]) {
      await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "h", Value }] })), "InvalidParameterValueException", /for parameter MetricData.member.1.Value is invalid/);
    }
    const cliNan = await aws(suite.unkai.url, ["cloudwatch", "put-metric-data", "--namespace", "Shop", "--metric-name", "h", "--value", "nan"]);
    assert.notEqual(cliNan.code, 0);
    assert.doesNotMatch(cliNan.stderr, /InternalFailure|500/);
    const many = Array.from({ length: 1001 }, () => ({ MetricName: "h", Value: 1 }));
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: many })), "InvalidParameterValueException", /must not have a size greater than 1000/);
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "h", Values: Array.from({ length: 151 }, (_, i) => i) }] })), "InvalidParameterValueException", /size greater than 150/);
    const dims = Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: "v" }));
    await refused(cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "h", Value: 1, Dimensions: dims }] })), "InvalidParameterValueException", /Dimensions/);
    await cw.send(new PutMetricDataCommand({ Namespace: "Shop", MetricData: [{ MetricName: "Big", Values: [5], Counts: [1e12], Timestamp: at(7) }] }));
    const big = await stats("Big", { ExtendedStatistics: ["p99"], Statistics: ["SampleCount"] });
    assert.deepEqual(big.Datapoints?.map((d) => [d.SampleCount, d.ExtendedStatistics?.p99]), [[1e12, 5]]);
  });

  it("a gzip bomb is stopped at 2 MiB inflated (413), bad gzip is a SerializationException, never a 500", async () => {
    const target = { "x-amz-target": "GraniteServiceVersion20100801.PutMetricData", "content-type": "application/x-amz-json-1.0", "content-encoding": "gzip" };
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"Namespace":"B","MetricData":[],"x":"'), Buffer.alloc(64 * 1024 * 1024, 0x61), Buffer.from('"}')]));
    const big = await signedFetch(`${suite.unkai.url}/`, { method: "POST", service: "monitoring", headers: target, body: bomb });
    assert.equal(big.status, 413);
    const junk = await signedFetch(`${suite.unkai.url}/`, { method: "POST", service: "monitoring", headers: target, body: Buffer.from("not gzip") });
    assert.equal(junk.status, 400);
    assert.equal(((await junk.json()) as { __type: string }).__type, "SerializationException");
  });

  it("a dimension explosion is paged: 1,200 dimension sets list 500 at a time, filters stay bounded", async () => {
    for (let batch = 0; batch < 2; batch++) {
      const MetricData = Array.from({ length: 600 }, (_, i) => ({ MetricName: "Boom", Value: 1, Dimensions: [{ Name: "User", Value: `u${batch * 600 + i}` }] }));
      await cw.send(new PutMetricDataCommand({ Namespace: "Explode", MetricData }));
    }
    const seen = new Set<string>();
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await cw.send(new ListMetricsCommand({ Namespace: "Explode", NextToken }));
      assert.ok((page.Metrics?.length ?? 0) <= 500);
      for (const m of page.Metrics ?? []) seen.add(m.Dimensions?.[0]?.Value ?? "");
      NextToken = page.NextToken;
      pages++;
    } while (NextToken !== undefined && pages < 10);
    assert.equal(seen.size, 1200);
    assert.equal(pages, 3);
    const one = await cw.send(new ListMetricsCommand({ Namespace: "Explode", Dimensions: [{ Name: "User", Value: "u1199" }] }));
    assert.equal(one.Metrics?.length, 1);
    await refused(cw.send(new ListMetricsCommand({ NextToken: "garbage" })), "InvalidParameterValueException", /NextToken/);
  });

  it("a dimension named __proto__ is a dimension", async () => {
    const Dimensions = [{ Name: "__proto__", Value: "a" }, { Name: "constructor", Value: "b" }];
    await cw.send(new PutMetricDataCommand({ Namespace: "Inherited", MetricData: [{ MetricName: "M", Value: 7, Dimensions, Timestamp: at(1) }] }));
    assert.deepEqual((await cw.send(new ListMetricsCommand({ Namespace: "Inherited" }))).Metrics, [{ Namespace: "Inherited", MetricName: "M", Dimensions }]);
    const got = await cw.send(new GetMetricStatisticsCommand({ Namespace: "Inherited", MetricName: "M", Dimensions, StartTime: at(0), EndTime: at(60), Period: 60, Statistics: ["Sum"] }));
    assert.deepEqual(got.Datapoints?.map((d) => d.Sum), [7]);
    const withoutProto = await cw.send(new GetMetricStatisticsCommand({ Namespace: "Inherited", MetricName: "M", Dimensions: Dimensions.slice(1), StartTime: at(0), EndTime: at(60), Period: 60, Statistics: ["Sum"] }));
    assert.deepEqual(withoutProto.Datapoints, [], "another dimension set is another metric");
  });
});
