/**
 * IAM's paging (`Marker`, `MaxItems`, `IsTruncated`) on every listing, through the clients that page
 * for their users: SDK v3 paginators with a small page size collect every item exactly once, in order,
 * over several pages; the AWS CLI v2 pages on its own (`--page-size`) and resumes from its NextToken
 * (`--max-items`, `--starting-token`); a page resumes after its last item even when an earlier item was
 * deleted in between; a forged Marker is IAM's InvalidInput.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  AddUserToGroupCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreatePolicyVersionCommand,
  CreateRoleCommand, CreateUserCommand, DeleteUserCommand, IAMClient, ListUsersCommand, PutUserPolicyCommand, RemoveUserFromGroupCommand, TagRoleCommand, TagUserCommand,
  paginateGetGroup, paginateListAccessKeys, paginateListAttachedUserPolicies, paginateListGroups, paginateListGroupsForUser, paginateListPolicies,
  paginateListPolicyVersions, paginateListRoles, paginateListRoleTags, paginateListUserPolicies, paginateListUsers, paginateListUserTags,
} from "@aws-sdk/client-iam";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const doc = (action: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });
const USERS = ["u1", "u2", "u3", "u4", "u5", "u6", "u7"];

/** Every page's items of a paginator, and how many pages it took. */
async function collect<T>(pages: AsyncIterable<T>, items: (page: T) => readonly unknown[] | undefined): Promise<{ all: unknown[]; pages: number }> {
  const all: unknown[] = [];
  let count = 0;
  for await (const page of pages) {
    count++;
    all.push(...(items(page) ?? []));
  }
  return { all, pages: count };
}

