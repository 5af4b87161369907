/**
 * The enforcer's cache of resolved callers (src/auth/iam-caller-cache.ts) over a real SQLite store: an IAM
 * write made through this node's store (withIamChangeCount) takes effect on the very next check; a write
 * the node does not see (another node of a cluster, simulated by writing to the raw store) is used for at
 * most `cacheMaxAgeMs`; a function whose execution role changed is decided by its new role at once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { IamChanges, withIamChangeCount } from "../src/auth/iam-changes.js";
import { IamEnforcer } from "../src/auth/iam-enforcer.js";
import type { Principal, UnkaiRequest } from "../src/protocol/http.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";

const ACCOUNT = "000000000000";
const account = { region: "us-east-1", accountId: ACCOUNT };
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const INVOKE = [{ action: "lambda:InvokeFunction", resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` }];
const LAMBDA_ROLE = "arn:aws:iam::aws:policy/service-role/AWSLambdaRole";
const DENY_ALL = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] });

function request(principal: Principal): UnkaiRequest {
  return {
    method: "POST", path: "/", query: new URLSearchParams(), rawQuery: "", headers: {}, rawHeaders: [], body: Buffer.alloc(0),
    remoteAddress: "127.0.0.1", requestId: "r", caller: { accessKeyId: "k", region: "us-east-1", service: "lambda", principal },
  };
}

const alice = request({ kind: "user", userName: "alice" });

async function withStore(test: (raw: ReturnType<typeof openSqliteStore>) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-caller-cache-"));
  const raw = openSqliteStore(join(dataDir, "unkai.db"), () => {});
  try {
    await raw.iam.create({ kind: "user", name: "alice", id: "AIDAALICE", arn: `arn:aws:iam::${ACCOUNT}:user/alice`, path: "/", createdAt: 1 });
    await raw.iam.attach("user", "alice", LAMBDA_ROLE);
    await test(raw);
  } finally {
    await raw.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("the IAM enforcer's caller cache", () => {
  it("drops a caller's policies on the next check after any IAM write through this node", async () => {
    await withStore(async (raw) => {
      const changes = new IamChanges();
      const counted = withIamChangeCount(raw, changes);
      const enforcer = new IamEnforcer({ iam: counted.iam, account, roleOf: () => Promise.resolve(undefined), changes });
      assert.equal(await enforcer.check(alice, INVOKE), undefined, "AWSLambdaRole allows the invoke");
      await counted.iam.detach("user", "alice", LAMBDA_ROLE);
      assert.match((await enforcer.check(alice, INVOKE)) ?? "", /because no identity-based policy allows the lambda:InvokeFunction action/);
      await counted.iam.attach("user", "alice", LAMBDA_ROLE);
      assert.equal(await enforcer.check(alice, INVOKE), undefined, "attached again");
      // A group's Deny: the user's own entities did not change, the membership did.
      await counted.iam.create({ kind: "group", name: "blocked", id: "AGPABLOCKED", arn: `arn:aws:iam::${ACCOUNT}:group/blocked`, path: "/", createdAt: 1 });
      await counted.iam.putInlinePolicy("group", "blocked", { policyName: "deny", document: DENY_ALL });
      assert.equal(await enforcer.check(alice, INVOKE), undefined, "not a member yet");
      await counted.iam.addMember("blocked", "alice");
      assert.match((await enforcer.check(alice, INVOKE)) ?? "", /with an explicit deny in an identity-based policy/);
    });
  });

  it("uses a caller resolved before a write it did not see (another node's) for at most cacheMaxAgeMs", async () => {
    await withStore(async (raw) => {
      let nowMs = 1_000_000;
      const enforcer = new IamEnforcer({ iam: raw.iam, account, roleOf: () => Promise.resolve(undefined), changes: new IamChanges(), cacheMaxAgeMs: 1000, now: () => nowMs });
      assert.equal(await enforcer.check(alice, INVOKE), undefined);
      await raw.iam.detach("user", "alice", LAMBDA_ROLE); // not counted: as if written through another node
      nowMs += 999;
      assert.equal(await enforcer.check(alice, INVOKE), undefined, "within the staleness bound the cached policies still apply");
      nowMs += 2;
      assert.match((await enforcer.check(alice, INVOKE)) ?? "", /no identity-based policy allows/, "past the bound the store is read again");
    });
  });

  it("decides a function by its current execution role, not the one cached for it", async () => {
    await withStore(async (raw) => {
      const changes = new IamChanges();
      const counted = withIamChangeCount(raw, changes);
      for (const name of ["open", "closed"]) {
        await counted.iam.create({ kind: "role", name, id: `AROA${name.toUpperCase()}`, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, path: "/", createdAt: 1, document: TRUST });
      }
      await counted.iam.attach("role", "open", LAMBDA_ROLE);
      let role = `arn:aws:iam::${ACCOUNT}:role/open`;
      const enforcer = new IamEnforcer({ iam: counted.iam, account, roleOf: () => Promise.resolve(role), changes });
      const fn = request({ kind: "function", functionName: "f", environmentId: "e" });
      assert.equal(await enforcer.check(fn, INVOKE), undefined);
      role = `arn:aws:iam::${ACCOUNT}:role/closed`; // UpdateFunctionConfiguration is not an IAM write
      assert.match((await enforcer.check(fn, INVOKE)) ?? "", /assumed-role\/closed\/f is not authorized/);
    });
  });
});
