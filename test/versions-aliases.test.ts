/** Versions and aliases: immutable snapshots, per-version environments, every ARN form, weighted routing. */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  AddPermissionCommand,
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetPolicyCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  RemovePermissionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { aws, createFromFixture, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function:versioned";

describe("versions and aliases", () => {
  const suite = unkaiSuite();

  async function run(functionName: string, qualifier?: string): Promise<{ version: string; count: number; executed: string | undefined }> {
    const result = await suite.client.send(new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier, Payload: Buffer.from("{}") }));
    const body = JSON.parse(Buffer.from(result.Payload ?? new Uint8Array()).toString("utf8")) as { version: string; count: number };
    return { version: body.version, count: body.count, executed: result.ExecutedVersion };
  }

  async function setVersion(value: string): Promise<void> {
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", Environment: { Variables: { CODE_VERSION: value } } }));
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "versioned" });
  }

  it("publishes immutable versions and runs each in its own environments", async () => {
    await createFromFixture(suite.client, "versioned", "node-cjs", { Environment: { Variables: { CODE_VERSION: "one" } } });
    await waitUntilFunctionActiveV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "versioned" });
    const v1 = await suite.client.send(new PublishVersionCommand({ FunctionName: "versioned", Description: "first" }));
    assert.equal(v1.Version, "1");
    assert.equal(v1.FunctionArn, `${ARN}:1`);
    assert.equal(v1.Description, "first");
    const again = await suite.client.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    assert.equal(again.Version, "1", "nothing changed, so no new version");
    await setVersion("two");
    const v2 = await suite.client.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    assert.equal(v2.Version, "2");
    await setVersion("latest");

    const versions = await suite.client.send(new ListVersionsByFunctionCommand({ FunctionName: "versioned" }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ["$LATEST", "1", "2"]);

    assert.deepEqual(await run("versioned", "1"), { version: "one", count: 1, executed: "1" });
    assert.deepEqual(await run("versioned", "2"), { version: "two", count: 1, executed: "2" });
    assert.deepEqual(await run("versioned"), { version: "latest", count: 1, executed: "$LATEST" });
    assert.deepEqual(await run("versioned", "1"), { version: "one", count: 2, executed: "1" }, "version 1 keeps its own warm environment");

    const got = await suite.client.send(new GetFunctionCommand({ FunctionName: "versioned", Qualifier: "1" }));
    assert.equal(got.Configuration?.Version, "1");
    assert.equal(got.Configuration?.Environment?.Variables?.CODE_VERSION, "one");
  });

  it("Publish on CreateFunction and UpdateFunctionCode publishes a version and answers it (SDK v3 and the AWS CLI)", async () => {
    const code = (answer: string) => zipFiles({ "index.js": `exports.handler = async () => ${JSON.stringify(answer)};` });
    const created = await suite.client.send(new CreateFunctionCommand({
      FunctionName: "published", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await code("one") }, Publish: true,
    }));
    assert.deepEqual([created.Version, created.FunctionArn], ["1", "arn:aws:lambda:us-east-1:000000000000:function:published"], "version 1, under the unqualified ARN");
    await waitUntilFunctionActiveV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "published" });
    const updated = await suite.client.send(new UpdateFunctionCodeCommand({ FunctionName: "published", ZipFile: await code("two"), Publish: true }));
    assert.deepEqual([updated.Version, updated.FunctionArn], ["2", "arn:aws:lambda:us-east-1:000000000000:function:published:2"]);
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "published" });
    const zip = join(mkdtempSync(join(tmpdir(), "unkai-publish-")), "code.zip");
    writeFileSync(zip, await code("two"));
    const same = await aws(suite.unkai.url, ["lambda", "update-function-code", "--function-name", "published", "--zip-file", `fileb://${zip}`, "--publish"]);
    assert.equal(same.code, 0, same.stderr);
    assert.equal((JSON.parse(same.stdout) as { Version: string }).Version, "2", "unchanged code publishes nothing new");
    const plain = await suite.client.send(new UpdateFunctionCodeCommand({ FunctionName: "published", ZipFile: await code("three") }));
    assert.equal(plain.Version, "$LATEST");
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "published" });
    const versions = await suite.client.send(new ListVersionsByFunctionCommand({ FunctionName: "published" }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ["$LATEST", "1", "2"]);
    const answer = async (Qualifier?: string) => Buffer.from((await suite.client.send(new InvokeCommand({ FunctionName: "published", Qualifier }))).Payload ?? new Uint8Array()).toString("utf8");
    assert.deepEqual([await answer("1"), await answer("2"), await answer()], ['"one"', '"two"', '"three"']);

    // ListFunctions lists $LATEST only, or with FunctionVersion=ALL every version, paged by entries (MaxItems 1 stops inside a function's versions).
    const listAll = async (extra: { FunctionVersion?: "ALL"; MaxItems?: number }) => {
      const seen: [string, string][] = [];
      let Marker: string | undefined;
      do {
        const page = await suite.client.send(new ListFunctionsCommand({ ...extra, Marker }));
        assert.ok((page.Functions?.length ?? 0) <= (extra.MaxItems ?? 50));
        seen.push(...(page.Functions ?? []).map((f) => [f.Version ?? "", f.FunctionArn ?? ""] as [string, string]));
        Marker = page.NextMarker;
      } while (Marker);
      return seen.filter(([, arn]) => arn.includes(":function:published"));
    };
    const base = "arn:aws:lambda:us-east-1:000000000000:function:published";
    assert.deepEqual(await listAll({}), [["$LATEST", base]]);
    const every = [["$LATEST", `${base}:$LATEST`], ["1", `${base}:1`], ["2", `${base}:2`]];
    assert.deepEqual(await listAll({ FunctionVersion: "ALL" }), every);
    assert.deepEqual(await listAll({ FunctionVersion: "ALL", MaxItems: 1 }), every);
    assert.deepEqual(await listAll({ FunctionVersion: "ALL", MaxItems: 2 }), every);
    const bad = await aws(suite.unkai.url, ["lambda", "list-functions", "--function-version", "SOME"]);
    assert.match(bad.stderr, /ValidationException.*Member must satisfy enum value set: \[ALL\]/);
  });

  it("accepts every function-name form with a qualifier", async () => {
    assert.equal((await run(`${ARN}:2`)).executed, "2");
    assert.equal((await run("000000000000:function:versioned:1")).executed, "1");
    assert.equal((await run("versioned:2")).executed, "2");
    assert.equal((await run(ARN, "1")).executed, "1");
    await assert.rejects(run("versioned:7"), (e: Error) => e.name === "ResourceNotFoundException" && e.message === `Function not found: ${ARN}:7`);
  });

  it("routes an alias, and splits traffic by weight between two versions", async () => {
    const created = await suite.client.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: "1" }));
    assert.equal(created.AliasArn, `${ARN}:live`);
    assert.equal((await run("versioned", "live")).executed, "1");
    const updated = await suite.client.send(new UpdateAliasCommand({
      FunctionName: "versioned",
      Name: "live",
      FunctionVersion: "2",
      RoutingConfig: { AdditionalVersionWeights: { "1": 0.3 } },
    }));
    assert.deepEqual(updated.RoutingConfig?.AdditionalVersionWeights, { "1": 0.3 });
    const counts = new Map<string, number>();
    const total = 400;
    for (let i = 0; i < total; i++) {
      const { executed } = await run("versioned", "live");
      counts.set(executed ?? "?", (counts.get(executed ?? "?") ?? 0) + 1);
    }
    const share = (counts.get("1") ?? 0) / total;
    assert.ok(share > 0.22 && share < 0.38, `version 1 got ${(share * 100).toFixed(1)} % of ${total} invocations (30 % configured)`);
    assert.equal((counts.get("1") ?? 0) + (counts.get("2") ?? 0), total);

    const cli = await aws(suite.unkai.url, ["lambda", "get-alias", "--function-name", "versioned", "--name", "live"]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as { FunctionVersion: string }).FunctionVersion, "2");
  });

  it("answers misuse with AWS's error types", async () => {
    const reject = async (promise: Promise<unknown>, name: string, message: RegExp) =>
      assert.rejects(promise, (e: Error) => e.name === name && message.test(e.message));
    await reject(suite.client.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: "1" })), "ResourceConflictException", /Alias already exists: .*:live/);
    await reject(suite.client.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "next", FunctionVersion: "9" })), "ResourceNotFoundException", /Function not found: .*:9/);
    await reject(suite.client.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "123", FunctionVersion: "1" })), "InvalidParameterValueException", /Alias name '123' is invalid/);
    await reject(suite.client.send(new GetAliasCommand({ FunctionName: "versioned", Name: "nope" })), "ResourceNotFoundException", /Alias not found: .*:nope/);
    await reject(suite.client.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "1" })), "ResourceConflictException", /aliases reference it: \[live\]/);
    await reject(suite.client.send(new PublishVersionCommand({ FunctionName: "versioned", RevisionId: "stale" })), "PreconditionFailedException", /Revision Id provided does not match/);
    await reject(suite.client.send(new PublishVersionCommand({ FunctionName: "versioned", CodeSha256: "bm90IHRoZSBoYXNo" })), "InvalidParameterValueException", /is different from current CodeSHA256/);
    await reject(suite.client.send(new UpdateAliasCommand({ FunctionName: "versioned", Name: "live", RevisionId: "stale" })), "PreconditionFailedException", /Revision Id/);
  });

  it("aliases named like JavaScript object members (toString, constructor) have their own policy and provisioned concurrency, none until given", async () => {
    const { client } = suite;
    await createFromFixture(client, "inherited", "node-esm");
    const { Version } = await client.send(new PublishVersionCommand({ FunctionName: "inherited" }));
    for (const Name of ["toString", "constructor"]) await client.send(new CreateAliasCommand({ FunctionName: "inherited", Name, FunctionVersion: Version }));
    const permission = (StatementId: string, Qualifier?: string) =>
      client.send(new AddPermissionCommand({ FunctionName: "inherited", Qualifier, StatementId, Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com" }));
    await permission("whole");
    await assert.rejects(client.send(new GetPolicyCommand({ FunctionName: "inherited", Qualifier: "constructor" })), { name: "ResourceNotFoundException" });
    await permission("alias", "toString");
    const policy = await client.send(new GetPolicyCommand({ FunctionName: "inherited", Qualifier: "toString" }));
    assert.deepEqual((JSON.parse(policy.Policy ?? "{}") as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid), ["alias"]);
    await client.send(new RemovePermissionCommand({ FunctionName: "inherited", Qualifier: "toString", StatementId: "alias" }));

    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "inherited", Qualifier: Version, ProvisionedConcurrentExecutions: 1 }));
    await assert.rejects(client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "inherited", Qualifier: "toString" })), { name: "ProvisionedConcurrencyConfigNotFoundException" });
    await client.send(new UpdateAliasCommand({ FunctionName: "inherited", Name: "constructor", FunctionVersion: "$LATEST" }));
    await client.send(new DeleteAliasCommand({ FunctionName: "inherited", Name: "constructor" }));
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "inherited", Qualifier: Version }));
  });

  it("runs asynchronous events on the version an alias resolves to, and deletes versions no alias uses", async () => {
    await suite.client.send(new UpdateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: "1", RoutingConfig: {} }));
    const sent = await suite.client.send(new InvokeCommand({ FunctionName: "versioned", Qualifier: "live", InvocationType: "Event", Payload: Buffer.from("{}") }));
    assert.equal(sent.StatusCode, 202);
    await suite.client.send(new DeleteFunctionCommand({ FunctionName: "versioned", Qualifier: "2" }));
    await assert.rejects(run("versioned", "2"), { name: "ResourceNotFoundException" });
    const versions = await suite.client.send(new ListVersionsByFunctionCommand({ FunctionName: "versioned" }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ["$LATEST", "1"]);
    const v3 = await suite.client.send(new PublishVersionCommand({ FunctionName: "versioned", Description: "after a delete" }));
    assert.equal(v3.Version, "3", "version numbers are never reused");
  });

  it("publishes and updates racing each other: every publish answers a version or ResourceConflictException, never a 500, and numbers stay unique", async () => {
    // An update that read $LATEST before a publish and wrote it after used to put an older version counter
    // back, and a later publish then failed with a 500 on the duplicate number (the parser fuzzer found it).
    await createFromFixture(suite.client, "raced", "node-cjs");
    await waitUntilFunctionActiveV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "raced" });
    const published = new Set<string>();
    for (let round = 0; round < 20; round++) {
      const calls = await Promise.allSettled([
        suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "raced", Timeout: 3 + (round % 7) })),
        suite.client.send(new PublishVersionCommand({ FunctionName: "raced" })),
        suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "raced", Timeout: 10 + (round % 5) })),
        suite.client.send(new PublishVersionCommand({ FunctionName: "raced" })),
      ]);
      for (const call of calls) {
        if (call.status === "rejected") assert.equal((call.reason as Error).name, "ResourceConflictException", `round ${round}: ${String(call.reason)}`);
        else if (call.value && "Version" in call.value && call.value.Version !== undefined && call.value.Version !== "$LATEST") published.add(call.value.Version);
      }
    }
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "raced" });
    await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "raced", Timeout: 30 }));
    await waitUntilFunctionUpdatedV2({ client: suite.client, maxWaitTime: 10 }, { FunctionName: "raced" });
    const last = await suite.client.send(new PublishVersionCommand({ FunctionName: "raced" }));
    const listed = (await suite.client.send(new ListVersionsByFunctionCommand({ FunctionName: "raced" }))).Versions?.map((v) => v.Version).filter((v) => v !== "$LATEST") ?? [];
    assert.deepEqual(listed, listed.map((_, i) => String(i + 1)), "versions are numbered 1, 2, 3 … without a gap or a repeat");
    assert.equal(last.Version, listed.at(-1));
    for (const version of published) assert.ok(listed.includes(version), `published version ${version} is listed`);
    assert.ok(published.size >= 2, "the race published more than one version");
  });
});
