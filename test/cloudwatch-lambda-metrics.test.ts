/**
 * AWS/Lambda metrics: Invocations, Errors, Duration (with percentiles), Throttles, ConcurrentExecutions and UnreservedConcurrentExecutions
 * per function, per alias (Resource) and in total equal the invocations made; the minutes still in
 * memory are written at shutdown and read back after a restart.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, type Dimension } from "@aws-sdk/client-cloudwatch";
import { CreateAliasCommand, PublishVersionCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, invoke, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const cloudwatch = (url: string) => new CloudWatchClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });

describe("AWS/Lambda metrics", () => {
  let unkai: TestUnkai | undefined;
  // Our own directory: the helper deletes the ones it makes when their server stops, and this one outlives a restart.
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-cw-lambda-"));
  after(async () => {
    await unkai?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("count every invocation per function, alias and in total, and survive a restart", async () => {
    unkai = await startUnkai({}, dataDir);
    const start = new Date(Date.now() - 3_600_000);
    const client = lambda(unkai.url);
    await createFromFixture(client, "pay", "fatal-logger");
    const { Version } = await client.send(new PublishVersionCommand({ FunctionName: "pay" }));
    await client.send(new CreateAliasCommand({ FunctionName: "pay", Name: "live", FunctionVersion: Version }));
    for (let i = 0; i < 4; i++) await invoke(client, "pay", { order: i });
    await invoke(client, "pay", { fail: true });
    for (let i = 0; i < 3; i++) await invoke(client, "pay:live", { order: i });
    // A function with reserved concurrency counts in ConcurrentExecutions, not in UnreservedConcurrentExecutions.
    await createFromFixture(client, "held", "fatal-logger");
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "held", ReservedConcurrentExecutions: 2 }));
    await invoke(client, "held", { order: 0 });
    const cw = cloudwatch(unkai.url);
    const stat = async (MetricName: string, Dimensions: Dimension[], extra: object = {}) => {
      const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName, Dimensions, StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Sum", "SampleCount", "Maximum"], ...extra }));
      return out.Datapoints?.[0];
    };
    const fn = [{ Name: "FunctionName", Value: "pay" }];
    assert.equal((await stat("Invocations", fn))?.Sum, 8);
    assert.equal((await stat("Errors", fn))?.Sum, 1);
    assert.equal((await stat("Invocations", [...fn, { Name: "Resource", Value: "pay:live" }]))?.Sum, 3);
    assert.equal((await stat("Invocations", []))?.Sum, 9);
    const duration = await stat("Duration", fn, { ExtendedStatistics: ["p50", "p99"] });
    assert.equal(duration?.SampleCount, 8);
    assert.ok((duration?.ExtendedStatistics?.p99 ?? 0) > 0 && (duration?.ExtendedStatistics?.p99 ?? 0) <= (duration?.Maximum ?? 0) * 1.005, JSON.stringify(duration));
    const concurrent = async (name: string) => {
      const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: name, StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Minimum", "Maximum", "SampleCount"] }));
      return out.Datapoints?.[0];
    };
    const all = await concurrent("ConcurrentExecutions");
    assert.deepEqual([all?.Minimum, all?.Maximum, all?.SampleCount], [1, 1, 9], "one at a time, each counting itself");
    const unreserved = await concurrent("UnreservedConcurrentExecutions");
    assert.deepEqual([unreserved?.Minimum, unreserved?.Maximum, unreserved?.SampleCount], [0, 1, 9], "held's invocation ran with no unreserved one");
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "Invocations" }));
    assert.equal(listed.Metrics?.length, 4, "total, per function (pay, held), per alias");

    // Two more after the reads (still in memory), then a throttle: no reserved concurrency left.
    for (let i = 0; i < 2; i++) await invoke(client, "pay", { order: i });
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "pay", ReservedConcurrentExecutions: 0 }));
    await assert.rejects(invoke(client, "pay", {}), { name: "TooManyRequestsException" });
    // Written at shutdown, read after a restart (no flush interval passed).
    assert.equal(await unkai.stop(), 0);
    unkai = await startUnkai({}, dataDir);
    const again = cloudwatch(unkai.url);
    const invocations = await again.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: fn, StartTime: start, EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Sum"] }));
    assert.deepEqual(invocations.Datapoints?.map((d) => d.Sum), [10]);
    const cli = await aws(unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", "Throttles", "--dimensions", "Name=FunctionName,Value=pay",
      "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "7200", "--statistics", "Sum"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.map((d) => d.Sum), [1]);
    client.destroy();
    cw.destroy();
    again.destroy();
  });
});
