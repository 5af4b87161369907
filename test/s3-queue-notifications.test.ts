/**
 * Seed 002's pipeline: an upload to S3 notifies an SQS queue, and a function consumes the queue through
 * an event source mapping. Also: the `s3:TestEvent` S3 sends when a queue is configured, the
 * configuration read back, filters, deletes, and destinations S3 cannot deliver to (a missing queue,
 * another account's queue) refused with S3's InvalidArgument and nothing stored.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand, DeleteObjectCommand, GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";
import { allowServicesToPublish, allowServicesToSend } from "./helpers/service-access.js";

const QUEUE_ARN = (name: string, account = "000000000000") => `arn:aws:sqs:us-east-1:${account}:${name}`;

interface S3Event { Records: { eventName: string; s3: { bucket: { name: string }; object: { key: string; size?: number }; configurationId: string } }[] }

describe("S3 notifications to SQS queues (seed 002: S3 → SQS → Lambda)", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ ...(await collector.env()) }));
  let client: S3Client;
  let sqs: SQSClient;
  before(async () => {
    await collector.start();
    client = s3(suite.unkai.url);
    sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  });
  after(() => {
    client?.destroy();
    sqs?.destroy();
    return collector.close();
  });

  /** The S3 events in the SQS records the consumer function got, in order. */
  const deliveredEvents = () => collector.recorded("resizer").filter((r) => r.phase === "start")
    .flatMap((r) => (r.event as { Records: { body: string; eventSource: string }[] }).Records)
    .map((record) => { assert.equal(record.eventSource, "aws:sqs"); return JSON.parse(record.body) as S3Event | { Event: string }; });

  it("sends s3:TestEvent on configuration, then each matching upload and delete to the queue, which a function consumes", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "uploads", Attributes: { VisibilityTimeout: "30" } }));
    await client.send(new CreateBucketCommand({ Bucket: "photos" }));
    await allowServicesToSend(sqs, String(QueueUrl), QUEUE_ARN("uploads"), [{ service: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::photos" }]);
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: "photos", NotificationConfiguration: { QueueConfigurations: [{
      Id: "to-uploads", QueueArn: QUEUE_ARN("uploads"), Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
      Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "incoming/" }] } },
    }] } }));
    const test = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    assert.equal((JSON.parse(test.Messages?.[0]?.Body ?? "{}") as { Event?: string }).Event, "s3:TestEvent", "S3 proves the queue with a test event");
    const read = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: "photos" }));
    assert.deepEqual(read.QueueConfigurations?.map((c) => [c.Id, c.QueueArn, c.Events]), [["to-uploads", QUEUE_ARN("uploads"), ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]]]);

    await createFromFixture(suite.client, "resizer", "sqs-consumer", { Timeout: 5, Environment: { Variables: { COLLECTOR_URL: collector.url("resizer") } } });
    await suite.client.send(new CreateEventSourceMappingCommand({ FunctionName: "resizer", EventSourceArn: QUEUE_ARN("uploads"), BatchSize: 1 }));
    await client.send(new PutObjectCommand({ Bucket: "photos", Key: "elsewhere/skip.jpg", Body: "no" }));
    await client.send(new PutObjectCommand({ Bucket: "photos", Key: "incoming/cat pic.jpg", Body: "meow" }));
    await client.send(new DeleteObjectCommand({ Bucket: "photos", Key: "incoming/cat pic.jpg" }));
    const events = await waitFor("both notifications through the queue", () => {
      const got = deliveredEvents().filter((e): e is S3Event => "Records" in e);
      return got.length >= 2 ? got : undefined;
    }, 30_000);
    const records = events.flatMap((e) => e.Records).sort((a, b) => a.eventName.localeCompare(b.eventName));
    assert.deepEqual(records.map((r) => [r.eventName, r.s3.bucket.name, r.s3.object.key, r.s3.configurationId]), [
      ["ObjectCreated:Put", "photos", "incoming/cat+pic.jpg", "to-uploads"],
      ["ObjectRemoved:Delete", "photos", "incoming/cat+pic.jpg", "to-uploads"],
    ]);
    assert.equal(records[0]?.s3.object.size, 4);
    assert.ok(!deliveredEvents().some((e) => "Records" in e && e.Records.some((r) => r.s3.object.key.startsWith("elsewhere"))), "the prefix filter holds");
  });

  it("sends to an SNS topic (TopicConfiguration), which fans out to its subscribed queue with the S3 event as the Message", async () => {
    const sns = new SNSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "fanout" }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "uploads-topic" }));
    await allowServicesToSend(sqs, String(QueueUrl), QUEUE_ARN("fanout"), [{ service: "sns.amazonaws.com", sourceArn: String(TopicArn) }]);
    await allowServicesToPublish(sns, String(TopicArn), [{ service: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::docs" }]);
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: QUEUE_ARN("fanout"), Attributes: { RawMessageDelivery: "false" } }));
    await client.send(new CreateBucketCommand({ Bucket: "docs" }));
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: "docs", NotificationConfiguration: { TopicConfigurations: [{ Id: "to-topic", TopicArn, Events: ["s3:ObjectCreated:Put"] }] } }));
    await client.send(new PutObjectCommand({ Bucket: "docs", Key: "report.pdf", Body: "pdf" }));
    const messages: Message[] = [];
    await waitFor("the test event and the upload through the topic", async () => {
      messages.push(...((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? []));
      return messages.length >= 2 ? true : undefined;
    }, 30_000);
    const envelopes = messages.map((m) => JSON.parse(m.Body ?? "{}") as { Type: string; TopicArn: string; Subject: string; Message: string });
    const upload = envelopes.map((e) => JSON.parse(e.Message) as S3Event | { Event: string }).find((e): e is S3Event => "Records" in e);
    assert.deepEqual(upload?.Records.map((r) => [r.eventName, r.s3.object.key, r.s3.configurationId]), [["ObjectCreated:Put", "report.pdf", "to-topic"]]);
    assert.ok(envelopes.every((e) => e.Type === "Notification" && e.TopicArn === TopicArn && e.Subject === "Amazon S3 Notification"));
    sns.destroy();
  });

  it("refuses destinations it cannot deliver to, keeping the configuration that was there", async () => {
    await client.send(new CreateBucketCommand({ Bucket: "guarded" }));
    const put = (QueueArn: string) => client.send(new PutBucketNotificationConfigurationCommand({
      Bucket: "guarded", NotificationConfiguration: { QueueConfigurations: [{ QueueArn, Events: ["s3:ObjectCreated:*"] }] },
    }));
    await assert.rejects(put(QUEUE_ARN("no-such-queue")), (error: Error) => error.name === "InvalidArgument" && /Unable to validate the following destination configurations/.test(error.message));
    await assert.rejects(put(QUEUE_ARN("uploads", "999999999999")), { name: "InvalidArgument" }, "another account's queue");
    await assert.rejects(put("arn:aws:sqs:us-east-1:000000000000:bad name"), { name: "InvalidArgument" });
    const read = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: "guarded" }));
    assert.equal(read.QueueConfigurations, undefined, "nothing was stored");
  });
});
