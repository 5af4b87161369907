/**
 * The IAM decision log (`/unkai/iam/decisions`): under `--iam enforce` an IAM user's refused calls (AWS CLI v2,
 * SDK v3) become records that the root reads back with `aws logs filter-log-events` and sees in the console's
 * "Recent denials" (a hostile S3 key shown as text); allowed calls write nothing. Under `--iam audit` the same
 * calls succeed and are recorded as would-be denials, and a flood of them is capped per second, the rest counted
 * in a summary event.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { launchBrowser, type TestBrowser } from "./helpers/browser.js";
import { aws, awsAs, createFromFixture, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite, type Suite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";
import type { Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const GROUP = "/unkai/iam/decisions";
const HOSTILE_KEY = "<img src=x onerror=window.__pwned=1>";
interface DecisionRecord {
  readonly time: string; readonly principal: string; readonly action: string; readonly resource: string; readonly decision: string; readonly mode: string;
  readonly reason: string; readonly statement?: { policy: string; sid: string | null }; readonly message?: string; readonly requestId?: string; readonly sourceIp?: string;
  readonly suppressed?: number; readonly sourceArn?: string;
}

const clientConfig = (url: string, credentials: Keys) => ({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });

async function createUser(url: string, name: string, statements: object[]): Promise<Keys> {
  const iam = new IAMClient(clientConfig(url, DEFAULT_CREDENTIALS));
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (statements.length > 0) {
    await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `${name}-policy`, PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
  }
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  iam.destroy();
  return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
}

/** Every record of the group, read by the root with the AWS CLI v2 (empty while the group does not exist). */
async function cliRecords(url: string): Promise<DecisionRecord[]> {
  const run = await aws(url, ["logs", "filter-log-events", "--log-group-name", GROUP]);
  if (run.code !== 0) {
    assert.match(run.stderr, /ResourceNotFoundException/, run.stderr);
    return [];
  }
  return (JSON.parse(run.stdout) as { events: { message: string }[] }).events.map((e) => JSON.parse(e.message) as DecisionRecord);
}

/** Waits until a record matching `match` is readable; returns it. */
const recorded = (url: string, what: string, match: (r: DecisionRecord) => boolean) =>
  waitFor(what, async () => (await cliRecords(url)).find(match));

const errorOf = async (call: Promise<unknown>) => {
  try {
    await call;
  } catch (error) {
    return error as { name: string; message: string; $metadata: { requestId?: string } };
  }
  assert.fail("the call succeeded");
};

