/** Deploy and invoke Node.js functions with the real AWS CLI v2 and SDK v3: cold, warm, updated. */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { GetFunctionCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { aws, createFromFixture, fixtureZip, invoke, parseReport, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

interface Echo {
  event: unknown;
  count: number;
  tmpFileExisted: boolean;
  version: string;
  context: Record<string, string | number>;
  env: Record<string, string | undefined>;
}

describe("Node.js functions", () => {
  const suite = unkaiSuite();

  it("deploys with the AWS CLI v2 and invokes with it", async () => {
    const version = await aws(suite.unkai.url, ["--version"]);
    assert.match(version.stdout + version.stderr, /aws-cli\/2\./, "the tests drive Unkai with the AWS CLI v2");
    const zipPath = join(suite.unkai.dataDir, "echo.zip");
    writeFileSync(zipPath, await fixtureZip("node-cjs"));
    const created = await aws(suite.unkai.url, [
      "lambda", "create-function", "--function-name", "cli-echo", "--runtime", "nodejs20.x",
      "--handler", "index.handler", "--role", ROLE, "--zip-file", `fileb://${zipPath}`,
      "--environment", "Variables={GREETING=hi}", "--memory-size", "256", "--timeout", "5",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const config = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.equal(config.FunctionName, "cli-echo");
    assert.equal(config.FunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:cli-echo");
    assert.equal(config.MemorySize, 256);
    assert.equal(config.State, "Active");
    assert.match(String(config.CodeSha256), /^[A-Za-z0-9+/]{43}=$/);

    const waited = await aws(suite.unkai.url, ["lambda", "wait", "function-active-v2", "--function-name", "cli-echo"]);
    assert.equal(waited.code, 0, waited.stderr);

    const out = join(suite.unkai.dataDir, "out.json");
    const invoked = await aws(suite.unkai.url, [
      "lambda", "invoke", "--function-name", "cli-echo", "--cli-binary-format", "raw-in-base64-out",
      "--payload", '{"hello":"cli"}', "--log-type", "Tail", out,
    ]);
    assert.equal(invoked.code, 0, invoked.stderr);
    const meta = JSON.parse(invoked.stdout) as { StatusCode: number; ExecutedVersion: string; LogResult: string };
    assert.equal(meta.StatusCode, 200);
    assert.equal(meta.ExecutedVersion, "$LATEST");
    const log = Buffer.from(meta.LogResult, "base64").toString("utf8");
    assert.match(log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/m);
    assert.match(log, /\tINFO\techo {"hello":"cli"}$/m);
    const { readFileSync } = await import("node:fs");
    const echo = JSON.parse(readFileSync(out, "utf8")) as Echo;
    assert.deepEqual(echo.event, { hello: "cli" });
    assert.equal(echo.env.GREETING, "hi");
    assert.equal(echo.context.memoryLimitInMB, "256", "memoryLimitInMB is a string, as on Lambda");
  });

  it("gives the function Lambda's context and reserved environment variables", async () => {
    await createFromFixture(suite.client, "ctx", "node-cjs", { MemorySize: 512, Timeout: 7 });
    const result = await invoke(suite.client, "ctx", { a: 1 });
    assert.equal(result.status, 200);
    assert.equal(result.functionError, undefined);
    const echo = result.json as Echo;
    assert.equal(echo.context.functionName, "ctx");
    assert.equal(echo.context.functionVersion, "$LATEST");
    assert.equal(echo.context.logGroupName, "/aws/lambda/ctx");
    assert.match(String(echo.context.logStreamName), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.equal(echo.context.invokedFunctionArn, "arn:aws:lambda:us-east-1:000000000000:function:ctx");
    assert.equal(echo.context.awsRequestId, result.raw.$metadata.requestId, "the function's request id is the API's");
    const remaining = Number(echo.context.remainingMs);
    assert.ok(remaining > 6000 && remaining <= 7000, `remaining time ${remaining} fits a 7 s timeout`);
    assert.equal(echo.env.AWS_LAMBDA_FUNCTION_NAME, "ctx");
    assert.equal(echo.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "512");
    assert.equal(echo.env.AWS_REGION, "us-east-1");
    assert.equal(echo.env.TZ, ":UTC");
    assert.equal(echo.env._HANDLER, "index.handler");
    assert.equal(echo.env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs20.x");
  });

  it("starts cold once, then reuses the warm environment with its state and /tmp", async () => {
    await createFromFixture(suite.client, "warm", "node-cjs");
    const first = await invoke(suite.client, "warm", { n: 1 });
    const second = await invoke(suite.client, "warm", { n: 2 });
    const third = await invoke(suite.client, "warm", { n: 3 });
    assert.deepEqual([first, second, third].map((r) => (r.json as Echo).count), [1, 2, 3]);
    assert.deepEqual([first, second, third].map((r) => (r.json as Echo).tmpFileExisted), [false, true, true]);
    const reports = [first, second, third].map((r) => parseReport(r.log));
    assert.ok(reports[0]?.["Init Duration"], "the cold start reports its Init Duration");
    assert.equal(reports[1]?.["Init Duration"], undefined, "warm invocations do not");
    assert.equal(reports[2]?.["Init Duration"], undefined);
    for (const report of reports) {
      assert.match(report.Duration ?? "", /^\d+\.\d{2} ms$/);
      assert.match(report["Billed Duration"] ?? "", /^\d+ ms$/);
      assert.ok(Number.parseInt(report["Billed Duration"] ?? "0") >= Math.ceil(Number.parseFloat(report.Duration ?? "0")));
      assert.equal(report["Memory Size"], "128 MB");
      assert.match(report["Max Memory Used"] ?? "", /^[1-9]\d* MB$/, "memory used is measured");
    }
    assert.match(first.log, /\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d{2} ms\t$/m, "REPORT ends with a tab, Init Duration last");
  });

  it("never serves new invocations from old environments after a code or config update", async () => {
    await createFromFixture(suite.client, "updated", "node-cjs");
    assert.equal(((await invoke(suite.client, "updated")).json as Echo).count, 1);
    assert.equal(((await invoke(suite.client, "updated")).json as Echo).count, 2);
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "updated", Environment: { Variables: { CODE_VERSION: "v2" } } }));
    const afterConfig = await invoke(suite.client, "updated");
    assert.equal((afterConfig.json as Echo).version, "v2");
    assert.equal((afterConfig.json as Echo).count, 1, "a config update starts a new environment");
    assert.ok(parseReport(afterConfig.log)["Init Duration"], "and it is a cold start");
    const before = (await suite.client.send(new GetFunctionCommand({ FunctionName: "updated" }))).Configuration;
    await suite.client.send(new UpdateFunctionCodeCommand({ FunctionName: "updated", ZipFile: await fixtureZip("node-esm") }));
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "updated", Handler: "index.handler" }));
    const afterCode = await invoke(suite.client, "updated", { x: 1 });
    assert.equal((afterCode.json as { module: string }).module, "esm", "new code runs after UpdateFunctionCode");
    const now = (await suite.client.send(new GetFunctionCommand({ FunctionName: "updated" }))).Configuration;
    assert.notEqual(now?.CodeSha256, before?.CodeSha256);
    assert.notEqual(now?.RevisionId, before?.RevisionId);
  });

  it("runs ES modules with top-level await, nested folders and nested exports", async () => {
    await createFromFixture(suite.client, "esm", "node-esm", { Runtime: "nodejs22.x" });
    const esm = await invoke(suite.client, "esm", { q: 1 });
    assert.equal(esm.functionError, undefined, esm.payload);
    assert.deepEqual((esm.json as { echo: unknown }).echo, { q: 1 });
    await createFromFixture(suite.client, "nested", "node-nested", { Handler: "src/handlers/app.routes.get" });
    const nested = await invoke(suite.client, "nested", { path: "/items" });
    assert.deepEqual(nested.json, { nested: true, path: "/items" });
  });

  it("honours callbackWaitsForEmptyEventLoop for callback handlers", async () => {
    await createFromFixture(suite.client, "callback", "callback-waits");
    const waits = await invoke(suite.client, "callback", { wait: true });
    assert.deepEqual(waits.json, { timerFiredBeforeResponse: 0 });
    const next = await invoke(suite.client, "callback", { wait: false });
    assert.deepEqual(next.json, { timerFiredBeforeResponse: 1 }, "the first invocation's timer ran before it answered");
  });

  it("answers DryRun with 204 and an empty body after checking the function exists", async () => {
    await createFromFixture(suite.client, "dry", "node-cjs");
    const { InvokeCommand } = await import("@aws-sdk/client-lambda");
    const result = await suite.client.send(new InvokeCommand({ FunctionName: "dry", InvocationType: "DryRun" }));
    assert.equal(result.StatusCode, 204);
    await assert.rejects(suite.client.send(new InvokeCommand({ FunctionName: "no-such-fn", InvocationType: "DryRun" })), { name: "ResourceNotFoundException" });
  });
});
