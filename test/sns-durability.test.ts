/**
 * What SNS keeps in the store outlives the process: a pending http retry is made by the next Unkai
 * started on the same data directory, and a FIFO topic's deduplication id is still remembered
 * there (AWS CLI v2 for the FIFO publishes, SDK v3 for the rest). What two nodes of a cluster share
 * (the signing key, the deduplication window) is tested in postgres-server.test.ts.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { Endpoint } from "./helpers/sns.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";
import { allowServicesToSend } from "./helpers/service-access.js";

const sns = (unkai: TestUnkai) => new SNSClient({ endpoint: unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });

describe("SNS state across a restart", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-sns-durable-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it("a pending http retry is delivered by the restarted Unkai; a FIFO deduplication id is still remembered", async () => {
    const endpoint = await new Endpoint().start("/hook");
    try {
      const first = await startUnkai({}, dataDir);
      const client = sns(first);
      const { TopicArn } = await client.send(new CreateTopicCommand({ Name: "durable" }));
      // Long enough that the retry cannot fall before the stop: it must be the next process that makes it.
      await client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: endpoint.url, Attributes: { DeliveryPolicy: '{"healthyRetryPolicy":{"numRetries":2,"minDelayTarget":5}}' } }));
      const confirmation = await waitFor("the SubscriptionConfirmation", () => endpoint.of("SubscriptionConfirmation")[0], 30_000);
      assert.equal((await fetch(confirmation.body.SubscribeURL ?? "")).status, 200);

      const fifo = ["sns", "create-topic", "--name", "ledger.fifo", "--attributes", "FifoTopic=true"];
      const fifoArn = (JSON.parse((await aws(first.url, fifo)).stdout) as { TopicArn: string }).TopicArn;
      const queueUrl = (await new SQSClient({ endpoint: first.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS }).send(new CreateQueueCommand({ QueueName: "ledger.fifo", Attributes: { FifoQueue: "true" } }))).QueueUrl ?? "";
      await allowServicesToSend(new SQSClient({ endpoint: first.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS }), queueUrl, "arn:aws:sqs:us-east-1:000000000000:ledger.fifo", [{ service: "sns.amazonaws.com", sourceArn: String(fifoArn) }]);
      await client.send(new SubscribeCommand({ TopicArn: fifoArn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:ledger.fifo", Attributes: { RawMessageDelivery: "true" } }));
      const publishFifo = async (unkai: TestUnkai, body: string) => {
        const run = await aws(unkai.url, ["sns", "publish", "--topic-arn", fifoArn, "--message", body, "--message-group-id", "g", "--message-deduplication-id", "once"]);
        assert.equal(run.code, 0, run.stderr);
        return JSON.parse(run.stdout) as { MessageId: string; SequenceNumber: string };
      };
      const original = await publishFifo(first, "debit 1");

      endpoint.answer = () => 500;
      const published = await client.send(new PublishCommand({ TopicArn, Message: "survives a restart" }));
      await waitFor("the first, refused attempt", () => endpoint.of("Notification")[0], 30_000);
      await first.stop();
      const stoppedAt = Date.now();
      endpoint.answer = () => 200;

      const second = await startUnkai({}, dataDir);
      try {
        await waitFor("the retry from the restarted Unkai", () => endpoint.of("Notification")[1], 30_000);
        const attempts = endpoint.received.filter((r) => r.body.Type === "Notification");
        assert.deepEqual(attempts.map((r) => r.body.MessageId), [published.MessageId, published.MessageId], "the same message, attempted twice");
        assert.ok((attempts[1]?.at ?? 0) >= stoppedAt, "the retry came after the stop");

        const again = await publishFifo(second, "debit 1 again");
        assert.deepEqual(again, original, "a duplicate after the restart answers the first MessageId and SequenceNumber");
        const sqs = new SQSClient({ endpoint: second.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
        const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];
        assert.deepEqual(got.map((m) => m.Body), ["debit 1"], "delivered once");
      } finally {
        await second.stop();
      }
    } finally {
      await endpoint.close();
    }
  });

  it("a notification whose first http attempt was cut off by a SIGKILL is delivered by the restarted Unkai", async () => {
    const crashDir = mkdtempSync(join(tmpdir(), "unkai-sns-crash-"));
    const endpoint = await new Endpoint().start("/hook");
    // A short attempt timeout keeps the retry's wait short; the kill comes long before it ends.
    const env = { UNKAI_SNS_HTTP_TIMEOUT_MS: "3000" };
    try {
      const first = await startUnkai(env, crashDir);
      const client = sns(first);
      const { TopicArn } = await client.send(new CreateTopicCommand({ Name: "cut-off" }));
      await client.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: endpoint.url }));
      const confirmation = await waitFor("the SubscriptionConfirmation", () => endpoint.of("SubscriptionConfirmation")[0], 30_000);
      assert.equal((await fetch(confirmation.body.SubscribeURL ?? "")).status, 200);

      endpoint.answer = () => "hold";
      const published = await client.send(new PublishCommand({ TopicArn, Message: "acknowledged, then the crash" }));
      await waitFor("the first attempt, held open", () => endpoint.of("Notification")[0], 30_000);
      first.process.kill("SIGKILL");
      await new Promise((resolve) => first.process.once("exit", resolve));
      client.destroy();
      endpoint.answer = () => 200;

      const second = await startUnkai(env, crashDir);
      try {
        await waitFor("the attempt from the restarted Unkai", () => endpoint.of("Notification")[1], 30_000);
        assert.deepEqual(endpoint.of("Notification").map((r) => r.body.MessageId), [published.MessageId, published.MessageId]);
      } finally {
        await second.stop();
      }
    } finally {
      await endpoint.close();
      rmSync(crashDir, { recursive: true, force: true });
    }
  });
});
