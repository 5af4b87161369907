/**
 * S3 bucket policies: Put/Get/Delete/GetBucketPolicyStatus with S3's MalformedPolicy wording (SDK v3,
 * boto3), enforced by IAM's evaluator under `--iam enforce`: a Deny beats AdministratorAccess (not the
 * root), an Allow grants a user with no policy, conditions (s3:prefix, aws:SourceIp) apply, a function's
 * session credentials are refused a bucket whose policy denies its role, and unsigned requests are
 * served only where the policy allows Principal "*".
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteBucketPolicyCommand, DeleteObjectCommand, GetBucketPolicyCommand, GetBucketPolicyStatusCommand, GetObjectCommand,
  ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand, S3Client, S3ServiceException,
} from "@aws-sdk/client-s3";
import { DEFAULT_CREDENTIALS, fixtureZip, invoke } from "./helpers/clients.js";
import { boto3S3, s3 } from "./helpers/s3.js";
import { unkaiSuite } from "./helpers/suite.js";
import type { Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const policy = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** "ok", or the S3 error code and message a call failed with. */
async function attempt(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, String(error));
    return `${error.name}: ${error.message}`;
  }
}

describe("S3 bucket policies", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let root: S3Client;
  const iam = () => new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const as = (keys: Keys) => new S3Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: keys, forcePathStyle: true, maxAttempts: 1 });
  async function user(name: string, managed?: string): Promise<Keys> {
    await iam().send(new CreateUserCommand({ UserName: name }));
    if (managed) await iam().send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: managed }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  }
  before(async () => {
    root = s3(suite.unkai.url);
    for (const Bucket of ["pol", "guarded", "public-site"]) {
      await root.send(new CreateBucketCommand({ Bucket }));
      await root.send(new PutObjectCommand({ Bucket, Key: "docs/a.txt", Body: `${Bucket} a` }));
      await root.send(new PutObjectCommand({ Bucket, Key: "secret/b.txt", Body: `${Bucket} b` }));
    }
  });
  after(() => root.destroy());

  it("stores, answers and deletes a policy, reports its status, and refuses malformed ones with S3's messages", async () => {
    assert.match(await attempt(() => root.send(new GetBucketPolicyCommand({ Bucket: "pol" }))), /^NoSuchBucketPolicy: The bucket policy does not exist/);
    const text = policy({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::pol/docs/*" });
    await root.send(new PutBucketPolicyCommand({ Bucket: "pol", Policy: text }));
    assert.equal((await root.send(new GetBucketPolicyCommand({ Bucket: "pol" }))).Policy, text);
    assert.equal((await root.send(new GetBucketPolicyStatusCommand({ Bucket: "pol" }))).PolicyStatus?.IsPublic, true);
    const refused: [string, string][] = [
      ["not json", "Policies must be valid JSON and the first byte must be '{'"],
      [policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::pol/*" }), "Missing required field Principal"],
      [policy({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::other/*" }), "Policy has invalid resource"],
      [policy({ Effect: "Allow", Principal: { AWS: "someone" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::pol/*" }), "Invalid principal in policy"],
      [policy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "arn:aws:s3:::pol/*" }), "Policy has invalid action"],
      [policy({ Effect: "Maybe", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::pol/*" }), "Syntax errors in policy."],
    ];
    for (const [Policy, message] of refused) {
      assert.equal(await attempt(() => root.send(new PutBucketPolicyCommand({ Bucket: "pol", Policy }))), `MalformedPolicy: ${message}`);
    }
    assert.equal((await root.send(new GetBucketPolicyCommand({ Bucket: "pol" }))).Policy, text, "a refused policy changes nothing");
    const boto = await boto3S3(suite.unkai.url, [
      `s3.put_bucket_policy(Bucket="pol", Policy=args[0])`,
      `status = s3.get_bucket_policy_status(Bucket="pol")["PolicyStatus"]["IsPublic"]`,
      `got = s3.get_bucket_policy(Bucket="pol")["Policy"]`,
      `s3.delete_bucket_policy(Bucket="pol")`,
      `try:\n    s3.get_bucket_policy(Bucket="pol")\n    after = "still there"\nexcept botocore.exceptions.ClientError as e:\n    after = e.response["Error"]["Code"]`,
      `print(json.dumps([got == args[0], status, after]))`,
    ].join("\n"), [policy({ Effect: "Deny", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::pol/*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })]);
    assert.deepEqual(boto, [true, false, "NoSuchBucketPolicy"]);
  });

  it("a Deny beats AdministratorAccess but not the root; an Allow grants a user with no policy; s3:prefix and aws:SourceIp conditions apply", async () => {
    const admin = await user("admin", "arn:aws:iam::aws:policy/AdministratorAccess");
    const guest = await user("guest");
    const guestArn = `arn:aws:iam::${ACCOUNT}:user/guest`;
    await root.send(new PutBucketPolicyCommand({
      Bucket: "guarded",
      Policy: policy(
        { Sid: "NoAdminDeletes", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/admin` }, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::guarded/*" },
        { Sid: "GuestReadsDocs", Effect: "Allow", Principal: { AWS: guestArn }, Action: "s3:GetObject", Resource: "arn:aws:s3:::guarded/docs/*" },
        { Sid: "GuestListsDocs", Effect: "Allow", Principal: { AWS: guestArn }, Action: "s3:ListBucket", Resource: "arn:aws:s3:::guarded", Condition: { StringLike: { "s3:prefix": "docs/*" } } },
        { Sid: "NotFromLoopback", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::guarded/*", Condition: { IpAddress: { "aws:SourceIp": ["127.0.0.0/8", "::1/128"] } } },
      ),
    }));
    const denied = (who: string, action: string, resource: string, why = "with an explicit deny in a resource-based policy") =>
      `AccessDenied: User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
    assert.equal(await attempt(() => as(admin).send(new DeleteObjectCommand({ Bucket: "guarded", Key: "docs/a.txt" }))),
      denied(`arn:aws:iam::${ACCOUNT}:user/admin`, "s3:DeleteObject", "arn:aws:s3:::guarded/docs/a.txt"));
    assert.equal(await attempt(() => as(admin).send(new GetObjectCommand({ Bucket: "guarded", Key: "docs/a.txt" }))), "ok", "only what the Deny names is denied");
    const read = await as(guest).send(new GetObjectCommand({ Bucket: "guarded", Key: "docs/a.txt" }));
    assert.equal(await read.Body?.transformToString(), "guarded a");
    assert.equal(await attempt(() => as(guest).send(new GetObjectCommand({ Bucket: "guarded", Key: "secret/b.txt" }))),
      denied(guestArn, "s3:GetObject", "arn:aws:s3:::guarded/secret/b.txt", "because no identity-based policy allows the s3:GetObject action"));
    assert.equal(await attempt(() => as(guest).send(new ListObjectsV2Command({ Bucket: "guarded", Prefix: "docs/" }))), "ok");
    assert.match(await attempt(() => as(guest).send(new ListObjectsV2Command({ Bucket: "guarded" }))), /^AccessDenied: .*s3:ListBucket/, "s3:prefix must match");
    assert.match(await attempt(() => as(admin).send(new PutObjectCommand({ Bucket: "guarded", Key: "docs/new", Body: "x" }))), /^AccessDenied: .*s3:PutObject.*explicit deny/);
    // The account root's keys are allowed everything, as AWS's root user is.
    await root.send(new PutObjectCommand({ Bucket: "guarded", Key: "docs/by-root", Body: "x" }));
    await root.send(new DeleteObjectCommand({ Bucket: "guarded", Key: "docs/a.txt" }));
  });

  it("a malicious function's session credentials cannot read a bucket whose policy denies its role, even with AmazonS3FullAccess", async () => {
    const trust = policy({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });
    await iam().send(new CreateRoleCommand({ RoleName: "intruder", AssumeRolePolicyDocument: trust }));
    await iam().send(new AttachRolePolicyCommand({ RoleName: "intruder", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }));
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "intruder", Runtime: "python3.11", Handler: "app.handler", Role: `arn:aws:iam::${ACCOUNT}:role/intruder`, Timeout: 30,
      Code: { ZipFile: await fixtureZip("s3-python-rw") },
    }));
    const before = JSON.parse((await invoke(suite.client, "intruder", { bucket: "pol", get: "secret/b.txt" })).payload) as Record<string, string>;
    assert.deepEqual(before, { list: "ok", put: "ok", get: "ok" }, "the role's own policy allows it all");
    await root.send(new PutBucketPolicyCommand({
      Bucket: "pol",
      Policy: policy({ Sid: "NoIntruder", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/intruder` }, Action: "s3:*", Resource: ["arn:aws:s3:::pol", "arn:aws:s3:::pol/*"] }),
    }));
    const result = await invoke(suite.client, "intruder", { bucket: "pol", get: "secret/b.txt" });
    const payload = JSON.parse(result.payload) as Record<string, string>;
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/intruder/intruder`;
    assert.equal(payload.get, `AccessDenied: User: ${session} is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::pol/secret/b.txt with an explicit deny in a resource-based policy`);
    assert.match(payload.list ?? "", /^AccessDenied: .*s3:ListBucket.*explicit deny/);
    assert.match(payload.put ?? "", /^AccessDenied: .*s3:PutObject.*explicit deny/);
    await root.send(new DeleteBucketPolicyCommand({ Bucket: "pol" }));
  });

  it("unsigned requests: refused unless the policy allows Principal \"*\" the action, and a Deny still wins", async () => {
    const base = `${suite.unkai.url}/public-site`;
    assert.equal((await fetch(`${base}/docs/a.txt`)).status, 403, "no policy: refused as before");
    await root.send(new PutBucketPolicyCommand({
      Bucket: "public-site",
      Policy: policy(
        { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::public-site/*" },
        { Sid: "ExceptSecrets", Effect: "Deny", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::public-site/secret/*" },
      ),
    }));
    const page = await fetch(`${base}/docs/a.txt`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), "public-site a");
    assert.equal((await fetch(`${base}/docs/a.txt`, { method: "HEAD" })).status, 200, "HEAD is s3:GetObject too");
    const secret = await fetch(`${base}/secret/b.txt`);
    assert.equal(secret.status, 403);
    assert.match(await secret.text(), /<Code>AccessDenied<\/Code>/, "refused in S3's XML");
    assert.equal((await fetch(`${base}/docs/new.txt`, { method: "PUT", body: "x" })).status, 403, "writing is not in the policy");
    assert.equal((await fetch(`${base}?list-type=2`)).status, 403, "neither is listing");
    assert.equal((await fetch(`${suite.unkai.url}/guarded/docs/by-root`)).status, 403, "another bucket's policy does not open it");
    assert.equal(await attempt(() => root.send(new GetObjectCommand({ Bucket: "public-site", Key: "docs/new.txt" }))).then((r) => r.startsWith("NoSuchKey")), true, "nothing was written");
    // A bucket deleted and created again does not inherit the old one's policy.
    await root.send(new DeleteObjectCommand({ Bucket: "public-site", Key: "docs/a.txt" }));
    await root.send(new DeleteObjectCommand({ Bucket: "public-site", Key: "secret/b.txt" }));
    await root.send(new DeleteBucketCommand({ Bucket: "public-site" }));
    await root.send(new CreateBucketCommand({ Bucket: "public-site" }));
    await root.send(new PutObjectCommand({ Bucket: "public-site", Key: "docs/a.txt", Body: "again" }));
    assert.equal((await fetch(`${base}/docs/a.txt`)).status, 403);
  });
});
