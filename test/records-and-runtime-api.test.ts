/** The Runtime API contract as a custom runtime sees it, invocation records, and logs through `aws logs`. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvokeCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import type { InvocationRecord } from "../src/core/invocation.js";
import { aws, createFromFixture, invoke, signedFetch } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

interface Probe {
  next: Record<string, string | number | undefined>;
  wrongId: { status: number; body: string };
  lateInitError: { status: number; body: string };
  unknownPath: { status: number; body: string };
  badMode: { status: number; body: string };
}

describe("Runtime API, invocation records and logs", () => {
  const suite = unkaiSuite();

  it("serves the Runtime API with Lambda's headers, status codes and error bodies", async () => {
    await createFromFixture(suite.client, "probe", "runtime-api-probe", { Runtime: "provided.al2023", Timeout: 5 });
    const clientContext = Buffer.from(JSON.stringify({ custom: { k: "v" } })).toString("base64");
    const before = Date.now();
    const raw = await suite.client.send(new InvokeCommand({ FunctionName: "probe", Payload: Buffer.from('{"probe":1}'), ClientContext: clientContext, LogType: "Tail" }));
    const probe = JSON.parse(Buffer.from(raw.Payload ?? new Uint8Array()).toString("utf8")) as Probe;
    assert.equal(probe.next.status, 200);
    assert.equal(probe.next.contentType, "application/json");
    assert.equal(probe.next.requestId, raw.$metadata.requestId);
    const deadline = Number(probe.next.deadlineMs);
    assert.ok(deadline >= before + 4000 && deadline <= Date.now() + 5000, `deadline ${deadline} is epoch ms about 5 s ahead`);
    assert.equal(probe.next.invokedFunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:probe");
    assert.match(String(probe.next.traceId), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    assert.deepEqual(JSON.parse(String(probe.next.clientContext)), { custom: { k: "v" } });
    assert.equal(probe.next.body, '{"probe":1}');
    assert.deepEqual(probe.wrongId, { status: 400, body: '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}' });
    assert.equal(probe.lateInitError.status, 403);
    assert.equal((JSON.parse(probe.lateInitError.body) as { errorType: string }).errorType, "InvalidStateTransition");
    assert.equal(probe.unknownPath.status, 404);
    assert.deepEqual(probe.badMode, { status: 400, body: '{"errorMessage":"Invalid function response mode","errorType":"InvalidFunctionResponseMode"}' });
    const log = Buffer.from(raw.LogResult ?? "", "base64").toString("utf8");
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = await invoke(suite.client, "probe", {});
    assert.match(log + second.log, /answered 202 \{"status":"OK"\}; again 400 \{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"\}/);
  });

  it("leaves exactly one record per invocation, cold or warm, failed or throttled", async () => {
    await createFromFixture(suite.client, "recorded", "slow", { Timeout: 1, MemorySize: 192 });
    const cold = await invoke(suite.client, "recorded", { ms: 5 });
    const warm = await invoke(suite.client, "recorded", { ms: 5 });
    const timedOut = await invoke(suite.client, "recorded", { ms: 5000 });
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "recorded", ReservedConcurrentExecutions: 0 }));
    const throttled = await suite.client.send(new InvokeCommand({ FunctionName: "recorded", Payload: Buffer.from("{}") })).then(() => undefined, (e: { $metadata: { requestId?: string } }) => e.$metadata.requestId);
    const response = await signedFetch(`${suite.unkai.url}/_unkai/functions/recorded/invocations`);
    const { invocations } = (await response.json()) as { invocations: InvocationRecord[] };
    const byId = new Map(invocations.map((r) => [r.requestId, r]));
    assert.equal(invocations.length, 4, "one record each, nothing more");
    const coldRecord = byId.get(cold.raw.$metadata.requestId ?? "");
    const warmRecord = byId.get(warm.raw.$metadata.requestId ?? "");
    const timeoutRecord = byId.get(timedOut.raw.$metadata.requestId ?? "");
    const throttleRecord = byId.get(throttled ?? "");
    assert.ok(coldRecord && warmRecord && timeoutRecord && throttleRecord);
    assert.equal(coldRecord.coldStart, true);
    assert.ok((coldRecord.initDurationMs ?? 0) > 0);
    assert.equal(warmRecord.coldStart, false);
    assert.equal(warmRecord.initDurationMs, undefined);
    for (const record of [coldRecord, warmRecord]) {
      assert.equal(record.status, "success");
      assert.equal(record.version, "$LATEST");
      assert.equal(record.memorySizeMb, 192);
      assert.ok(record.maxMemoryUsedMb > 0);
      assert.ok(record.billedDurationMs >= Math.ceil(record.durationMs));
      assert.match(record.logStream ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    }
    assert.equal(timeoutRecord.status, "timeout");
    assert.equal(timeoutRecord.errorType, "Sandbox.Timedout");
    assert.ok(timeoutRecord.durationMs >= 1000);
    assert.equal(throttleRecord.status, "throttled");
    assert.equal(throttleRecord.billedDurationMs, 0);
  });

  it("stores each environment's output in its own stream, readable with aws logs", async () => {
    await createFromFixture(suite.client, "streams", "slow");
    // Long enough that a second environment is up before the first is free (the dispatcher would reuse a freed one).
    await Promise.all([invoke(suite.client, "streams", { ms: 2_000 }), invoke(suite.client, "streams", { ms: 2_000 })]);
    const streams = await aws(suite.unkai.url, ["logs", "describe-log-streams", "--log-group-name", "/aws/lambda/streams"]);
    assert.equal(streams.code, 0, streams.stderr);
    const names = (JSON.parse(streams.stdout) as { logStreams: { logStreamName: string }[] }).logStreams.map((s) => s.logStreamName);
    assert.equal(names.length, 2, "two overlapping invocations ran in two environments");
    const filtered = await aws(suite.unkai.url, ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/streams", "--filter-pattern", "REPORT"]);
    assert.equal(filtered.code, 0, filtered.stderr);
    const events = (JSON.parse(filtered.stdout) as { events: { message: string; logStreamName: string }[] }).events;
    assert.equal(events.length, 2);
    assert.deepEqual(new Set(events.map((e) => e.logStreamName)), new Set(names));
  });
});
