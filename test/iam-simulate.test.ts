/**
 * IAM's policy simulator and GetAccountAuthorizationDetails through the real AWS CLI v2 and SDK v3:
 * a group's policy allows a user; an explicit Deny beats an Allow; a condition key the request lacks is
 * reported in MissingContextValues and decides once given; a resource-level statement matches its own
 * resource only; malformed input and unknown principals get IAM's errors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AddUserToGroupCommand, AttachRolePolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand,
  GetAccountAuthorizationDetailsCommand, IAMClient, PutGroupPolicyCommand, PutUserPolicyCommand, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const BUCKET = "arn:aws:s3:::sim-bucket/*";

describe("IAM policy simulator and account authorization details", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const iam = () => new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const cli = (args: readonly string[]) => aws(suite.unkai.url, args);
  const errorOf = async (call: () => Promise<unknown>) => {
    try {
      await call();
      return "ok";
    } catch (error) {
      return (error as Error).name;
    }
  };

  it("SimulatePrincipalPolicy (CLI): a group's policy allows the user; the user's own Deny beats it; other resources are implicitly denied", async () => {
    await iam().send(new CreateUserCommand({ UserName: "sim-ann" }));
    await iam().send(new CreateGroupCommand({ GroupName: "sim-readers" }));
    await iam().send(new AddUserToGroupCommand({ GroupName: "sim-readers", UserName: "sim-ann" }));
    await iam().send(new PutGroupPolicyCommand({ GroupName: "sim-readers", PolicyName: "read", PolicyDocument: doc({ Effect: "Allow", Action: "s3:Get*", Resource: BUCKET }) }));
    await iam().send(new PutUserPolicyCommand({ UserName: "sim-ann", PolicyName: "no-secrets", PolicyDocument: doc({ Effect: "Deny", Action: "s3:GetObject", Resource: "arn:aws:s3:::sim-bucket/secret/*" }) }));
    const run = await cli([
      "iam", "simulate-principal-policy", "--policy-source-arn", `arn:aws:iam::${ACCOUNT}:user/sim-ann`, "--action-names", "s3:GetObject",
      "--resource-arns", "arn:aws:s3:::sim-bucket/public/a", "arn:aws:s3:::sim-bucket/secret/b", "arn:aws:s3:::other/c",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const results = (JSON.parse(run.stdout) as { EvaluationResults: { EvalResourceName: string; EvalDecision: string; MatchedStatements: { SourcePolicyId: string; SourcePolicyType: string }[] }[] }).EvaluationResults;
    assert.deepEqual(results.map((r) => [r.EvalResourceName, r.EvalDecision]), [
      ["arn:aws:s3:::sim-bucket/public/a", "allowed"], ["arn:aws:s3:::sim-bucket/secret/b", "explicitDeny"], ["arn:aws:s3:::other/c", "implicitDeny"],
    ]);
    assert.deepEqual(results[0]?.MatchedStatements, [{ SourcePolicyId: "read", SourcePolicyType: "group" }]);
    assert.deepEqual(results[1]?.MatchedStatements, [{ SourcePolicyId: "no-secrets", SourcePolicyType: "user" }]);
    assert.deepEqual(results[2]?.MatchedStatements, []);
  });

  it("SimulateCustomPolicy (SDK): a condition key missing from the context is reported, and decides once given", async () => {
    const policy = doc({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } });
    const simulateWith = (ContextEntries?: { ContextKeyName: string; ContextKeyValues: string[]; ContextKeyType: "ip" }[]) =>
      iam().send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ["lambda:InvokeFunction"], ContextEntries }));
    const missing = (await simulateWith()).EvaluationResults?.[0];
    assert.equal(missing?.EvalDecision, "implicitDeny");
    assert.deepEqual(missing?.MissingContextValues, ["aws:SourceIp"]);
    const inside = (await simulateWith([{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["10.1.2.3"], ContextKeyType: "ip" }])).EvaluationResults?.[0];
    assert.equal(inside?.EvalDecision, "allowed");
    assert.deepEqual(inside?.MissingContextValues, []);
    assert.deepEqual(inside?.MatchedStatements?.map((s) => s.SourcePolicyId), ["PolicyInputList.1"]);
    const outside = (await simulateWith([{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["192.0.2.1"], ContextKeyType: "ip" }])).EvaluationResults?.[0];
    assert.equal(outside?.EvalDecision, "implicitDeny");
  });

  it("SimulateCustomPolicy (CLI): a permissions boundary caps an Allow; a resource policy naming the caller allows", async () => {
    const allowAll = doc({ Effect: "Allow", Action: "sqs:*", Resource: "*" });
    const boundary = doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" });
    const run = await cli(["iam", "simulate-custom-policy", "--policy-input-list", allowAll, "--permissions-boundary-policy-input-list", boundary,
      "--action-names", "sqs:SendMessage", "sqs:DeleteQueue"]);
    assert.equal(run.code, 0, run.stderr);
    const decisions = (JSON.parse(run.stdout) as { EvaluationResults: { EvalActionName: string; EvalDecision: string }[] }).EvaluationResults.map((r) => [r.EvalActionName, r.EvalDecision]);
    assert.deepEqual(decisions, [["sqs:SendMessage", "allowed"], ["sqs:DeleteQueue", "implicitDeny"]]);
    const caller = `arn:aws:iam::${ACCOUNT}:user/bob`;
    const resourcePolicy = doc({ Effect: "Allow", Principal: { AWS: caller }, Action: "sqs:SendMessage", Resource: "*" });
    const byResource = await iam().send(new SimulateCustomPolicyCommand({
      PolicyInputList: [doc({ Effect: "Allow", Action: "s3:ListBucket", Resource: "*" })], ActionNames: ["sqs:SendMessage"], ResourcePolicy: resourcePolicy, CallerArn: caller,
    }));
    assert.equal(byResource.EvaluationResults?.[0]?.EvalDecision, "allowed");
    assert.deepEqual(byResource.EvaluationResults?.[0]?.MatchedStatements, [{ SourcePolicyId: "ResourcePolicy", SourcePolicyType: "resource" }]);
  });

  it("SimulatePrincipalPolicy (SDK) on a role with an AWS managed policy; errors for unknown principals, bad ARNs, bad actions and bad documents", async () => {
    const trust = doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });
    await iam().send(new CreateRoleCommand({ RoleName: "sim-role", AssumeRolePolicyDocument: trust }));
    await iam().send(new AttachRolePolicyCommand({ RoleName: "sim-role", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    const role = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/sim-role`, ActionNames: ["s3:GetObject", "s3:PutObject"] }));
    assert.deepEqual(role.EvaluationResults?.map((r) => r.EvalDecision), ["allowed", "implicitDeny"]);
    assert.deepEqual(role.EvaluationResults?.[0]?.MatchedStatements, [{ SourcePolicyId: "AmazonS3ReadOnlyAccess", SourcePolicyType: "aws-managed" }]);
    const simulate = (input: Partial<ConstructorParameters<typeof SimulatePrincipalPolicyCommand>[0]>) =>
      errorOf(() => iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/sim-role`, ActionNames: ["s3:GetObject"], ...input })));
    assert.equal(await simulate({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody` }), "NoSuchEntityException");
    assert.equal(await simulate({ PolicySourceArn: "arn:aws:s3:::a-bucket-not-a-principal" }), "InvalidInputException");
    assert.equal(await simulate({ ActionNames: ["not an action"] }), "InvalidInputException");
    assert.equal(await simulate({ PolicyInputList: ['{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}'] }), "MalformedPolicyDocumentException");
    assert.equal(await simulate({ ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["1.2.3.4", "5.6.7.8"], ContextKeyType: "ip" }] }), "InvalidInputException");
  });

  it("GetAccountAuthorizationDetails (CLI and SDK): users with groups and policies, groups, roles, customer policies with versions", async () => {
    const v1 = doc({ Effect: "Allow", Action: "logs:*", Resource: "*" });
    const created = await iam().send(new CreatePolicyCommand({ PolicyName: "sim-logs", PolicyDocument: v1 }));
    await iam().send(new CreatePolicyVersionCommand({ PolicyArn: created.Policy?.Arn, PolicyDocument: doc({ Effect: "Allow", Action: "logs:Get*", Resource: "*" }), SetAsDefault: true }));
    const run = await cli(["iam", "get-account-authorization-details"]);
    assert.equal(run.code, 0, run.stderr);
    const all = JSON.parse(run.stdout) as {
      UserDetailList: { UserName: string; GroupList: string[]; UserPolicyList: { PolicyName: string; PolicyDocument: unknown }[] }[];
      GroupDetailList: { GroupName: string; GroupPolicyList: { PolicyName: string }[] }[];
      RoleDetailList: { RoleName: string; InstanceProfileList: unknown[]; AttachedManagedPolicies: { PolicyName: string }[]; AssumeRolePolicyDocument: { Statement: unknown[] } }[];
      Policies: { PolicyName: string; DefaultVersionId: string; PolicyVersionList: { VersionId: string; IsDefaultVersion: boolean; Document: { Statement: { Action: string }[] } }[] }[];
    };
    const ann = all.UserDetailList.find((u) => u.UserName === "sim-ann");
    assert.deepEqual(ann?.GroupList, ["sim-readers"]);
    // The CLI decodes the URL-encoded documents into JSON objects, as it does against AWS.
    assert.deepEqual(ann?.UserPolicyList.map((p) => [p.PolicyName, typeof p.PolicyDocument]), [["no-secrets", "object"]]);
    assert.deepEqual(all.GroupDetailList.find((g) => g.GroupName === "sim-readers")?.GroupPolicyList.map((p) => p.PolicyName), ["read"]);
    const role = all.RoleDetailList.find((r) => r.RoleName === "sim-role");
    assert.deepEqual(role?.InstanceProfileList, []);
    assert.deepEqual(role?.AttachedManagedPolicies.map((p) => p.PolicyName), ["AmazonS3ReadOnlyAccess"]);
    assert.equal(role?.AssumeRolePolicyDocument.Statement.length, 1);
    const logs = all.Policies.find((p) => p.PolicyName === "sim-logs");
    assert.equal(logs?.DefaultVersionId, "v2");
    assert.deepEqual(logs?.PolicyVersionList.map((v) => [v.VersionId, v.IsDefaultVersion, v.Document.Statement[0]?.Action]), [["v1", false, "logs:*"], ["v2", true, "logs:Get*"]]);
    assert.ok(all.Policies.some((p) => p.PolicyName === "AmazonS3ReadOnlyAccess"), "an attached AWS managed policy is listed");
    assert.ok(!all.Policies.some((p) => p.PolicyName === "PowerUserAccess"), "an unattached AWS managed policy is not");

    const rolesOnly = await iam().send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    assert.equal(rolesOnly.IsTruncated, false);
    assert.deepEqual([rolesOnly.UserDetailList?.length, rolesOnly.GroupDetailList?.length, rolesOnly.Policies?.length], [0, 0, 0]);
    assert.ok(rolesOnly.RoleDetailList?.some((r) => r.RoleName === "sim-role" && decodeURIComponent(r.AssumeRolePolicyDocument ?? "").includes("lambda.amazonaws.com")));
  });

  it("under enforcement a user may simulate only the principals its policy names, and may not read the account's details", async () => {
    await iam().send(new CreateUserCommand({ UserName: "sim-auditor" }));
    const self = `arn:aws:iam::${ACCOUNT}:user/sim-ann`;
    await iam().send(new PutUserPolicyCommand({ UserName: "sim-auditor", PolicyName: "simulate-ann", PolicyDocument: doc({ Effect: "Allow", Action: "iam:SimulatePrincipalPolicy", Resource: self }) }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: "sim-auditor" }));
    const auditor = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" }, maxAttempts: 1 });
    const ann = await auditor.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: self, ActionNames: ["s3:GetObject"], ResourceArns: ["arn:aws:s3:::sim-bucket/public/a"] }));
    assert.equal(ann.EvaluationResults?.[0]?.EvalDecision, "allowed");
    assert.equal(await errorOf(() => auditor.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:role/sim-role`, ActionNames: ["s3:GetObject"] }))), "AccessDenied");
    assert.equal(await errorOf(() => auditor.send(new GetAccountAuthorizationDetailsCommand({}))), "AccessDenied");
  });
});
