/** Python functions on Unkai's stdlib-only bootstrap: handlers, context, logging, errors, warm reuse. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createFromFixture, invoke, parseReport } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

interface PyEcho {
  event: unknown;
  count: number;
  tmpFileExisted: boolean;
  functionName: string;
  memoryLimitInMB: string;
  requestId: string;
  remainingMs: number;
  logGroupName: string;
}

describe("Python functions", () => {
  const suite = unkaiSuite();

  it("runs module.function handlers with Lambda's context, print and logging", async () => {
    await createFromFixture(suite.client, "py", "python-hello", { Runtime: "python3.12", Handler: "app.handler", MemorySize: 256, Timeout: 5 });
    const first = await invoke(suite.client, "py", { hello: "python" });
    assert.equal(first.functionError, undefined, first.payload);
    const body = first.json as PyEcho;
    assert.deepEqual(body.event, { hello: "python" });
    assert.equal(body.functionName, "py");
    assert.equal(body.memoryLimitInMB, "256", "memory_limit_in_mb is a string, as on Lambda");
    assert.equal(body.requestId, first.raw.$metadata.requestId);
    assert.equal(body.logGroupName, "/aws/lambda/py");
    assert.ok(body.remainingMs > 4000 && body.remainingMs <= 5000, `remaining ${body.remainingMs}`);
    assert.match(first.log, /^print line \{'hello': 'python'\}$/m, "print() goes to the log as is");
    assert.match(first.log, /^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tlogging line 1$/m, "logging uses Lambda's format");
    assert.ok(parseReport(first.log)["Init Duration"]);

    const second = await invoke(suite.client, "py", { n: 2 });
    const warm = second.json as PyEcho;
    assert.equal(warm.count, 2, "module state survives warm reuse");
    assert.equal(warm.tmpFileExisted, true, "so does the environment's /tmp");
    assert.equal(parseReport(second.log)["Init Duration"], undefined);
  });

  it("runs handlers inside packages", async () => {
    await createFromFixture(suite.client, "py-pkg", "python-hello", { Runtime: "python3.11", Handler: "pkg/handlers.handle" });
    const result = await invoke(suite.client, "py-pkg", { value: 42 });
    assert.deepEqual(result.json, { package: true, value: 42 });
  });

  it("returns Python error bodies with stackTrace, and init errors with their Runtime.* type", async () => {
    await createFromFixture(suite.client, "py-raise", "python-errors", { Runtime: "python3.12", Handler: "app.handler" });
    const raised = await invoke(suite.client, "py-raise");
    assert.equal(raised.functionError, "Unhandled");
    const body = raised.json as { errorType: string; errorMessage: string; requestId: string; stackTrace: string[] };
    assert.equal(body.errorType, "KeyError");
    assert.equal(body.errorMessage, "'missing-key'");
    assert.equal(body.requestId, raised.raw.$metadata.requestId);
    assert.ok(body.stackTrace.some((frame) => frame.includes("app.py")), JSON.stringify(body.stackTrace));
    assert.match(raised.log, /\[ERROR\] KeyError: 'missing-key'\rTraceback \(most recent call last\):/);

    await createFromFixture(suite.client, "py-nomod", "python-errors", { Runtime: "python3.12", Handler: "nothere.handler" });
    const noModule = await invoke(suite.client, "py-nomod");
    const initError = noModule.json as { errorType: string; errorMessage: string };
    assert.equal(initError.errorType, "Runtime.ImportModuleError");
    assert.match(initError.errorMessage, /^Unable to import module 'nothere'/);

    await createFromFixture(suite.client, "py-nofn", "python-errors", { Runtime: "python3.12", Handler: "app.nothere" });
    const noFunction = await invoke(suite.client, "py-nofn");
    assert.deepEqual((noFunction.json as { errorType: string }).errorType, "Runtime.HandlerNotFound");
  });
});
