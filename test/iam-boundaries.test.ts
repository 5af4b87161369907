/**
 * Permissions boundaries under `--iam enforce`, with the bounded principal's own credentials through the
 * SDK v3 and the AWS CLI v2: a user with AdministratorAccess bounded by AmazonS3ReadOnlyAccess may list
 * buckets and nothing more; a boundary alone grants nothing; removing the boundary restores the identity
 * policies on the next request; a role's boundary caps its AssumeRole sessions; a boundary that is not a
 * managed policy is refused. The policy simulator gives the decisions enforcement gives a bounded principal;
 * a policy in use as a boundary cannot be deleted and ListEntitiesForPolicy lists who uses it.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand,
  DeletePolicyCommand, DeleteRolePermissionsBoundaryCommand, DeleteUserPermissionsBoundaryCommand, DetachGroupPolicyCommand, DetachRolePolicyCommand, GetPolicyCommand, GetRoleCommand, ListEntitiesForPolicyCommand, GetUserCommand, IAMClient, PutRolePermissionsBoundaryCommand, PutUserPermissionsBoundaryCommand, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { aws, awsAs, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { attempt, type Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
describe("permissions boundaries under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  let iam: IAMClient;
  const s3 = (credentials: Keys) => new S3Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials, forcePathStyle: true });

  async function userWithKey(name: string, boundary: string | undefined, policies: readonly string[]): Promise<Keys> {
    await iam.send(new CreateUserCommand({ UserName: name, PermissionsBoundary: boundary }));
    for (const arn of policies) await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: arn }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  }

  before(() => {
    iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
  });

  it("caps a user's identity policies, grants nothing by itself, and stops capping once deleted (CLI)", async () => {
    const capped = await userWithKey("capped", S3_READ, [ADMIN]);
    assert.equal((await iam.send(new GetUserCommand({ UserName: "capped" }))).User?.PermissionsBoundary?.PermissionsBoundaryArn, S3_READ);
    assert.equal(await attempt(() => s3(capped).send(new ListBucketsCommand({}))), "ok", "allowed by both AdministratorAccess and the boundary");
    assert.match(await attempt(() => s3(capped).send(new CreateBucketCommand({ Bucket: "capped-bucket" }))),
      /AccessDenied: User: arn:aws:iam::000000000000:user\/capped is not authorized to perform: s3:CreateBucket on resource: arn:aws:s3:::capped-bucket because no permissions boundary allows the s3:CreateBucket action/);
    const lambda = new LambdaClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: capped });
    assert.match(await attempt(() => lambda.send(new ListFunctionsCommand({}))), /AccessDeniedException: .*because no permissions boundary allows the lambda:ListFunctions action/);

    const bare = await userWithKey("bare", ADMIN, []);
    assert.match(await attempt(() => s3(bare).send(new ListBucketsCommand({}))), /AccessDenied: .*because no identity-based policy allows the s3:ListAllMyBuckets action/, "a boundary alone allows nothing");

    const removed = await aws(suite.unkai.url, ["iam", "delete-user-permissions-boundary", "--user-name", "capped"]);
    assert.equal(removed.code, 0, removed.stderr);
    const made = await awsAs(suite.unkai.url, capped, ["s3api", "create-bucket", "--bucket", "capped-bucket"]);
    assert.equal(made.code, 0, `AdministratorAccess applies in full once the boundary is gone: ${made.stderr}`);
    const put = await aws(suite.unkai.url, ["iam", "put-user-permissions-boundary", "--user-name", "capped", "--permissions-boundary", S3_READ]);
    assert.equal(put.code, 0, put.stderr);
    const again = await awsAs(suite.unkai.url, capped, ["s3api", "create-bucket", "--bucket", "capped-bucket-2"]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /AccessDenied.*no permissions boundary allows the s3:CreateBucket action/);
  });

  it("caps a role's AssumeRole sessions with the role's boundary (a customer policy)", async () => {
    const assumer = await userWithKey("assumer", undefined, []);
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/assumer` }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "bounded-role", AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "bounded-role", PolicyArn: ADMIN }));
    const cap = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }] });
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "list-only", PolicyDocument: cap }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "bounded-role", PermissionsBoundary: Policy?.Arn }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: "bounded-role" }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn, Policy?.Arn);
    const sts = new STSClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: assumer });
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/bounded-role`, RoleSessionName: "s1" }));
    const session = { accessKeyId: Credentials?.AccessKeyId ?? "", secretAccessKey: Credentials?.SecretAccessKey ?? "", sessionToken: Credentials?.SessionToken };
    assert.equal(await attempt(() => s3(session).send(new ListBucketsCommand({}))), "ok");
    assert.match(await attempt(() => s3(session).send(new CreateBucketCommand({ Bucket: "role-bucket" }))),
      /AccessDenied: User: arn:aws:sts::000000000000:assumed-role\/bounded-role\/s1 is not authorized to perform: s3:CreateBucket .*because no permissions boundary allows the s3:CreateBucket action/);
  });

  it("the simulator decides as enforcement does for a bounded user and role, with PermissionsBoundaryDecisionDetail (CLI and SDK)", async () => {
    const keys = await userWithKey("sim-capped", S3_READ, [ADMIN]);
    const run = await aws(suite.unkai.url, ["iam", "simulate-principal-policy",
      "--policy-source-arn", `arn:aws:iam::${ACCOUNT}:user/sim-capped`, "--action-names", "s3:ListAllMyBuckets", "s3:CreateBucket"]);
    assert.equal(run.code, 0, run.stderr);
    interface Result { EvalActionName: string; EvalDecision: string; PermissionsBoundaryDecisionDetail?: { AllowedByPermissionsBoundary: boolean } }
    const results = (JSON.parse(run.stdout) as { EvaluationResults: Result[] }).EvaluationResults;
    assert.deepEqual(results.map((r) => [r.EvalActionName, r.EvalDecision, r.PermissionsBoundaryDecisionDetail]), [
      ["s3:ListAllMyBuckets", "allowed", { AllowedByPermissionsBoundary: true }],
      ["s3:CreateBucket", "implicitDeny", { AllowedByPermissionsBoundary: false }],
    ]);
    // The same two requests with the user's own keys get the same decisions.
    assert.equal(await attempt(() => s3(keys).send(new ListBucketsCommand({}))), "ok");
    assert.match(await attempt(() => s3(keys).send(new CreateBucketCommand({ Bucket: "sim-capped-bucket" }))), /AccessDenied: .*no permissions boundary allows the s3:CreateBucket action/);

    // A role bounded by a customer policy with an explicit Deny; a boundary passed in replaces the role's own.
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "sim-bounded-role", AssumeRolePolicyDocument: trust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "sim-bounded-role", PolicyArn: ADMIN }));
    const cap = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }, { Effect: "Deny", Action: "sqs:DeleteQueue", Resource: "*" }] });
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "sim-sqs-cap", PolicyDocument: cap }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "sim-bounded-role", PermissionsBoundary: Policy?.Arn }));
    const simulateRole = async (PermissionsBoundaryPolicyInputList?: string[]) => (await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/sim-bounded-role`, ActionNames: ["sqs:SendMessage", "sqs:DeleteQueue", "s3:GetObject"], PermissionsBoundaryPolicyInputList,
    }))).EvaluationResults?.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary]);
    assert.deepEqual(await simulateRole(), [["allowed", true], ["explicitDeny", false], ["implicitDeny", false]]);
    const s3Only = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
    assert.deepEqual(await simulateRole([s3Only]), [["implicitDeny", false], ["implicitDeny", false], ["allowed", true]]);

    // No boundary, no detail; SimulateCustomPolicy's boundary gives one.
    await userWithKey("sim-unbounded", undefined, [ADMIN]);
    const unbounded = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/sim-unbounded`, ActionNames: ["s3:GetObject"] }));
    assert.equal(unbounded.EvaluationResults?.[0]?.PermissionsBoundaryDecisionDetail, undefined);
    const custom = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [s3Only], PermissionsBoundaryPolicyInputList: [cap], ActionNames: ["s3:GetObject"] }));
    assert.deepEqual(custom.EvaluationResults?.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail]), [["implicitDeny", { AllowedByPermissionsBoundary: false }]]);
  });

  it("DeletePolicy refuses a policy in use as a boundary; ListEntitiesForPolicy lists its uses by PolicyUsageFilter (CLI and SDK)", async () => {
    const cap = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "cap-in-use", PolicyDocument: cap }));
    const arn = Policy?.Arn ?? "";
    await iam.send(new CreateUserCommand({ UserName: "use-user", Path: "/team/", PermissionsBoundary: arn }));
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "use-role", AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "use-role", PermissionsBoundary: arn }));
    await iam.send(new CreateGroupCommand({ GroupName: "use-group" }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "use-group", PolicyArn: arn }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "use-role", PolicyArn: arn }));
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    assert.deepEqual([got?.AttachmentCount, got?.PermissionsBoundaryUsageCount], [2, 2]);

    const cli = (...args: string[]) => aws(suite.unkai.url, ["iam", ...args]);
    const entities = async (...filter: string[]) => {
      const run = await cli("list-entities-for-policy", "--policy-arn", arn, ...filter);
      assert.equal(run.code, 0, run.stderr);
      const out = JSON.parse(run.stdout) as { PolicyGroups: { GroupName: string }[]; PolicyUsers: { UserName: string }[]; PolicyRoles: { RoleName: string }[] };
      return [out.PolicyGroups.map((g) => g.GroupName), out.PolicyUsers.map((u) => u.UserName), out.PolicyRoles.map((r) => r.RoleName)];
    };
    assert.deepEqual(await entities("--policy-usage-filter", "PermissionsBoundary"), [[], ["use-user"], ["use-role"]]);
    assert.deepEqual(await entities("--policy-usage-filter", "PermissionsPolicy"), [["use-group"], [], ["use-role"]]);
    assert.deepEqual(await entities(), [["use-group"], ["use-user"], ["use-role"]], "both uses, each entity once");
    assert.deepEqual(await entities("--entity-filter", "User", "--path-prefix", "/team/"), [[], ["use-user"], []]);
    assert.deepEqual(await entities("--path-prefix", "/other/"), [[], [], []]);
    const paged = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, MaxItems: 2 }));
    assert.deepEqual([paged.PolicyGroups?.length, paged.PolicyRoles?.length, paged.PolicyUsers?.length, paged.IsTruncated], [1, 1, 0, true]);
    const rest = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn, Marker: paged.Marker }));
    assert.deepEqual([rest.PolicyUsers?.map((u) => u.UserName), rest.IsTruncated], [["use-user"], false]);
    assert.match(await attempt(() => iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/none` }))), /NoSuchEntity/);

    const refusal = /DeleteConflict.*Cannot delete a policy attached to entities\./;
    await iam.send(new DetachGroupPolicyCommand({ GroupName: "use-group", PolicyArn: arn }));
    await iam.send(new DetachRolePolicyCommand({ RoleName: "use-role", PolicyArn: arn }));
    const refused = await cli("delete-policy", "--policy-arn", arn);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, refusal, "used as a boundary only, it is still in use");
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: "use-user" }));
    assert.match(await attempt(() => iam.send(new DeletePolicyCommand({ PolicyArn: arn }))), refusal, "the role's boundary still uses it");
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "use-role" }));
    assert.equal(await attempt(() => iam.send(new DeletePolicyCommand({ PolicyArn: arn }))), "ok");
  });

  it("refuses a boundary that is not an existing managed policy", async () => {
    await iam.send(new CreateUserCommand({ UserName: "plain" }));
    const missing = `arn:aws:iam::${ACCOUNT}:policy/nope`;
    assert.match(await attempt(() => iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "plain", PermissionsBoundary: missing }))),
      new RegExp(`NoSuchEntity\\w*: Scope ARN: ${missing} does not exist or is not attachable\\.`));
    assert.match(await attempt(() => iam.send(new CreateUserCommand({ UserName: "other", PermissionsBoundary: missing }))), /NoSuchEntity/);
    assert.equal((await iam.send(new GetUserCommand({ UserName: "plain" }))).User?.PermissionsBoundary, undefined);
  });
});
