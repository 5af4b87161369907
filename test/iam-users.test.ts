/**
 * `--iam enforce` for IAM users' access keys and STS AssumeRole sessions: each gets exactly what its
 * policies say, through the real SDK v3, AWS CLI v2 and boto3. Every property has an attack: a user
 * with s3:GetObject on one bucket reads another; a user attaches AdministratorAccess to itself; an
 * assumed role's session goes beyond its session policy; a function's credentials go after another
 * function. A denied request has no side effect. The account root's keys stay allowed everything.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListAttachedUserPoliciesCommand, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { AddPermissionCommand, CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { runProcess } from "./helpers/process.js";
import { awsAs, DEFAULT_CREDENTIALS, fixtureZip, invoke, signedFetch } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const doc = (statement: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: Array.isArray(statement) ? statement : [statement] });
const trusting = (principal: unknown) => doc({ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole" });
const denial = (who: string, action: string, resource: string, because = `because no identity-based policy allows the ${action} action`) =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${because}`;

describe("IAM users and AssumeRole sessions under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce", UNKAI_LOG_LEVEL: "info" });
  const url = () => suite.unkai.url;
  const iam = (keys: Keys = DEFAULT_CREDENTIALS) => new IAMClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const s3 = (keys: Keys = DEFAULT_CREDENTIALS) => new S3Client({ endpoint: url(), region: "us-east-1", credentials: keys, forcePathStyle: true, maxAttempts: 1 });
  const sts = (keys: Keys) => new STSClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const lambda = (keys: Keys) => new LambdaClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });

  /** A user with these inline policy statements and an access key. */
  async function user(name: string, statements: unknown[]): Promise<Keys> {
    await iam().send(new CreateUserCommand({ UserName: name }));
    if (statements.length > 0) await iam().send(new PutUserPolicyCommand({ UserName: name, PolicyName: "inline", PolicyDocument: doc(statements) }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  }

  async function buckets(): Promise<void> {
    for (const bucket of ["bucket-a", "bucket-b"]) {
      await s3().send(new CreateBucketCommand({ Bucket: bucket }));
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: bucket }));
    }
  }

  it("a user with s3:GetObject on bucket A reads A and is refused B and writes (SDK v3, CLI v2, boto3); nothing is written", async () => {
    await buckets();
    const alice = await user("alice", [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-a/*" }]);
    const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;
    assert.equal((await sts(alice).send(new GetCallerIdentityCommand({}))).Arn, aliceArn);
    assert.equal(await (await s3(alice).send(new GetObjectCommand({ Bucket: "bucket-a", Key: "k" }))).Body?.transformToString(), "bucket-a");
    assert.equal(await attempt(() => s3(alice).send(new GetObjectCommand({ Bucket: "bucket-b", Key: "k" }))),
      `AccessDenied: ${denial(aliceArn, "s3:GetObject", "arn:aws:s3:::bucket-b/k")}`);
    assert.equal(await attempt(() => s3(alice).send(new PutObjectCommand({ Bucket: "bucket-a", Key: "planted", Body: "x" }))),
      `AccessDenied: ${denial(aliceArn, "s3:PutObject", "arn:aws:s3:::bucket-a/planted")}`);
    assert.equal(await attempt(() => s3().send(new HeadObjectCommand({ Bucket: "bucket-a", Key: "planted" }))), "NotFound: UnknownError", "the denied put wrote nothing");

    const cli = await awsAs(url(), alice, ["s3api", "get-object", "--bucket", "bucket-b", "--key", "k", "/dev/null"]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(AccessDenied\) when calling the GetObject operation(?: \(reached max retries: 0\))?: User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: s3:GetObject/);
    assert.equal((await awsAs(url(), alice, ["s3api", "get-object", "--bucket", "bucket-a", "--key", "k", "/dev/null"])).code, 0);

    const script = `
import boto3, json
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url="${url()}", region_name="us-east-1", aws_access_key_id="${alice.accessKeyId}", aws_secret_access_key="${alice.secretAccessKey}")
out = {"a": s3.get_object(Bucket="bucket-a", Key="k")["Body"].read().decode()}
try:
    s3.get_object(Bucket="bucket-b", Key="k")
except ClientError as e:
    out["b"] = [e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Code"], e.response["Error"]["Message"]]
print(json.dumps(out))`;
    const run = await runProcess("/usr/bin/python3", ["-c", script], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp" } });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { a: "bucket-a", b: [403, "AccessDenied", denial(aliceArn, "s3:GetObject", "arn:aws:s3:::bucket-b/k")] });
  });

  it("a user cannot attach AdministratorAccess to itself without iam:AttachUserPolicy, and an explicit deny beats AdministratorAccess", async () => {
    const mallory = await user("mallory", [{ Effect: "Allow", Action: ["iam:GetUser", "iam:ListAttachedUserPolicies"], Resource: "*" }]);
    const admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    const refused = await attempt(() => iam(mallory).send(new AttachUserPolicyCommand({ UserName: "mallory", PolicyArn: admin })));
    assert.equal(refused, `AccessDenied: ${denial(`arn:aws:iam::${ACCOUNT}:user/mallory`, "iam:AttachUserPolicy", `arn:aws:iam::${ACCOUNT}:user/mallory`)}`);
    const cli = await awsAs(url(), mallory, ["iam", "attach-user-policy", "--user-name", "mallory", "--policy-arn", admin]);
    assert.match(cli.stderr, /\(AccessDenied\) when calling the AttachUserPolicy operation(?: \(reached max retries: 0\))?: User: arn:aws:iam::000000000000:user\/mallory is not authorized/);
    assert.deepEqual((await iam(mallory).send(new ListAttachedUserPoliciesCommand({ UserName: "mallory" }))).AttachedPolicies, [], "nothing was attached");

    const fenced = await user("fenced", [{ Effect: "Deny", Action: "iam:*", Resource: "*" }]);
    await iam().send(new AttachUserPolicyCommand({ UserName: "fenced", PolicyArn: admin }));
    assert.equal(await attempt(() => iam(fenced).send(new CreateUserCommand({ UserName: "sneaky" }))),
      `AccessDenied: ${denial(`arn:aws:iam::${ACCOUNT}:user/fenced`, "iam:CreateUser", `arn:aws:iam::${ACCOUNT}:user/sneaky`, "with an explicit deny in an identity-based policy")}`);
    assert.equal(await attempt(() => s3(fenced).send(new CreateBucketCommand({ Bucket: "fenced-bucket" }))), "ok", "AdministratorAccess still allows the rest");
  });

  it("AssumeRole: the trust policy and sts:AssumeRole decide, and the session gets the role's policies capped by the session policy", async () => {
    await iam().send(new CreateRoleCommand({ RoleName: "s3-admin", AssumeRolePolicyDocument: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:root` }) }));
    await iam().send(new PutRolePolicyCommand({ RoleName: "s3-admin", PolicyName: "s3", PolicyDocument: doc({ Effect: "Allow", Action: "s3:*", Resource: "*" }) }));
    await iam().send(new CreateRoleCommand({ RoleName: "lambda-only", AssumeRolePolicyDocument: trusting({ Service: "lambda.amazonaws.com" }) }));
    await iam().send(new CreateRoleCommand({ RoleName: "for-carol", AssumeRolePolicyDocument: trusting({ AWS: `arn:aws:iam::${ACCOUNT}:user/carol` }) }));
    const bob = await user("bob", [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }]);
    const carol = await user("carol", []);
    const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
    const assume = (keys: Keys, name: string, Policy?: string) => sts(keys).send(new AssumeRoleCommand({ RoleArn: role(name), RoleSessionName: "sess", Policy }));

    const readOnly = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket-a/*" });
    const { Credentials, AssumedRoleUser } = await assume(bob, "s3-admin", readOnly);
    const session: Keys = { accessKeyId: Credentials?.AccessKeyId ?? "", secretAccessKey: Credentials?.SecretAccessKey ?? "", sessionToken: Credentials?.SessionToken ?? "" };
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/s3-admin/sess`;
    assert.equal(AssumedRoleUser?.Arn, sessionArn);
    assert.equal((await sts(session).send(new GetCallerIdentityCommand({}))).Arn, sessionArn);
    assert.equal(await attempt(() => s3(session).send(new GetObjectCommand({ Bucket: "bucket-a", Key: "k" }))), "ok");
    assert.equal(await attempt(() => s3(session).send(new PutObjectCommand({ Bucket: "bucket-a", Key: "by-session", Body: "x" }))),
      `AccessDenied: ${denial(sessionArn, "s3:PutObject", "arn:aws:s3:::bucket-a/by-session", "because no session policy allows the s3:PutObject action")}`);
    assert.equal(await attempt(() => s3().send(new HeadObjectCommand({ Bucket: "bucket-a", Key: "by-session" }))), "NotFound: UnknownError");
    const cli = await awsAs(url(), session, ["s3api", "put-object", "--bucket", "bucket-a", "--key", "by-cli", "--body", "/etc/hostname"]);
    assert.match(cli.stderr, /\(AccessDenied\) when calling the PutObject operation(?: \(reached max retries: 0\))?: .* because no session policy allows the s3:PutObject action/);

    const whole = (await assume(bob, "s3-admin")).Credentials;
    const full: Keys = { accessKeyId: whole?.AccessKeyId ?? "", secretAccessKey: whole?.SecretAccessKey ?? "", sessionToken: whole?.SessionToken ?? "" };
    assert.equal(await attempt(() => s3(full).send(new PutObjectCommand({ Bucket: "bucket-a", Key: "by-role", Body: "x" }))), "ok", "without a session policy the role's own");

    assert.equal(await attempt(() => assume(bob, "lambda-only")),
      `AccessDenied: ${denial(`arn:aws:iam::${ACCOUNT}:user/bob`, "sts:AssumeRole", role("lambda-only"), "because no resource-based policy allows the sts:AssumeRole action")}`);
    assert.equal(await attempt(() => assume(carol, "s3-admin")),
      `AccessDenied: ${denial(`arn:aws:iam::${ACCOUNT}:user/carol`, "sts:AssumeRole", role("s3-admin"))}`, "a trust policy naming the account leaves it to the caller's policies");
    assert.equal(await attempt(() => assume(carol, "for-carol")), "ok", "a trust policy naming the user allows it by itself");
    assert.equal(await attempt(() => assume(DEFAULT_CREDENTIALS, "s3-admin")), "AccessDenied: Roles may not be assumed by root accounts.");
    assert.match(await attempt(() => assume(bob, "s3-admin", "{not json")), /^MalformedPolicyDocumentException: Syntax errors in policy/);

    const script = `
import boto3, json
from botocore.exceptions import ClientError
sts = boto3.client("sts", endpoint_url="${url()}", region_name="us-east-1", aws_access_key_id="${bob.accessKeyId}", aws_secret_access_key="${bob.secretAccessKey}")
c = sts.assume_role(RoleArn="${role("s3-admin")}", RoleSessionName="py", Policy=${JSON.stringify(readOnly)})["Credentials"]
s3 = boto3.client("s3", endpoint_url="${url()}", region_name="us-east-1", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
try:
    s3.put_object(Bucket="bucket-a", Key="py", Body=b"x")
    print(json.dumps("ok"))
except ClientError as e:
    print(json.dumps(e.response["Error"]["Code"]))`;
    const run = await runProcess("/usr/bin/python3", ["-c", script], { env: { PATH: "/usr/bin:/bin", HOME: "/tmp" } });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout), "AccessDenied");
  });

  it("Lambda: a developer with lambda:InvokeFunction on one function invokes it, not another, and cannot create functions (AccessDeniedException, 403 JSON)", async () => {
    const trust = trusting({ Service: "lambda.amazonaws.com" });
    await iam().send(new CreateRoleCommand({ RoleName: "caller", AssumeRolePolicyDocument: trust }));
    await iam().send(new PutRolePolicyCommand({ RoleName: "caller", PolicyName: "self", PolicyDocument: doc({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:caller` }) }));
    const create = (name: string, fixture: Buffer) => suite.client.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: "python3.11", Handler: "app.handler", Role: `arn:aws:iam::${ACCOUNT}:role/caller`, Timeout: 30, Code: { ZipFile: fixture },
    }));
    const caller = await fixtureZip("lambda-python-caller");
    await create("caller", caller);
    await create("victim", caller);
    const dev = await user("dev", [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:caller` }]);
    const devArn = `arn:aws:iam::${ACCOUNT}:user/dev`;

    const result = await invoke(lambda(dev), "caller", { target: "victim" });
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/caller/caller`;
    assert.deepEqual(JSON.parse(result.payload), {
      invoke: `AccessDeniedException: ${denial(sessionArn, "lambda:InvokeFunction", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:victim`)}`,
      delete: `AccessDeniedException: ${denial(sessionArn, "lambda:DeleteFunction", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:victim`)}`,
    });
    assert.equal(await attempt(() => suite.client.send(new GetFunctionCommand({ FunctionName: "victim" }))), "ok", "the function's denied delete left the victim");

    assert.equal(await attempt(() => lambda(dev).send(new InvokeCommand({ FunctionName: "victim" }))),
      `AccessDeniedException: ${denial(devArn, "lambda:InvokeFunction", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:victim`)}`);
    assert.equal(await attempt(() => lambda(dev).send(new CreateFunctionCommand({
      FunctionName: "by-dev", Runtime: "python3.11", Handler: "app.handler", Role: `arn:aws:iam::${ACCOUNT}:role/caller`, Code: { ZipFile: caller },
    }))), `AccessDeniedException: ${denial(devArn, "lambda:CreateFunction", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:by-dev`)}`);
    const raw = await signedFetch(`${url()}/2015-03-31/functions/victim/invocations`, { method: "POST", body: "{}", service: "lambda" }, dev);
    assert.equal(raw.status, 403);
    assert.equal(raw.headers.get("x-amzn-errortype"), "AccessDeniedException");
    assert.match(await raw.text(), /^\{"Message":"User: arn:aws:iam::000000000000:user\/dev is not authorized/);
  });
  it("SQS: a user allowed sqs:SendMessage on one queue is refused another, in JSON (AccessDeniedException, x-amzn-query-error) and Query (CLI v2)", async () => {
    for (const name of ["inbox", "private"]) await new SQSClient({ endpoint: url(), region: "us-east-1", credentials: DEFAULT_CREDENTIALS }).send(new CreateQueueCommand({ QueueName: name }));
    const sender = await user("sender", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:inbox` }]);
    const sqs = new SQSClient({ endpoint: url(), region: "us-east-1", credentials: sender, maxAttempts: 1 });
    const queueUrl = (name: string) => `${url()}/${ACCOUNT}/${name}`;
    assert.equal(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl("inbox"), MessageBody: "hi" }))), "ok");
    const senderArn = `arn:aws:iam::${ACCOUNT}:user/sender`;
    const refused = denial(senderArn, "sqs:SendMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:private`);
    assert.equal(await attempt(() => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl("private"), MessageBody: "hi" }))), `AccessDenied: ${refused}`);
    const raw = await signedFetch(url(), {
      method: "POST", service: "sqs", body: JSON.stringify({ QueueUrl: queueUrl("private"), MessageBody: "x" }),
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
    }, sender);
    assert.equal(raw.status, 403);
    assert.equal(raw.headers.get("x-amzn-query-error"), "AccessDenied;Sender");
    assert.deepEqual(JSON.parse(await raw.text()), { __type: "AccessDeniedException", Message: refused });
    const cli = await awsAs(url(), sender, ["sqs", "send-message", "--queue-url", queueUrl("private"), "--message-body", "x"]);
    assert.match(cli.stderr, /\(AccessDenied\) when calling the SendMessage operation(?: \(reached max retries: 0\))?: User: arn:aws:iam::000000000000:user\/sender is not authorized to perform: sqs:SendMessage/);
  });
  it("resource policies: a function policy lets a user with no policy invoke; a queue policy's Deny beats AdministratorAccess and its Allow grants", async () => {
    await iam().send(new CreateRoleCommand({ RoleName: "plain", AssumeRolePolicyDocument: trusting({ Service: "lambda.amazonaws.com" }) }));
    await suite.client.send(new CreateFunctionCommand({
      FunctionName: "shared-fn", Runtime: "python3.11", Handler: "app.handler", Role: `arn:aws:iam::${ACCOUNT}:role/plain`, Code: { ZipFile: await fixtureZip("python-hello") },
    }));
    const guest = await user("guest", []);
    const guestArn = `arn:aws:iam::${ACCOUNT}:user/guest`;
    const fnArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shared-fn`;
    assert.equal(await attempt(() => lambda(guest).send(new InvokeCommand({ FunctionName: "shared-fn" }))), `AccessDeniedException: ${denial(guestArn, "lambda:InvokeFunction", fnArn)}`);
    await suite.client.send(new AddPermissionCommand({ FunctionName: "shared-fn", StatementId: "guest", Action: "lambda:InvokeFunction", Principal: guestArn }));
    assert.equal((await lambda(guest).send(new InvokeCommand({ FunctionName: "shared-fn" }))).StatusCode, 200, "the function policy names the user: allowed without an identity policy");
    assert.equal(await attempt(() => lambda(guest).send(new GetFunctionCommand({ FunctionName: "shared-fn" }))), `AccessDeniedException: ${denial(guestArn, "lambda:GetFunction", fnArn)}`);

    const boss = await user("boss", []);
    await iam().send(new AttachUserPolicyCommand({ UserName: "boss", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:guarded`;
    const policy = doc([
      { Sid: "NoBoss", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/boss` }, Action: "sqs:SendMessage", Resource: queueArn },
      { Sid: "Guest", Effect: "Allow", Principal: { AWS: guestArn }, Action: "sqs:SendMessage", Resource: queueArn },
    ]);
    const root = new SQSClient({ endpoint: url(), region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    await root.send(new CreateQueueCommand({ QueueName: "guarded", Attributes: { Policy: policy } }));
    const queueUrl = `${url()}/${ACCOUNT}/guarded`;
    const send = (keys: Keys) => attempt(() => new SQSClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 }).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "m" })));
    assert.equal(await send(boss), `AccessDenied: ${denial(`arn:aws:iam::${ACCOUNT}:user/boss`, "sqs:SendMessage", queueArn, "with an explicit deny in a resource-based policy")}`);
    assert.equal(await send(guest), "ok");
    const count = await root.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(count.Attributes?.ApproximateNumberOfMessages, "1", "only the guest's message arrived");
  });
});
