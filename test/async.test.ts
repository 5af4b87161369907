/** Asynchronous invocation: durable 202s, retries with Lambda's spacing, destinations, failed events, limits. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  UpdateFunctionCodeCommand,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { aws, createFromFixture, fixtureZip, lambda, signedFetch } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { Collector, waitFor } from "./helpers/wait.js";

const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

interface DestinationRecord {
  version: string;
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: unknown;
}

describe("asynchronous invocation", () => {
  let unkai: TestUnkai;
  let client: LambdaClient;
  const collector = new Collector();
  const readRecorded = (name: string) => collector.recorded(name);

  before(async () => {
    await collector.start();
    // Retry delays scaled by 0.01: about 0.6 s, then 1.2 s.
    unkai = await startUnkai({ UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) });
    client = lambda(unkai.url);
  });
  after(async () => {
    await collector.close();
    client?.destroy();
    assert.equal(await unkai.stop(), 0);
  });

  async function recorder(name: string, extra: Record<string, unknown> = {}): Promise<void> {
    await createFromFixture(client, name, "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url(name) } }, ...extra });
  }

  async function sendEvent(name: string, payload: unknown): Promise<string> {
    const result = await client.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }));
    assert.equal(result.StatusCode, 202);
    return result.$metadata.requestId ?? "";
  }

  it("answers 202 and runs the event, with the AWS CLI too", async () => {
    await recorder("async-ok");
    const cli = await aws(unkai.url, ["lambda", "invoke", "--function-name", "async-ok", "--invocation-type", "Event", "--cli-binary-format", "raw-in-base64-out", "--payload", '{"via":"cli"}', join(unkai.dataDir, "cli-out.json")]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { StatusCode: number }).StatusCode, 202);
    const id = await sendEvent("async-ok", { via: "sdk" });
    const seen = await waitFor("both events", () => {
      const ends = readRecorded("async-ok").filter((r) => r.phase === "end");
      return ends.length === 2 ? ends : undefined;
    });
    assert.ok(seen.some((r) => r.requestId === id), "the function ran with the request id the 202 carried");
  });

  it("retries function errors MaximumRetryAttempts times with growing delays, then sends the failure record", async () => {
    await recorder("collector");
    await recorder("flaky");
    await client.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: "flaky",
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: ARN("collector") }, OnSuccess: { Destination: ARN("collector") } },
    }));
    const failing = await sendEvent("flaky", { fail: "always" });
    const succeeding = await sendEvent("flaky", { fine: true });
    const records = await waitFor("two destination records", () => {
      const events = readRecorded("collector").filter((r) => r.phase === "start").map((r) => r.event as DestinationRecord);
      return events.length >= 2 ? events : undefined;
    });
    const attempts = readRecorded("flaky").filter((r) => r.phase === "start" && r.requestId === failing).map((r) => r.at);
    assert.equal(attempts.length, 3, "one attempt plus two retries");
    const gaps = [(attempts[1] ?? 0) - (attempts[0] ?? 0), (attempts[2] ?? 0) - (attempts[1] ?? 0)];
    assert.ok(gaps[0] !== undefined && gaps[0] >= 550 && gaps[0] < 3000, `first retry after ${gaps[0]} ms (about 0.6 s)`);
    assert.ok(gaps[1] !== undefined && gaps[1] >= 1150 && gaps[1] < 4000, `second retry after ${gaps[1]} ms (about 1.2 s)`);

    const failure = records.find((r) => r.requestContext.requestId === failing);
    assert.ok(failure, "the failure destination got a record");
    assert.equal(failure.version, "1.0");
    assert.match(failure.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(failure.requestContext, { requestId: failing, functionArn: `${ARN("flaky")}:$LATEST`, condition: "RetriesExhausted", approximateInvokeCount: 3 });
    assert.deepEqual(failure.requestPayload, { fail: "always" });
    assert.deepEqual(failure.responseContext, { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" });
    assert.equal((failure.responsePayload as { errorMessage: string }).errorMessage, "asked to fail: always");

    const success = records.find((r) => r.requestContext.requestId === succeeding);
    assert.ok(success, "the success destination got a record");
    assert.equal(success.requestContext.condition, "Success");
    assert.equal(success.requestContext.approximateInvokeCount, 1);
    assert.deepEqual(success.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
    assert.deepEqual(success.responsePayload, { ok: true, echo: { fine: true } });
  });

  it("keeps an event that failed without a destination, lists it and re-drives it", async () => {
    await recorder("kept", {});
    await aws(unkai.url, ["lambda", "put-function-event-invoke-config", "--function-name", "kept", "--maximum-retry-attempts", "0"]);
    const id = await sendEvent("kept", { fail: "once" });
    const failed = await waitFor("a failed event", async () => {
      const body = (await (await signedFetch(`${unkai.url}/_unkai/functions/kept/events/failed`)).json()) as { failed: { id: string; condition: string; reason: string; attempts: number }[] };
      return body.failed.length === 1 ? body.failed[0] : undefined;
    });
    assert.equal(failed?.id, id);
    assert.equal(failed?.condition, "RetriesExhausted");
    assert.equal(failed?.attempts, 1, "MaximumRetryAttempts 0 means one attempt");
    assert.match(failed?.reason ?? "", /Error on attempt 1/);

    // Fix the function, then re-drive: the kept event now succeeds and leaves the queue.
    const fixed = await fixtureZip("node-cjs");
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: "kept", ZipFile: fixed }));
    const redrive = await signedFetch(`${unkai.url}/_unkai/functions/kept/events/redrive`, { method: "POST", body: JSON.stringify({ ids: [id] }) });
    assert.deepEqual(await redrive.json(), { redriven: 1 });
    await waitFor("the queue to empty", async () => {
      const stats = (await (await signedFetch(`${unkai.url}/_unkai/events/stats`)).json()) as { functions: { functionName: string; queued: number; failed: number }[] };
      const kept = stats.functions.find((f) => f.functionName === "kept");
      return kept === undefined ? true : undefined;
    });
  });

  it("never runs more than the reserved concurrency at once, and completes every event", async () => {
    await recorder("capped");
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "capped", ReservedConcurrentExecutions: 2 }));
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => sendEvent("capped", { i, sleepMs: 150 })));
    const recorded = await waitFor("ten completions", () => {
      const all = readRecorded("capped");
      return all.filter((r) => r.phase === "end").length === 10 ? all : undefined;
    });
    const timeline = recorded.map((r) => ({ at: r.at, delta: r.phase === "start" ? 1 : -1 })).sort((a, b) => a.at - b.at || a.delta - b.delta);
    let running = 0;
    let peak = 0;
    for (const point of timeline) {
      running += point.delta;
      peak = Math.max(peak, running);
    }
    assert.ok(peak <= 2, `peak concurrency ${peak} stays within the reservation`);
    assert.deepEqual(new Set(recorded.filter((r) => r.phase === "end").map((r) => r.requestId)), new Set(ids));
  });

  it("runs a burst held back by reserved concurrency 0 once the reservation is lifted", async () => {
    // Commits of events that cannot start do not make the worker look at the queue (it polls):
    // lifting the reservation wakes nothing, so only that poll can find them.
    await recorder("held");
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "held", ReservedConcurrentExecutions: 0 }));
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => sendEvent("held", { i })));
    const more = await Promise.all(Array.from({ length: 4 }, (_, i) => sendEvent("held", { i: 12 + i })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(readRecorded("held").length, 0, "nothing runs while the reservation is 0");
    await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "held" }));
    const ran = await waitFor("every held event to run", () => {
      const done = new Set(readRecorded("held").filter((r) => r.phase === "end").map((r) => r.requestId));
      return done.size === 16 ? done : undefined;
    });
    assert.deepEqual(ran, new Set([...ids, ...more]));
  });

  it("fails waiting events of a deleted function with that reason", async () => {
    await recorder("doomed");
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "doomed", ReservedConcurrentExecutions: 0 }));
    const id = await sendEvent("doomed", { waiting: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await client.send(new DeleteFunctionCommand({ FunctionName: "doomed" }));
    const failed = await waitFor("the deleted function's event to fail", async () => {
      const body = (await (await signedFetch(`${unkai.url}/_unkai/functions/doomed/events/failed`)).json()) as { failed: { id: string; condition: string }[] };
      return body.failed[0];
    });
    assert.deepEqual({ id: failed.id, condition: failed.condition }, { id, condition: "FunctionDeleted" });
  });

  it("refuses bad async input before anything is queued", async () => {
    const huge = await signedFetch(`${unkai.url}/2015-03-31/functions/async-ok/invocations`, { method: "POST", headers: { "X-Amz-Invocation-Type": "Event" }, body: Buffer.alloc(1_048_577, 0x20) });
    assert.equal(huge.status, 413);
    assert.deepEqual(await huge.json(), { Message: "Request must be smaller than 1048576 bytes for the InvokeFunction operation" });
    const malformed = await signedFetch(`${unkai.url}/2015-03-31/functions/async-ok/invocations`, { method: "POST", headers: { "X-Amz-Invocation-Type": "Event" }, body: "{oops" });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get("x-amzn-errortype"), "InvalidRequestContentException");
    const unknown = await signedFetch(`${unkai.url}/2015-03-31/functions/ghost/invocations`, { method: "POST", headers: { "X-Amz-Invocation-Type": "Event" }, body: "{}" });
    assert.equal(unknown.status, 404, "never a 202 for a function that does not exist");
    const stats = (await (await signedFetch(`${unkai.url}/_unkai/events/stats`)).json()) as { functions: { functionName: string }[] };
    assert.equal(stats.functions.some((f) => f.functionName === "ghost"), false);
  });

  it("manages EventInvokeConfig as the AWS CLI expects", async () => {
    await recorder("configured");
    const put = await aws(unkai.url, ["lambda", "put-function-event-invoke-config", "--function-name", "configured", "--maximum-retry-attempts", "1", "--maximum-event-age-in-seconds", "120"]);
    assert.equal(put.code, 0, put.stderr);
    const putBody = JSON.parse(put.stdout) as Record<string, unknown>;
    assert.equal(putBody.FunctionArn, `${ARN("configured")}:$LATEST`);
    assert.equal(putBody.MaximumRetryAttempts, 1);
    assert.equal(putBody.MaximumEventAgeInSeconds, 120);
    assert.deepEqual(putBody.DestinationConfig, { OnSuccess: {}, OnFailure: {} });
    assert.ok(!Number.isNaN(Date.parse(String(putBody.LastModified))), "the CLI parsed LastModified as a timestamp (epoch seconds on the wire)");

    const update = await aws(unkai.url, ["lambda", "update-function-event-invoke-config", "--function-name", "configured", "--destination-config", `OnFailure={Destination=${ARN("collector")}}`]);
    assert.equal(update.code, 0, update.stderr);
    const updated = JSON.parse(update.stdout) as Record<string, unknown>;
    assert.equal(updated.MaximumRetryAttempts, 1, "update merges");
    assert.deepEqual(updated.DestinationConfig, { OnSuccess: {}, OnFailure: { Destination: ARN("collector") } });

    const list = await aws(unkai.url, ["lambda", "list-function-event-invoke-configs", "--function-name", "configured"]);
    assert.equal((JSON.parse(list.stdout) as { FunctionEventInvokeConfigs: unknown[] }).FunctionEventInvokeConfigs.length, 1);

    const badRetries = await aws(unkai.url, ["lambda", "put-function-event-invoke-config", "--function-name", "configured", "--maximum-retry-attempts", "3"]);
    assert.notEqual(badRetries.code, 0);
    assert.match(badRetries.stderr, /InvalidParameterValueException|ParamValidation|valid range/);
    const badDestination = await signedFetch(`${unkai.url}/2019-09-25/functions/configured/event-invoke-config`, {
      method: "PUT",
      // Another account's topic: nothing in this Unkai delivers there.
      body: JSON.stringify({ DestinationConfig: { OnFailure: { Destination: "arn:aws:sns:us-east-1:999999999999:topic" } } }),
    });
    assert.equal(badDestination.status, 400);
    assert.match(((await badDestination.json()) as { message: string }).message, /is not a destination this Unkai can deliver to yet/);

    const deleted = await aws(unkai.url, ["lambda", "delete-function-event-invoke-config", "--function-name", "configured"]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const missing = await aws(unkai.url, ["lambda", "get-function-event-invoke-config", "--function-name", "configured"]);
    assert.match(missing.stderr, /ResourceNotFoundException.*The function arn:aws:lambda:us-east-1:000000000000:function:configured:\$LATEST doesn't have an EventInvokeConfig/);
  });
});
