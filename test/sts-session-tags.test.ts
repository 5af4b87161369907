/**
 * STS AssumeRole's session tags and ExternalId under IAM enforcement, through the SDK v3 and the AWS CLI v2
 * with an IAM user's own keys: tags need the trust policy to allow sts:TagSession (and pass its conditions on
 * `aws:RequestTag`/`aws:TagKeys`); a session's tags are its `aws:PrincipalTag/<key>`, over the role's own; a
 * trust policy's `sts:ExternalId` condition refuses a call without the right id; transitive tags pass on to a
 * chained session (whose role's trust policy must then allow sts:TagSession, and sees them as
 * `sts:TransitiveTag/<key>`) and cannot be passed again.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, TagRoleCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from "@aws-sdk/client-sts";
import { awsAs, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const doc = (statement: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: Array.isArray(statement) ? statement : [statement] });
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const trustDenial = (action: string, role: string) =>
  `AccessDenied: User: ${ALICE} is not authorized to perform: ${action} on resource: ${roleArn(role)} because no resource-based policy allows the ${action} action`;

describe("STS AssumeRole session tags and ExternalId under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const url = () => suite.unkai.url;
  const iam = () => new IAMClient({ endpoint: url(), region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const sts = (keys: Keys) => new STSClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const s3 = (keys: Keys = DEFAULT_CREDENTIALS) => new S3Client({ endpoint: url(), region: "us-east-1", credentials: keys, forcePathStyle: true, maxAttempts: 1 });
  let alice: Keys;

  /** Alice's session of `role`, as keys; throws what AssumeRole answered otherwise. */
  async function assume(role: string, extra: Partial<AssumeRoleCommandInput> = {}, caller: Keys = alice): Promise<Keys> {
    const { Credentials } = await sts(caller).send(new AssumeRoleCommand({ RoleArn: roleArn(role), RoleSessionName: "s1", ...extra }));
    return { accessKeyId: Credentials?.AccessKeyId ?? "", secretAccessKey: Credentials?.SecretAccessKey ?? "", sessionToken: Credentials?.SessionToken ?? "" };
  }

  async function role(name: string, trust: unknown[], permissions?: unknown[]): Promise<void> {
    await iam().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: doc(trust) }));
    if (permissions) await iam().send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: doc(permissions) }));
  }

  it("setup: a user alice, and a bucket with one object", async () => {
    await iam().send(new CreateUserCommand({ UserName: "alice" }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: "alice" }));
    alice = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    await s3().send(new CreateBucketCommand({ Bucket: "team-a" }));
    await s3().send(new PutObjectCommand({ Bucket: "team-a", Key: "k", Body: "a's" }));
  });

  it("a trust policy without sts:TagSession refuses a session with tags (SDK v3 and CLI v2), and allows one without", async () => {
    await role("untagged", [{ Effect: "Allow", Principal: { AWS: ALICE }, Action: "sts:AssumeRole" }]);
    assert.equal(await attempt(() => assume("untagged", { Tags: [{ Key: "team", Value: "a" }] })), trustDenial("sts:TagSession", "untagged"));
    const cli = await awsAs(url(), alice, ["sts", "assume-role", "--role-arn", roleArn("untagged"), "--role-session-name", "s1", "--tags", "Key=team,Value=a"]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /\(AccessDenied\) when calling the AssumeRole operation(?: \(reached max retries: 0\))?: User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: sts:TagSession on resource: arn:aws:iam::000000000000:role\/untagged/);
    assert.equal(await attempt(() => assume("untagged")), "ok");
  });

  it("session tags are the session's aws:PrincipalTag, over the role's own, and the trust policy's conditions see aws:RequestTag and aws:TagKeys", async () => {
    await role("team", [
      { Effect: "Allow", Principal: { AWS: ALICE }, Action: "sts:AssumeRole" },
      {
        Effect: "Allow", Principal: { AWS: ALICE }, Action: "sts:TagSession",
        Condition: { StringEquals: { "aws:RequestTag/team": ["a", "b"] }, "ForAllValues:StringEquals": { "aws:TagKeys": ["team", "project"] } },
      },
    ], [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-a/*", Condition: { StringEquals: { "aws:PrincipalTag/team": "a" } } }]);
    await iam().send(new TagRoleCommand({ RoleName: "team", Tags: [{ Key: "Team", Value: "b" }] }));
    const read = (keys: Keys) => attempt(() => s3(keys).send(new GetObjectCommand({ Bucket: "team-a", Key: "k" })));

    const teamA = await assume("team", { Tags: [{ Key: "team", Value: "a" }, { Key: "project", Value: "x" }] });
    assert.equal(await read(teamA), "ok", "the session tag team=a overrides the role's Team=b");
    assert.equal((await sts(teamA).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/team/s1`);
    const teamB = await assume("team", { Tags: [{ Key: "team", Value: "b" }] });
    assert.match(await read(teamB), /^AccessDenied: User: arn:aws:sts::000000000000:assumed-role\/team\/s1 is not authorized to perform: s3:GetObject/);
    assert.match(await read(await assume("team")), /^AccessDenied: /, "untagged, the session has the role's Team=b");

    assert.equal(await attempt(() => assume("team", { Tags: [{ Key: "team", Value: "c" }] })), trustDenial("sts:TagSession", "team"), "aws:RequestTag/team must be a or b");
    assert.equal(await attempt(() => assume("team", { Tags: [{ Key: "team", Value: "a" }, { Key: "cost", Value: "1" }] })), trustDenial("sts:TagSession", "team"), "aws:TagKeys allows team and project only");

    const cli = await awsAs(url(), alice, ["sts", "assume-role", "--role-arn", roleArn("team"), "--role-session-name", "cli", "--tags", "Key=team,Value=a"]);
    assert.equal(cli.code, 0, cli.stderr);
    const { Credentials } = JSON.parse(cli.stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
    assert.equal(await read({ accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken }), "ok");
  });

  it("a trust policy conditioned on sts:ExternalId refuses a call without it or with another one", async () => {
    await role("vendor", [{ Effect: "Allow", Principal: { AWS: ALICE }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "unkai-42" } } }]);
    assert.equal(await attempt(() => assume("vendor")), trustDenial("sts:AssumeRole", "vendor"));
    assert.equal(await attempt(() => assume("vendor", { ExternalId: "unkai-43" })), trustDenial("sts:AssumeRole", "vendor"));
    assert.equal(await attempt(() => assume("vendor", { ExternalId: "unkai-42" })), "ok");
    const cli = await awsAs(url(), alice, ["sts", "assume-role", "--role-arn", roleArn("vendor"), "--role-session-name", "s1", "--external-id", "unkai-42"]);
    assert.equal(cli.code, 0, cli.stderr);
    const wrong = await awsAs(url(), alice, ["sts", "assume-role", "--role-arn", roleArn("vendor"), "--role-session-name", "s1", "--external-id", "nope-42"]);
    assert.match(wrong.stderr, /\(AccessDenied\) when calling the AssumeRole operation/);
  });

  it("refuses malformed tags and external ids with STS's errors", async () => {
    await role("open", [{ Effect: "Allow", Principal: { AWS: ALICE }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    assert.match(await attempt(() => assume("open", { Tags: many })), /^ValidationError: 1 validation error detected: .*tags.*50/);
    assert.match(await attempt(() => assume("open", { Tags: [{ Key: "k".repeat(129), Value: "v" }] })), /^ValidationError: /);
    assert.match(await attempt(() => assume("open", { Tags: [{ Key: "team", Value: "v".repeat(257) }] })), /^ValidationError: /);
    assert.match(await attempt(() => assume("open", { ExternalId: "x" })), /^ValidationError: .*externalId/);
    assert.equal(await attempt(() => assume("open", { Tags: [{ Key: "team", Value: "a" }, { Key: "TEAM", Value: "a" }] })),
      "ValidationError: Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    assert.match(await attempt(() => assume("open", { Tags: [{ Key: "team", Value: "a" }], TransitiveTagKeys: ["project"] })), /^InvalidParameterValue: /);
  });

  it("transitive tags pass on to a chained session, which may not pass them again", async () => {
    await role("chained", [{ Effect: "Allow", Principal: { AWS: roleArn("team") }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
      [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-a/*", Condition: { StringEquals: { "aws:PrincipalTag/team": "a" } } }]);
    await iam().send(new PutRolePolicyCommand({ RoleName: "team", PolicyName: "chain", PolicyDocument: doc({ Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: roleArn("chained") }) }));
    const first = await assume("team", { Tags: [{ Key: "team", Value: "a" }], TransitiveTagKeys: ["team"] });
    const second = await assume("chained", {}, first);
    assert.equal(await attempt(() => s3(second).send(new GetObjectCommand({ Bucket: "team-a", Key: "k" }))), "ok", "team=a came along");
    assert.match(await attempt(() => assume("chained", { Tags: [{ Key: "Team", Value: "b" }] }, first)), /^InvalidParameterValue: /);
    const plain = await assume("team", { Tags: [{ Key: "team", Value: "a" }] });
    await role("strict", [{ Effect: "Allow", Principal: { AWS: roleArn("team") }, Action: "sts:AssumeRole" }]);
    assert.equal(await attempt(() => assume("strict", {}, first)),
      `AccessDenied: User: arn:aws:sts::${ACCOUNT}:assumed-role/team/s1 is not authorized to perform: sts:TagSession on resource: ${roleArn("strict")} because no resource-based policy allows the sts:TagSession action`,
      "inherited transitive tags need sts:TagSession too");
    assert.equal(await attempt(() => assume("strict", {}, plain)), "ok", "a session without transitive tags needs only sts:AssumeRole");
    await role("team-b-chain", [
      { Effect: "Allow", Principal: { AWS: roleArn("team") }, Action: "sts:AssumeRole" },
      { Effect: "Allow", Principal: { AWS: roleArn("team") }, Action: "sts:TagSession", Condition: { StringEquals: { "sts:TransitiveTag/team": "b" } } },
    ]);
    assert.match(await attempt(() => assume("team-b-chain", {}, first)), /^AccessDenied: .*sts:TagSession/, "sts:TransitiveTag/team is a, not b");
    const untransitive = await assume("chained", {}, plain);
    assert.match(await attempt(() => s3(untransitive).send(new GetObjectCommand({ Bucket: "team-a", Key: "k" }))), /^AccessDenied: /, "a tag not marked transitive stays behind");
  });
});