describe("IAM paging", () => {
  const suite = unkaiSuite();
  let iam: IAMClient;

  before(async () => {
    iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    for (const name of USERS) await iam.send(new CreateUserCommand({ UserName: name }));
    for (const name of ["g1", "g2", "g3", "g4", "g5"]) {
      await iam.send(new CreateGroupCommand({ GroupName: name }));
      await iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: "u1" }));
    }
    for (const name of USERS) await iam.send(new AddUserToGroupCommand({ GroupName: "g1", UserName: name }));
    for (let i = 1; i <= 5; i++) {
      await iam.send(new CreateRoleCommand({ RoleName: `r${i}`, AssumeRolePolicyDocument: TRUST }));
      await iam.send(new CreatePolicyCommand({ PolicyName: `p${i}`, PolicyDocument: doc(`s3:Get${i}`) }));
      await iam.send(new AttachUserPolicyCommand({ UserName: "u1", PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p${i}` }));
      await iam.send(new PutUserPolicyCommand({ UserName: "u1", PolicyName: `inline${i}`, PolicyDocument: doc(`sqs:Send${i}`) }));
    }
    for (let v = 2; v <= 5; v++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p1`, PolicyDocument: doc(`s3:V${v}`) }));
    const tags = Array.from({ length: 5 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await iam.send(new TagUserCommand({ UserName: "u1", Tags: tags }));
    await iam.send(new TagRoleCommand({ RoleName: "r1", Tags: tags }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "u1" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "u1" }));
  });

  it("SDK v3 paginators collect every item once, in order, over several pages", async () => {
    const config = { client: iam, pageSize: 2 };
    const cases: [string, Promise<{ all: unknown[]; pages: number }>, unknown[]][] = [
      ["ListUsers", collect(paginateListUsers(config, {}), (p) => p.Users?.map((u) => u.UserName)), USERS],
      ["ListRoles", collect(paginateListRoles(config, {}), (p) => p.Roles?.map((r) => r.RoleName)), ["r1", "r2", "r3", "r4", "r5", "unkai-test"]], // the suite's execution role too
      ["ListGroups", collect(paginateListGroups(config, {}), (p) => p.Groups?.map((g) => g.GroupName)), ["g1", "g2", "g3", "g4", "g5"]],
      ["ListGroupsForUser", collect(paginateListGroupsForUser(config, { UserName: "u1" }), (p) => p.Groups?.map((g) => g.GroupName)), ["g1", "g2", "g3", "g4", "g5"]],
      ["GetGroup", collect(paginateGetGroup(config, { GroupName: "g1" }), (p) => p.Users?.map((u) => u.UserName)), USERS],
      ["ListPolicies", collect(paginateListPolicies(config, { Scope: "Local" }), (p) => p.Policies?.map((x) => x.PolicyName)), ["p1", "p2", "p3", "p4", "p5"]],
      ["ListAttachedUserPolicies", collect(paginateListAttachedUserPolicies(config, { UserName: "u1" }), (p) => p.AttachedPolicies?.map((x) => x.PolicyName)), ["p1", "p2", "p3", "p4", "p5"]],
      ["ListUserPolicies", collect(paginateListUserPolicies(config, { UserName: "u1" }), (p) => p.PolicyNames), ["inline1", "inline2", "inline3", "inline4", "inline5"]],
      ["ListPolicyVersions", collect(paginateListPolicyVersions(config, { PolicyArn: `arn:aws:iam::${ACCOUNT}:policy/p1` }), (p) => p.Versions?.map((v) => v.VersionId)), ["v5", "v4", "v3", "v2", "v1"]],
      ["ListUserTags", collect(paginateListUserTags(config, { UserName: "u1" }), (p) => p.Tags?.map((t) => t.Key)), ["k0", "k1", "k2", "k3", "k4"]],
      ["ListRoleTags", collect(paginateListRoleTags(config, { RoleName: "r1" }), (p) => p.Tags?.map((t) => t.Key)), ["k0", "k1", "k2", "k3", "k4"]],
    ];
    for (const [name, run, expected] of cases) {
      const { all, pages } = await run;
      assert.deepEqual(all, expected, name);
      assert.equal(pages, Math.ceil(expected.length / 2), `${name}: pages of 2`);
    }
    const keys = await collect(paginateListAccessKeys({ client: iam, pageSize: 1 }, { UserName: "u1" }), (p) => p.AccessKeyMetadata);
    assert.equal(keys.all.length, 2);
    assert.equal(keys.pages, 2);
  });

  it("answers MaxItems with IsTruncated and a Marker, resumes after the last item even when an earlier one is gone, refuses a forged Marker", async () => {
    const first = await iam.send(new ListUsersCommand({ MaxItems: 3 }));
    assert.deepEqual(first.Users?.map((u) => u.UserName), ["u1", "u2", "u3"]);
    assert.equal(first.IsTruncated, true);
    assert.ok(first.Marker);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: "g1", UserName: "u2" }));
    await iam.send(new DeleteUserCommand({ UserName: "u2" })); // before the marker: the next page must not skip u4
    const next = await iam.send(new ListUsersCommand({ MaxItems: 3, Marker: first.Marker }));
    assert.deepEqual(next.Users?.map((u) => u.UserName), ["u4", "u5", "u6"]);
    const last = await iam.send(new ListUsersCommand({ MaxItems: 3, Marker: next.Marker }));
    assert.deepEqual(last.Users?.map((u) => u.UserName), ["u7"]);
    assert.equal(last.IsTruncated, false);
    assert.equal(last.Marker, undefined);
    await iam.send(new CreateUserCommand({ UserName: "u2" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "g1", UserName: "u2" }));
    await assert.rejects(iam.send(new ListUsersCommand({ Marker: "not-a-marker" })), (error: Error) => error.name === "InvalidInputException" || error.name === "InvalidInput");
  });

  it("the AWS CLI v2 pages by itself (--page-size) and resumes from its NextToken (--max-items, --starting-token)", async () => {
    const url = suite.unkai.url;
    const all = await aws(url, ["iam", "list-users", "--page-size", "2"]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual((JSON.parse(all.stdout) as { Users: { UserName: string }[] }).Users.map((u) => u.UserName), USERS);
    const head = await aws(url, ["iam", "list-attached-user-policies", "--user-name", "u1", "--max-items", "3", "--page-size", "2"]);
    assert.equal(head.code, 0, head.stderr);
    const headOut = JSON.parse(head.stdout) as { AttachedPolicies: { PolicyName: string }[]; NextToken?: string };
    assert.deepEqual(headOut.AttachedPolicies.map((p) => p.PolicyName), ["p1", "p2", "p3"]);
    assert.ok(headOut.NextToken, "the CLI's token to resume from");
    const rest = await aws(url, ["iam", "list-attached-user-policies", "--user-name", "u1", "--starting-token", headOut.NextToken ?? "", "--page-size", "2"]);
    assert.equal(rest.code, 0, rest.stderr);
    const restOut = JSON.parse(rest.stdout) as { AttachedPolicies: { PolicyName: string }[]; NextToken?: string };
    assert.deepEqual(restOut.AttachedPolicies.map((p) => p.PolicyName), ["p4", "p5"]);
    assert.equal(restOut.NextToken, undefined);
  });
});
