/**
 * SQS queues on the receiving end of asynchronous invocation: OnSuccess/OnFailure destinations get
 * the invocation record, a DeadLetterConfig queue gets the failed event with Lambda's attributes.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const arn = (queue: string) => `arn:aws:sqs:us-east-1:000000000000:${queue}`;

describe("SQS as an asynchronous invocation's destination and dead-letter queue", () => {
  const suite = unkaiSuite({ UNKAI_ASYNC_RETRY_SCALE: "0.01" });
  let sqs: SQSClient;
  before(() => {
    sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });

  const firstMessage = (QueueUrl: string | undefined) =>
    waitFor("a message on the queue", async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }))).Messages?.[0], 30_000);

  it("delivers the invocation record to OnSuccess and OnFailure queues", async () => {
    const ok = await sqs.send(new CreateQueueCommand({ QueueName: "dest-success" }));
    const failed = await sqs.send(new CreateQueueCommand({ QueueName: "dest-failure" }));
    await createFromFixture(suite.client, "dest-ok", "node-esm", { Handler: "index.handler" });
    await createFromFixture(suite.client, "dest-throws", "throws");
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "dest-ok", DestinationConfig: { OnSuccess: { Destination: arn("dest-success") } } }));
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: "dest-throws", MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: arn("dest-failure") } },
    }));
    await suite.client.send(new InvokeCommand({ FunctionName: "dest-ok", InvocationType: "Event", Payload: Buffer.from('{"name":"queue"}') }));
    await suite.client.send(new InvokeCommand({ FunctionName: "dest-throws", InvocationType: "Event", Payload: Buffer.from('{"n":1}') }));
    const success = JSON.parse((await firstMessage(ok.QueueUrl)).Body ?? "{}") as { requestContext?: { condition?: string }; requestPayload?: unknown };
    assert.equal(success.requestContext?.condition, "Success");
    assert.deepEqual(success.requestPayload, { name: "queue" });
    const failure = JSON.parse((await firstMessage(failed.QueueUrl)).Body ?? "{}") as { requestContext?: { condition?: string }; responseContext?: { functionError?: string } };
    assert.equal(failure.requestContext?.condition, "RetriesExhausted");
    assert.equal(failure.responseContext?.functionError, "Unhandled");
    await assert.rejects(
      suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "dest-ok", DestinationConfig: { OnSuccess: { Destination: arn("elsewhere").replace("000000000000", "999999999999") } } })),
      { name: "InvalidParameterValueException" },
    );
  });

  it("sends a failed event to the function's DeadLetterConfig queue with Lambda's attributes", async () => {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "fn-dlq" }));
    await createFromFixture(suite.client, "dlq-throws", "throws", { DeadLetterConfig: { TargetArn: arn("fn-dlq") } });
    await suite.client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "dlq-throws", MaximumRetryAttempts: 0 }));
    const invoked = await suite.client.send(new InvokeCommand({ FunctionName: "dlq-throws", InvocationType: "Event", Payload: Buffer.from('{"poison":true}') }));
    const message = await firstMessage(dlq.QueueUrl);
    assert.deepEqual(JSON.parse(message.Body ?? ""), { poison: true }, "the event itself");
    assert.equal(message.MessageAttributes?.ErrorCode?.StringValue, "200");
    assert.equal(message.MessageAttributes?.ErrorMessage?.StringValue, "the payload has no 'name'");
    assert.equal(message.MessageAttributes?.RequestID?.StringValue, invoked.$metadata.requestId);
  });
});
