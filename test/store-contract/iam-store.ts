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
}
