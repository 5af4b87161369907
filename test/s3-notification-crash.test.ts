/**
 * S3's queue, topic and EventBridge notifications across a crash (issues 16 and 21): they are committed
 * with the object, so an upload that was answered is announced even when Unkai is SIGKILLed before
 * sending. `--s3-notification-delay-ms` holds the first attempt back so the kill lands between the
 * commit and the delivery; the restarted Unkai sends each notification once, after its restart.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { s3 } from "./helpers/s3.js";
import { allowServicesToPublish, allowServicesToSend } from "./helpers/service-access.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const BUCKET = "crash-notified";
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const QUEUE_ARN = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/crash-objects`;
/** Long enough that the kill right after PutObject answers comes first, short enough not to slow the restart's check. */
const ENV = { UNKAI_S3_NOTIFICATION_DELAY_MS: "5000" };

function clients(url: string) {
  const config = { endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
  return { s3: s3(url), sqs: new SQSClient(config), sns: new SNSClient(config), events: new EventBridgeClient(config) };
}

type Clients = ReturnType<typeof clients>;

function destroy(c: Clients): void {
  for (const client of Object.values(c)) client.destroy();
}

async function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? "";
}

/** Everything on the queue now (deleted as read), waiting up to `waitSeconds` for the first. */
async function drain(sqs: SQSClient, name: string, waitSeconds: number): Promise<Message[]> {
  const QueueUrl = await queueUrl(sqs, name);
  const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, MessageSystemAttributeNames: ["SentTimestamp"] }));
  for (const m of page.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  return page.Messages ?? [];
}

/** A bucket notifying a queue directly, a topic (fanning out to a queue) and the default bus (a rule routing to a queue). */
async function configure(c: Clients): Promise<void> {
  const direct = (await c.sqs.send(new CreateQueueCommand({ QueueName: "crash-direct" }))).QueueUrl ?? "";
  const fanout = (await c.sqs.send(new CreateQueueCommand({ QueueName: "crash-fanout" }))).QueueUrl ?? "";
  const bus = (await c.sqs.send(new CreateQueueCommand({ QueueName: "crash-bus" }))).QueueUrl ?? "";
  const { TopicArn = "" } = await c.sns.send(new CreateTopicCommand({ Name: "crash-topic" }));
  await allowServicesToSend(c.sqs, direct, QUEUE_ARN("crash-direct"), [{ service: "s3.amazonaws.com", sourceArn: BUCKET_ARN }]);
  await allowServicesToSend(c.sqs, fanout, QUEUE_ARN("crash-fanout"), [{ service: "sns.amazonaws.com", sourceArn: TopicArn }]);
  await allowServicesToSend(c.sqs, bus, QUEUE_ARN("crash-bus"), [{ service: "events.amazonaws.com", sourceArn: RULE_ARN }]);
  await allowServicesToPublish(c.sns, TopicArn, [{ service: "s3.amazonaws.com", sourceArn: BUCKET_ARN }]);
  await c.sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE_ARN("crash-fanout") }));
  await c.events.send(new PutRuleCommand({ Name: "crash-objects", EventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: [BUCKET] } } }) }));
  await c.events.send(new PutTargetsCommand({ Rule: "crash-objects", Targets: [{ Id: "q", Arn: QUEUE_ARN("crash-bus") }] }));
  await c.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await c.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: {
    QueueConfigurations: [{ Id: "direct", QueueArn: QUEUE_ARN("crash-direct"), Events: ["s3:ObjectCreated:*"] }],
    TopicConfigurations: [{ Id: "topic", TopicArn, Events: ["s3:ObjectCreated:*"] }],
    EventBridgeConfiguration: {},
  } }));
  // The test events are sent at configuration, not delayed: take them off first.
  for (const name of ["crash-direct", "crash-fanout"]) {
    const [test] = await drain(c.sqs, name, 5);
    assert.match(test?.Body ?? "", /s3:TestEvent/, `the test event on ${name}`);
  }
}

/** The object key each notification names, whatever its shape (S3 record, SNS envelope, EventBridge event). */
function keyOf(body: string): string | undefined {
  const parsed = JSON.parse(body) as { Records?: { s3: { object: { key: string } } }[]; Message?: string; detail?: { object: { key: string } } };
  if (parsed.Message !== undefined) return keyOf(parsed.Message);
  return parsed.Records?.[0]?.s3.object.key ?? parsed.detail?.object.key;
}

describe("S3 queue, topic and EventBridge notifications across a crash", () => {
  it("delivers an answered upload's notifications once, after Unkai is SIGKILLed before sending them and restarted", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-s3-notify-crash-"));
    let second: TestUnkai | undefined;
    try {
      const first = await startUnkai(ENV, dataDir);
      const before = clients(first.url);
      await configure(before);
      await before.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "answered.txt", Body: "committed before the crash" }));
      first.process.kill("SIGKILL");
      await new Promise((resolve) => first.process.once("exit", resolve));
      destroy(before);

      const restartedAt = Date.now();
      second = await startUnkai(ENV, dataDir);
      const after = clients(second.url);
      try {
        const got = await after.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "answered.txt" }));
        assert.equal(await got.Body?.transformToString(), "committed before the crash");
        for (const name of ["crash-direct", "crash-fanout", "crash-bus"]) {
          const messages: Message[] = [];
          await waitFor(`the notification on ${name} after the restart`, async () => {
            messages.push(...(await drain(after.sqs, name, 2)));
            return messages.length > 0 ? true : undefined;
          }, 30_000);
          messages.push(...(await drain(after.sqs, name, 1)));
          assert.deepEqual(messages.map((m) => keyOf(m.Body ?? "{}")), ["answered.txt"], `exactly one notification on ${name}`);
          const sentAt = Number(messages[0]?.Attributes?.SentTimestamp);
          assert.ok(sentAt >= restartedAt, `${name}: sent by the restarted Unkai (${sentAt} >= ${restartedAt}), not before the kill`);
        }
      } finally {
        destroy(after);
      }
      assert.equal(await second.stop(), 0);
    } finally {
      if (second?.process.exitCode === null) second.process.kill("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
