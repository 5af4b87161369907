/**
 * SQS across a SIGKILL of Unkai: every acknowledged send is there after a restart on the same data
 * directory (sends are fsynced before they are answered), and messages that were in flight when it
 * died come back after their visibility timeout, not before and not never.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const client = (url: string) => new SQSClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });

describe("SQS durability", () => {
  it("keeps every acknowledged message across a SIGKILL during sends and receives", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-sqs-kill-"));
    try {
      const first = await startUnkai({}, dataDir);
      const sqs = client(first.url);
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "durable" }));
      const acknowledged = new Set<string>();
      let killed = false;
      let next = 0;
      const sender = async () => {
        while (!killed) {
          const ids = Array.from({ length: 10 }, () => `m${next++}`);
          try {
            const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: ids.map((id) => ({ Id: id, MessageBody: id })) }));
            for (const entry of result.Successful ?? []) acknowledged.add(entry.Id ?? "");
          } catch {
            return; // Unkai died while this batch was in flight: not acknowledged.
          }
        }
      };
      const senders = Array.from({ length: 4 }, sender);
      await waitFor("some acknowledged sends", () => (acknowledged.size >= 200 ? true : undefined));
      const inFlight = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 3 }));
      const inFlightBodies = (inFlight.Messages ?? []).map((m) => m.Body ?? "");
      assert.equal(inFlightBodies.length, 10);
      first.process.kill("SIGKILL");
      killed = true;
      await Promise.all(senders);
      await new Promise((resolve) => first.process.exitCode !== null || first.process.signalCode !== null ? resolve(undefined) : first.process.once("exit", resolve));
      sqs.destroy();

      const second = await startUnkai({}, dataDir);
      const after = client(second.url);
      try {
        const seen = new Set<string>();
        const drain = async () => {
          for (;;) {
            const got = await after.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
            const messages = got.Messages ?? [];
            if (messages.length === 0) return;
            for (const m of messages) seen.add(m.Body ?? "");
            await after.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
          }
        };
        await drain();
        const missing = () => [...acknowledged].filter((id) => !seen.has(id));
        await waitFor("the in-flight messages to come back after their visibility timeout", async () => {
          await drain();
          return missing().length === 0 ? true : undefined;
        }, 30_000);
        for (const body of inFlightBodies) assert.ok(seen.has(body), `${body}, in flight at the kill, came back`);
        assert.ok(acknowledged.size >= 200, `${acknowledged.size} acknowledged before the kill`);
      } finally {
        after.destroy();
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
