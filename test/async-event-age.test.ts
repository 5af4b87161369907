/** MaximumEventAgeInSeconds: an event throttled past its age goes to the failure destination, never lost. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { createFromFixture } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";

describe("asynchronous event age", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) }));

  it("gives up on a throttled event at its maximum age (60 s, Lambda's minimum) with EventAgeExceeded", async () => {
    await collector.start();
    await createFromFixture(suite.client, "age-collector", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("age") } } });
    await createFromFixture(suite.client, "blocked", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("blocked") } } });
    await suite.client.send(new PutFunctionConcurrencyCommand({ FunctionName: "blocked", ReservedConcurrentExecutions: 0 }));
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: "blocked",
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:age-collector" } },
    }));
    const sent = await suite.client.send(new InvokeCommand({ FunctionName: "blocked", InvocationType: "Event", Payload: Buffer.from('{"old":true}') }));
    const started = Date.now();
    const record = await waitFor("the EventAgeExceeded record", () => collector.recorded("age").find((r) => r.phase === "start")?.event, 90_000) as {
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
    assert.deepEqual(collector.recorded("blocked"), [], "the throttled function never ran");
    await collector.close();
  });
});
