/** Response streaming: InvokeWithResponseStream (SDK v3) over both runtime channels, the HTTP prelude seam, logs and records. */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, InvokeWithResponseStreamCommand, PublishVersionCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import type { InvocationRecord } from "../src/core/invocation.js";
import type { UnkaiResponse } from "../src/protocol/http.js";
import { NoHttpResponse, streamedHttpResponse } from "../src/protocol/http-integration-response.js";
import { aws, createFromFixture, parseReport, ROLE, signedFetch } from "./helpers/clients.js";
import { ricPackage } from "./helpers/ric.js";
import { invokeStream, type StreamedCall } from "./helpers/stream.js";
import { unkaiSuite, type Suite } from "./helpers/suite.js";

const STREAMS = { Handler: "index.handler", Timeout: 3 };

/** An SDK stream call replayed as what Invoker.invokeStream hands a Function URL. */
function asStreamedBody(call: StreamedCall, pieces: Buffer[]) {
  return { contentType: call.contentType ?? "", body: Readable.from(pieces), completion: Promise.resolve({ error: call.complete?.ErrorCode }) };
}

async function bodyText(response: UnkaiResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response.body as Readable) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** The checks both channels must pass: chunks over time, the prelude, mid-stream errors and timeouts. */
function streamingBehaviour(suite: Suite, prefix: string): void {
  it("delivers chunks to the client as the function writes them", async () => {
    await createFromFixture(suite.client, `${prefix}-chunks`, "streams", STREAMS);
    const call = await invokeStream(suite.client, `${prefix}-chunks`, { mode: "chunks", gapMs: 400 });
    assert.equal(call.contentType, "text/plain");
    assert.equal(call.executedVersion, "$LATEST");
    assert.equal(call.body.toString(), `first;second;third:${call.requestId}`);
    const first = call.chunks.find((c) => c.text.includes("first;"));
    const last = call.chunks.find((c) => c.text.includes("third:"));
    assert.ok(first && last, `chunks: ${JSON.stringify(call.chunks.map((c) => c.text))}`);
    // The function waits 400 ms twice between writes: the first chunk must arrive well before the last.
    assert.ok(last.atMs - first.atMs >= 500, `first chunk at ${first.atMs} ms, last at ${last.atMs} ms`);
    assert.equal(call.complete?.ErrorCode, undefined);
    assert.ok(parseReport(call.log)["Duration"], call.log);
  });

  it("sends HttpResponseStream's prelude, which the Function URL seam turns into status, headers and cookies", async () => {
    await createFromFixture(suite.client, `${prefix}-http`, "streams", STREAMS);
    const call = await invokeStream(suite.client, `${prefix}-http`, { mode: "http" });
    assert.equal(call.contentType, "application/vnd.awslambda.http-integration-response");
    const at = call.body.indexOf(Buffer.alloc(8));
    assert.deepEqual(JSON.parse(call.body.subarray(0, at).toString()), {
      statusCode: 201,
      headers: { "content-type": "text/html", "x-custom": "yes" },
      cookies: ["a=1; Path=/", "b=2"],
    });
    // Split the bytes mid-prelude and mid-delimiter, as a network might.
    const pieces = [call.body.subarray(0, 10), call.body.subarray(10, at + 3), call.body.subarray(at + 3)];
    const response = await streamedHttpResponse(asStreamedBody(call, pieces));
    assert.equal(response.status, 201);
    assert.deepEqual(response.headers, { "content-type": "text/html", "x-custom": "yes", "Set-Cookie": ["a=1; Path=/", "b=2"] });
    assert.equal(await bodyText(response), "<p>hello streamed</p>");
    const failed = await invokeStream(suite.client, `${prefix}-http`, { mode: "http", fail: true });
    const cut = await streamedHttpResponse(asStreamedBody(failed, failed.chunks.map((c) => c.bytes)));
    assert.equal(cut.status, 201);
    await assert.rejects(bodyText(cut), /failed mid-stream/);
    const noContent = await invokeStream(suite.client, `${prefix}-http`, { mode: "no-content" });
    const status = await streamedHttpResponse(asStreamedBody(noContent, noContent.chunks.map((c) => c.bytes)));
    assert.equal(status.status, 204);
    assert.equal(await bodyText(status), "");
    const early = await invokeStream(suite.client, `${prefix}-http`, { mode: "fail-early" });
    assert.equal(early.complete?.ErrorDetails, "failed before writing");
    await assert.rejects(streamedHttpResponse(asStreamedBody(early, [])), NoHttpResponse);
  });

  it("ends the stream with the error a handler throws mid-stream, and keeps the environment", async () => {
    await createFromFixture(suite.client, `${prefix}-throws`, "streams", STREAMS);
    const failed = await invokeStream(suite.client, `${prefix}-throws`, { mode: "throw" });
    assert.equal(failed.body.toString(), "partial;");
    assert.equal(failed.complete?.ErrorCode, "RangeError");
    assert.equal(failed.complete?.ErrorDetails, "boom mid-stream");
    assert.match(failed.log, /Invoke Error/);
    const again = await invokeStream(suite.client, `${prefix}-throws`, { mode: "echo" });
    assert.deepEqual(JSON.parse(again.body.toString()), { echo: { mode: "echo" } });
    assert.equal(parseReport(again.log)["Init Duration"], undefined, "the same warm environment answered");
  });

  it("holds the function's writes back while the client is not reading", async () => {
    await createFromFixture(suite.client, `${prefix}-flood`, "streams", { ...STREAMS, Timeout: 20 });
    const out = await suite.client.send(new InvokeWithResponseStreamCommand({ FunctionName: `${prefix}-flood`, Payload: Buffer.from('{"mode":"flood"}') }));
    assert.ok(out.EventStream);
    const events = out.EventStream[Symbol.asyncIterator]();
    const chunks: Buffer[] = [];
    const first = await events.next();
    if (!first.done && first.value.PayloadChunk?.Payload) chunks.push(Buffer.from(first.value.PayloadChunk.Payload));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.PayloadChunk?.Payload) chunks.push(Buffer.from(next.value.PayloadChunk.Payload));
    }
    const body = Buffer.concat(chunks);
    assert.equal(body.length, 48 * 1024 * 1024);
    const writtenAt = (index: number) => Number(body.toString("utf8", index * 1024 * 1024, index * 1024 * 1024 + 20).split(";")[0]);
    // Without backpressure all 48 MiB would be written at once; with it, the last waits for the reader.
    assert.ok(writtenAt(47) - writtenAt(0) >= 1000, `first chunk written at ${writtenAt(0)}, last at ${writtenAt(47)}`);
  });

  it("cuts the stream with Sandbox.Timedout when the function times out mid-stream", async () => {
    await createFromFixture(suite.client, `${prefix}-hangs`, "streams", { ...STREAMS, Timeout: 1 });
    const call = await invokeStream(suite.client, `${prefix}-hangs`, { mode: "hang" });
    assert.equal(call.body.toString(), "before-timeout;");
    assert.equal(call.complete?.ErrorCode, "Sandbox.Timedout");
    assert.match(call.complete?.ErrorDetails ?? "", /Task timed out after 1\.00 seconds/);
    assert.equal(parseReport(call.log)["Status"], "timeout");
  });
}

