/**
 * IAM through real clients (SDK v3 IAMClient and the AWS CLI v2, both awsQuery): users, roles with
 * trust policies, inline and managed policies, attachments, IAM's errors and messages, and the AWS
 * managed policies with their real documents. Enforcement is not part of this file: nothing enforces yet.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DeletePolicyCommand, DeleteRoleCommand, DeleteRolePolicyCommand,
  DetachRolePolicyCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, IAMServiceException,
  ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListPolicyTagsCommand, ListRolePoliciesCommand, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand,
  TagPolicyCommand, UntagPolicyCommand,
} from "@aws-sdk/client-iam";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "111122223333";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const READ = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

async function refused(promise: Promise<unknown>): Promise<{ code: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IAMServiceException, String(error));
    return { code: error.name, message: error.message, status: error.$metadata.httpStatusCode };
  }
  assert.fail("the call succeeded");
}

describe("IAM", () => {
  const suite = unkaiSuite({ UNKAI_ACCOUNT_ID: ACCOUNT });
  const iam = () => new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });

  it("creates a role with a trust policy and returns it as IAM does", async () => {
    const client = iam();
    const created = await client.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: TRUST, Description: "runs functions" }));
    assert.equal(created.Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/exec`);
    assert.match(created.Role?.RoleId ?? "", /^AROA[A-Z2-7]{17}$/);
    const got = await client.send(new GetRoleCommand({ RoleName: "EXEC" }));
    assert.equal(got.Role?.RoleName, "exec", "names are found ignoring case");
    assert.equal(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? ""), TRUST, "the document comes back URL-encoded");
    assert.equal(got.Role?.MaxSessionDuration, 3600);
    assert.deepEqual(await refused(client.send(new CreateRoleCommand({ RoleName: "Exec", AssumeRolePolicyDocument: TRUST }))), { code: "EntityAlreadyExistsException", message: "Role with name Exec already exists.", status: 409 });
    assert.deepEqual(await refused(client.send(new GetRoleCommand({ RoleName: "nobody" }))), { code: "NoSuchEntityException", message: "The role with name nobody cannot be found.", status: 404 });
  });

  it("refuses malformed documents with IAM's MalformedPolicyDocument messages", async () => {
    const client = iam();
    const noPrincipal = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] });
    assert.deepEqual(await refused(client.send(new CreateRoleCommand({ RoleName: "bad", AssumeRolePolicyDocument: noPrincipal }))), { code: "MalformedPolicyDocumentException", message: "Missing required field Principal", status: 400 });
    await client.send(new CreateUserCommand({ UserName: "dev" }));
    const noResource = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction" }] });
    assert.deepEqual(await refused(client.send(new PutUserPolicyCommand({ UserName: "dev", PolicyName: "p", PolicyDocument: noResource }))), { code: "MalformedPolicyDocumentException", message: "Policy statement must contain resources.", status: 400 });
    assert.deepEqual(await refused(client.send(new CreatePolicyCommand({ PolicyName: "old", PolicyDocument: JSON.stringify({ Version: "2008-10-17", Statement: [] }) }))), { code: "MalformedPolicyDocumentException", message: "Policy document must be version 2012-10-17 or greater.", status: 400 });
    const big = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: Array.from({ length: 200 }, (_, i) => `s3:Action${i}`), Resource: "*" }] });
    assert.equal((await refused(client.send(new PutUserPolicyCommand({ UserName: "dev", PolicyName: "big", PolicyDocument: big })))).code, "LimitExceededException");
  });

  it("keeps inline policies, attaches managed ones, and refuses to delete a role that still has them", async () => {
    const client = iam();
    await client.send(new CreateRoleCommand({ RoleName: "worker", AssumeRolePolicyDocument: TRUST }));
    await client.send(new PutRolePolicyCommand({ RoleName: "worker", PolicyName: "read", PolicyDocument: READ }));
    assert.deepEqual((await client.send(new ListRolePoliciesCommand({ RoleName: "worker" }))).PolicyNames, ["read"]);
    assert.equal(decodeURIComponent((await client.send(new GetRolePolicyCommand({ RoleName: "worker", PolicyName: "read" }))).PolicyDocument ?? ""), READ);
    const mine = await client.send(new CreatePolicyCommand({ PolicyName: "mine", PolicyDocument: READ }));
    const mineArn = mine.Policy?.Arn ?? "";
    assert.equal(mineArn, `arn:aws:iam::${ACCOUNT}:policy/mine`);
    await client.send(new AttachRolePolicyCommand({ RoleName: "worker", PolicyArn: BASIC }));
    await client.send(new AttachRolePolicyCommand({ RoleName: "worker", PolicyArn: mineArn }));
    assert.deepEqual((await client.send(new ListAttachedRolePoliciesCommand({ RoleName: "worker" }))).AttachedPolicies, [
      { PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: BASIC },
      { PolicyName: "mine", PolicyArn: mineArn },
    ]);
    assert.equal((await client.send(new GetPolicyCommand({ PolicyArn: mineArn }))).Policy?.AttachmentCount, 1);
    assert.deepEqual(await refused(client.send(new DeletePolicyCommand({ PolicyArn: mineArn }))), { code: "DeleteConflictException", message: "Cannot delete a policy attached to entities.", status: 409 });
    assert.deepEqual(await refused(client.send(new DeleteRoleCommand({ RoleName: "worker" }))), { code: "DeleteConflictException", message: "Cannot delete entity, must delete policies first.", status: 409 });
    await client.send(new DeleteRolePolicyCommand({ RoleName: "worker", PolicyName: "read" }));
    assert.equal((await refused(client.send(new DeleteRoleCommand({ RoleName: "worker" })))).message, "Cannot delete entity, must detach all policies first.");
    await client.send(new DetachRolePolicyCommand({ RoleName: "worker", PolicyArn: BASIC }));
    await client.send(new DetachRolePolicyCommand({ RoleName: "worker", PolicyArn: mineArn }));
    assert.deepEqual(await refused(client.send(new DetachRolePolicyCommand({ RoleName: "worker", PolicyArn: mineArn }))), { code: "NoSuchEntityException", message: `Policy ${mineArn} was not found.`, status: 404 });
    await client.send(new DeleteRoleCommand({ RoleName: "worker" }));
    await client.send(new DeletePolicyCommand({ PolicyArn: mineArn }));
    assert.equal((await refused(client.send(new GetPolicyCommand({ PolicyArn: mineArn })))).code, "NoSuchEntityException");
  });

  it("serves the AWS managed policies with their real documents", async () => {
    const client = iam();
    const policies = (await client.send(new ListPoliciesCommand({ Scope: "AWS" }))).Policies ?? [];
    assert.ok(policies.some((p) => p.Arn === "arn:aws:iam::aws:policy/AdministratorAccess"));
    assert.ok(policies.some((p) => p.Arn === "arn:aws:iam::aws:policy/AWSLambda_FullAccess"));
    const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: BASIC, VersionId: "v1" }));
    assert.deepEqual(JSON.parse(decodeURIComponent(version.PolicyVersion?.Document ?? "")), {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
    });
    assert.deepEqual(await refused(client.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" }))), { code: "NoSuchEntityException", message: "Policy arn:aws:iam::aws:policy/NoSuchPolicy does not exist or is not attachable.", status: 404 });
  });

  it("tags customer managed policies (CreatePolicy Tags, Tag/Untag/ListPolicyTags) with IAM's limits; AWS managed ones take none", async () => {
    const client = iam();
    const created = await client.send(new CreatePolicyCommand({ PolicyName: "tagged", PolicyDocument: READ, Tags: [{ Key: "team", Value: "blue" }] }));
    const arn = created.Policy?.Arn ?? "";
    assert.deepEqual(created.Policy?.Tags, [{ Key: "team", Value: "blue" }]);
    const tag = await aws(suite.unkai.url, ["iam", "tag-policy", "--policy-arn", arn, "--tags", "Key=TEAM,Value=red", "Key=cost,Value=42"]);
    assert.equal(tag.code, 0, tag.stderr);
    const listed = await aws(suite.unkai.url, ["iam", "list-policy-tags", "--policy-arn", arn]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout), { Tags: [{ Key: "TEAM", Value: "red" }, { Key: "cost", Value: "42" }], IsTruncated: false }, "keys compare ignoring case; the new spelling wins");
    assert.deepEqual((await client.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.Tags, [{ Key: "TEAM", Value: "red" }, { Key: "cost", Value: "42" }]);
    await client.send(new UntagPolicyCommand({ PolicyArn: arn, TagKeys: ["team", "absent"] }));
    assert.deepEqual((await client.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: "cost", Value: "42" }]);

    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    assert.deepEqual(await refused(client.send(new TagPolicyCommand({ PolicyArn: arn, Tags: many }))),
      { code: "LimitExceededException", message: "The number of tags has reached the maximum limit of 50.", status: 409 }, "50 new ones plus the one it has");
    const longKey = await refused(client.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: "k".repeat(129), Value: "v" }] })));
    assert.equal(longKey.code, "ValidationError");
    assert.match(longKey.message, /Member must have length less than or equal to 128/);
    const longValue = await refused(client.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: "k", Value: "v".repeat(257) }] })));
    assert.match(longValue.message, /Member must have length less than or equal to 256/);
    assert.deepEqual(await refused(client.send(new TagPolicyCommand({ PolicyArn: BASIC, Tags: [{ Key: "a", Value: "b" }] }))),
      { code: "InvalidInputException", message: "Tags not supported for policies in this domain", status: 400 });
    assert.deepEqual((await client.send(new ListPolicyTagsCommand({ PolicyArn: BASIC }))).Tags, []);
    assert.equal((await refused(client.send(new ListPolicyTagsCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/none` })))).code, "NoSuchEntityException");
    await client.send(new DeletePolicyCommand({ PolicyArn: arn }));
    await client.send(new CreatePolicyCommand({ PolicyName: "tagged", PolicyDocument: READ }));
    assert.deepEqual((await client.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [], "a new policy of the same name has none");
  });

  it("keeps a tag named __proto__, on create and on TagPolicy", async () => {
    const client = iam();
    const created = await client.send(new CreatePolicyCommand({ PolicyName: "inherited-tags", PolicyDocument: READ, Tags: [{ Key: "__proto__", Value: "a" }] }));
    const arn = created.Policy?.Arn ?? "";
    await client.send(new TagPolicyCommand({ PolicyArn: arn, Tags: [{ Key: "constructor", Value: "b" }] }));
    assert.deepEqual((await client.send(new ListPolicyTagsCommand({ PolicyArn: arn }))).Tags, [{ Key: "__proto__", Value: "a" }, { Key: "constructor", Value: "b" }]);
    await client.send(new DeletePolicyCommand({ PolicyArn: arn }));
  });

  it("answers the AWS CLI v2, which decodes documents, and names unimplemented operations", async () => {
    const created = await aws(suite.unkai.url, ["iam", "create-user", "--user-name", "cli-user"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as { User: { Arn: string } }).User.Arn, `arn:aws:iam::${ACCOUNT}:user/cli-user`);
    const role = await aws(suite.unkai.url, ["iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", TRUST]);
    assert.equal(role.code, 0, role.stderr);
    const got = await aws(suite.unkai.url, ["iam", "get-role", "--role-name", "cli-role"]);
    assert.deepEqual((JSON.parse(got.stdout) as { Role: { AssumeRolePolicyDocument: unknown } }).Role.AssumeRolePolicyDocument, JSON.parse(TRUST));
    const users = await iam().send(new ListUsersCommand({}));
    assert.ok(users.Users?.some((u) => u.UserName === "cli-user"));
    const profile = await aws(suite.unkai.url, ["iam", "create-login-profile", "--user-name", "cli-user", "--password", "Secret-123456"]);
    assert.notEqual(profile.code, 0);
    assert.match(profile.stderr, /InvalidAction.*does not implement it yet/);
  });
});
