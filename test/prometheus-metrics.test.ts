/**
 * `GET /metrics` (Prometheus text format): absent unless `--metrics`, refused without the exact bearer
 * token, and counting what the server did — requests per service and status, environments, the async
 * queue, invocations and their duration histogram per function.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { loadConfig } from "../src/server/config.js";
import { createFromFixture, invoke, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const TOKEN = "scrape-token-0123456789";

describe("/metrics is off by default", () => {
  const suite = unkaiSuite();

  it("answers no metrics, with or without a token", async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
      const response = await fetch(`${suite.unkai.url}/metrics`, { headers });
      const body = await response.text();
      assert.notEqual(response.status, 200);
      assert.doesNotMatch(body, /unkai_/);
    }
  });

  it("cannot be turned on without a token of at least 16 characters", () => {
    assert.throws(() => loadConfig({ metrics: "true" }, {}), /--metrics needs a bearer token/);
    assert.throws(() => loadConfig({ metrics: "true", metricsToken: "short" }, {}), /at least 16 characters/);
    assert.equal(loadConfig({ metrics: "true", metricsToken: TOKEN }, {}).metrics, true);
  });
});

describe("/metrics with --metrics", () => {
  const suite = unkaiSuite({ UNKAI_METRICS: "true", UNKAI_METRICS_TOKEN: TOKEN });
  const scrape = (authorization?: string) => fetch(`${suite.unkai.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });

  it("refuses a missing, wrong or differently-cased token with 401 and no metrics", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-0123456789", `Bearer ${TOKEN}x`, `bearer ${TOKEN}`, TOKEN, `Basic ${TOKEN}`]) {
      const response = await scrape(authorization);
      assert.equal(response.status, 401, String(authorization));
      assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="unkai-metrics"');
      assert.doesNotMatch(await response.text(), /unkai_/);
    }
  });

  it("a signed GET /metrics is still S3's (a bucket named metrics), not the scrape", async () => {
    const response = await signedFetch(`${suite.unkai.url}/metrics`, { service: "s3" });
    assert.match(await response.text(), /NoSuchBucket/);
  });

  it("counts requests, invocations with a duration histogram, environments and the async queue", async () => {
    await createFromFixture(suite.client, "counted", "node-cjs");
    await invoke(suite.client, "counted", { n: 1 });
    await invoke(suite.client, "counted", { n: 2 });
    await suite.client.send(new InvokeCommand({ FunctionName: "counted", InvocationType: "Event", Payload: Buffer.from("{}") }));
    const page = await waitFor("the async invocation to be counted", async () => {
      const text = await (await scrape(`Bearer ${TOKEN}`)).text();
      return /unkai_invocations_total\{function="counted",status="success"\} 3/.test(text) ? text : undefined;
    });
    const response = await scrape(`Bearer ${TOKEN}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const value = (series: string) => {
      const line = page.split("\n").find((l) => l.startsWith(`${series} `));
      assert.ok(line, `${series} is exposed`);
      return Number(line.slice(series.length + 1));
    };
    assert.equal(value('unkai_http_requests_total{service="lambda",status="201"}'), 1, "CreateFunction");
    assert.equal(value('unkai_http_requests_total{service="lambda",status="200"}'), 2, "the two synchronous invokes");
    assert.equal(value('unkai_http_requests_total{service="lambda",status="202"}'), 1);
    assert.equal(value('unkai_invocation_duration_seconds_count{function="counted"}'), 3);
    assert.equal(value('unkai_invocation_duration_seconds_bucket{function="counted",le="+Inf"}'), 3);
    const buckets = [...page.matchAll(/^unkai_invocation_duration_seconds_bucket\{function="counted",le="[^"]+"\} (\d+)$/gm)].map((m) => Number(m[1]));
    assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b), "cumulative buckets never decrease");
    assert.ok(value('unkai_invocation_duration_seconds_sum{function="counted"}') > 0);
    assert.ok(value('unkai_environments{state="warm"}') >= 1, "the function's environment stays warm");
    assert.equal(value('unkai_environments{state="busy"}'), 0);
    const depth = /^unkai_async_queue_depth\{function="counted"\} (\d+)$/m.exec(page);
    assert.ok(depth === null || depth[1] === "0", "the event ran: nothing of it is queued");
    for (const family of ["unkai_http_requests_total counter", "unkai_environments gauge", "unkai_async_queue_depth gauge", "unkai_invocations_total counter", "unkai_invocation_duration_seconds histogram"]) {
      assert.ok(page.includes(`# TYPE ${family}\n`), family);
    }
    const scrapes = value('unkai_http_requests_total{service="unkai",status="401"}');
    assert.ok(scrapes >= 6, "refused scrapes are counted too");
  });
});
