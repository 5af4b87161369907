/**
 * IAM instance profiles through the SDK v3 and the AWS CLI v2: created, read, listed (also per role and in
 * GetAccountAuthorizationDetails), one role at most, and the deletes IAM refuses (a profile that still holds
 * a role, a role that a profile still holds).
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, DeleteInstanceProfileCommand, DeleteRoleCommand,
  GetAccountAuthorizationDetailsCommand, GetInstanceProfileCommand, IAMClient, ListInstanceProfilesCommand, ListInstanceProfilesForRoleCommand, ListInstanceProfileTagsCommand,
  RemoveRoleFromInstanceProfileCommand, TagInstanceProfileCommand, UntagInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { aws, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });

async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe("IAM instance profiles", () => {
  const suite = unkaiSuite();
  let iam: IAMClient;

  before(async () => {
    iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    for (const name of ["web-role", "other-role"]) await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  });

  it("stores a profile with its one role and lists it, for the role too", async () => {
    const created = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "web", Path: "/app/", Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(created.InstanceProfile?.Arn, "arn:aws:iam::000000000000:instance-profile/app/web");
    assert.match(created.InstanceProfile?.InstanceProfileId ?? "", /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(created.InstanceProfile?.Roles, []);
    assert.match(await failure(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "WEB" }))), /EntityAlreadyExists\w*: Instance Profile WEB already exists\./);
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "web-role" }));
    assert.match(await failure(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "other-role" }))), /LimitExceeded\w*: Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1/);
    const got = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web" }));
    assert.deepEqual(got.InstanceProfile?.Roles?.map((r) => r.RoleName), ["web-role"]);
    assert.equal(decodeURIComponent(got.InstanceProfile?.Roles?.[0]?.AssumeRolePolicyDocument ?? ""), TRUST, "the role's trust policy, URL-encoded as IAM returns it");
    assert.deepEqual(got.InstanceProfile?.Tags, [{ Key: "team", Value: "a" }]);
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "batch" }));
    assert.deepEqual((await iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles?.map((p) => p.InstanceProfileName), ["batch", "web"]);
    assert.deepEqual((await iam.send(new ListInstanceProfilesCommand({ PathPrefix: "/app/" }))).InstanceProfiles?.map((p) => p.InstanceProfileName), ["web"]);
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "web-role" }))).InstanceProfiles?.map((p) => p.InstanceProfileName), ["web"]);
    assert.deepEqual((await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: "other-role" }))).InstanceProfiles, []);
    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    const webRole = details.RoleDetailList?.find((r) => r.RoleName === "web-role");
    assert.deepEqual(webRole?.InstanceProfileList?.map((p) => p.InstanceProfileName), ["web"]);
  });

  it("tags a profile (Tag/Untag/ListInstanceProfileTags, SDK and CLI) with IAM's limits", async () => {
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "tagged", Tags: [{ Key: "team", Value: "a" }] }));
    const tag = await aws(suite.unkai.url, ["iam", "tag-instance-profile", "--instance-profile-name", "TAGGED", "--tags", "Key=Team,Value=b", "Key=env,Value=prod"]);
    assert.equal(tag.code, 0, tag.stderr);
    const listed = await aws(suite.unkai.url, ["iam", "list-instance-profile-tags", "--instance-profile-name", "tagged"]);
    assert.deepEqual(JSON.parse(listed.stdout), { Tags: [{ Key: "Team", Value: "b" }, { Key: "env", Value: "prod" }], IsTruncated: false });
    assert.deepEqual((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "tagged" }))).InstanceProfile?.Tags, [{ Key: "Team", Value: "b" }, { Key: "env", Value: "prod" }]);
    await iam.send(new UntagInstanceProfileCommand({ InstanceProfileName: "tagged", TagKeys: ["TEAM"] }));
    const paged = await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "tagged", MaxItems: 1 }));
    assert.deepEqual([paged.Tags, paged.IsTruncated], [[{ Key: "env", Value: "prod" }], false]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    assert.match(await failure(iam.send(new TagInstanceProfileCommand({ InstanceProfileName: "tagged", Tags: many }))), /LimitExceeded\w*: The number of tags has reached the maximum limit of 50\./);
    assert.match(await failure(iam.send(new TagInstanceProfileCommand({ InstanceProfileName: "tagged", Tags: [{ Key: "k".repeat(129), Value: "v" }] }))), /ValidationError: .*length less than or equal to 128/);
    assert.match(await failure(iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: "none" }))), /NoSuchEntity\w*: Instance Profile none cannot be found\./);
  });

  it("refuses to delete a profile holding a role or a role held by a profile, then deletes both once apart (AWS CLI)", async () => {
    const url = suite.unkai.url;
    assert.match(await failure(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web" }))), /DeleteConflict\w*: Cannot delete entity, must remove roles from instance profile first\./);
    assert.match(await failure(iam.send(new DeleteRoleCommand({ RoleName: "web-role" }))), /DeleteConflict\w*: Cannot delete entity, must remove roles from instance profile first\./);
    assert.match(await failure(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "other-role" }))), /NoSuchEntity/);
    const removed = await aws(url, ["iam", "remove-role-from-instance-profile", "--instance-profile-name", "web", "--role-name", "web-role"]);
    assert.equal(removed.code, 0, removed.stderr);
    const listed = await aws(url, ["iam", "list-instance-profiles-for-role", "--role-name", "web-role"]);
    assert.deepEqual(JSON.parse(listed.stdout), { InstanceProfiles: [] });
    for (const args of [["delete-instance-profile", "--instance-profile-name", "web"], ["delete-role", "--role-name", "web-role"]]) {
      const run = await aws(url, ["iam", ...args]);
      assert.equal(run.code, 0, run.stderr);
    }
    const missing = await aws(url, ["iam", "get-instance-profile", "--instance-profile-name", "web"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /NoSuchEntity.*Instance Profile web cannot be found\./);
  });
});
