/** Custom runtimes (provided.al2023 / provided.al2): an executable `bootstrap` speaking the Runtime API, unmodified. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke, parseReport, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { ricPackage } from "./helpers/ric.js";

/** A package whose bootstrap runs AWS's own Node.js runtime interface client from npm. */
function ricHandlerPackage(): Promise<Buffer> {
  return ricPackage([
    "let calls = 0;",
    "exports.handler = async (event, context) => {",
    "  calls += 1;",
    "  console.log('ric handler', JSON.stringify(event));",
    "  if (event.fail) throw new RangeError('asked to fail');",
    "  return { ric: true, calls, requestId: context.awsRequestId, fn: context.functionName };",
    "};",
  ].join("\n"));
}

describe("custom runtimes", () => {
  const suite = unkaiSuite();

  it("runs a shell-script bootstrap that uses curl, as in AWS's tutorial", async () => {
    await createFromFixture(suite.client, "shell", "custom-curl", { Runtime: "provided.al2023", Handler: "function.handler" });
    const first = await invoke(suite.client, "shell", { hello: "shell" });
    assert.equal(first.functionError, undefined, first.payload);
    assert.deepEqual(first.json, { runtime: "shell", handler: "function.handler", event: { hello: "shell" } });
    assert.match(first.log, /custom runtime got \{"hello":"shell"\}/);
    assert.ok(parseReport(first.log)["Init Duration"]);
    const second = await invoke(suite.client, "shell", { n: 2 });
    assert.deepEqual((second.json as { event: unknown }).event, { n: 2 });
    assert.equal(parseReport(second.log)["Init Duration"], undefined, "the shell loop is reused warm");
  });

  it("runs AWS's Node.js runtime interface suite.client (aws-lambda-ric) as the bootstrap", async () => {
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "ric",
      Runtime: "provided.al2",
      Handler: "index.handler",
      Role: ROLE,
      Code: { ZipFile: await ricHandlerPackage() },
    }));
    const first = await invoke(suite.client, "ric", { via: "ric" });
    assert.equal(first.functionError, undefined, first.payload);
    const body = first.json as { ric: boolean; calls: number; requestId: string; fn: string };
    assert.equal(body.ric, true);
    assert.equal(body.fn, "ric");
    assert.equal(body.requestId, first.raw.$metadata.requestId);
    assert.match(first.log, /\tINFO\tric handler \{"via":"ric"\}/);
    const second = await invoke(suite.client, "ric", {});
    assert.equal((second.json as { calls: number }).calls, 2, "warm reuse with the RIC too");
    const failed = await invoke(suite.client, "ric", { fail: true });
    assert.equal(failed.functionError, "Unhandled");
    assert.equal((failed.json as { errorType: string }).errorType, "RangeError");
  });
});
