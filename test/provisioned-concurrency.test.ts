/**
 * Provisioned concurrency: environments initialised ahead of requests for a version or an alias,
 * serving first (AWS_LAMBDA_INITIALIZATION_TYPE, no Init Duration), with on-demand spillover, and
 * the config API's shapes and errors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteProvisionedConcurrencyConfigCommand, GetProvisionedConcurrencyConfigCommand,
  ListProvisionedConcurrencyConfigsCommand, PublishVersionCommand, PutFunctionConcurrencyCommand, PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand, UpdateFunctionCodeCommand, type GetProvisionedConcurrencyConfigCommandOutput, type LambdaClient,
} from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { aws, DEFAULT_CREDENTIALS, invoke, lambda, ROLE } from "./helpers/clients.js";
import { startUnkai } from "./helpers/unkai-server.js";
import { runBoto3 } from "./helpers/boto3.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

const ARN = "arn:aws:lambda:us-east-1:000000000000:function";

/** Reports how its environment was initialised and when; sleeps when asked; exits when asked (a crash). */
const HANDLER = `
const initialisedAt = Date.now();
exports.handler = async (event) => {
  if (event.crash) process.exit(3);
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return { type: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, initialisedAt, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
};`;

interface Seen { type: string; initialisedAt: number; version: string }

async function createFunction(client: LambdaClient, name: string, source = HANDLER): Promise<void> {
  await client.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE, Code: { ZipFile: await zipFiles({ "index.js": source }) } }));
}

