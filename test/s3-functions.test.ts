/** Functions triggered by uploads that use S3 themselves: a Node image resizer (jimp, SDK v3) and a Python lister (boto3). */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Jimp } from "jimp";
import { fixtureZipWithPackages } from "./helpers/bundle.js";
import { fixtureZip, ROLE } from "./helpers/clients.js";
import { s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { Collector, waitFor } from "./helpers/wait.js";
import { allowServiceToInvoke } from "./helpers/service-access.js";

const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** The bucket notifies the function, which lets S3 invoke it for that bucket (as AWS requires). */
async function notify(client: S3Client, functions: LambdaClient, bucket: string, fn: string, suffix?: string): Promise<void> {
  await allowServiceToInvoke(functions, fn, "s3.amazonaws.com", `arn:aws:s3:::${bucket}`);
  await client.send(new PutBucketNotificationConfigurationCommand({
    Bucket: bucket,
    NotificationConfiguration: {
      LambdaFunctionConfigurations: [{
        LambdaFunctionArn: ARN(fn),
        Events: ["s3:ObjectCreated:*"],
        ...(suffix ? { Filter: { Key: { FilterRules: [{ Name: "suffix", Value: suffix }] } } } : {}),
      }],
    },
  }));
}

describe("S3-triggered functions that use S3", () => {
  const collector = new Collector();
  const suite = unkaiSuite(async () => ({ UNKAI_ASYNC_RETRY_SCALE: "0.01", ...(await collector.env()) }));
  let client: S3Client;
  before(async () => {
    await collector.start();
    client = s3(suite.unkai.url);
    for (const bucket of ["originals", "thumbnails", "inbox"]) await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    client.destroy();
    await collector.close();
  });

  it("resizes an uploaded image into another bucket with a bundled jimp and SDK v3", async () => {
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "resizer",
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      MemorySize: 512,
      Timeout: 60,
      Environment: { Variables: { TARGET_BUCKET: "thumbnails", WIDTH: "32" } },
      Code: { ZipFile: await fixtureZipWithPackages("s3-image-resizer", ["jimp", "@aws-sdk/client-s3"]) },
    }));
    await notify(client, suite.client, "originals", "resizer", ".png");
    const picture = new Jimp({ width: 128, height: 96, color: 0x3366ccff });
    await client.send(new PutObjectCommand({ Bucket: "originals", Key: "holiday photo.png", Body: await picture.getBuffer("image/png"), ContentType: "image/png" }));
    const thumbnail = await waitFor("the resized copy", async () => {
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: "thumbnails", Key: "thumbs/holiday photo.png" }));
        return Buffer.from(await got.Body!.transformToByteArray());
      } catch {
        return undefined;
      }
    }, 90_000);
    const resized = await Jimp.read(thumbnail);
    assert.equal(resized.width, 32);
    assert.equal(resized.height, 24);
  });

  it("lists the bucket with boto3 from Python and posts the keys to a webhook", async () => {
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "lister",
      Runtime: "python3.11",
      Handler: "app.handler",
      Role: ROLE,
      Timeout: 30,
      Environment: { Variables: { COLLECTOR_URL: collector.url("lister") } },
      Code: { ZipFile: await fixtureZip("s3-python-lister") },
    }));
    await notify(client, suite.client, "inbox", "lister");
    await client.send(new PutObjectCommand({ Bucket: "inbox", Key: "first.txt", Body: "1" }));
    await client.send(new PutObjectCommand({ Bucket: "inbox", Key: "second file.txt", Body: "2" }));
    const reports = await waitFor("both uploads listed", () => {
      const seen = collector.recorded("lister").map((r) => r.event as { keys: string[]; trigger: string });
      return seen.length >= 2 ? seen : undefined;
    }, 60_000);
    assert.deepEqual(reports.map((r) => r.trigger).sort(), ["first.txt", "second+file.txt"]);
    assert.ok(reports.some((r) => r.keys.join(",") === "first.txt,second file.txt"), JSON.stringify(reports));
  });
});
