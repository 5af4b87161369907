/** Reserved concurrency and the account limit: over a limit, 429 TooManyRequestsException with Lambda's Reason. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { createFromFixture, invoke, lambda } from "./helpers/clients.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

describe("concurrency limits", () => {
  let unkai: TestUnkai;
  let client: LambdaClient;

  before(async () => {
    // A small account so the limit is reachable under test load; a tenth stays unreserved.
    unkai = await startUnkai({ UNKAI_ACCOUNT_CONCURRENCY: "10" });
    client = lambda(unkai.url);
    await createFromFixture(client, "slow", "slow", { Timeout: 10 });
    await createFromFixture(client, "quick", "node-cjs");
  });
  after(async () => {
    client?.destroy();
    assert.equal(await unkai.stop(), 0);
  });

  it("throttles everything at reserved concurrency 0, and stops throttling when it is deleted", async () => {
    const put = await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "quick", ReservedConcurrentExecutions: 0 }));
    assert.equal(put.ReservedConcurrentExecutions, 0);
    const got = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: "quick" }));
    assert.equal(got.ReservedConcurrentExecutions, 0);
    const error = await invoke(client, "quick").then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TooManyRequestsException, `expected a throttle, got ${String(error)}`);
    assert.equal(error.$metadata.httpStatusCode, 429);
    assert.equal(error.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded");
    assert.equal(error.message, "Rate Exceeded.");
    await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "quick" }));
    assert.deepEqual((await client.send(new GetFunctionConcurrencyCommand({ FunctionName: "quick" }))).ReservedConcurrentExecutions, undefined);
    assert.equal((await invoke(client, "quick")).status, 200);
  });

  it("caps a function at its reserved concurrency under parallel load", async () => {
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "slow", ReservedConcurrentExecutions: 2 }));
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => invoke(client, "slow", { ms: 800 }, false)));
    const ok = results.filter((r) => r.status === "fulfilled");
    const throttled = results.filter((r) => r.status === "rejected" && r.reason instanceof TooManyRequestsException);
    assert.equal(ok.length, 2, "exactly the reserved two run");
    assert.equal(throttled.length, 3);
    await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "slow" }));
  });

  it("throttles at the account limit with ConcurrentInvocationLimitExceeded", async () => {
    const settings = await client.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountLimit?.ConcurrentExecutions, 10);
    const results = await Promise.allSettled(Array.from({ length: 14 }, () => invoke(client, "slow", { ms: 1500 }, false)));
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const reasons = results.flatMap((r) => (r.status === "rejected" && r.reason instanceof TooManyRequestsException ? [r.reason.Reason] : []));
    assert.equal(ok, 10, "the account's ten run in parallel");
    assert.equal(reasons.length, 4);
    assert.ok(reasons.every((reason) => reason === "ConcurrentInvocationLimitExceeded"));
  });

  it("refuses a reservation that leaves less than the unreserved minimum", async () => {
    await assert.rejects(
      client.send(new PutFunctionConcurrencyCommand({ FunctionName: "quick", ReservedConcurrentExecutions: 10 })),
      (error: Error) => error.name === "InvalidParameterValueException" && /below its minimum value of \[1\]/.test(error.message),
    );
    await assert.rejects(
      client.send(new PutFunctionConcurrencyCommand({ FunctionName: "quick:1", ReservedConcurrentExecutions: 1 })),
      (error: Error) => error.name === "InvalidParameterValueException" && /Qualified ARN or name is not allowed/.test(error.message),
    );
  });
});
