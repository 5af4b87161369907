/**
 * S3's EventBridge notifications (issue 18): a bucket with `EventBridgeConfiguration` sends every
 * object change to the default event bus in AWS's shape ("EventBridge event message structure"), where
 * a rule routes it to an SQS queue; the setting reads back through SDK v3 and the AWS CLI v2, and
 * turning it off stops the events. Tagging an object (AWS CLI) and removing its tags (SDK v3) send
 * "Object Tags Added" and "Object Tags Deleted"; a PutObjectAcl that changes nothing sends nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateBucketCommand, DeleteObjectCommand, DeleteObjectTaggingCommand, GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { awsS3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const ACCOUNT = "000000000000";
const BUCKET = "eb-uploads";
const RULE_ARN = `arn:aws:events:us-east-1:${ACCOUNT}:rule/s3-objects`;
const QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:s3-events`;

interface S3BusEvent {
  readonly id: string;
  readonly source: string;
  readonly "detail-type": string;
  readonly account: string;
  readonly region: string;
  readonly resources: string[];
  readonly time: string;
  readonly detail: Record<string, unknown> & { object: Record<string, unknown> };
}

describe("S3 notifications to EventBridge (EventBridgeConfiguration)", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let client: S3Client;
  let sqs: SQSClient;
  let events: EventBridgeClient;
  let queueUrl: string;

  /** The S3 events the rule put on the queue so far, deleted as they are read. */
  async function drain(): Promise<S3BusEvent[]> {
    const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of page.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    return (page.Messages ?? []).map((m) => JSON.parse(m.Body ?? "{}") as S3BusEvent);
  }

  async function next(what: string): Promise<S3BusEvent> {
    const got: S3BusEvent[] = [];
    await waitFor(what, async () => (got.push(...(await drain())), got.length > 0 ? true : undefined), 20_000);
    assert.equal(got.length, 1, `one event for ${what}`);
    return got[0] as S3BusEvent;
  }

  before(async () => {
    const config = { endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 };
    client = s3(suite.unkai.url);
    sqs = new SQSClient(config);
    events = new EventBridgeClient(config);
    // Under --iam enforce the queue's policy must let the rule's deliveries in, as on AWS.
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN, Condition: { ArnEquals: { "aws:SourceArn": RULE_ARN } } }] };
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "s3-events", Attributes: { Policy: JSON.stringify(policy) } }))).QueueUrl ?? "";
    const pattern = { source: ["aws.s3"], "detail-type": ["Object Created", "Object Deleted", "Object Tags Added", "Object Tags Deleted"], detail: { bucket: { name: [BUCKET] } } };
    await events.send(new PutRuleCommand({ Name: "s3-objects", EventPattern: JSON.stringify(pattern) }));
    await events.send(new PutTargetsCommand({ Rule: "s3-objects", Targets: [{ Id: "q", Arn: QUEUE_ARN }] }));
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(() => {
    client?.destroy();
    sqs?.destroy();
    events?.destroy();
  });

  it("sends an upload and a delete to the default bus in AWS's shape, where a rule routes them", async () => {
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    const read = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
    assert.deepEqual(read.EventBridgeConfiguration, {});
    const cli = await awsS3(suite.unkai.url, ["s3api", "get-bucket-notification-configuration", "--bucket", BUCKET]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout), { EventBridgeConfiguration: {} });

    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "docs/a b.txt", Body: "hello" }));
    const created = await next("the upload's event");
    assert.deepEqual({ ...created, id: "-", time: "-", detail: { ...created.detail, "request-id": "-", object: { ...created.detail.object, sequencer: "-" } } }, {
      version: "0", id: "-", "detail-type": "Object Created", source: "aws.s3", account: ACCOUNT, time: "-", region: "us-east-1",
      resources: [`arn:aws:s3:::${BUCKET}`],
      detail: {
        version: "0", bucket: { name: BUCKET },
        object: { key: "docs/a b.txt", size: 5, etag: "5d41402abc4b2a76b9719d911017c592", sequencer: "-" },
        "request-id": "-", requester: ACCOUNT, "source-ip-address": "127.0.0.1", reason: "PutObject",
      },
    });
    assert.match(String(created.detail["request-id"]), /\S/);
    assert.match(created.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: "docs/a b.txt" }));
    const deleted = await next("the delete's event");
    assert.equal(deleted["detail-type"], "Object Deleted");
    assert.deepEqual([deleted.detail.reason, deleted.detail["deletion-type"], deleted.detail.object.key], ["DeleteObject", "Permanently Deleted", "docs/a b.txt"]);
  });

  it("stops when the configuration leaves EventBridgeConfiguration out", async () => {
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: {} }));
    assert.equal((await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }))).EventBridgeConfiguration, undefined);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "quiet.txt", Body: "shh" }));
    // Turned back on, the next upload's event is the first one on the queue: the quiet one never went.
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "loud.txt", Body: "hey" }));
    const event = await next("the upload after turning it back on");
    assert.equal(event.detail.object.key, "loud.txt");
  });

  it("sends Object Tags Added for PutObjectTagging (AWS CLI) and Object Tags Deleted for DeleteObjectTagging (SDK v3); an ACL put that changes nothing sends none", async () => {
    await client.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "tagged.txt", Body: "hello" }));
    assert.equal((await next("the upload's event"))["detail-type"], "Object Created");

    const tagged = await awsS3(suite.unkai.url, ["s3api", "put-object-tagging", "--bucket", BUCKET, "--key", "tagged.txt", "--tagging", "TagSet=[{Key=team,Value=blue}]"]);
    assert.equal(tagged.code, 0, tagged.stderr);
    const added = await next("the tagging's event");
    assert.deepEqual({ ...added, id: "-", time: "-", detail: { ...added.detail, "request-id": "-" } }, {
      version: "0", id: "-", "detail-type": "Object Tags Added", source: "aws.s3", account: ACCOUNT, time: "-", region: "us-east-1",
      resources: [`arn:aws:s3:::${BUCKET}`],
      detail: {
        version: "0", bucket: { name: BUCKET }, object: { key: "tagged.txt", etag: "5d41402abc4b2a76b9719d911017c592" },
        "request-id": "-", requester: ACCOUNT, "source-ip-address": "127.0.0.1",
      },
    });
    assert.match(String(added.detail["request-id"]), /\S/);

    // AWS: "An event is not generated when a request results in no change to an object's ACL" — and the
    // only ACL Unkai accepts is the owner's, which every object already has.
    const acl = await awsS3(suite.unkai.url, ["s3api", "put-object-acl", "--bucket", BUCKET, "--key", "tagged.txt", "--acl", "private"]);
    assert.equal(acl.code, 0, acl.stderr);
    await client.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: "tagged.txt" }));
    const removed = await next("the tag removal's event (and no Object ACL Updated before it)");
    assert.equal(removed["detail-type"], "Object Tags Deleted");
    assert.deepEqual(removed.detail.object, { key: "tagged.txt", etag: "5d41402abc4b2a76b9719d911017c592" });
  });
});
