/**
 * AWS/Lambda metrics: Invocations, Errors, Duration (with percentiles), Throttles, ConcurrentExecutions and UnreservedConcurrentExecutions
 * per function, per alias (Resource), per alias and the version it ran (ExecutedVersion) and in total equal the invocations made; the minutes still in
 * memory are written at shutdown and read back after a restart. ConcurrentExecutions' Maximum is how
 * many ran at once in total, per function and per alias (held together by a barrier, not by timing).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand, type Dimension } from "@aws-sdk/client-cloudwatch";
import { CreateAliasCommand, PublishVersionCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, invoke, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

/**
 * Where the recorder fixture reports: a "start" report is answered only once `size` have arrived, so
 * that many invocations are certainly running together before any of them can end.
 */
function barrier(size: number) {
  const waiting: ServerResponse[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      if ((JSON.parse(body) as { phase: string }).phase !== "start") return void res.end("ok");
      waiting.push(res);
      if (waiting.length >= size) for (const held of waiting.splice(0)) held.end("ok");
    });
  });
  const listening = new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = async () => {
    await listening;
    return (server.address() as AddressInfo).port;
  };
  return {
    env: async () => ({ UNKAI_SANDBOX_HOST_PORTS: String(await port()) }),
    url: async () => `http://127.0.0.1:${await port()}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const cloudwatch = (url: string) => new CloudWatchClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });

describe("AWS/Lambda metrics", () => {
  let unkai: TestUnkai | undefined;
  // Our own directory: the helper deletes the ones it makes when their server stops, and this one outlives a restart.
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-cw-lambda-"));
  const together = barrier(3);
  after(async () => {
    await unkai?.stop();
    await together.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("count every invocation per function, alias and in total, and survive a restart", async () => {
    unkai = await startUnkai(await together.env(), dataDir);
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
    // Through the alias, also per version it ran (ExecutedVersion); an unqualified call has none.
    const executed = [...fn, { Name: "Resource", Value: "pay:live" }, { Name: "ExecutedVersion", Value: Version! }];
    assert.equal((await stat("Invocations", executed))?.Sum, 3);
    assert.equal((await stat("Errors", executed))?.SampleCount, 3);
    assert.equal((await stat("Duration", executed))?.SampleCount, 3);
    assert.equal(await stat("ConcurrentExecutions", executed), undefined, "no per-version concurrency is kept");
    const byVersion = await aws(unkai.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", "Invocations",
      "--dimensions", "Name=FunctionName,Value=pay", "Name=Resource,Value=pay:live", `Name=ExecutedVersion,Value=${Version!}`,
      "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "7200", "--statistics", "Sum"]);
    assert.equal(byVersion.code, 0, byVersion.stderr);
    assert.deepEqual((JSON.parse(byVersion.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.map((d) => d.Sum), [3]);
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
    const perFunction = await stat("ConcurrentExecutions", fn, { Statistics: ["Maximum", "SampleCount"] });
    assert.deepEqual([perFunction?.Maximum, perFunction?.SampleCount], [1, 8]);
    const perAlias = await stat("ConcurrentExecutions", [...fn, { Name: "Resource", Value: "pay:live" }], { Statistics: ["Maximum", "SampleCount"] });
    assert.deepEqual([perAlias?.Maximum, perAlias?.SampleCount], [1, 3]);
    const listed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "Invocations" }));
    assert.equal(listed.Metrics?.length, 5, "total, per function (pay, held), per alias, per alias and executed version");
    const unreservedListed = await cw.send(new ListMetricsCommand({ Namespace: "AWS/Lambda", MetricName: "UnreservedConcurrentExecutions" }));
    assert.equal(unreservedListed.Metrics?.length, 1, "in total only");

    // Two more after the reads (still in memory), then a throttle: no reserved concurrency left.
    for (let i = 0; i < 2; i++) await invoke(client, "pay", { order: i });
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "pay", ReservedConcurrentExecutions: 0 }));
    await assert.rejects(invoke(client, "pay", {}), { name: "TooManyRequestsException" });
    // Written at shutdown, read after a restart (no flush interval passed).
    assert.equal(await unkai.stop(), 0);
    unkai = await startUnkai(await together.env(), dataDir);
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
  it("reports ConcurrentExecutions' Maximum per function and per alias, read with the CLI", async () => {
    assert.ok(unkai);
    const client = lambda(unkai.url);
    const env = { Variables: { COLLECTOR_URL: await together.url() } };
    await createFromFixture(client, "wide", "recorder", { Timeout: 120, Environment: env });
    const { Version } = await client.send(new PublishVersionCommand({ FunctionName: "wide" }));
    await client.send(new CreateAliasCommand({ FunctionName: "wide", Name: "blue", FunctionVersion: Version }));
    const start = new Date(Date.now() - 120_000);
    // Two through the alias and one unqualified, all three running until the barrier lets them go.
    const ran = await Promise.all([invoke(client, "wide:blue", {}), invoke(client, "wide:blue", {}), invoke(client, "wide", {})]);
    assert.deepEqual(ran.map((r) => [r.status, r.functionError]), [[200, undefined], [200, undefined], [200, undefined]]);
    const maximum = async (dimensions: string[]) => {
      const cli = await aws(unkai!.url, ["cloudwatch", "get-metric-statistics", "--namespace", "AWS/Lambda", "--metric-name", "ConcurrentExecutions", ...(dimensions.length ? ["--dimensions", ...dimensions] : []),
        "--start-time", start.toISOString(), "--end-time", new Date(Date.now() + 60_000).toISOString(), "--period", "3600", "--statistics", "Maximum", "SampleCount"]);
      assert.equal(cli.code, 0, cli.stderr);
      const points = (JSON.parse(cli.stdout) as { Datapoints: { Maximum: number; SampleCount: number }[] }).Datapoints;
      // A period may straddle an hour boundary: the highest of its points, and every sample.
      return [Math.max(...points.map((p) => p.Maximum)), points.reduce((n, p) => n + p.SampleCount, 0)];
    };
    assert.deepEqual(await maximum(["Name=FunctionName,Value=wide"]), [3, 3]);
    assert.deepEqual(await maximum(["Name=FunctionName,Value=wide", "Name=Resource,Value=wide:blue"]), [2, 2]);
    assert.equal((await maximum([]))[0], 3, "in total too");
    client.destroy();
  });
});
