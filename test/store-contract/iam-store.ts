/** IamStore: users, roles and managed policies with their inline policies and attachments. */
import assert from "node:assert/strict";
import type { IamEntity } from "../../src/core/iam.js";
import type { StoreTest } from "./harness.js";

const ACCOUNT = "000000000000";
const role = (name: string, createdAt = 1): IamEntity => ({
  kind: "role", name, id: `AROA${name.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, path: "/", createdAt,
  document: '{"Version":"2012-10-17","Statement":[]}', description: "d", maxSessionDurationSeconds: 3600,
});
const user = (name: string): IamEntity => ({ kind: "user", name, id: `AIDA${name.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, path: "/", createdAt: 2 });

export function iamStoreContract(test: StoreTest): void {
  test("create, get ignoring case, list by name, delete", async ({ store, reopen }) => {
    assert.equal(await store.iam.create(role("Worker")), true);
    assert.equal(await store.iam.create(role("alpha")), true);
    assert.equal(await store.iam.create(user("worker")), true, "users and roles have separate names");
    assert.equal(await store.iam.create(role("WORKER", 5)), false, "role names are unique ignoring case");
    const current = await reopen();
    assert.deepEqual(await current.iam.get("role", "worker"), role("Worker"));
    assert.deepEqual(await current.iam.get("user", "WORKER"), { ...user("worker"), document: undefined, description: undefined, maxSessionDurationSeconds: undefined });
    assert.deepEqual((await current.iam.list("role")).map((r) => r.name), ["Worker", "alpha"].sort());
    assert.deepEqual(await current.iam.list("policy"), []);
    assert.equal(await current.iam.delete("role", "WORKER"), true);
    assert.equal(await current.iam.delete("role", "Worker"), false);
    assert.equal(await current.iam.get("role", "Worker"), undefined);
  });

  test("inline policies and attachments belong to one principal and go with it", async ({ store, reopen }) => {
    await store.iam.create(role("exec"));
    await store.iam.putInlinePolicy("role", "exec", { policyName: "b", document: "{1}" });
    await store.iam.putInlinePolicy("role", "EXEC", { policyName: "a", document: "{2}" });
    await store.iam.putInlinePolicy("role", "exec", { policyName: "b", document: "{3}" });
    const arnA = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    const arnB = `arn:aws:iam::${ACCOUNT}:policy/mine`;
    await store.iam.attach("role", "exec", arnB);
    await store.iam.attach("role", "exec", arnA);
    await store.iam.attach("role", "exec", arnB);
    await store.iam.attach("user", "exec", arnA);
    const current = await reopen();
    assert.deepEqual(await current.iam.inlinePolicies("role", "Exec"), [{ policyName: "a", document: "{2}" }, { policyName: "b", document: "{3}" }]);
    assert.deepEqual(await current.iam.inlinePolicies("user", "exec"), []);
    assert.deepEqual(await current.iam.attached("role", "exec"), [arnB, arnA], "in attachment order, once each");
    assert.equal(await current.iam.attachmentCount(arnA), 2);
    assert.deepEqual((await current.iam.attachedTo(arnA)).map((e) => [e.kind, e.name]), [["role", "exec"]], "an attachment of a user never created lists no entity");
    await current.iam.create(user("Exec"));
    assert.deepEqual((await current.iam.attachedTo(arnA)).map((e) => [e.kind, e.name]), [["role", "exec"], ["user", "Exec"]], "by kind, then name, in the entity's spelling");
    assert.deepEqual((await current.iam.attachedTo(arnB)).map((e) => e.id), ["AROAEXEC"]);
    assert.deepEqual(await current.iam.attachedTo(`arn:aws:iam::${ACCOUNT}:policy/other`), []);
    assert.equal(await current.iam.detach("role", "exec", arnB), true);
    assert.equal(await current.iam.detach("role", "exec", arnB), false);
    assert.equal(await current.iam.deleteInlinePolicy("role", "exec", "a"), true);
    assert.equal(await current.iam.deleteInlinePolicy("role", "exec", "a"), false);
    assert.equal(await current.iam.delete("role", "exec"), true);
    await current.iam.create(role("exec"));
    assert.deepEqual(await current.iam.inlinePolicies("role", "exec"), [], "a new role of the same name starts empty");
    assert.deepEqual(await current.iam.attached("role", "exec"), []);
    assert.equal(await current.iam.attachmentCount(arnA), 1);
  });

  test("groups: members both ways by name ignoring case, and memberships go with either side", async ({ store, reopen }) => {
    const group = (name: string): IamEntity => ({ kind: "group", name, id: `AGPA${name.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, path: "/", createdAt: 3 });
    await store.iam.create(group("Devs"));
    await store.iam.create(group("ops"));
    await store.iam.create(user("Carol"));
    await store.iam.create(user("dave"));
    assert.equal(await store.iam.addMember("devs", "carol"), true);
    assert.equal(await store.iam.addMember("Devs", "Carol"), false, "once");
    await store.iam.addMember("devs", "dave");
    await store.iam.addMember("OPS", "dave");
    await store.iam.putInlinePolicy("group", "devs", { policyName: "p", document: "{g}" });
    await store.iam.attach("group", "devs", `arn:aws:iam::${ACCOUNT}:policy/mine`);
    const current = await reopen();
    assert.deepEqual(await current.iam.members("DEVS"), ["Carol", "dave"]);
    assert.deepEqual(await current.iam.groupsOf("DAVE"), ["Devs", "ops"]);
    assert.deepEqual(await current.iam.inlinePolicies("group", "Devs"), [{ policyName: "p", document: "{g}" }]);
    assert.equal(await current.iam.removeMember("ops", "dave"), true);
    assert.equal(await current.iam.removeMember("ops", "dave"), false);
    assert.equal(await current.iam.delete("user", "dave"), true);
    assert.deepEqual(await current.iam.members("devs"), ["Carol"], "a deleted user leaves its groups");
    assert.equal(await current.iam.delete("group", "devs"), true);
    assert.deepEqual(await current.iam.groupsOf("carol"), [], "a deleted group leaves its members");
    assert.deepEqual(await current.iam.attached("group", "devs"), []);
    await current.iam.create(group("devs"));
    assert.deepEqual(await current.iam.inlinePolicies("group", "devs"), [], "a new group of the same name starts empty");
  });

  test("policy versions: v1 at create, numbered on without reuse, the default's document on the policy", async ({ store, reopen }) => {
    const policy: IamEntity = { kind: "policy", name: "Mine", id: "ANPAMINE", arn: `arn:aws:iam::${ACCOUNT}:policy/Mine`, path: "/", createdAt: 10, document: "{v1}" };
    assert.equal(await store.iam.create(policy), true);
    assert.equal(await store.iam.create({ ...policy, document: "{other}" }), false);
    assert.equal(await store.iam.addPolicyVersion("mine", "{v2}", 20, false), "v2");
    assert.equal(await store.iam.addPolicyVersion("MINE", "{v3}", 30, true), "v3");
    const current = await reopen();
    assert.deepEqual(await current.iam.get("policy", "mine"), { ...policy, document: "{v3}", description: undefined, maxSessionDurationSeconds: undefined, defaultVersionId: "v3" });
    assert.deepEqual(await current.iam.policyVersions("mine"), [
      { versionId: "v1", document: "{v1}", createdAt: 10 }, { versionId: "v2", document: "{v2}", createdAt: 20 }, { versionId: "v3", document: "{v3}", createdAt: 30 },
    ]);
    assert.equal(await current.iam.setDefaultPolicyVersion("mine", "v2"), true);
    assert.equal(await current.iam.setDefaultPolicyVersion("mine", "v9"), false);
    assert.equal(await current.iam.setDefaultPolicyVersion("mine", "bogus"), false);
    assert.equal((await current.iam.get("policy", "mine"))?.document, "{v2}");
    assert.equal(await current.iam.deletePolicyVersion("mine", "v3"), true);
    assert.equal(await current.iam.deletePolicyVersion("mine", "v3"), false);
    assert.equal(await current.iam.addPolicyVersion("mine", "{v4}", 40, false), "v4", "a deleted version's number is not given out again");
    assert.equal(await current.iam.delete("policy", "mine"), true);
    await current.iam.create(policy);
    assert.deepEqual((await current.iam.policyVersions("mine")).map((v) => v.versionId), ["v1"], "a new policy of the same name starts at v1");
  });

  test("tags: given at create, replaced whole by setTags, none stored as none", async ({ store, reopen }) => {
    await store.iam.create({ ...user("tagged"), tags: { team: "blue" } });
    await store.iam.create(role("plain"));
    const current = await reopen();
    assert.deepEqual((await current.iam.get("user", "TAGGED"))?.tags, { team: "blue" });
    assert.equal(await current.iam.setTags("role", "plain", { a: "1", b: "2" }), true);
    assert.equal(await current.iam.setTags("role", "missing", { a: "1" }), false);
    assert.equal(await current.iam.setTags("user", "tagged", {}), true);
    const policy: IamEntity = { kind: "policy", name: "Tagged", id: "ANPATAGGED", arn: `arn:aws:iam::${ACCOUNT}:policy/Tagged`, path: "/", createdAt: 4, document: "{}", tags: { k: "v" } };
    await current.iam.create(policy);
    assert.deepEqual((await current.iam.get("policy", "tagged"))?.tags, { k: "v" }, "a customer managed policy keeps its tags too");
    assert.equal(await current.iam.setTags("policy", "TAGGED", { k: "w", x: "" }), true);
    const again = await reopen();
    assert.deepEqual((await again.iam.get("role", "plain"))?.tags, { a: "1", b: "2" });
    assert.equal((await again.iam.get("user", "tagged"))?.tags, undefined);
    assert.deepEqual((await again.iam.get("policy", "Tagged"))?.tags, { k: "w", x: "" });
  });

  test("permissions boundaries: given at create, set and removed by setPermissionsBoundary", async ({ store, reopen }) => {
    const boundary = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
    await store.iam.create({ ...user("bounded"), permissionsBoundary: boundary });
    await store.iam.create(role("free"));
    const current = await reopen();
    assert.equal((await current.iam.get("user", "BOUNDED"))?.permissionsBoundary, boundary);
    assert.equal((await current.iam.get("role", "free"))?.permissionsBoundary, undefined);
    assert.equal(await current.iam.setPermissionsBoundary("role", "FREE", "arn:aws:iam::123456789012:policy/cap"), true);
    assert.equal(await current.iam.setPermissionsBoundary("user", "bounded", undefined), true);
    assert.equal(await current.iam.setPermissionsBoundary("role", "missing", boundary), false);
    const again = await reopen();
    assert.equal((await again.iam.get("role", "free"))?.permissionsBoundary, "arn:aws:iam::123456789012:policy/cap");
    assert.equal((await again.iam.get("user", "bounded"))?.permissionsBoundary, undefined);
    await again.iam.create({ ...user("also"), permissionsBoundary: "arn:aws:iam::123456789012:policy/cap" });
    await again.iam.create({ ...role("another"), permissionsBoundary: "arn:aws:iam::123456789012:policy/cap" });
    assert.deepEqual((await again.iam.boundedBy("arn:aws:iam::123456789012:policy/cap")).map((e) => [e.kind, e.name]), [["role", "another"], ["role", "free"], ["user", "also"]]);
    assert.deepEqual(await again.iam.boundedBy(boundary), []);
  });

  test("updateRole replaces only what it is given", async ({ store, reopen }) => {
    await store.iam.create(role("r"));
    assert.equal(await store.iam.updateRole("R", { document: "{trust}" }), true);
    assert.equal(await store.iam.updateRole("r", { description: "new", maxSessionDurationSeconds: 7200 }), true);
    assert.equal(await store.iam.updateRole("nobody", { description: "x" }), false);
    const current = await reopen();
    assert.deepEqual(await current.iam.get("role", "r"), { ...role("r"), document: "{trust}", description: "new", maxSessionDurationSeconds: 7200 });
  });
}
