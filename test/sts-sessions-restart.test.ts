/**
 * STS AssumeRole sessions are stored (docs/iam.md): a session made before a restart still works after it,
 * with its session tags, through the SDK v3 and the AWS CLI v2; once its expiry has passed (the stored
 * expiry moved into the past while the server is down, as time passing would) it is refused and swept.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsAs, DEFAULT_CREDENTIALS } from "./helpers/clients.js";
import { attempt, type Keys } from "./helpers/outcome.js";
import { waitFor } from "./helpers/wait.js";
import { startUnkai, type TestUnkai } from "./helpers/unkai-server.js";

const ACCOUNT = "000000000000";
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/team`;
const doc = (statement: unknown) => JSON.stringify({ Version: "2012-10-17", Statement: Array.isArray(statement) ? statement : [statement] });
const ENV = { UNKAI_IAM: "enforce", UNKAI_LOG_SWEEP_INTERVAL_MS: "200" };

describe("STS sessions across a restart", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "unkai-sts-restart-"));
  let server: TestUnkai | undefined;
  after(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = () => server?.url ?? "";
  const iam = () => new IAMClient({ endpoint: url(), region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
  const s3 = (keys: Keys = DEFAULT_CREDENTIALS) => new S3Client({ endpoint: url(), region: "us-east-1", credentials: keys, forcePathStyle: true, maxAttempts: 1 });
  const sts = (keys: Keys) => new STSClient({ endpoint: url(), region: "us-east-1", credentials: keys, maxAttempts: 1 });
  const read = (keys: Keys) => attempt(() => s3(keys).send(new GetObjectCommand({ Bucket: "team-a", Key: "k" })));
  const cliIdentity = (keys: Keys) => awsAs(url(), keys, ["sts", "get-caller-identity"]);

  it("a tagged session made before a restart acts with its tags after it, and is refused and swept once expired", async () => {
    server = await startUnkai(ENV, dataDir);
    await iam().send(new CreateUserCommand({ UserName: "alice" }));
    const { AccessKey } = await iam().send(new CreateAccessKeyCommand({ UserName: "alice" }));
    const alice = { accessKeyId: AccessKey?.AccessKeyId ?? "", secretAccessKey: AccessKey?.SecretAccessKey ?? "" };
    await iam().send(new CreateRoleCommand({ RoleName: "team", AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: ALICE }, Action: ["sts:AssumeRole", "sts:TagSession"] }) }));
    await iam().send(new PutRolePolicyCommand({
      RoleName: "team", PolicyName: "p",
      PolicyDocument: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::team-a/*", Condition: { StringEquals: { "aws:PrincipalTag/team": "a" } } }),
    }));
    await s3().send(new CreateBucketCommand({ Bucket: "team-a" }));
    await s3().send(new PutObjectCommand({ Bucket: "team-a", Key: "k", Body: "a's" }));
    const { Credentials } = await sts(alice).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "before", DurationSeconds: 900, Tags: [{ Key: "team", Value: "a" }] }));
    const session = { accessKeyId: Credentials?.AccessKeyId ?? "", secretAccessKey: Credentials?.SecretAccessKey ?? "", sessionToken: Credentials?.SessionToken ?? "" };
    const expiresMs = Credentials?.Expiration?.getTime() ?? 0;
    assert.ok(Math.abs(expiresMs - (Date.now() + 900_000)) < 60_000, "DurationSeconds 900");
    assert.equal(await read(session), "ok");

    assert.equal(await server.stop(), 0);
    server = await startUnkai({ ...ENV, UNKAI_TEST_ROLE: "none" }, dataDir);
    assert.equal((await sts(session).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/team/before`);
    assert.equal(await read(session), "ok", "its session tag came back with it");
    const cli = await cliIdentity(session);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(await attempt(() => sts({ ...session, sessionToken: "forged" }).send(new GetCallerIdentityCommand({}))), /^InvalidClientTokenId: /, "the stored token is checked");

    assert.equal(await server.stop(), 0);
    const db = new Database(join(dataDir, "unkai.db"));
    try {
      // Time passing while the server is down: the stored expiry is now behind.
      assert.equal(db.prepare("UPDATE sts_sessions SET expires_at = ? WHERE access_key_id = ?").run(Date.now() - 1, session.accessKeyId).changes, 1);
    } finally {
      db.close();
    }
    server = await startUnkai({ ...ENV, UNKAI_TEST_ROLE: "none" }, dataDir);
    assert.match(await attempt(() => sts(session).send(new GetCallerIdentityCommand({}))), /^InvalidClientTokenId: /);
    const reader = new Database(join(dataDir, "unkai.db"), { readonly: true });
    try {
      const count = reader.prepare<[], { n: number }>("SELECT count(*) AS n FROM sts_sessions");
      await waitFor("the sweeper to remove the expired session", () => (count.get()?.n === 0 ? true : undefined));
    } finally {
      reader.close();
    }
  });
});
