/**
 * IAM groups, customer managed policy versions, access key status and last use, and role updates under
 * `--iam enforce`, through the real SDK v3 and AWS CLI v2. Each rule has an attack: a user gets in through
 * a group and is out once removed; a group's Deny beats the user's own Allow; a user allowed to manage one
 * group adds itself to another; switching a policy's default version changes what its users may do; an
 * Inactive key signs nothing; a trust policy replaced by UpdateAssumeRolePolicy stops the old principal;
 * a user's tags decide an `aws:PrincipalTag` condition.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand,
  CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand, DeleteGroupCommand, DeleteGroupPolicyCommand, DeletePolicyCommand, DeletePolicyVersionCommand, DetachUserPolicyCommand,
  DeleteUserCommand, DetachGroupPolicyCommand, GetUserCommand, ListRoleTagsCommand, TagRoleCommand, UntagRoleCommand, UntagUserCommand, GetAccessKeyLastUsedCommand, GetGroupCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand,
  IAMClient, ListAccessKeysCommand, ListAttachedGroupPoliciesCommand, ListGroupPoliciesCommand, ListGroupsCommand, ListGroupsForUserCommand,
  ListPolicyVersionsCommand, PutGroupPolicyCommand, PutUserPolicyCommand, RemoveUserFromGroupCommand, SetDefaultPolicyVersionCommand,
  UpdateAccessKeyCommand, UpdateAssumeRolePolicyCommand, UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { attempt, type Keys } from "./helpers/outcome.js";

const ACCOUNT = "000000000000";
const doc = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: string, resource: string) => ({ Effect: "Allow", Action: action, Resource: resource });
const deny = (action: string, resource: string) => ({ Effect: "Deny", Action: action, Resource: resource });

describe("IAM groups, policy versions, key status and role updates under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });
  const url = () => suite.unkai.url;
  const iam = (keys: Keys = DEFAULT_CREDENTIALS) => new IAMClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const s3 = (keys: Keys = DEFAULT_CREDENTIALS) => new S3Client({ endpoint: url(), region: "us-east-1", credentials: keys, forcePathStyle: true, maxAttempts: 1 });
  const sts = (keys: Keys) => new STSClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const cli = (args: readonly string[]) => aws(url(), args);
  const read = (keys: Keys, key = "k") => attempt(() => s3(keys).send(new GetObjectCommand({ Bucket: "grouped", Key: key })));
  const denied = (user: string, action: string, resource: string, because: string) =>
    `AccessDenied: User: arn:aws:iam::${ACCOUNT}:user/${user} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
  const noAllow = (action: string) => `because no identity-based policy allows the ${action} action`;

  async function user(name: string): Promise<Keys> {
    await iam().send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: name }));
    return { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
  }

  it("a user with no policies reads through its group's inline policy and loses it when removed; DeleteGroup refuses while in use", async () => {
    await s3().send(new CreateBucketCommand({ Bucket: "grouped" }));
    await s3().send(new PutObjectCommand({ Bucket: "grouped", Key: "k", Body: "v" }));
    const gina = await user("gina");
    const object = "arn:aws:s3:::grouped/k";
    assert.equal(await read(gina), denied("gina", "s3:GetObject", object, noAllow("s3:GetObject")));

    const { Group } = await iam().send(new CreateGroupCommand({ GroupName: "Readers" }));
    assert.equal(Group?.Arn, `arn:aws:iam::${ACCOUNT}:group/Readers`);
    assert.match(Group?.GroupId ?? "", /^AGPA[A-Z2-7]{17}$/);
    await iam().send(new PutGroupPolicyCommand({ GroupName: "readers", PolicyName: "read", PolicyDocument: doc(allow("s3:GetObject", "arn:aws:s3:::grouped/*")) }));
    assert.equal(await read(gina), denied("gina", "s3:GetObject", object, noAllow("s3:GetObject")), "not a member yet");
    await iam().send(new AddUserToGroupCommand({ GroupName: "Readers", UserName: "gina" }));
    assert.equal(await read(gina), "ok");
    assert.deepEqual((await iam().send(new GetGroupCommand({ GroupName: "Readers" }))).Users?.map((u) => u.UserName), ["gina"]);
    assert.deepEqual((await iam().send(new ListGroupsForUserCommand({ UserName: "gina" }))).Groups?.map((g) => g.GroupName), ["Readers"]);
    assert.deepEqual((await iam().send(new ListGroupPoliciesCommand({ GroupName: "Readers" }))).PolicyNames, ["read"]);

    assert.equal(await attempt(() => iam().send(new DeleteGroupCommand({ GroupName: "Readers" }))), "DeleteConflictException: Cannot delete entity, must remove users from group first.");
    assert.equal(await attempt(() => iam().send(new DeleteUserCommand({ UserName: "gina" }))), "DeleteConflictException: Cannot delete entity, must delete access keys first.");
    await iam().send(new RemoveUserFromGroupCommand({ GroupName: "Readers", UserName: "gina" }));
    assert.equal(await read(gina), denied("gina", "s3:GetObject", object, noAllow("s3:GetObject")), "removed: the group's policy no longer applies");
    assert.equal(await attempt(() => iam().send(new DeleteGroupCommand({ GroupName: "Readers" }))), "DeleteConflictException: Cannot delete entity, must delete policies first.");
    await iam().send(new DeleteGroupPolicyCommand({ GroupName: "Readers", PolicyName: "read" }));
    await iam().send(new DeleteGroupCommand({ GroupName: "Readers" }));
    assert.deepEqual((await iam().send(new ListGroupsCommand({}))).Groups, []);

    const missing = await cli(["iam", "get-group", "--group-name", "Readers"]);
    assert.match(missing.stderr, /\(NoSuchEntity\) when calling the GetGroup operation(?: \(reached max retries: 0\))?: The group with name Readers cannot be found\./);
    const twice = await cli(["iam", "create-group", "--group-name", "dup"]);
    assert.equal(twice.code, 0, twice.stderr);
    assert.match((await cli(["iam", "create-group", "--group-name", "DUP"])).stderr, /\(EntityAlreadyExists\) when calling the CreateGroup operation(?: \(reached max retries: 0\))?: Group with name DUP already exists\./);
  });

  it("a group's attached Deny beats the user's own Allow; a user allowed to manage one group cannot add itself to another", async () => {
    const hal = await user("hal");
    await iam().send(new PutUserPolicyCommand({
      UserName: "hal", PolicyName: "own",
      PolicyDocument: doc(allow("s3:GetObject", "*"), allow("iam:AddUserToGroup", `arn:aws:iam::${ACCOUNT}:group/sandbox`)),
    }));
    assert.equal(await read(hal), "ok");
    const { Policy } = await iam().send(new CreatePolicyCommand({ PolicyName: "no-reads", PolicyDocument: doc(deny("s3:GetObject", "*")) }));
    await iam().send(new CreateGroupCommand({ GroupName: "quarantine" }));
    await iam().send(new AttachGroupPolicyCommand({ GroupName: "quarantine", PolicyArn: Policy?.Arn }));
    assert.deepEqual((await iam().send(new ListAttachedGroupPoliciesCommand({ GroupName: "quarantine" }))).AttachedPolicies, [{ PolicyName: "no-reads", PolicyArn: Policy?.Arn }]);
    await iam().send(new AddUserToGroupCommand({ GroupName: "quarantine", UserName: "hal" }));
    assert.equal(await read(hal), denied("hal", "s3:GetObject", "arn:aws:s3:::grouped/k", "with an explicit deny in an identity-based policy"));
    assert.equal(await attempt(() => iam().send(new DeleteGroupCommand({ GroupName: "quarantine" }))), "DeleteConflictException: Cannot delete entity, must remove users from group first.");
    await iam().send(new DetachGroupPolicyCommand({ GroupName: "quarantine", PolicyArn: Policy?.Arn }));
    assert.equal(await read(hal), "ok", "the Deny left with the detached policy");

    await iam().send(new CreateGroupCommand({ GroupName: "sandbox" }));
    await iam().send(new CreateGroupCommand({ GroupName: "admins" }));
    await iam().send(new PutGroupPolicyCommand({ GroupName: "admins", PolicyName: "all", PolicyDocument: doc(allow("*", "*")) }));
    assert.equal(await attempt(() => iam(hal).send(new AddUserToGroupCommand({ GroupName: "admins", UserName: "hal" }))),
      denied("hal", "iam:AddUserToGroup", `arn:aws:iam::${ACCOUNT}:group/admins`, noAllow("iam:AddUserToGroup")));
    assert.deepEqual((await iam().send(new GetGroupCommand({ GroupName: "admins" }))).Users, [], "the denied call added nobody");
    assert.equal(await attempt(() => iam(hal).send(new AddUserToGroupCommand({ GroupName: "sandbox", UserName: "hal" }))), "ok");
    assert.equal(await attempt(() => iam(hal).send(new RemoveUserFromGroupCommand({ GroupName: "admins", UserName: "hal" }))),
      denied("hal", "iam:RemoveUserFromGroup", `arn:aws:iam::${ACCOUNT}:group/admins`, noAllow("iam:RemoveUserFromGroup")));
  });

  it("switching a policy's default version changes what its users may do; five versions at most; the default cannot be deleted", async () => {
    const ivy = await user("ivy");
    const { Policy } = await iam().send(new CreatePolicyCommand({ PolicyName: "versioned", PolicyDocument: doc(allow("s3:GetObject", "arn:aws:s3:::grouped/*")) }));
    const arn = Policy?.Arn ?? "";
    await iam().send(new AttachUserPolicyCommand({ UserName: "ivy", PolicyArn: arn }));
    assert.equal(await read(ivy), "ok");
    const v2 = await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow("s3:PutObject", "arn:aws:s3:::grouped/*")) }));
    assert.deepEqual([v2.PolicyVersion?.VersionId, v2.PolicyVersion?.IsDefaultVersion], ["v2", false]);
    assert.equal(await read(ivy), "ok", "a version that is not the default changes nothing");
    await iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }));
    assert.equal(await read(ivy), denied("ivy", "s3:GetObject", "arn:aws:s3:::grouped/k", noAllow("s3:GetObject")));
    assert.equal(await attempt(() => s3(ivy).send(new PutObjectCommand({ Bucket: "grouped", Key: "by-ivy", Body: "x" }))), "ok");
    assert.equal((await iam().send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId, "v2");
    assert.equal(await attempt(() => iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" }))), "DeleteConflictException: Cannot delete the default version of a policy.");

    const v3 = await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow("s3:*", "*")), SetAsDefault: true }));
    assert.equal(v3.PolicyVersion?.IsDefaultVersion, true);
    assert.equal(await read(ivy), "ok");
    await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow("s3:ListBucket", "*")) }));
    await iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(allow("s3:ListBucket", "*")) }));
    const sixth = await cli(["iam", "create-policy-version", "--policy-arn", arn, "--policy-document", doc(allow("s3:ListBucket", "*"))]);
    assert.match(sixth.stderr, /\(LimitExceeded\) when calling the CreatePolicyVersion operation(?: \(reached max retries: 0\))?: A managed policy can have up to 5 versions\. Before you create a new version, you must delete an existing version\./);
    const listed = await iam().send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
    assert.deepEqual(listed.Versions?.map((v) => `${v.VersionId}${v.IsDefaultVersion ? "*" : ""}`), ["v5", "v4", "v3*", "v2", "v1"]);
    const first = await iam().send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    assert.deepEqual(JSON.parse(decodeURIComponent(first.PolicyVersion?.Document ?? "")), JSON.parse(doc(allow("s3:GetObject", "arn:aws:s3:::grouped/*"))));
    await iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
    assert.equal(await attempt(() => iam().send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }))),
      `NoSuchEntityException: Policy ${arn} version v1 does not exist or is not attachable.`);
    assert.equal(await attempt(() => iam().send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}' }))),
      "MalformedPolicyDocumentException: Policy statement must contain actions.");
    assert.equal(await attempt(() => iam().send(new CreatePolicyVersionCommand({ PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess", PolicyDocument: doc(allow("s3:*", "*")) }))),
      "InvalidInputException: ARN arn:aws:iam::aws:policy/AmazonS3FullAccess is an AWS managed policy; it cannot be modified.");

    await iam().send(new DetachUserPolicyCommand({ UserName: "ivy", PolicyArn: arn }));
    assert.equal(await attempt(() => iam().send(new DeletePolicyCommand({ PolicyArn: arn }))),
      "DeleteConflictException: This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    for (const VersionId of ["v2", "v4", "v5"]) await iam().send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId }));
    assert.equal(await attempt(() => iam().send(new DeletePolicyCommand({ PolicyArn: arn }))), "ok", "only the default version left, it goes with the policy");
  });

  it("an Inactive key signs nothing (each service's own invalid-key error) until reactivated; its last use is recorded", async () => {
    const jo = await user("jo");
    const unused = await iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: jo.accessKeyId }));
    assert.deepEqual([unused.UserName, unused.AccessKeyLastUsed?.ServiceName, unused.AccessKeyLastUsed?.Region, unused.AccessKeyLastUsed?.LastUsedDate], ["jo", "N/A", "N/A", undefined]);
    const before = Date.now();
    assert.equal((await sts(jo).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/jo`);
    const used = await iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: jo.accessKeyId }));
    assert.equal(used.AccessKeyLastUsed?.ServiceName, "sts");
    assert.equal(used.AccessKeyLastUsed?.Region, "us-east-1");
    assert.ok((used.AccessKeyLastUsed?.LastUsedDate?.getTime() ?? 0) >= before - 1000);

    await iam().send(new UpdateAccessKeyCommand({ UserName: "jo", AccessKeyId: jo.accessKeyId, Status: "Inactive" }));
    assert.equal((await iam().send(new ListAccessKeysCommand({ UserName: "jo" }))).AccessKeyMetadata?.[0]?.Status, "Inactive");
    assert.equal(await attempt(() => sts(jo).send(new GetCallerIdentityCommand({}))), "InvalidClientTokenId: The security token included in the request is invalid.");
    assert.equal(await attempt(() => iam(jo).send(new GetGroupCommand({ GroupName: "dup" }))), "InvalidClientTokenId: The security token included in the request is invalid.");
    assert.match(await read(jo), /^InvalidAccessKeyId: /);
    const lambda = new LambdaClient({ endpoint: url(), region: "us-east-1", credentials: jo, maxAttempts: 1 });
    assert.equal(await attempt(() => lambda.send(new ListFunctionsCommand({}))), "UnrecognizedClientException: The security token included in the request is invalid.");
    await iam().send(new UpdateAccessKeyCommand({ UserName: "jo", AccessKeyId: jo.accessKeyId, Status: "Active" }));
    assert.equal((await sts(jo).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/jo`);
    assert.equal(await attempt(() => iam().send(new UpdateAccessKeyCommand({ UserName: "jo", AccessKeyId: "AKIANOTAKEY000000000", Status: "Inactive" }))),
      "NoSuchEntityException: The Access Key with id AKIANOTAKEY000000000 cannot be found.");
  });

  it("UpdateAssumeRolePolicy stops the principal it no longer trusts; UpdateRole's MaxSessionDuration allows longer sessions", async () => {
    const kim = await user("kim");
    const lee = await user("lee");
    const trust = (who: string) => doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${who}` }, Action: "sts:AssumeRole" });
    await iam().send(new CreateRoleCommand({ RoleName: "deployer", AssumeRolePolicyDocument: trust("kim") }));
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/deployer`;
    const assume = (keys: Keys, DurationSeconds?: number) => attempt(() => sts(keys).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "ship", DurationSeconds })));
    assert.equal(await assume(kim), "ok");
    assert.equal(await assume(kim, 7200), "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    await iam().send(new UpdateRoleCommand({ RoleName: "deployer", MaxSessionDuration: 7200, Description: "ships" }));
    assert.equal(await assume(kim, 7200), "ok");
    const role = (await iam().send(new GetRoleCommand({ RoleName: "deployer" }))).Role;
    assert.deepEqual([role?.MaxSessionDuration, role?.Description], [7200, "ships"]);

    await iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: "deployer", PolicyDocument: trust("lee") }));
    assert.match(await assume(kim), /^AccessDenied: User: arn:aws:iam::000000000000:user\/kim is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role\/deployer/);
    assert.equal(await assume(lee), "ok");
    assert.equal(await attempt(() => iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: "deployer", PolicyDocument: doc(allow("sts:AssumeRole", "*")) }))),
      "MalformedPolicyDocumentException: Missing required field Principal");
    assert.equal(await attempt(() => iam().send(new UpdateRoleCommand({ RoleName: "nobody", Description: "x" }))), "NoSuchEntityException: The role with name nobody cannot be found.");
    assert.match(await attempt(() => iam().send(new UpdateRoleCommand({ RoleName: "deployer", MaxSessionDuration: 50_000 }))), /^ValidationError: .*Member must have value less than or equal to 43200/);
  });

  it("a user's tags are aws:PrincipalTag in its requests: untagging takes the access away; tags round-trip through the CLI", async () => {
    const max = await user("max");
    await iam().send(new PutUserPolicyCommand({
      UserName: "max", PolicyName: "by-team",
      PolicyDocument: doc({ ...allow("s3:GetObject", "arn:aws:s3:::grouped/*"), Condition: { StringEquals: { "aws:PrincipalTag/team": "blue" } } }),
    }));
    assert.equal(await read(max), denied("max", "s3:GetObject", "arn:aws:s3:::grouped/k", noAllow("s3:GetObject")));
    const tagged = await cli(["iam", "tag-user", "--user-name", "max", "--tags", "Key=team,Value=blue", "Key=cost,Value=42"]);
    assert.equal(tagged.code, 0, tagged.stderr);
    assert.equal(await read(max), "ok");
    assert.deepEqual(JSON.parse((await cli(["iam", "list-user-tags", "--user-name", "max"])).stdout), {
      Tags: [{ Key: "team", Value: "blue" }, { Key: "cost", Value: "42" }],
    });
    await iam().send(new UntagUserCommand({ UserName: "max", TagKeys: ["TEAM"] }));
    assert.equal(await read(max), denied("max", "s3:GetObject", "arn:aws:s3:::grouped/k", noAllow("s3:GetObject")), "untagged: the condition no longer holds");
    assert.deepEqual((await iam().send(new GetUserCommand({ UserName: "max" }))).User?.Tags, [{ Key: "cost", Value: "42" }]);

    await iam().send(new CreateRoleCommand({ RoleName: "tagged-role", AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }), Tags: [{ Key: "env", Value: "dev" }] }));
    await iam().send(new TagRoleCommand({ RoleName: "tagged-role", Tags: [{ Key: "ENV", Value: "prod" }] }));
    assert.deepEqual((await iam().send(new ListRoleTagsCommand({ RoleName: "tagged-role" }))).Tags, [{ Key: "ENV", Value: "prod" }], "tag keys are unique ignoring case");
    await iam().send(new UntagRoleCommand({ RoleName: "tagged-role", TagKeys: ["env"] }));
    assert.equal((await iam().send(new GetRoleCommand({ RoleName: "tagged-role" }))).Role?.Tags, undefined);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    assert.equal(await attempt(() => iam().send(new TagRoleCommand({ RoleName: "tagged-role", Tags: many.slice(0, 50) }))), "ok");
    assert.equal(await attempt(() => iam().send(new TagRoleCommand({ RoleName: "tagged-role", Tags: [{ Key: "one-more", Value: "v" }] }))),
      "LimitExceededException: The number of tags has reached the maximum limit of 50.");
  });
});
