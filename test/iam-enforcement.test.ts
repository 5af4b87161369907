/**
 * `--iam enforce`: a function's session credentials get exactly its execution role's permissions.
 * A Python function calls S3 with boto3 and its own credentials: with AmazonS3ReadOnlyAccess attached
 * it lists the bucket and is refused the put with S3's AccessDenied and AWS's sentence; with no policy
 * it is refused both. Access keys (the account root) keep working; without the switch nothing is enforced.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IamEnforcer } from "../src/auth/iam-enforcer.js";
import { UnkaiCredentials } from "../src/auth/unkai-credentials.js";
import type { Principal, UnkaiRequest } from "../src/protocol/http.js";
import { openSqliteStore } from "../src/store/sqlite/index.js";
import { DEFAULT_CREDENTIALS, fixtureZip, invoke } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ACCOUNT = "000000000000";
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });

async function setUp(url: string, lambda: LambdaClient, role: string, policies: readonly string[]): Promise<void> {
  const iam = new IAMClient({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
  await iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: TRUST }));
  for (const arn of policies) await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: arn }));
  await lambda.send(new CreateFunctionCommand({
    FunctionName: role, Runtime: "python3.11", Handler: "app.handler", Role: `arn:aws:iam::${ACCOUNT}:role/${role}`, Timeout: 30,
    Code: { ZipFile: await fixtureZip("s3-python-rw") },
  }));
}

async function bucket(url: string, name: string): Promise<void> {
  const s3 = new S3Client({ endpoint: url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  await s3.send(new PutObjectCommand({ Bucket: name, Key: "seed", Body: "1" }));
}

describe("IAM enforcement of execution roles (--iam enforce, the default)", () => {
  // No UNKAI_IAM: enforcement is what a server does unless told otherwise.
  const suite = unkaiSuite({ UNKAI_LOG_LEVEL: "info" });

  it("a role with AmazonS3ReadOnlyAccess lists the bucket and cannot put into it", async () => {
    await bucket(suite.unkai.url, "shared");
    await setUp(suite.unkai.url, suite.client, "reader", ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"]);
    const result = await invoke(suite.client, "reader", { bucket: "shared" });
    assert.equal(result.functionError, undefined, JSON.stringify(result));
    assert.deepEqual(JSON.parse(result.payload), {
      list: "ok",
      put: `AccessDenied: User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/reader is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::shared/from-function because no identity-based policy allows the s3:PutObject action`,
    });
    // Unkai's own log says why, for debugging.
    const logged = suite.unkai.stderr().split("\n").filter((line) => line.includes("IAM denied a request")).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(logged.some((l) => l.action === "s3:PutObject" && l.resource === "arn:aws:s3:::shared/from-function" && l.reason === "no-identity"), JSON.stringify(logged));
  });

  it("a role without policies is refused both, and access keys (the account root) still may", async () => {
    await bucket(suite.unkai.url, "closed");
    await setUp(suite.unkai.url, suite.client, "nobody", []);
    const result = await invoke(suite.client, "nobody", { bucket: "closed" });
    const payload = JSON.parse(result.payload) as { list: string; put: string };
    assert.match(payload.list, /^AccessDenied: .* is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::closed because no identity-based policy allows/);
    assert.match(payload.put, /^AccessDenied: /);
    const s3 = new S3Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: "closed", Key: "by-root", Body: "1" }));
  });
});

describe("CreateFunction under --iam enforce", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "enforce" });

  it("refuses an execution role that does not exist or does not trust lambda.amazonaws.com, as AWS does", async () => {
    const iam = new IAMClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS });
    const ec2Only = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "for-ec2", AssumeRolePolicyDocument: ec2Only }));
    const create = async (role: string) => {
      try {
        await suite.client.send(new CreateFunctionCommand({
          FunctionName: `fn-${role}`, Runtime: "python3.11", Handler: "app.handler", Role: `arn:aws:iam::${ACCOUNT}:role/${role}`, Code: { ZipFile: await fixtureZip("s3-python-rw") },
        }));
        return "created";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    };
    const refusal = "InvalidParameterValueException: The role defined for the function cannot be assumed by Lambda.";
    assert.equal(await create("for-ec2"), refusal);
    assert.equal(await create("missing"), refusal);
    await iam.send(new CreateRoleCommand({ RoleName: "for-lambda", AssumeRolePolicyDocument: TRUST }));
    assert.equal(await create("for-lambda"), "created");
  });
});

describe("--iam off turns enforcement off", () => {
  const suite = unkaiSuite({ UNKAI_IAM: "off" });

  it("a role without policies is not refused", async () => {
    await bucket(suite.unkai.url, "open");
    await setUp(suite.unkai.url, suite.client, "unchecked", []);
    const result = await invoke(suite.client, "unchecked", { bucket: "open" });
    assert.deepEqual(JSON.parse(result.payload), { list: "ok", put: "ok" });
  });
});

describe("IamEnforcer over a real SQLite store", () => {
  it("refuses a function the requests of a service without an action table, and lets access keys through", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-enforcer-"));
    const store = openSqliteStore(join(dataDir, "unkai.db"), () => {});
    try {
      const account = { region: "us-east-1", accountId: ACCOUNT };
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/admin`;
      await store.iam.create({ kind: "role", name: "admin", id: "AROAADMIN", arn: roleArn, path: "/", createdAt: 1, document: TRUST });
      await store.iam.attach("role", "admin", "arn:aws:iam::aws:policy/AdministratorAccess");
      const enforcer = new IamEnforcer({ iam: store.iam, account, roleOf: () => Promise.resolve(roleArn) });
      const request = (principal: Principal): UnkaiRequest => ({
        method: "GET", path: "/restapis", query: new URLSearchParams(), rawQuery: "", headers: {}, rawHeaders: [], body: Buffer.alloc(0),
        remoteAddress: "127.0.0.1", requestId: "r", caller: { accessKeyId: "k", region: "us-east-1", service: "apigateway", principal },
      });
      const fn = request({ kind: "function", functionName: "f", environmentId: "e" });
      assert.match((await enforcer.check(fn, undefined, "apigateway")) ?? "", /assumed-role\/admin\/f is not authorized to perform this request: Unkai does not map apigateway requests/);
      assert.equal(await enforcer.check(request({ kind: "key", name: "test" }), undefined, "apigateway"), undefined);
      assert.equal(await enforcer.check(fn, [{ action: "apigateway:GET", resource: "*" }]), undefined, "AdministratorAccess allows a mapped request");
      assert.equal(await enforcer.check(fn, []), undefined, "a request that needs nothing passes");
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("AssumeRole sessions' credentials", () => {
  it("work until they expire, then are unknown; an IAM user's key is the user and does not retire the loopback default", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-sessions-"));
    const store = openSqliteStore(join(dataDir, "unkai.db"), () => {});
    try {
      const credentials = new UnkaiCredentials({ keys: store.accessKeys, configured: undefined, loopback: true, stsSessions: store.stsSessions });
      const principal = { kind: "role-session", roleArn: `arn:aws:iam::${ACCOUNT}:role/r`, sessionName: "s", sessionTags: { team: "a" }, transitiveTagKeys: ["team"] } as const;
      const live = await credentials.issueRoleSession(principal, Date.now() + 60_000);
      const expired = await credentials.issueRoleSession(principal, Date.now() - 1);
      assert.deepEqual((await credentials.find(live.accessKeyId))?.principal, principal);
      assert.equal((await credentials.find(live.accessKeyId))?.sessionToken, live.sessionToken);
      assert.equal(await credentials.find(expired.accessKeyId), undefined);
      // Another node of the store (or this one after a restart) finds the live session, not the expired one.
      const other = new UnkaiCredentials({ keys: store.accessKeys, configured: undefined, loopback: true, stsSessions: store.stsSessions });
      assert.deepEqual({ ...(await other.find(live.accessKeyId)) }, { secretAccessKey: live.secretAccessKey, sessionToken: live.sessionToken, principal, expiresAtMs: live.expiresAtMs });
      assert.equal(await other.find(expired.accessKeyId), undefined);
      assert.equal(await store.stsSessions.deleteExpired(Date.now(), 10), 1, "the expired one is swept");
      await store.accessKeys.add({ accessKeyId: "AKIAUSERKEY", secretAccessKey: "s", name: "alice", createdAt: 1, userName: "alice" });
      assert.deepEqual((await credentials.find("AKIAUSERKEY"))?.principal, { kind: "user", userName: "alice" });
      assert.deepEqual((await credentials.find("test"))?.principal, { kind: "key", name: "default" });
    } finally {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
