/** S3 → Lambda notifications: configuration, filters, the exact event record, and delivery across a SIGKILL. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DeleteFunctionConcurrencyCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  GetObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createFromFixture, lambda } from "./helpers/clients.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { awsS3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";
import { allowServiceToInvoke } from "./helpers/service-access.js";

const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

interface S3Record {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; sequencer: string };
  };
}

function records(collector: Collector, channel: string): S3Record[] {
  return collector
    .recorded(channel)
    .filter((r) => r.phase === "start")
    .flatMap((r) => (r.event as { Records: S3Record[] }).Records);
}

describe("S3 notifications", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) }));
  let client: S3Client;
  before(async () => {
    await collector.start();
    client = s3(suite.unkai.url);
    for (const name of ["on-create", "on-remove"]) {
      await createFromFixture(suite.client, name, "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url(name) } } });
      await allowServiceToInvoke(suite.client, name, "s3.amazonaws.com", "arn:aws:s3:::*");
    }
    await client.send(new CreateBucketCommand({ Bucket: "photos" }));
  });
  after(async () => {
    client.destroy();
    await collector.close();
  });

  it("stores a configuration with filters and refuses unknown functions", async () => {
    const config = {
      LambdaFunctionConfigurations: [
        { Id: "jpegs", LambdaFunctionArn: ARN("on-create"), Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }, { Name: "suffix", Value: ".jpg" }] } } },
        { Id: "removals", LambdaFunctionArn: ARN("on-remove"), Events: ["s3:ObjectRemoved:Delete"] },
      ],
    };
    const put = await awsS3(suite.unkai.url, ["s3api", "put-bucket-notification-configuration", "--bucket", "photos", "--notification-configuration", JSON.stringify(config)]);
    assert.equal(put.code, 0, put.stderr);
    const got = await client.send(new GetBucketNotificationConfigurationCommand({ Bucket: "photos" }));
    assert.deepEqual(got.LambdaFunctionConfigurations?.map((c) => [c.Id, c.LambdaFunctionArn, c.Events, c.Filter?.Key?.FilterRules?.map((r) => [r.Name, r.Value])]), [
      ["jpegs", ARN("on-create"), ["s3:ObjectCreated:*"], [["Prefix", "uploads/"], ["Suffix", ".jpg"]]],
      ["removals", ARN("on-remove"), ["s3:ObjectRemoved:Delete"], undefined],
    ]);
    const unknown = await awsS3(suite.unkai.url, ["s3api", "put-bucket-notification-configuration", "--bucket", "photos", "--notification-configuration",
      JSON.stringify({ LambdaFunctionConfigurations: [{ LambdaFunctionArn: ARN("no-such-fn"), Events: ["s3:ObjectCreated:*"] }] })]);
    assert.match(unknown.stderr, /InvalidArgument.*Unable to validate the following destination configurations/);
  });

  it("invokes the function with S3's event record for matching keys only", async () => {
    await client.send(new PutObjectCommand({ Bucket: "photos", Key: "uploads/notes.txt", Body: "not a jpeg" }));
    await client.send(new PutObjectCommand({ Bucket: "photos", Key: "elsewhere/a.jpg", Body: "wrong prefix" }));
    const body = "pretend jpeg";
    const put = await client.send(new PutObjectCommand({ Bucket: "photos", Key: "uploads/my photo (1).jpg", Body: body }));
    const [record] = await waitFor("the upload's notification", () => {
      const seen = records(collector, "on-create");
      return seen.length > 0 ? seen : undefined;
    });
    assert.ok(record);
    assert.equal(record.eventVersion, "2.1");
    assert.equal(record.eventSource, "aws:s3");
    assert.equal(record.awsRegion, "us-east-1");
    assert.equal(record.eventName, "ObjectCreated:Put");
    assert.ok(Math.abs(Date.parse(record.eventTime) - Date.now()) < 60_000);
    assert.match(record.eventTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(record.requestParameters.sourceIPAddress, "127.0.0.1");
    assert.equal(record.s3.s3SchemaVersion, "1.0");
    assert.equal(record.s3.configurationId, "jpegs");
    assert.deepEqual(record.s3.bucket, { name: "photos", ownerIdentity: { principalId: "000000000000" }, arn: "arn:aws:s3:::photos" });
    assert.equal(record.s3.object.key, "uploads/my+photo+%281%29.jpg");
    assert.equal(record.s3.object.size, body.length);
    assert.equal(`"${record.s3.object.eTag}"`, put.ETag);
    assert.match(record.s3.object.sequencer, /^[0-9A-F]{16,}$/);
    assert.ok(record.responseElements["x-amz-request-id"]);
    // The two non-matching uploads came first and produced nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(records(collector, "on-create").length, 1);
    assert.equal(records(collector, "on-remove").length, 0);
  });

  it("names copies, multipart completions and deletions, with a sequencer that grows per key", async () => {
    await client.send(new CopyObjectCommand({ Bucket: "photos", Key: "uploads/copy.jpg", CopySource: "photos/uploads/my photo (1).jpg" }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: "photos", Key: "uploads/copy.jpg" }));
    const part = await client.send(new UploadPartCommand({ Bucket: "photos", Key: "uploads/copy.jpg", UploadId, PartNumber: 1, Body: "one part" }));
    await client.send(new CompleteMultipartUploadCommand({ Bucket: "photos", Key: "uploads/copy.jpg", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    await client.send(new DeleteObjectCommand({ Bucket: "photos", Key: "uploads/copy.jpg" }));
    const created = await waitFor("copy and multipart notifications", () => {
      const seen = records(collector, "on-create").filter((r) => r.s3.object.key === "uploads/copy.jpg");
      return seen.length >= 2 ? seen : undefined;
    });
    const removed = await waitFor("the delete notification", () => {
      const seen = records(collector, "on-remove");
      return seen.length >= 1 ? seen : undefined;
    });
    const byName = new Map(created.map((r) => [r.eventName, r]));
    assert.ok(byName.has("ObjectCreated:Copy"));
    assert.ok(byName.has("ObjectCreated:CompleteMultipartUpload"));
    assert.match(byName.get("ObjectCreated:CompleteMultipartUpload")?.s3.object.eTag ?? "", /-1$/);
    const [deletion] = removed;
    assert.equal(deletion?.eventName, "ObjectRemoved:Delete");
    assert.equal(deletion?.s3.configurationId, "removals");
    assert.equal(deletion?.s3.object.size, undefined);
    const sequence = [byName.get("ObjectCreated:Copy"), byName.get("ObjectCreated:CompleteMultipartUpload"), deletion].map((r) => BigInt(`0x${r?.s3.object.sequencer ?? "0"}`));
    assert.ok(sequence[0]! < sequence[1]! && sequence[1]! < sequence[2]!, "sequencers grow with each change to the key");
  });
});

describe("S3 notifications across a crash", () => {
  it("delivers the notification of an answered upload after Unkai is SIGKILLed and restarted", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-s3-crash-"));
    const collector = new Collector();
    await collector.start();
    const env = { UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) };
    try {
      const first = await startUnkai(env, dataDir);
      const functions = lambda(first.url);
      const objects = s3(first.url);
      await createFromFixture(functions, "after-crash", "recorder", { Environment: { Variables: { COLLECTOR_URL: collector.url("after-crash") } } });
      // No concurrency: the event is committed but cannot run before the kill.
      await functions.send(new PutFunctionConcurrencyCommand({ FunctionName: "after-crash", ReservedConcurrentExecutions: 0 }));
      await objects.send(new CreateBucketCommand({ Bucket: "durable" }));
      await allowServiceToInvoke(functions, "after-crash", "s3.amazonaws.com", "arn:aws:s3:::durable");
      await objects.send(new PutBucketNotificationConfigurationCommand({
        Bucket: "durable",
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: ARN("after-crash"), Events: ["s3:ObjectCreated:Put"] }] },
      }));
      await objects.send(new PutObjectCommand({ Bucket: "durable", Key: "answered.txt", Body: "committed before the crash" }));
      first.process.kill("SIGKILL");
      await new Promise((resolve) => first.process.once("exit", resolve));
      functions.destroy();
      objects.destroy();
      assert.equal(collector.recorded("after-crash").length, 0, "nothing ran before the kill");
      // What a crash between a body's rename and its row's commit leaves behind.
      const orphan = join(dataDir, "objects", "blobs", "00", "00-orphan");
      mkdirSync(dirname(orphan), { recursive: true });
      writeFileSync(orphan, "never committed");

      const second = await startUnkai(env, dataDir);
      const functionsAgain = lambda(second.url);
      const objectsAgain = s3(second.url);
      try {
        const got = await objectsAgain.send(new GetObjectCommand({ Bucket: "durable", Key: "answered.txt" }));
        assert.equal(await got.Body?.transformToString(), "committed before the crash");
        await waitFor("the orphaned body to be swept", () => (existsSync(orphan) ? undefined : true));
        await functionsAgain.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "after-crash" }));
        const [record] = await waitFor("the notification after the restart", () => {
          const seen = records(collector, "after-crash");
          return seen.length > 0 ? seen : undefined;
        }, 30_000);
        assert.equal(record?.eventName, "ObjectCreated:Put");
        assert.equal(record?.s3.object.key, "answered.txt");
      } finally {
        functionsAgain.destroy();
        objectsAgain.destroy();
        assert.equal(await second.stop(), 0);
      }
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