describe("IAM decision log under --iam enforce", () => {
  const suite: Suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let dev: Keys;
  let browser: TestBrowser | undefined;

  before(async () => {
    const root = new S3Client({ ...clientConfig(suite.unkai.url, DEFAULT_CREDENTIALS), forcePathStyle: true });
    await root.send(new CreateBucketCommand({ Bucket: "photos" }));
    await root.send(new PutObjectCommand({ Bucket: "photos", Key: "public/a.txt", Body: "a" }));
    await root.send(new PutObjectCommand({ Bucket: "photos", Key: HOSTILE_KEY, Body: "b" }));
    root.destroy();
    dev = await createUser(suite.unkai.url, "dev", [
      { Sid: "ReadPublic", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/public/*" },
      { Sid: "EverythingSqs", Effect: "Allow", Action: "sqs:*", Resource: "*" },
      { Sid: "NoQueues", Effect: "Deny", Action: "sqs:CreateQueue", Resource: "*" },
    ]);
  });
  after(async () => {
    await browser?.close();
  });

  it("records a denied CLI call, SDK call and explicit deny with principal, action, resource, statement, request id and source IP", async () => {
    const run = await awsAs(suite.unkai.url, dev, ["lambda", "get-function", "--function-name", "someone-elses"]);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /AccessDeniedException/);
    const s3 = new S3Client({ ...clientConfig(suite.unkai.url, dev), forcePathStyle: true });
    const s3Error = await errorOf(s3.send(new GetObjectCommand({ Bucket: "photos", Key: HOSTILE_KEY })));
    assert.equal(s3Error.name, "AccessDenied");
    const sqs = new SQSClient(clientConfig(suite.unkai.url, dev));
    const sqsError = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "not-mine" })));
    assert.equal(sqsError.name, "AccessDenied");

    const user = `arn:aws:iam::${ACCOUNT}:user/dev`;
    const lambdaRecord = await recorded(suite.unkai.url, "the CLI's denial", (r) => r.action === "lambda:GetFunction");
    assert.equal(lambdaRecord.principal, user);
    assert.equal(lambdaRecord.resource, `arn:aws:lambda:us-east-1:${ACCOUNT}:function:someone-elses`);
    assert.deepEqual([lambdaRecord.decision, lambdaRecord.mode, lambdaRecord.reason], ["implicitDeny", "enforce", "no-identity"]);
    assert.equal(lambdaRecord.sourceIp, "127.0.0.1");
    assert.ok(run.stderr.includes(lambdaRecord.message ?? "-"), "the record carries the sentence the CLI printed");
    assert.ok(!Number.isNaN(Date.parse(lambdaRecord.time)));

    const s3Record = await recorded(suite.unkai.url, "the S3 denial", (r) => r.action === "s3:GetObject");
    assert.equal(s3Record.resource, `arn:aws:s3:::photos/${HOSTILE_KEY}`);
    assert.equal(s3Record.requestId, s3Error.$metadata.requestId, "the request id the caller got");
    const sqsRecord = await recorded(suite.unkai.url, "the explicit deny", (r) => r.action === "sqs:CreateQueue");
    assert.equal(sqsRecord.decision, "explicitDeny");
    assert.deepEqual(sqsRecord.statement, { policy: "inline:dev/dev-policy", sid: "NoQueues" });
    assert.equal(sqsRecord.requestId, sqsError.$metadata.requestId);
    assert.equal(sqsRecord.message, sqsError.message);

    // The SDK v3 reads the same records, with a JSON filter pattern as a user would query them.
    const logs = new CloudWatchLogsClient(clientConfig(suite.unkai.url, DEFAULT_CREDENTIALS));
    const found = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: `{ $.principal = "${user}" && $.decision = "explicitDeny" }` }));
    assert.deepEqual(found.events?.map((e) => (JSON.parse(e.message ?? "{}") as DecisionRecord).action), ["sqs:CreateQueue"]);
    logs.destroy();
    s3.destroy();
    sqs.destroy();
  });

  it("allowed calls record nothing", async () => {
    const s3 = new S3Client({ ...clientConfig(suite.unkai.url, dev), forcePathStyle: true });
    for (let i = 0; i < 3; i += 1) assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: "photos", Key: "public/a.txt" }))).Body?.transformToString(), "a");
    const sqs = new SQSClient(clientConfig(suite.unkai.url, dev));
    await sqs.send(new ListQueuesCommand({}));
    // A denial made after them: once it is readable, anything the allowed calls had queued before it would be too.
    await errorOf(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "private/marker" })));
    await recorded(suite.unkai.url, "the marker denial", (r) => r.resource === "arn:aws:s3:::photos/private/marker");
    const records = await cliRecords(suite.unkai.url);
    assert.deepEqual(records.filter((r) => r.resource === "arn:aws:s3:::photos/public/a.txt" || r.action === "sqs:ListQueues"), []);
    assert.ok(records.every((r) => r.principal === `arn:aws:iam::${ACCOUNT}:user/dev`), "the root's own calls are never recorded");
    s3.destroy();
    sqs.destroy();
  });

  it("the console's IAM page lists the recent denials, hostile strings as text", async () => {
    browser = await launchBrowser();
    const page = await browser.context.newPage();
    await page.goto(`${suite.unkai.url}/console/#/iam`);
    const hostileRow = page.locator("#denials-table tr.denial", { hasText: HOSTILE_KEY });
    await hostileRow.waitFor({ timeout: 20_000 });
    assert.match(await hostileRow.innerText(), /s3:GetObject[\s\S]*implicit deny/);
    const explicit = page.locator("#denials-table tr.denial", { hasText: "sqs:CreateQueue" });
    assert.match(await explicit.innerText(), /explicit deny\s+inline:dev\/dev-policy \(NoQueues\)/);
    assert.match(await explicit.innerText(), /arn:aws:iam::000000000000:user\/dev/);
    assert.equal(await page.evaluate("window.__pwned"), undefined, "the hostile key was not run as markup");
    assert.equal(await page.locator("#denials-table img").count(), 0);

    // A denial made after the page loaded shows on Refresh.
    const s3 = new S3Client({ ...clientConfig(suite.unkai.url, dev), forcePathStyle: true });
    await errorOf(s3.send(new GetObjectCommand({ Bucket: "photos", Key: "private/after-load" })));
    s3.destroy();
    await recorded(suite.unkai.url, "the later denial", (r) => r.resource === "arn:aws:s3:::photos/private/after-load");
    const later = page.locator("#denials-table tr.denial", { hasText: "photos/private/after-load" });
    assert.equal(await later.count(), 0);
    await page.locator("#refresh-denials").click();
    await later.waitFor({ timeout: 20_000 });
  });
});

describe("IAM decision log under --iam audit", () => {
  const suite: Suite = unkaiSuite({ UNKAI_IAM: "audit", UNKAI_IAM_DECISIONS_PER_SECOND: "5" });
  let newcomer: Keys;

  before(async () => {
    newcomer = await createUser(suite.unkai.url, "newcomer", []);
  });

  it("lets a call its policies do not allow succeed and records it as a would-be denial", async () => {
    const s3 = new S3Client({ ...clientConfig(suite.unkai.url, newcomer), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "audited" }));
    await s3.send(new HeadBucketCommand({ Bucket: "audited" }));
    const record = await recorded(suite.unkai.url, "the audited CreateBucket", (r) => r.action === "s3:CreateBucket");
    assert.deepEqual([record.principal, record.resource, record.decision, record.mode], [`arn:aws:iam::${ACCOUNT}:user/newcomer`, "arn:aws:s3:::audited", "implicitDeny", "audit"]);
    assert.match(record.message ?? "", /is not authorized to perform: s3:CreateBucket on resource: arn:aws:s3:::audited because no identity-based policy allows/);
    await recorded(suite.unkai.url, "the audited HeadBucket", (r) => r.action === "s3:ListBucket");
    s3.destroy();
  });

  it("lets S3 notify a function whose policy does not allow it, recording the service's would-be denial", async () => {
    await createFromFixture(suite.client, "audited-target", "node-cjs");
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:audited-target`;
    const s3 = new S3Client({ ...clientConfig(suite.unkai.url, DEFAULT_CREDENTIALS), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "notifying" }));
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: "notifying", NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: fn, Events: ["s3:ObjectCreated:*"] }] },
    }));
    const record = await recorded(suite.unkai.url, "S3's would-be denial", (r) => r.principal === "s3.amazonaws.com");
    assert.deepEqual([record.action, record.resource, record.sourceArn, record.mode], ["lambda:InvokeFunction", fn, "arn:aws:s3:::notifying", "audit"]);
    s3.destroy();
  });

  it("a flood of denials writes at most the cap a second and counts the rest in a summary", async () => {
    const sqs = new SQSClient(clientConfig(suite.unkai.url, newcomer));
    const flood = 60;
    await Promise.all(Array.from({ length: flood }, () => sqs.send(new ListQueuesCommand({}))));
    // Every denial is either written or counted: the sum reaches the flood's size once the last summary is in.
    const tally = await waitFor("every denial written or counted", async () => {
      const records = await cliRecords(suite.unkai.url);
      const written = records.filter((r) => r.action === "sqs:ListQueues").length;
      const suppressed = records.reduce((sum, r) => sum + (r.suppressed ?? 0), 0);
      return written + suppressed === flood ? { written, suppressed } : undefined;
    });
    assert.ok(tally.suppressed > 0, `some were only counted (${JSON.stringify(tally)})`);
    assert.ok(tally.written < flood);
    sqs.destroy();
  });
});
