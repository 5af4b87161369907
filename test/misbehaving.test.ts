/** The zoo of misbehaving functions: each fails the way Lambda fails, and Kumo keeps serving. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke, lambda, parseReport } from "./helpers/clients.js";
import { startKumo, type TestKumo } from "./helpers/kumo-server.js";

interface LambdaErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

describe("misbehaving functions", () => {
  let kumo: TestKumo;
  let client: LambdaClient;

  before(async () => {
    kumo = await startKumo({ KUMO_MEMORY_POLL_MS: "20" });
    client = lambda(kumo.url);
    await createFromFixture(client, "healthy", "node-cjs");
  });
  after(async () => {
    client?.destroy();
    assert.equal(await kumo.stop(), 0);
  });

  /** Kumo and other functions are unaffected: checked after every misbehaviour. */
  async function stillServing(): Promise<void> {
    const result = await invoke(client, "healthy", { ping: true }, false);
    assert.equal(result.functionError, undefined);
    assert.deepEqual((result.json as { event: unknown }).event, { ping: true });
  }

  it("throws: Unhandled with the Node error body, and the environment stays warm", async () => {
    await createFromFixture(client, "throws", "throws");
    const first = await invoke(client, "throws");
    assert.equal(first.status, 200, "a function error is not an HTTP error");
    assert.equal(first.functionError, "Unhandled");
    const body = first.json as LambdaErrorBody;
    assert.equal(body.errorType, "TypeError");
    assert.equal(body.errorMessage, "the payload has no 'name'");
    assert.ok(Array.isArray(body.trace) && body.trace[0]?.startsWith("TypeError: the payload"));
    assert.match(first.log, /\tERROR\tInvoke Error \t\{"errorType":"TypeError"/);
    const second = await invoke(client, "throws");
    assert.equal(parseReport(second.log)["Init Duration"], undefined, "a handled error does not reset the environment");
    await stillServing();
  });

  it("times out: Sandbox.Timedout, the process is killed, the next invocation is cold", async () => {
    await createFromFixture(client, "slow", "slow", { Timeout: 1 });
    const started = Date.now();
    const result = await invoke(client, "slow", { ms: 10_000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1000 && elapsed < 4000, `answered after ${elapsed} ms for a 1 s timeout`);
    assert.equal(result.functionError, "Unhandled");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Sandbox.Timedout");
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    assert.match(result.log, /Task timed out after 1\.00 seconds/);
    assert.equal(parseReport(result.log).Status, "timeout");
    const next = await invoke(client, "slow", { ms: 10 });
    assert.equal(next.functionError, undefined);
    assert.ok(parseReport(next.log)["Init Duration"], "the timed-out environment was not reused");
    await stillServing();
  });

  it("never resolves: the timeout ends it just the same", async () => {
    await createFromFixture(client, "never", "never-resolves", { Timeout: 1 });
    const result = await invoke(client, "never");
    assert.equal((result.json as LambdaErrorBody).errorType, "Sandbox.Timedout");
    await stillServing();
  });

  it("exits mid-invocation: Runtime.ExitError with the exit status", async () => {
    await createFromFixture(client, "exits", "exits");
    const result = await invoke(client, "exits");
    assert.equal(result.functionError, "Unhandled");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Runtime.ExitError");
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    assert.match(result.log, /about to exit/, "output written before the exit is kept");
    const next = await invoke(client, "exits");
    assert.ok(parseReport(next.log)["Init Duration"], "a crashed environment is never reused");
    await stillServing();
  });

  it("crashes on init: the init error is returned, logged, and init re-runs next time", async () => {
    await createFromFixture(client, "init-crash", "crashes-on-init");
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await invoke(client, "init-crash");
      assert.equal(result.functionError, "Unhandled");
      const body = result.json as LambdaErrorBody;
      assert.equal(body.errorType, "Error");
      assert.equal(body.errorMessage, "cannot connect to the database during init");
      assert.match(result.log, /init is running/);
      assert.match(result.log, /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error/);
    }
    await createFromFixture(client, "no-module", "throws", { Handler: "missing.handler" });
    const missing = await invoke(client, "no-module");
    assert.equal((missing.json as LambdaErrorBody).errorType, "Runtime.ImportModuleError");
    await createFromFixture(client, "no-export", "throws", { Handler: "index.nothere" });
    const noExport = await invoke(client, "no-export");
    assert.equal((noExport.json as LambdaErrorBody).errorType, "Runtime.HandlerNotFound");
    await stillServing();
  });

  it("floods stdout: the log keeps a bounded part and says what it dropped", async () => {
    await createFromFixture(client, "flood", "floods-stdout", { Timeout: 30 });
    const result = await invoke(client, "flood", { mb: 4 });
    assert.equal(result.functionError, undefined, result.payload);
    assert.deepEqual(result.json, { wrote: 4096 });
    assert.match(result.log, /\[kumo\] \d+ bytes of log output were dropped: the limit is 1048576 bytes per invocation\./);
    await stillServing();
  });

  it("allocates more memory than configured: killed, reported, and the next invocation is cold", async () => {
    await createFromFixture(client, "hog", "hogs-memory", { MemorySize: 128, Timeout: 30 });
    const result = await invoke(client, "hog", { mb: 400 });
    assert.equal(result.functionError, "Unhandled");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Runtime.ExitError");
    assert.match(body.errorMessage, /signal: killed \(out of memory: the environment used more than its 128 MB\)/);
    const report = parseReport(result.log);
    assert.equal(report["Error Type"], "Runtime.OutOfMemory");
    assert.ok(Number.parseInt(report["Max Memory Used"] ?? "0") >= 128, `Max Memory Used ${report["Max Memory Used"]} reaches the limit`);
    const small = await invoke(client, "hog", { mb: 1 });
    assert.equal(small.functionError, undefined);
    assert.ok(parseReport(small.log)["Init Duration"]);
    await stillServing();
  });

  it("returns 7 MB: Function.ResponseSizeTooLarge", async () => {
    await createFromFixture(client, "big", "big-response", { MemorySize: 512 });
    const result = await invoke(client, "big", { mb: 7 });
    assert.equal(result.functionError, "Unhandled");
    assert.deepEqual(result.json, {
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
      errorType: "Function.ResponseSizeTooLarge",
    });
    const fits = await invoke(client, "big", { mb: 5 });
    assert.equal(fits.functionError, undefined);
    assert.ok(fits.payload.length > 5 * 1024 * 1024);
    await stillServing();
  });

  it("has a custom runtime without a bootstrap: Runtime.InvalidEntrypoint", async () => {
    await createFromFixture(client, "no-bootstrap", "throws", { Runtime: "provided.al2023" });
    const result = await invoke(client, "no-bootstrap");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Runtime.InvalidEntrypoint");
    assert.match(body.errorMessage, /Couldn't find valid bootstrap/);
    await stillServing();
  });
});