async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  const error = await call.then(() => undefined, (e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
  assert.ok(error, "the call was expected to fail");
  return { name: error.name, status: error.$metadata?.httpStatusCode, message: error.message };
}

function readyConfig(client: LambdaClient, name: string, qualifier: string, status = "READY"): Promise<GetProvisionedConcurrencyConfigCommandOutput> {
  return waitFor(`${name}:${qualifier} ${status}`, async () => {
    const got = await client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
    return got.Status === status ? got : undefined;
  }, 30_000);
}

describe("provisioned concurrency", () => {
  // Idle on-demand environments end after 1.5 s here: provisioned ones must outlive that. At most 8
  // environments: 6 may be provisioned, 2 always stay for on-demand ones.
  const suite = unkaiSuite({ UNKAI_IDLE_TIMEOUT_MS: "1500", UNKAI_MAX_ENVIRONMENTS: "8" });

  it("keeps a version's environments initialised ahead of requests; they serve first, and busy ones spill over to on-demand", async () => {
    const { client } = suite;
    await createFunction(client, "pc-version");
    const { Version } = await client.send(new PublishVersionCommand({ FunctionName: "pc-version" }));
    assert.equal(Version, "1");
    const put = await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-version", Qualifier: "1", ProvisionedConcurrentExecutions: 2 }));
    assert.equal(put.$metadata.httpStatusCode, 202);
    assert.equal(put.Status, "IN_PROGRESS");
    assert.equal(put.RequestedProvisionedConcurrentExecutions, 2);
    assert.match(put.LastModified ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const ready = await readyConfig(client, "pc-version", "1");
    assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
    assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);
    assert.equal(ready.LastModified, put.LastModified);

    await new Promise((resolve) => setTimeout(resolve, 2500));
    const asked = Date.now();
    const first = await invoke(client, "pc-version:1");
    const seen = first.json as Seen;
    assert.equal(seen.type, "provisioned-concurrency");
    assert.equal(seen.version, "1");
    assert.ok(seen.initialisedAt < asked - 2000, "the environment was initialised before the request, and outlived the idle timeout");
    assert.match(first.log, /REPORT RequestId: \S+\tDuration: /);
    assert.doesNotMatch(first.log, /Init Duration/, "an invocation on a provisioned environment reports no Init Duration");

    // Three at once on two provisioned environments: the third starts on demand, with an Init Duration.
    const three = await Promise.all([0, 1, 2].map(() => invoke(client, "pc-version:1", { sleepMs: 800 })));
    const types = three.map((r) => (r.json as Seen).type).sort();
    assert.deepEqual(types, ["on-demand", "provisioned-concurrency", "provisioned-concurrency"]);
    const spilled = three.find((r) => (r.json as Seen).type === "on-demand");
    assert.match(spilled?.log ?? "", /Init Duration: [\d.]+ ms/);
    assert.equal(((await invoke(client, "pc-version")).json as Seen).type, "on-demand", "$LATEST has no provisioned concurrency");

    // A provisioned environment that dies is replaced.
    const crashedAt = Date.now();
    const crashed = await invoke(client, "pc-version:1", { crash: true });
    assert.equal(crashed.functionError, "Unhandled");
    assert.equal((await readyConfig(client, "pc-version", "1")).AllocatedProvisionedConcurrentExecutions, 2);
    const replaced = await Promise.all([0, 1].map(async () => (await invoke(client, "pc-version:1", { sleepMs: 300 })).json as Seen));
    assert.deepEqual(replaced.map((r) => r.type), ["provisioned-concurrency", "provisioned-concurrency"], "two provisioned environments again");
    assert.equal(replaced.filter((r) => r.initialisedAt >= crashedAt).length, 1, "one of them was initialised after the crash");

    // AWS/Lambda counts which kind of environment ran each invocation of the version (6 provisioned, 1 spilled
    // over) and how many provisioned ones were busy.
    const cw = new CloudWatchClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    try {
      for (const Dimensions of [[{ Name: "FunctionName", Value: "pc-version" }], [{ Name: "FunctionName", Value: "pc-version" }, { Name: "Resource", Value: "pc-version:1" }]]) {
        const stat = async (MetricName: string) => (await cw.send(new GetMetricStatisticsCommand({
          Namespace: "AWS/Lambda", MetricName, Dimensions, StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000), Period: 7200, Statistics: ["Sum", "Maximum"],
        }))).Datapoints?.[0];
        assert.equal((await stat("ProvisionedConcurrencyInvocations"))?.Sum, 6, JSON.stringify(Dimensions));
        assert.equal((await stat("ProvisionedConcurrencySpilloverInvocations"))?.Sum, 1, JSON.stringify(Dimensions));
        // Both provisioned environments were busy at once, all of those allocated.
        assert.equal((await stat("ProvisionedConcurrentExecutions"))?.Maximum, 2, JSON.stringify(Dimensions));
        assert.equal((await stat("ProvisionedConcurrencyUtilization"))?.Maximum, 1, JSON.stringify(Dimensions));
      }
    } finally {
      cw.destroy();
    }

    // Fewer, then none: the config's figures follow, and invocations go on demand once it is deleted.
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-version", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }));
    assert.equal((await readyConfig(client, "pc-version", "1")).AllocatedProvisionedConcurrentExecutions, 1);
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "pc-version", Qualifier: "1" }));
    const gone = await failure(client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc-version", Qualifier: "1" })));
    assert.deepEqual(gone, { name: "ProvisionedConcurrencyConfigNotFoundException", status: 404, message: "No Provisioned Concurrency Config found for this function" });
  });

  it("follows an alias to the version it points at, lists configs, and goes with the alias", async () => {
    const { client } = suite;
    await createFunction(client, "pc-alias");
    await client.send(new PublishVersionCommand({ FunctionName: "pc-alias" }));
    await client.send(new CreateAliasCommand({ FunctionName: "pc-alias", Name: "live", FunctionVersion: "1" }));
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-alias", Qualifier: "live", ProvisionedConcurrentExecutions: 1 }));
    await readyConfig(client, "pc-alias", "live");
    assert.deepEqual(((await invoke(client, "pc-alias:live")).json as Seen).type, "provisioned-concurrency");

    await client.send(new UpdateFunctionCodeCommand({ FunctionName: "pc-alias", ZipFile: await zipFiles({ "index.js": HANDLER.replace("initialisedAt, version", "initialisedAt, second: true, version") }) }));
    await client.send(new PublishVersionCommand({ FunctionName: "pc-alias" }));
    await client.send(new UpdateAliasCommand({ FunctionName: "pc-alias", Name: "live", FunctionVersion: "2" }));
    await readyConfig(client, "pc-alias", "live");
    const moved = (await invoke(client, "pc-alias:live")).json as Seen & { second?: boolean };
    assert.equal(moved.second, true);
    assert.equal(moved.type, "provisioned-concurrency", "the alias's provisioned environments now run version 2");
    assert.equal(((await invoke(client, "pc-alias:1")).json as Seen).type, "on-demand", "version 1 keeps none once the alias moved");

    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-alias", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }));
    const listed = await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc-alias" }));
    assert.deepEqual(listed.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn, c.RequestedProvisionedConcurrentExecutions]), [[`${ARN}:pc-alias:1`, 1], [`${ARN}:pc-alias:live`, 1]]);
    const paged = await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc-alias", MaxItems: 1 }));
    assert.equal(paged.ProvisionedConcurrencyConfigs?.length, 1);
    const rest = await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc-alias", MaxItems: 1, Marker: paged.NextMarker }));
    assert.deepEqual(rest.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn), [`${ARN}:pc-alias:live`]);
    assert.equal(rest.NextMarker, undefined);

    const toLatest = await failure(client.send(new UpdateAliasCommand({ FunctionName: "pc-alias", Name: "live", FunctionVersion: "$LATEST" })));
    assert.equal(toLatest.name, "InvalidParameterValueException");
    await client.send(new DeleteAliasCommand({ FunctionName: "pc-alias", Name: "live" }));
    const after = await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc-alias" }));
    assert.deepEqual(after.ProvisionedConcurrencyConfigs?.map((c) => c.FunctionArn), [`${ARN}:pc-alias:1`], "the alias's config went with it");
  });

  it("refuses what Lambda refuses, with its errors, and stores nothing", async () => {
    const { client } = suite;
    await createFunction(client, "pc-bad");
    await client.send(new PublishVersionCommand({ FunctionName: "pc-bad" }));
    await client.send(new CreateAliasCommand({ FunctionName: "pc-bad", Name: "head", FunctionVersion: "$LATEST" }));
    const put = (FunctionName: string, Qualifier: string | undefined, n: number) =>
      failure(client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier, ProvisionedConcurrentExecutions: n })));
    assert.deepEqual(await put("pc-bad", "$LATEST", 1), { name: "InvalidParameterValueException", status: 400, message: "Provisioned Concurrency Configs cannot be applied to unpublished function versions." });
    assert.equal((await put("pc-bad", "head", 1)).name, "InvalidParameterValueException");
    assert.equal((await put("pc-bad", "1", 0)).name, "InvalidParameterValueException");
    assert.equal((await put("pc-bad", "9", 1)).name, "ResourceNotFoundException");
    assert.equal((await put("pc-bad", "nope", 1)).name, "ResourceNotFoundException");
    assert.equal((await put("pc-missing", "1", 1)).name, "ResourceNotFoundException");
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: "pc-bad", ReservedConcurrentExecutions: 1 }));
    const overReserved = await put("pc-bad", "1", 2);
    assert.equal(overReserved.name, "InvalidParameterValueException");
    assert.match(overReserved.message, /reservedConcurrentExecution/);
    assert.deepEqual((await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: "pc-bad" }))).ProvisionedConcurrencyConfigs, []);

    // Across functions: pc-alias's version 1 keeps 1, so 6 more would pass the host's 6.
    await createFunction(client, "pc-hog");
    await client.send(new PublishVersionCommand({ FunctionName: "pc-hog" }));
    const hog = await put("pc-hog", "1", 6);
    assert.equal(hog.name, "InvalidParameterValueException");
    assert.match(hog.message, /7 provisioned environments in all; this Unkai keeps at most 6, leaving 2 of its 8 environments/);
    await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-hog", Qualifier: "1", ProvisionedConcurrentExecutions: 5 }));
    await readyConfig(client, "pc-hog", "1");
    // Two environments are still there for everyone else.
    const others = await Promise.all([0, 1].map(() => invoke(client, "pc-alias", { sleepMs: 300 })));
    assert.deepEqual(others.map((r) => (r.json as Seen).type), ["on-demand", "on-demand"]);
    await client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "pc-hog", Qualifier: "1" }));
    assert.equal((await failure(client.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: "pc-bad", Qualifier: "1" })))).name, "ProvisionedConcurrencyConfigNotFoundException");
    assert.equal((await failure(client.send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: "pc-bad", Qualifier: "1" })))).name, "ProvisionedConcurrencyConfigNotFoundException");
  });

  it("reports FAILED when the function's Init fails, and the CLI and boto3 speak the API", async () => {
    const { client, unkai } = suite;
    await createFunction(client, "pc-broken", "throw new Error('no config');\nexports.handler = async () => 1;");
    await client.send(new PublishVersionCommand({ FunctionName: "pc-broken" }));
    const put = await aws(unkai.url, ["lambda", "put-provisioned-concurrency-config", "--function-name", "pc-broken", "--qualifier", "1", "--provisioned-concurrent-executions", "1"]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal((JSON.parse(put.stdout) as { Status: string }).Status, "IN_PROGRESS");
    const failed = await readyConfig(client, "pc-broken", "1", "FAILED");
    assert.match(failed.StatusReason ?? "", /FUNCTION_ERROR_INIT_FAILURE/);
    assert.equal(failed.AllocatedProvisionedConcurrentExecutions, 0);

    const listed = await runBoto3([
      "import boto3, json, sys",
      "c = boto3.client('lambda', endpoint_url=sys.argv[1], region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')",
      "got = c.list_provisioned_concurrency_configs(FunctionName='pc-broken')['ProvisionedConcurrencyConfigs']",
      "c.delete_provisioned_concurrency_config(FunctionName='pc-broken', Qualifier='1')",
      "print(json.dumps([[g['FunctionArn'], g['Status']] for g in got]))",
    ], [unkai.url]);
    assert.deepEqual(listed, [[`${ARN}:pc-broken:1`, "FAILED"]]);
    const gone = await aws(unkai.url, ["lambda", "get-provisioned-concurrency-config", "--function-name", "pc-broken", "--qualifier", "1"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /ProvisionedConcurrencyConfigNotFoundException/);
  });

  it("is allocated again when Unkai restarts on the same data directory", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "unkai-pc-"));
    try {
      const first = await startUnkai({}, dataDir);
      const client = lambda(first.url);
      await createFunction(client, "pc-kept");
      await client.send(new PublishVersionCommand({ FunctionName: "pc-kept" }));
      await client.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: "pc-kept", Qualifier: "1", ProvisionedConcurrentExecutions: 1 }));
      await readyConfig(client, "pc-kept", "1");
      client.destroy();
      assert.equal(await first.stop(), 0);

      const second = await startUnkai({}, dataDir);
      const again = lambda(second.url);
      try {
        const ready = await readyConfig(again, "pc-kept", "1");
        assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 1);
        assert.equal(((await invoke(again, "pc-kept:1")).json as Seen).type, "provisioned-concurrency");
      } finally {
        again.destroy();
        assert.equal(await second.stop(), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
