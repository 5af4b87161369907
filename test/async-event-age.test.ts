/** MaximumEventAgeInSeconds: an event throttled past its age goes to the failure destination, never lost. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { createFromFixture, lambda } from "./helpers/clients.js";
import { startKumo, type TestKumo } from "./helpers/kumo-server.js";
import { readRecorded, waitFor } from "./helpers/wait.js";

describe("asynchronous event age", () => {
  let kumo: TestKumo;
  let client: LambdaClient;

  before(async () => {
    kumo = await startKumo({ KUMO_ASYNC_RETRY_SCALE: "0.01" });
    client = lambda(kumo.url);
  });
  after(async () => {
    client?.destroy();
    assert.equal(await kumo.stop(), 0);
  });

  it("gives up on a throttled event at its maximum age (60 s, Lambda's minimum) with EventAgeExceeded", async () => {
    const out = join(kumo.dataDir, "age.jsonl");
    await createFromFixture(client, "age-collector", "recorder", { Environment: { Variables: { OUT_FILE: out } } });
    await createFromFixture(client, "blocked", "recorder", { Environment: { Variables: { OUT_FILE: join(kumo.dataDir, "blocked.jsonl") } } });
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "blocked", ReservedConcurrentExecutions: 0 }));
    await client.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: "blocked",
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:age-collector" } },
    }));
    const sent = await client.send(new InvokeCommand({ FunctionName: "blocked", InvocationType: "Event", Payload: Buffer.from('{"old":true}') }));
    const started = Date.now();
    const record = await waitFor("the EventAgeExceeded record", () => readRecorded(out).find((r) => r.phase === "start")?.event, 90_000) as {
      requestContext: { requestId: string; condition: string; approximateInvokeCount: number };
      requestPayload: unknown;
      responseContext?: unknown;
    };
    const waitedMs = Date.now() - started;
    assert.ok(waitedMs >= 59_000, `gave up after ${waitedMs} ms, not before the 60 s age`);
    assert.equal(record.requestContext.requestId, sent.$metadata.requestId);
    assert.equal(record.requestContext.condition, "EventAgeExceeded");
    assert.equal(record.requestContext.approximateInvokeCount, 0, "it never ran");
    assert.deepEqual(record.requestPayload, { old: true });
    assert.equal(record.responseContext, undefined);
    assert.deepEqual(readRecorded(join(kumo.dataDir, "blocked.jsonl")), [], "the throttled function never ran");
  });
});
