/** The console's endpoints: static files at /console/, per-function metrics, the hourly summary, saved test events. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke } from "./helpers/clients.js";
import { unkaiFetch } from "./helpers/unkai-fetch.js";
import { unkaiSuite } from "./helpers/suite.js";

interface Bucket { start: number; invocations: number; errors: number; throttles: number; coldStarts: number; durationP50Ms?: number; durationP99Ms?: number; concurrentExecutions: number }

describe("console endpoints", () => {
  const suite = unkaiSuite();
  const get = (path: string, query?: Record<string, string>) => unkaiFetch(suite.unkai.url, path, { query });
  const errorOf = async (response: Response) => ({ status: response.status, type: response.headers.get("x-amzn-errortype"), body: (await response.json()) as { message?: string; Message?: string } });

  it("serves the console without authentication and sends / there", async () => {
    const root = await fetch(`${suite.unkai.url}/`, { redirect: "manual" });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get("location"), "/console/");
    const page = await fetch(`${suite.unkai.url}/console/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    const html = await page.text();
    assert.match(html, /<script type="module" src="\/console\/app.js">/);
    assert.match(html, /<meta name="unkai-region" content="us-east-1">/, "the page carries Unkai's region for the Credentials dialog");
    const app = await fetch(`${suite.unkai.url}/console/app.js`);
    assert.equal(app.status, 200);
    assert.match(app.headers.get("content-type") ?? "", /javascript/);
    assert.ok((await app.arrayBuffer()).byteLength > 10_000, "the bundle holds the SDK and CodeMirror");
    const etag = app.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(`${suite.unkai.url}/console/app.js`, { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304);
    assert.equal((await fetch(`${suite.unkai.url}/console/..%2Fpackage.json`)).status, 404);
    assert.equal((await fetch(`${suite.unkai.url}/console/nothing.js`)).status, 404);
    const signed = await unkaiFetch(suite.unkai.url, "/");
    assert.notEqual(signed.status, 302, "a signed GET / is an API call (S3's ListBuckets), not a browser");
  });

  it("aggregates invocation records into metrics buckets and an hourly summary", async () => {
    await createFromFixture(suite.client, "metered", "node-esm");
    await createFromFixture(suite.client, "failing", "throws");
    for (let i = 0; i < 3; i++) assert.equal((await invoke(suite.client, "metered", { i })).status, 200);
    assert.ok((await invoke(suite.client, "failing", {})).functionError);

    const response = await get("/_unkai/functions/metered/metrics", { period: "60" });
    assert.equal(response.status, 200);
    const metrics = (await response.json()) as { buckets: Bucket[]; periodSeconds: number; totals: { invocations: number; coldStarts: number; averageBilledDurationMs: number } };
    assert.equal(metrics.periodSeconds, 60);
    assert.ok(metrics.buckets.length >= 60 && metrics.buckets.length <= 61, `an hour of minutes, got ${metrics.buckets.length}`);
    assert.equal(metrics.buckets.reduce((n, b) => n + b.invocations, 0), 3);
    assert.equal(metrics.buckets.reduce((n, b) => n + b.coldStarts, 0), 1, "one cold start, then warm");
    const busy = metrics.buckets.filter((b) => b.invocations > 0);
    assert.ok(busy.every((b) => typeof b.durationP50Ms === "number" && typeof b.durationP99Ms === "number" && b.concurrentExecutions >= 1));
    assert.equal(metrics.totals.invocations, 3);
    assert.ok(metrics.totals.averageBilledDurationMs >= 1);

    const summary = (await (await get("/_unkai/metrics/summary")).json()) as { functions: { functionName: string; invocations: number; errors: number }[] };
    const byName = new Map(summary.functions.map((f) => [f.functionName, f]));
    assert.deepEqual(byName.get("metered"), { functionName: "metered", invocations: 3, errors: 0 });
    assert.deepEqual(byName.get("failing"), { functionName: "failing", invocations: 1, errors: 1 });
  });

  it("reports the peak of overlapping invocations as concurrent executions", async () => {
    await createFromFixture(suite.client, "overlapping", "slow", { Runtime: "nodejs20.x", Timeout: 10 });
    const results = await Promise.all([0, 1, 2].map(() => invoke(suite.client, "overlapping", { ms: 1500 }, false)));
    assert.ok(results.every((r) => r.status === 200));
    const metrics = (await (await get("/_unkai/functions/overlapping/metrics", { period: "3600" })).json()) as { buckets: Bucket[] };
    const peak = Math.max(...metrics.buckets.map((b) => b.concurrentExecutions));
    assert.equal(peak, 3, "three 1.5 s invocations sent at once overlap");
    const busy = metrics.buckets.find((b) => b.invocations > 0);
    assert.ok((busy?.durationP99Ms ?? 0) >= 1500 && (busy?.durationP50Ms ?? 0) >= 1500);
  });

  it("counts throttled requests as throttles, not invocations", async () => {
    await createFromFixture(suite.client, "throttled", "node-esm");
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "throttled", ReservedConcurrentExecutions: 0 }));
    await assert.rejects(invoke(suite.client, "throttled", {}), { name: "TooManyRequestsException" });
    const metrics = (await (await get("/_unkai/functions/throttled/metrics")).json()) as { buckets: Bucket[]; totals: { invocations: number; throttles: number } };
    assert.deepEqual([metrics.totals.invocations, metrics.totals.throttles], [0, 1]);
    assert.equal(metrics.buckets.reduce((n, b) => n + b.throttles, 0), 1);
  });

  it("rejects bad metrics parameters with Lambda's error types", async () => {
    const badPeriod = await errorOf(await get("/_unkai/functions/metered/metrics", { period: "0" }));
    assert.equal(badPeriod.status, 400);
    assert.equal(badPeriod.type, "InvalidParameterValueException");
    assert.match(badPeriod.body.message ?? "", /period must be a whole number/);
    const tooMany = await errorOf(await get("/_unkai/functions/metered/metrics", { period: "1", since: String(Date.now() - 86_400_000) }));
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.message ?? "", /more than 1440 buckets/);
    const badSince = await errorOf(await get("/_unkai/functions/metered/metrics", { since: "yesterday-ish" }));
    assert.equal(badSince.status, 400);
    assert.match(badSince.body.message ?? "", /since must be a time within the last 14 days/);
    const missing = await errorOf(await get("/_unkai/functions/ghost/metrics"));
    assert.equal(missing.status, 404);
    assert.equal(missing.type, "ResourceNotFoundException");
  });

  it("saves, lists, replaces and deletes test events, validating names, JSON and sizes", async () => {
    const base = "/_unkai/functions/metered/test-events";
    const put = (name: string, body: string) => unkaiFetch(suite.unkai.url, `${base}/${encodeURIComponent(name)}`, { method: "PUT", body });
    assert.equal((await put("S3Put", JSON.stringify({ Records: [{ eventSource: "aws:s3" }] }))).status, 200);
    assert.equal((await put("S3Put", JSON.stringify({ Records: [{ eventSource: "aws:s3", replaced: true }] }))).status, 200);
    assert.equal((await put("plain.v2", "[1, 2, 3]")).status, 200);
    const listed = (await (await get(base)).json()) as { testEvents: { name: string; event: unknown; updatedAt: string }[] };
    assert.deepEqual(listed.testEvents.map((e) => e.name), ["S3Put", "plain.v2"]);
    assert.deepEqual(listed.testEvents[0]?.event, { Records: [{ eventSource: "aws:s3", replaced: true }] });
    assert.ok(!Number.isNaN(Date.parse(listed.testEvents[0]?.updatedAt ?? "")));

    const badName = await errorOf(await put("has space", "{}"));
    assert.equal(badName.status, 400);
    assert.equal(badName.type, "InvalidParameterValueException");
    assert.match(badName.body.message ?? "", /1 to 25 letters/);
    assert.equal((await errorOf(await put("x".repeat(26), "{}"))).status, 400);
    const badJson = await errorOf(await put("broken", "{\"a\": "));
    assert.equal(badJson.status, 400);
    assert.match(badJson.body.message ?? "", /not valid JSON/);
    const huge = await errorOf(await put("huge", JSON.stringify({ data: "x".repeat(300 * 1024) })));
    assert.equal(huge.status, 400);
    assert.match(huge.body.message ?? "", /at most 262144 bytes/);
    for (let i = 0; i < 8; i++) assert.equal((await put(`e${i}`, "{}")).status, 200);
    const eleventh = await errorOf(await put("eleventh", "{}"));
    assert.equal(eleventh.status, 400);
    assert.match(eleventh.body.message ?? "", /at most 10 test events/);
    assert.equal((await put("e0", "{\"replacing\": true}")).status, 200, "replacing one of the ten is allowed");

    const deleted = await unkaiFetch(suite.unkai.url, `${base}/S3Put`, { method: "DELETE" });
    assert.equal(deleted.status, 204);
    const again = await errorOf(await unkaiFetch(suite.unkai.url, `${base}/S3Put`, { method: "DELETE" }));
    assert.equal(again.status, 404);
    assert.equal(again.type, "ResourceNotFoundException");
    const names = ((await (await get(base)).json()) as { testEvents: { name: string }[] }).testEvents.map((e) => e.name);
    assert.ok(!names.includes("S3Put") && names.includes("plain.v2"));
    assert.equal((await errorOf(await get("/_unkai/functions/ghost/test-events"))).type, "ResourceNotFoundException");
  });
});
