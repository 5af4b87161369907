/**
 * S3 lifecycle: Put/Get/DeleteBucketLifecycleConfiguration validated as S3 does (SDK v3, AWS CLI),
 * and the rules executed in the background with a short lifecycle day (`UNKAI_S3_LIFECYCLE_DAY_MS`):
 * expiration by prefix, tag and size, delete markers on a versioned bucket, noncurrent versions,
 * expired object delete markers and unfinished uploads, with `LifecycleExpiration:*` notifications
 * to an SQS queue. The background part runs on SQLite and on PostgreSQL, where a second node joins
 * the store to show each expiration made and announced once in a cluster.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketLifecycleCommand, GetBucketLifecycleConfigurationCommand, ListMultipartUploadsCommand,
  ListObjectsV2Command, ListObjectVersionsCommand, PutBucketLifecycleConfigurationCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand,
  PutObjectCommand, type LifecycleRule, type S3Client,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { postgresAvailable, startPostgres, type PostgresServer } from "./helpers/postgres.js";
import { awsS3, s3, rejectsWithS3Error as rejects } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { waitFor } from "./helpers/wait.js";
import { allowServicesToSend } from "./helpers/service-access.js";

const DAY_MS = 1000;
const WAIT_MS = 60_000;

describe("S3 lifecycle configuration (SDK v3, AWS CLI)", () => {
  const suite = unkaiSuite();
  let client: S3Client;
  before(async () => {
    client = s3(suite.unkai.url);
    await client.send(new CreateBucketCommand({ Bucket: "rules" }));
  });
  after(() => client.destroy());

  const put = (Rules: LifecycleRule[]) => client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "rules", LifecycleConfiguration: { Rules } }));

  it("stores rules of every filter form and answers them back; transitions are kept; DeleteBucketLifecycle removes them", async () => {
    await rejects(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "rules" })), "NoSuchLifecycleConfiguration", /The lifecycle configuration does not exist/);
    const rules: LifecycleRule[] = [
      { ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      { ID: "tagged", Status: "Disabled", Filter: { Tag: { Key: "class", Value: "scratch" } }, Expiration: { Date: new Date("2030-01-01T00:00:00Z") } },
      { ID: "and", Status: "Enabled", Filter: { And: { Prefix: "logs/", Tags: [{ Key: "a", Value: "1" }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } }, Transitions: [{ Days: 30, StorageClass: "GLACIER" }] },
      { ID: "old", Status: "Enabled", Filter: {}, NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 }, Expiration: { ExpiredObjectDeleteMarker: true } },
    ];
    await put(rules);
    const got = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "rules" }));
    assert.deepEqual(got.Rules?.map((r) => r.ID), ["tmp", "tagged", "and", "old"]);
    assert.deepEqual(got.Rules?.[0]?.Filter, { Prefix: "tmp/" });
    assert.deepEqual(got.Rules?.[0]?.AbortIncompleteMultipartUpload, { DaysAfterInitiation: 2 });
    assert.deepEqual(got.Rules?.[1]?.Filter, { Tag: { Key: "class", Value: "scratch" } });
    assert.equal(got.Rules?.[1]?.Expiration?.Date?.toISOString(), "2030-01-01T00:00:00.000Z");
    assert.equal(got.Rules?.[1]?.Status, "Disabled");
    assert.deepEqual(got.Rules?.[2]?.Filter, { And: { Prefix: "logs/", Tags: [{ Key: "a", Value: "1" }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } });
    assert.deepEqual(got.Rules?.[2]?.Transitions, [{ Days: 30, StorageClass: "GLACIER" }]);
    assert.deepEqual(got.Rules?.[3]?.NoncurrentVersionExpiration, { NoncurrentDays: 3, NewerNoncurrentVersions: 2 });
    assert.equal(got.Rules?.[3]?.Expiration?.ExpiredObjectDeleteMarker, true);
    await client.send(new DeleteBucketLifecycleCommand({ Bucket: "rules" }));
    await rejects(client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "rules" })), "NoSuchLifecycleConfiguration");
  });

  it("refuses what S3 refuses, with S3's errors, and keeps the configuration it had", async () => {
    const base: LifecycleRule = { ID: "r", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } };
    await put([base]);
    await rejects(put([base, { ...base }]), "InvalidArgument", /Rule ID must be unique/);
    await rejects(put([{ ...base, ID: "x".repeat(256) }]), "InvalidArgument", /ID length should not exceed allowed limit of 255/);
    await rejects(put([{ ...base, Expiration: { Days: 0 } }]), "InvalidArgument", /'Days' for Expiration action must be a positive integer/);
    await rejects(put([{ ...base, Expiration: { Date: new Date("2030-01-01T12:00:00Z") } }]), "InvalidArgument", /'Date' must be at midnight GMT/);
    await rejects(put([{ ID: "r", Status: "Enabled", Filter: { Prefix: "" } }]), "InvalidRequest", /At least one action needs to be specified in a rule/);
    await rejects(put([{ ...base, Expiration: undefined, Filter: { Tag: { Key: "k", Value: "v" } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]), "InvalidRequest", /AbortIncompleteMultipartUpload cannot be specified with object tag/);
    await rejects(put([{ ...base, Expiration: { ExpiredObjectDeleteMarker: true }, Filter: { ObjectSizeGreaterThan: 5 } }]), "InvalidRequest", /ExpiredObjectDeleteMarker cannot be specified/);
    await rejects(put([{ ...base, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }]), "InvalidArgument", /'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer/);
    await rejects(put([{ ...base, Filter: { And: { ObjectSizeGreaterThan: 100, ObjectSizeLessThan: 50 } } }]), "InvalidRequest", /ObjectSizeGreaterThan must be less than ObjectSizeLessThan/);
    await rejects(put([{ ...base, Status: "On" as "Enabled" }]), "MalformedXML");
    await rejects(client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "nope", LifecycleConfiguration: { Rules: [base] } })), "NoSuchBucket");
    const kept = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "rules" }));
    assert.deepEqual(kept.Rules?.map((r) => [r.ID, r.Expiration?.Days]), [["r", 1]]);
  });

  it("the AWS CLI puts and gets a configuration (s3api put-bucket-lifecycle-configuration)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "unkai-lifecycle-"));
    const file = join(dir, "lifecycle.json");
    writeFileSync(file, JSON.stringify({ Rules: [{ ID: "cli", Status: "Enabled", Filter: { Prefix: "cli/" }, Expiration: { Days: 3 } }] }));
    const putRun = await awsS3(suite.unkai.url, ["s3api", "put-bucket-lifecycle-configuration", "--bucket", "rules", "--lifecycle-configuration", `file://${file}`]);
    assert.equal(putRun.code, 0, putRun.stderr);
    const getRun = await awsS3(suite.unkai.url, ["s3api", "get-bucket-lifecycle-configuration", "--bucket", "rules"]);
    assert.equal(getRun.code, 0, getRun.stderr);
    assert.deepEqual((JSON.parse(getRun.stdout) as { Rules: unknown[] }).Rules, [{ ID: "cli", Status: "Enabled", Filter: { Prefix: "cli/" }, Expiration: { Days: 3 } }]);
    const bad = await awsS3(suite.unkai.url, ["s3api", "put-bucket-lifecycle-configuration", "--bucket", "rules", "--lifecycle-configuration", JSON.stringify({ Rules: [{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: -1 } }] })]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidArgument/);
  });
});

interface Notified { eventName: string; key: string; versionId?: string; principalId: string }

function lifecycleSuite(backend: string, env: () => Promise<Record<string, string>>, stop: () => Promise<void>, cluster = false): void {
  describe(`S3 lifecycle executed in the background (${backend})`, () => {
    let settings: Record<string, string> = {};
    const suite = unkaiSuite(async () => (settings = { ...(await env()), UNKAI_S3_LIFECYCLE_DAY_MS: String(DAY_MS) }));
    let client: S3Client;
    let sqs: SQSClient;
    let queueUrl = "";
    const notified: Notified[] = [];
    before(async () => {
      client = s3(suite.unkai.url);
      sqs = new SQSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
      queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "expired" }))).QueueUrl ?? "";
      await allowServicesToSend(sqs, queueUrl, "arn:aws:sqs:us-east-1:000000000000:expired", [{ service: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::*" }]);
    });
    after(async () => {
      client.destroy();
      sqs.destroy();
      await stop();
    });

    /** Drains the queue into `notified` until `check` holds. */
    const until = <T>(what: string, check: () => Promise<T | undefined>) => waitFor(what, async () => {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      for (const message of got.Messages ?? []) {
        const body = JSON.parse(message.Body ?? "{}") as { Records?: { eventName: string; userIdentity: { principalId: string }; s3: { object: { key: string; versionId?: string } } }[] };
        for (const r of body.Records ?? []) notified.push({ eventName: r.eventName, key: r.s3.object.key, ...(r.s3.object.versionId ? { versionId: r.s3.object.versionId } : {}), principalId: r.userIdentity.principalId });
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      return check();
    }, WAIT_MS);

    const notify = (Bucket: string) => client.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { QueueConfigurations: [{
      QueueArn: "arn:aws:sqs:us-east-1:000000000000:expired", Events: ["s3:LifecycleExpiration:*"],
    }] } }));

    it("expires current objects by prefix, tag and size on an unversioned bucket, announcing LifecycleExpiration:Delete", async () => {
      await client.send(new CreateBucketCommand({ Bucket: "plain" }));
      await notify("plain");
      const putObject = (Key: string, Body: string, Tagging?: string) => client.send(new PutObjectCommand({ Bucket: "plain", Key, Body, ...(Tagging ? { Tagging } : {}) }));
      await putObject("tmp/a", "x");
      await putObject("keep/a", "x");
      await putObject("tagged/yes", "x", "class=scratch");
      await putObject("tagged/no", "x", "class=keep");
      await putObject("big/small", "x");
      await putObject("big/large", "x".repeat(100));
      await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "plain", LifecycleConfiguration: { Rules: [
        { ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } },
        { ID: "scratch", Status: "Enabled", Filter: { Tag: { Key: "class", Value: "scratch" } }, Expiration: { Days: 1 } },
        { ID: "large", Status: "Enabled", Filter: { And: { Prefix: "big/", ObjectSizeGreaterThan: 50 } }, Expiration: { Days: 1 } },
        { ID: "off", Status: "Disabled", Filter: { Prefix: "keep/" }, Expiration: { Days: 1 } },
      ] } }));
      const keys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: "plain" }))).Contents ?? []).map((o) => o.Key);
      await until("three objects expired", async () => ((await keys()).length === 3 ? true : undefined));
      assert.deepEqual(await keys(), ["big/small", "keep/a", "tagged/no"]);
      await until("three notifications", () => Promise.resolve(notified.filter((n) => n.eventName === "LifecycleExpiration:Delete").length >= 3 ? true : undefined));
      assert.deepEqual(notified.map((n) => n.key).sort(), ["big/large", "tagged/yes", "tmp/a"]);
      assert.ok(notified.every((n) => n.eventName === "LifecycleExpiration:Delete" && n.principalId === "s3.amazonaws.com"));
      notified.length = 0;
    });

    it("on a versioned bucket: a delete marker hides the current version, noncurrent versions go after NoncurrentDays, then the lone marker goes", async () => {
      await client.send(new CreateBucketCommand({ Bucket: "versioned" }));
      await client.send(new PutBucketVersioningCommand({ Bucket: "versioned", VersioningConfiguration: { Status: "Enabled" } }));
      await notify("versioned");
      const first = await client.send(new PutObjectCommand({ Bucket: "versioned", Key: "doc", Body: "v1" }));
      const second = await client.send(new PutObjectCommand({ Bucket: "versioned", Key: "doc", Body: "v2" }));
      await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "versioned", LifecycleConfiguration: { Rules: [
        { ID: "current", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } },
        { ID: "noncurrent", Status: "Enabled", Filter: { Prefix: "" }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
        { ID: "markers", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { ExpiredObjectDeleteMarker: true } },
      ] } }));
      const versions = async () => {
        const listed = await client.send(new ListObjectVersionsCommand({ Bucket: "versioned" }));
        return { versions: (listed.Versions ?? []).map((v) => v.VersionId), markers: (listed.DeleteMarkers ?? []).map((m) => m.VersionId) };
      };
      const marker = await until("a delete marker", async () => (await versions()).markers[0]);
      await until("every version gone", async () => {
        const now = await versions();
        return now.versions.length === 0 && now.markers.length === 0 ? true : undefined;
      });
      await until("four notifications", () => Promise.resolve(notified.length >= 4 ? true : undefined));
      const seen = notified.map((n) => `${n.eventName} ${n.versionId ?? ""}`).sort();
      assert.deepEqual(seen, [
        `LifecycleExpiration:Delete ${first.VersionId ?? ""}`, `LifecycleExpiration:Delete ${marker}`, `LifecycleExpiration:Delete ${second.VersionId ?? ""}`, `LifecycleExpiration:DeleteMarkerCreated ${marker}`,
      ].sort());
    });

    it("aborts unfinished multipart uploads under the rule's prefix after DaysAfterInitiation", async () => {
      await client.send(new CreateBucketCommand({ Bucket: "uploads" }));
      await client.send(new CreateMultipartUploadCommand({ Bucket: "uploads", Key: "stale/big" }));
      await client.send(new CreateMultipartUploadCommand({ Bucket: "uploads", Key: "other/big" }));
      await client.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "uploads", LifecycleConfiguration: { Rules: [
        { ID: "abort", Status: "Enabled", Filter: { Prefix: "stale/" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      ] } }));
      const uploads = async () => ((await client.send(new ListMultipartUploadsCommand({ Bucket: "uploads" }))).Uploads ?? []).map((u) => u.Key);
      await until("the stale upload aborted", async () => ((await uploads()).length === 1 ? true : undefined));
      assert.deepEqual(await uploads(), ["other/big"]);
    });

    if (cluster) {
      it("two nodes on one store: every expiration happens and is announced once", async () => {
        const second = await startUnkai(settings);
        try {
          notified.length = 0;
          await client.send(new CreateBucketCommand({ Bucket: "shared" }));
          await notify("shared");
          const keys = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, "0")}`);
          await Promise.all(keys.map((Key) => client.send(new PutObjectCommand({ Bucket: "shared", Key, Body: Key }))));
          // Configured through the second node: whichever node holds the bucket's timer sweeps it.
          const other = s3(second.url);
          await other.send(new PutBucketLifecycleConfigurationCommand({ Bucket: "shared", LifecycleConfiguration: { Rules: [{ ID: "all", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } }] } }));
          other.destroy();
          await until("every object expired and announced", async () => {
            const left = (await client.send(new ListObjectsV2Command({ Bucket: "shared" }))).KeyCount ?? 0;
            return left === 0 && notified.length >= keys.length ? true : undefined;
          });
          // One more long poll: a second announcement of any expiration would arrive by now.
          const late = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }));
          assert.equal(late.Messages?.length ?? 0, 0, "no expiration is announced twice");
          assert.deepEqual(notified.map((n) => n.key).sort(), keys);
        } finally {
          assert.equal(await second.stop(), 0, "the second node exits cleanly");
        }
      });
    }
  });
}

lifecycleSuite("SQLite", () => Promise.resolve({}), () => Promise.resolve());
if (postgresAvailable()) {
  let postgres: PostgresServer | undefined;
  lifecycleSuite(
    "PostgreSQL",
    async () => {
      postgres = await startPostgres();
      // A blob store both nodes of the cluster case share, as a cluster needs.
      return { UNKAI_STORE: await postgres.createDatabase("lifecycle"), UNKAI_BLOBS: mkdtempSync(join(tmpdir(), "unkai-lifecycle-blobs-")) };
    },
    async () => postgres?.stop(),
    true,
  );
}