describe("response streaming (framed channel)", () => {
  const suite = unkaiSuite();
  streamingBehaviour(suite, "framed");

  it("answers a plain handler's response as one chunk, and its error in InvokeComplete", async () => {
    await createFromFixture(suite.client, "plain", "node-cjs");
    const call = await invokeStream(suite.client, "plain", { hello: "stream" });
    assert.equal(call.contentType, "application/json");
    assert.equal(call.chunks.length, 1);
    assert.deepEqual((JSON.parse(call.body.toString()) as { event: unknown }).event, { hello: "stream" });
    await createFromFixture(suite.client, "plain-throws", "throws");
    const failed = await invokeStream(suite.client, "plain-throws");
    assert.equal(failed.chunks.length, 0);
    assert.equal(failed.complete?.ErrorCode, "TypeError");
    assert.equal(failed.complete?.ErrorDetails, "the payload has no 'name'");
  });

  it("runs any runtime and qualifier, DryRun, and reports an Init failure in InvokeComplete", async () => {
    await createFromFixture(suite.client, "py", "python-hello", { Runtime: "python3.12", Handler: "app.handler" });
    const py = await invokeStream(suite.client, "py", { from: "python" });
    assert.equal(py.chunks.length, 1);
    assert.deepEqual((JSON.parse(py.body.toString()) as { event: unknown }).event, { from: "python" });
    await createFromFixture(suite.client, "init-fails", "crashes-on-init");
    const init = await invokeStream(suite.client, "init-fails");
    assert.equal(init.chunks.length, 0);
    assert.equal(init.complete?.ErrorCode, "Error");
    assert.equal(init.complete?.ErrorDetails, "cannot connect to the database during init");
    assert.match(init.log, /INIT_REPORT/);
    await createFromFixture(suite.client, "versioned", "streams", STREAMS);
    await suite.client.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    await suite.client.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: "1" }));
    for (const input of [{ FunctionName: "versioned", Qualifier: "live" }, { FunctionName: "versioned:live" }]) {
      const out = await suite.client.send(new InvokeWithResponseStreamCommand({ ...input, Payload: Buffer.from('{"mode":"echo"}') }));
      for await (const _ of out.EventStream ?? []) void _;
      assert.equal(out.ExecutedVersion, "1");
    }
    const dry = await suite.client.send(new InvokeWithResponseStreamCommand({ FunctionName: "versioned", InvocationType: "DryRun" }));
    assert.equal(dry.StatusCode, 204);
  });

  it("streams past Invoke's 6 MB, and a plain Invoke gets the whole stream as one response", async () => {
    await createFromFixture(suite.client, "big", "streams", STREAMS);
    const big = await invokeStream(suite.client, "big", { mode: "big" });
    assert.equal(big.body.length, 8 * 1024 * 1024);
    assert.equal(big.complete?.ErrorCode, undefined);
    const buffered = await suite.client.send(new InvokeCommand({ FunctionName: "big", Payload: Buffer.from('{"mode":"chunks","gapMs":10}') }));
    assert.equal(buffered.FunctionError, undefined);
    assert.equal(Buffer.from(buffered.Payload ?? []).toString(), `first;second;third:${buffered.$metadata.requestId}`);
    const tooBig = await suite.client.send(new InvokeCommand({ FunctionName: "big", Payload: Buffer.from('{"mode":"big"}') }));
    assert.equal(tooBig.FunctionError, "Unhandled");
    assert.match(Buffer.from(tooBig.Payload ?? []).toString(), /Function\.ResponseSizeTooLarge/);
  });

  it("cuts a streamed response at 200 MiB with Function.ResponseSizeTooLarge", async () => {
    await createFromFixture(suite.client, "over-limit", "streams", { ...STREAMS, Timeout: 60 });
    const out = await suite.client.send(new InvokeWithResponseStreamCommand({ FunctionName: "over-limit", Payload: Buffer.from('{"mode":"over-limit"}') }));
    let bytes = 0;
    let errorCode: string | undefined;
    for await (const event of out.EventStream ?? []) {
      bytes += event.PayloadChunk?.Payload?.length ?? 0;
      errorCode ??= event.InvokeComplete?.ErrorCode;
    }
    assert.equal(errorCode, "Function.ResponseSizeTooLarge");
    assert.ok(bytes <= 200 * 1024 * 1024 && bytes > 190 * 1024 * 1024, `${bytes} bytes arrived`);
  });

  it("records streamed invocations and their failures like any other", async () => {
    await createFromFixture(suite.client, "recorded", "streams", STREAMS);
    const ok = await invokeStream(suite.client, "recorded", { mode: "pipeline" });
    assert.equal(ok.body.length, 300_000);
    const failed = await invokeStream(suite.client, "recorded", { mode: "throw" });
    const crashed = await invokeStream(suite.client, "recorded", { mode: "crash" });
    assert.equal(crashed.body.toString(), "before-crash;");
    assert.equal(crashed.complete?.ErrorCode, "Runtime.ExitError");
    const response = await signedFetch(`${suite.unkai.url}/_unkai/functions/recorded/invocations`);
    const { invocations } = (await response.json()) as { invocations: InvocationRecord[] };
    const byId = new Map(invocations.map((r) => [r.requestId, r]));
    assert.equal(byId.get(ok.requestId ?? "")?.status, "success");
    assert.equal(byId.get(failed.requestId ?? "")?.status, "error");
    assert.equal(byId.get(failed.requestId ?? "")?.errorType, "RangeError");
    assert.equal(byId.get(crashed.requestId ?? "")?.status, "crashed");
    for (const call of [ok, failed, crashed]) assert.match(call.log, new RegExp(`START RequestId: ${call.requestId}[^]*END RequestId: ${call.requestId}[^]*REPORT RequestId: ${call.requestId}`));
  });

  it("fails a handler that is not async, or that leaves the stream open with nothing left to run", async () => {
    await createFromFixture(suite.client, "sync", "streams-sync");
    const sync = await invokeStream(suite.client, "sync");
    assert.equal(sync.complete?.ErrorCode, "Error");
    assert.equal(sync.complete?.ErrorDetails, "Streaming does not support non-async handlers.");
    await createFromFixture(suite.client, "open", "streams", STREAMS);
    const open = await invokeStream(suite.client, "open", { mode: "open" });
    assert.equal(open.body.toString(), "left-open;");
    assert.equal(open.complete?.ErrorCode, "Runtime.NodeJsExit");
  });

  it("validates the request and throttles as Invoke does", async () => {
    const send = (input: ConstructorParameters<typeof InvokeWithResponseStreamCommand>[0]) =>
      suite.client.send(new InvokeWithResponseStreamCommand(input)).then(() => undefined, (error: { name: string }) => error.name);
    assert.equal(await send({ FunctionName: "no-such-function" }), "ResourceNotFoundException");
    await createFromFixture(suite.client, "limited", "streams", STREAMS);
    assert.equal(await send({ FunctionName: "limited", InvocationType: "Event" as "DryRun" }), "InvalidParameterValueException");
    assert.equal(await send({ FunctionName: "limited", Payload: Buffer.from("not json") }), "InvalidRequestContentException");
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "limited", ReservedConcurrentExecutions: 0 }));
    assert.equal(await send({ FunctionName: "limited" }), "TooManyRequestsException");
  });

  it("accepts the streamed response of AWS's own runtime interface client (aws-lambda-ric), error trailers included", async () => {
    const handler = [
      "exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {",
      "  responseStream.setContentType('text/plain');",
      "  responseStream.write('ric-first;');",
      "  await new Promise((resolve) => setTimeout(resolve, 400));",
      "  if (event.fail) throw new RangeError('ric failed mid-stream');",
      "  responseStream.end('ric-second');",
      "});",
    ].join("\n");
    await suite.client.send(new CreateFunctionCommand({ FunctionName: "ric-stream", Runtime: "provided.al2", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await ricPackage(handler) } }));
    const call = await invokeStream(suite.client, "ric-stream");
    assert.equal(call.contentType, "text/plain");
    assert.equal(call.body.toString(), "ric-first;ric-second");
    assert.ok((call.chunks.at(-1)?.atMs ?? 0) - (call.chunks[0]?.atMs ?? 0) >= 250, JSON.stringify(call.chunks.map((c) => [c.atMs, c.text])));
    assert.equal(call.complete?.ErrorCode, undefined);
    const failed = await invokeStream(suite.client, "ric-stream", { fail: true });
    assert.equal(failed.body.toString(), "ric-first;");
    assert.equal(failed.complete?.ErrorCode, "RangeError");
    assert.equal(failed.complete?.ErrorDetails, "ric failed mid-stream");
  });

  it("works with the AWS CLI v2 where it has invoke-with-response-stream", async (t) => {
    const help = await aws(suite.unkai.url, ["lambda", "invoke-with-response-stream", "help"]);
    // Debian 12's awscli is 2.9.19; the command arrived in 2.11 (April 2023).
    if (help.code !== 0) return t.skip("this AWS CLI v2 has no `lambda invoke-with-response-stream` (Debian 12 ships 2.9.19)");
    await createFromFixture(suite.client, "cli", "streams", STREAMS);
    const run = await aws(suite.unkai.url, ["lambda", "invoke-with-response-stream", "--function-name", "cli", "--cli-binary-format", "raw-in-base64-out", "--payload", '{"mode":"echo"}', "/dev/stdout"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /"echo":\{"mode":"echo"\}/);
  });
});

describe("response streaming (HTTP Runtime API)", () => {
  const suite = unkaiSuite({ UNKAI_RUNTIME_CHANNEL: "http" });
  streamingBehaviour(suite, "http");
});
