/** Functions call Unkai with the runtime's AWS SDK (Node, CJS and ESM) and boto3, signed with their environment's own session credentials. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LambdaClient, ListFunctionsCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { createFromFixture, invoke } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";
import { waitFor } from "./helpers/wait.js";

interface NodeResult {
  names: string[];
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  sdkPath: string;
}

function clientWith(url: string, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): LambdaClient {
  return new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "no error";
  } catch (error) {
    return (error as Error).name;
  }
}

for (const sandbox of ["linux", "process"] as const) {
  describe(`AWS SDKs inside functions (${sandbox} driver)`, () => {
    const suite = unkaiSuite({ UNKAI_SANDBOX: sandbox });

    it("a CommonJS handler requires @aws-sdk/client-lambda without bundling it and lists functions", async () => {
      await createFromFixture(suite.client, "sdk-cjs", "sdk-node-cjs", { Timeout: 20 });
      const result = await invoke(suite.client, "sdk-cjs");
      assert.equal(result.functionError, undefined, result.payload);
      const body = result.json as NodeResult;
      assert.ok(body.names.includes("sdk-cjs"), result.payload);
      assert.match(body.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
      assert.ok(body.sessionToken.length > 40);
      if (sandbox === "linux") assert.match(body.sdkPath, /^\/var\/runtime\/node_modules\/@aws-sdk\/client-lambda\//);
    });

    it("an ES module handler imports the SDK clients, lib-dynamodb and lib-storage", async () => {
      await createFromFixture(suite.client, "sdk-esm", "sdk-node-esm", { Handler: "index.handler", Runtime: "nodejs22.x", Timeout: 20 });
      const result = await invoke(suite.client, "sdk-esm");
      assert.equal(result.functionError, undefined, result.payload);
      const body = result.json as { names: string[]; loaded: string[]; region: string };
      assert.ok(body.names.includes("sdk-esm"), result.payload);
      assert.deepEqual(body.loaded, ["S3Client", "SQSClient", "SNSClient", "DynamoDBClient", "DynamoDBDocumentClient", "Upload"]);
      assert.equal(body.region, "us-east-1");
    });

    it("a Python handler uses Debian's boto3 with no endpoint argument", async () => {
      await createFromFixture(suite.client, "sdk-py", "sdk-python", { Runtime: "python3.12", Handler: "app.handler", Timeout: 20 });
      const result = await invoke(suite.client, "sdk-py");
      assert.equal(result.functionError, undefined, result.payload);
      const body = result.json as { names: string[]; endpoint: string; accessKeyId: string };
      assert.ok(body.names.includes("sdk-py"), result.payload);
      assert.equal(body.endpoint, suite.unkai.url);
      assert.match(body.accessKeyId, /^ASIA/);
    });

    it("session credentials need their token and stop working when the environment ends", async () => {
      const body = (await invoke(suite.client, "sdk-cjs")).json as NodeResult;
      const own = clientWith(suite.unkai.url, body);
      const listed = await own.send(new ListFunctionsCommand({}));
      assert.ok(listed.Functions?.some((f) => f.FunctionName === "sdk-cjs"), "the environment's credentials work from outside while it lives");

      const forged = clientWith(suite.unkai.url, { ...body, sessionToken: `${body.sessionToken.slice(0, -4)}AAAA` });
      assert.equal(await errorName(forged.send(new ListFunctionsCommand({}))), "UnrecognizedClientException");
      const tokenless = clientWith(suite.unkai.url, { accessKeyId: body.accessKeyId, secretAccessKey: body.secretAccessKey });
      assert.equal(await errorName(tokenless.send(new ListFunctionsCommand({}))), "UnrecognizedClientException");

      // An update retires the environment: its credentials are revoked with it.
      await suite.client.send(new UpdateFunctionConfigurationCommand({ FunctionName: "sdk-cjs", Description: "retire the old environment" }));
      await waitFor("the retired environment's credentials to be refused", async () =>
        (await errorName(own.send(new ListFunctionsCommand({})))) === "UnrecognizedClientException" ? true : undefined,
      );
      for (const client of [own, forged, tokenless]) client.destroy();
    });
  });
}
