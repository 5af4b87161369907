/** The zoo of misbehaving functions: each fails the way Lambda fails, and Unkai keeps serving. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { createFromFixture, invoke, parseReport } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

interface LambdaErrorBody {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

describe("misbehaving functions", () => {
  const suite = unkaiSuite({ UNKAI_MEMORY_POLL_MS: "20" });

  before(async () => {
    await createFromFixture(suite.client, "healthy", "node-cjs");
  });

  /** Unkai and other functions are unaffected: checked after every misbehaviour. */
  async function stillServing(): Promise<void> {
    const result = await invoke(suite.client, "healthy", { ping: true }, false);
    assert.equal(result.functionError, undefined);
    assert.deepEqual((result.json as { event: unknown }).event, { ping: true });
  }

  it("throws: Unhandled with the Node error body, and the environment stays warm", async () => {
    await createFromFixture(suite.client, "throws", "throws");
    const first = await invoke(suite.client, "throws");
    assert.equal(first.status, 200, "a function error is not an HTTP error");
    assert.equal(first.functionError, "Unhandled");
    const body = first.json as LambdaErrorBody;
    assert.equal(body.errorType, "TypeError");
    assert.equal(body.errorMessage, "the payload has no 'name'");
    assert.ok(Array.isArray(body.trace) && body.trace[0]?.startsWith("TypeError: the payload"));
    assert.match(first.log, /\tERROR\tInvoke Error \t\{"errorType":"TypeError"/);
    const second = await invoke(suite.client, "throws");
    assert.equal(parseReport(second.log)["Init Duration"], undefined, "a handled error does not reset the environment");
    await stillServing();
  });

  it("times out: Sandbox.Timedout, the process is killed, the next invocation is cold", async () => {
    await createFromFixture(suite.client, "slow", "slow", { Timeout: 1 });
    const started = Date.now();
    const result = await invoke(suite.client, "slow", { ms: 10_000 });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1000 && elapsed < 4000, `answered after ${elapsed} ms for a 1 s timeout`);
    assert.equal(result.functionError, "Unhandled");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Sandbox.Timedout");
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    assert.match(result.log, /Task timed out after 1\.00 seconds/);
    assert.equal(parseReport(result.log).Status, "timeout");
    const next = await invoke(suite.client, "slow", { ms: 10 });
    assert.equal(next.functionError, undefined);
    assert.ok(parseReport(next.log)["Init Duration"], "the timed-out environment was not reused");
    await stillServing();
  });

  it("never resolves: the timeout ends it just the same", async () => {
    await createFromFixture(suite.client, "never", "never-resolves", { Timeout: 1 });
    const result = await invoke(suite.client, "never");
    assert.equal((result.json as LambdaErrorBody).errorType, "Sandbox.Timedout");
    await stillServing();
  });

  it("exits mid-invocation: Runtime.ExitError with the exit status", async () => {
    await createFromFixture(suite.client, "exits", "exits");
    const result = await invoke(suite.client, "exits");
    assert.equal(result.functionError, "Unhandled");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Runtime.ExitError");
    assert.match(body.errorMessage, /^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    assert.match(result.log, /about to exit/, "output written before the exit is kept");
    const next = await invoke(suite.client, "exits");
    assert.ok(parseReport(next.log)["Init Duration"], "a crashed environment is never reused");
    await stillServing();
  });

  it("crashes on init: the init error is returned, logged, and init re-runs next time", async () => {
    await createFromFixture(suite.client, "init-crash", "crashes-on-init");
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await invoke(suite.client, "init-crash");
      assert.equal(result.functionError, "Unhandled");
      const body = result.json as LambdaErrorBody;
      assert.equal(body.errorType, "Error");
      assert.equal(body.errorMessage, "cannot connect to the database during init");
      assert.match(result.log, /init is running/);
      assert.match(result.log, /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error/);
    }
    await createFromFixture(suite.client, "no-module", "throws", { Handler: "missing.handler" });
    const missing = await invoke(suite.client, "no-module");
    assert.equal((missing.json as LambdaErrorBody).errorType, "Runtime.ImportModuleError");
    await createFromFixture(suite.client, "no-export", "throws", { Handler: "index.nothere" });
    const noExport = await invoke(suite.client, "no-export");
    assert.equal((noExport.json as LambdaErrorBody).errorType, "Runtime.HandlerNotFound");
    await stillServing();
  });

  it("floods stdout: the log keeps a bounded part and says what it dropped", async () => {
    await createFromFixture(suite.client, "flood", "floods-stdout", { Timeout: 30 });
    const result = await invoke(suite.client, "flood", { mb: 4 });
    assert.equal(result.functionError, undefined, result.payload);
    assert.deepEqual(result.json, { wrote: 4096 });
    assert.match(result.log, /\[unkai\] \d+ bytes of log output were dropped: the limit is 1048576 bytes per invocation\./);
    await stillServing();
  });

  it("allocates more memory than configured: killed, reported, and the next invocation is cold", async () => {
    await createFromFixture(suite.client, "hog", "hogs-memory", { MemorySize: 128, Timeout: 30 });
    const result = await invoke(suite.client, "hog", { mb: 400 });
    assert.equal(result.functionError, "Unhandled");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Runtime.ExitError");
    assert.match(body.errorMessage, /signal: killed \(out of memory: the environment used more than its 128 MB\)/);
    const report = parseReport(result.log);
    assert.equal(report["Error Type"], "Runtime.OutOfMemory");
    assert.ok(Number.parseInt(report["Max Memory Used"] ?? "0") >= 128, `Max Memory Used ${report["Max Memory Used"]} reaches the limit`);
    const small = await invoke(suite.client, "hog", { mb: 1 });
    assert.equal(small.functionError, undefined);
    assert.ok(parseReport(small.log)["Init Duration"]);
    await stillServing();
  });

  it("returns 7 MB: Function.ResponseSizeTooLarge", async () => {
    await createFromFixture(suite.client, "big", "big-response", { MemorySize: 512 });
    const result = await invoke(suite.client, "big", { mb: 7 });
    assert.equal(result.functionError, "Unhandled");
    assert.deepEqual(result.json, {
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
      errorType: "Function.ResponseSizeTooLarge",
    });
    const fits = await invoke(suite.client, "big", { mb: 5 });
    assert.equal(fits.functionError, undefined);
    assert.ok(fits.payload.length > 5 * 1024 * 1024);
    await stillServing();
  });

  it("has a custom runtime without a bootstrap: Runtime.InvalidEntrypoint", async () => {
    await createFromFixture(suite.client, "no-bootstrap", "throws", { Runtime: "provided.al2023" });
    const result = await invoke(suite.client, "no-bootstrap");
    const body = result.json as LambdaErrorBody;
    assert.equal(body.errorType, "Runtime.InvalidEntrypoint");
    assert.match(body.errorMessage, /Couldn't find valid bootstrap/);
    await stillServing();
  });
});
