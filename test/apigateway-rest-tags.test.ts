/** REST API tags (TagResource, UntagResource, GetTags, CreateStage's tags) and UpdateStage's patch operations, with the real @aws-sdk/client-api-gateway. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, CreateStageCommand, DeleteStageCommand,
  GetStageCommand, GetStagesCommand, GetTagsCommand, PutIntegrationCommand, PutMethodCommand, TagResourceCommand, UntagResourceCommand,
  UpdateStageCommand, type PatchOperation,
} from "@aws-sdk/client-api-gateway";
import { DEFAULT_CREDENTIALS, createFromFixture } from "./helpers/clients.js";
import { fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { refusal } from "./helpers/outcome.js";

describe("REST API tags and UpdateStage", () => {
  const suite = unkaiSuite();
  let sdk: APIGatewayClient;
  let apiId = "";
  let firstDeployment = "";
  let secondDeployment = "";
  const apiArn = () => `arn:aws:apigateway:us-east-1::/restapis/${apiId}`;
  const stageArn = (name: string) => `${apiArn()}/stages/${name}`;
  const tagsOf = async (arn: string) => (await sdk.send(new GetTagsCommand({ resourceArn: arn }))).tags;
  const update = (stageName: string, patchOperations: PatchOperation[]) => sdk.send(new UpdateStageCommand({ restApiId: apiId, stageName, patchOperations }));

  before(async () => {
    sdk = new APIGatewayClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await createFromFixture(suite.client, "rest-tags-echo", "gateway-echo", { Timeout: 10 });
    const api = await sdk.send(new CreateRestApiCommand({ name: "tagged", tags: { team: "api" } }));
    apiId = String(api.id);
    const proxy = await sdk.send(new CreateResourceCommand({ restApiId: apiId, parentId: api.rootResourceId, pathPart: "{proxy+}" }));
    await sdk.send(new PutMethodCommand({ restApiId: apiId, resourceId: proxy.id, httpMethod: "ANY", authorizationType: "NONE" }));
    await sdk.send(new PutIntegrationCommand({
      restApiId: apiId, resourceId: proxy.id, httpMethod: "ANY", type: "AWS_PROXY", integrationHttpMethod: "POST",
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn("rest-tags-echo")}/invocations`,
    }));
    firstDeployment = String((await sdk.send(new CreateDeploymentCommand({ restApiId: apiId }))).id);
    secondDeployment = String((await sdk.send(new CreateDeploymentCommand({ restApiId: apiId, description: "second" }))).id);
  });

  it("keeps an API's tags and a stage's apart: CreateStage's tags, TagResource, UntagResource, GetTags, GetStage(s)", async () => {
    const created = await sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "prod", deploymentId: firstDeployment, tags: { env: "prod" } }));
    assert.deepEqual(created.tags, { env: "prod" });
    assert.deepEqual(await tagsOf(apiArn()), { team: "api" }, "the stage's tags are not the API's");
    assert.deepEqual(await tagsOf(stageArn("prod")), { env: "prod" }, "the API's tags are not inherited by GetTags");

    await sdk.send(new TagResourceCommand({ resourceArn: stageArn("prod"), tags: { owner: "ops", env: "production" } }));
    await sdk.send(new TagResourceCommand({ resourceArn: apiArn(), tags: { cost: "42" } }));
    assert.deepEqual(await tagsOf(stageArn("prod")), { env: "production", owner: "ops" });
    assert.deepEqual(await tagsOf(apiArn()), { team: "api", cost: "42" });
    assert.deepEqual((await sdk.send(new GetStageCommand({ restApiId: apiId, stageName: "prod" }))).tags, { env: "production", owner: "ops" });
    assert.deepEqual((await sdk.send(new GetStagesCommand({ restApiId: apiId }))).item?.find((s) => s.stageName === "prod")?.tags, { env: "production", owner: "ops" });

    await sdk.send(new UntagResourceCommand({ resourceArn: stageArn("prod"), tagKeys: ["env", "absent"] }));
    await sdk.send(new UntagResourceCommand({ resourceArn: apiArn(), tagKeys: ["team"] }));
    assert.deepEqual(await tagsOf(stageArn("prod")), { owner: "ops" });
    assert.deepEqual(await tagsOf(apiArn()), { cost: "42" });

    // Deleting the stage takes its tags, never the API's.
    await sdk.send(new DeleteStageCommand({ restApiId: apiId, stageName: "prod" }));
    assert.deepEqual(await tagsOf(apiArn()), { cost: "42" });
    assert.deepEqual(await refusal(tagsOf(stageArn("prod"))), { name: "NotFoundException", message: "Invalid Stage identifier specified", status: 404 });
  });

  it("refuses tags over API Gateway's limits, unknown APIs and stages, and ARNs that name neither", async () => {
    await sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "limits", deploymentId: firstDeployment }));
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
    await sdk.send(new TagResourceCommand({ resourceArn: stageArn("limits"), tags: fifty }));
    const over = await refusal(sdk.send(new TagResourceCommand({ resourceArn: stageArn("limits"), tags: { one: "more" } })));
    assert.equal(over.name, "BadRequestException");
    assert.match(over.message, /at most 50 tags/);
    assert.equal(Object.keys((await tagsOf(stageArn("limits"))) ?? {}).length, 50, "a refused TagResource stores nothing");

    const overLimits: Record<string, string>[] = [{ "aws:owner": "me" }, { ["k".repeat(129)]: "v" }, { key: "v".repeat(257) }];
    for (const tags of overLimits) {
      assert.equal((await refusal(sdk.send(new TagResourceCommand({ resourceArn: apiArn(), tags })))).name, "BadRequestException", JSON.stringify(tags).slice(0, 40));
    }
    assert.equal((await refusal(sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "bad", deploymentId: firstDeployment, tags: { "AWS:x": "y" } })))).name, "BadRequestException");
    assert.equal((await refusal(sdk.send(new CreateRestApiCommand({ name: "bad", tags: { "aws:x": "y" } })))).name, "BadRequestException");

    assert.deepEqual(await refusal(tagsOf("arn:aws:apigateway:us-east-1::/restapis/nope123456")),
      { name: "NotFoundException", message: "Invalid API identifier specified nope123456", status: 404 });
    assert.deepEqual(await refusal(sdk.send(new TagResourceCommand({ resourceArn: stageArn("nope"), tags: { a: "b" } }))),
      { name: "NotFoundException", message: "Invalid Stage identifier specified", status: 404 });
    const foreign = await refusal(tagsOf("arn:aws:lambda:us-east-1:000000000000:function:rest-tags-echo"));
    assert.equal(foreign.name, "BadRequestException");
    assert.equal((await refusal(tagsOf(`arn:aws:apigateway:us-east-1::/apis/${apiId}`))).name, "BadRequestException", "an HTTP API's ARN belongs to /v2/tags");
  });

  it("UpdateStage replaces the description and deploymentId, adds, replaces and removes variables; the served event sees them", async () => {
    const created = await sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "dev", deploymentId: firstDeployment, description: "first", variables: { env: "dev", drop: "x" } }));
    const stageVariables = async () => ((await (await fetch(`${suite.unkai.url}/_aws/execute-api/${apiId}/dev/vars`)).json()) as { stageVariables?: unknown }).stageVariables;
    assert.deepEqual(await stageVariables(), { env: "dev", drop: "x" });

    const updated = await update("dev", [
      { op: "replace", path: "/description", value: "second" },
      { op: "replace", path: "/deploymentId", value: secondDeployment },
      { op: "replace", path: "/variables/env", value: "prod" },
      { op: "add", path: "/variables/added", value: "y" },
      { op: "remove", path: "/variables/drop" },
      { op: "replace", path: "/tracingEnabled", value: "true" },
      { op: "replace", path: "/cacheClusterEnabled", value: "true" },
      { op: "replace", path: "/*/*/logging/loglevel", value: "INFO" },
      { op: "replace", path: "/*/*/throttling/burstLimit", value: "100" },
    ]);
    assert.equal(updated.description, "second");
    assert.equal(updated.deploymentId, secondDeployment);
    assert.deepEqual(updated.variables, { env: "prod", added: "y" });
    assert.equal(updated.tracingEnabled, true);
    assert.equal(updated.cacheClusterEnabled, true);
    assert.deepEqual(updated.methodSettings, { "*/*": { loggingLevel: "INFO", throttlingBurstLimit: 100 } });
    assert.deepEqual(updated.createdDate, created.createdDate);

    const got = await sdk.send(new GetStageCommand({ restApiId: apiId, stageName: "dev" }));
    assert.deepEqual({ ...got, $metadata: undefined }, { ...updated, $metadata: undefined }, "GetStage answers what UpdateStage answered");
    assert.deepEqual(await stageVariables(), { env: "prod", added: "y" });

    // Removing the whole method setting, as Terraform's aws_api_gateway_method_settings does on destroy.
    assert.deepEqual((await update("dev", [{ op: "remove", path: "/*/*" }])).methodSettings, {});
  });

  it("UpdateStage refuses unknown paths and operations, a missing deployment, API or stage, and stores nothing then", async () => {
    await sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "strict", deploymentId: firstDeployment, description: "kept" }));
    const badPath = await refusal(update("strict", [{ op: "replace", path: "/description", value: "lost" }, { op: "replace", path: "/nope", value: "x" }]));
    assert.equal(badPath.name, "BadRequestException");
    assert.match(badPath.message, /^Invalid method setting path: \/nope\. Must be one of: \[\/deploymentId, /);
    assert.equal((await sdk.send(new GetStageCommand({ restApiId: apiId, stageName: "strict" }))).description, "kept", "a refused patch stores none of its operations");

    assert.deepEqual(await refusal(update("strict", [{ op: "add", path: "/description", value: "x" }])),
      { name: "BadRequestException", message: "Invalid add operation with path: /description", status: 400 });
    assert.equal((await refusal(update("strict", [{ op: "replace", path: "/*/*/logging/loglevel", value: "LOUD" }]))).name, "BadRequestException");
    assert.deepEqual(await refusal(update("strict", [{ op: "remove", path: "/*/*" }])),
      { name: "BadRequestException", message: "Cannot remove method setting */* because there is no method setting for this method ", status: 400 });
    assert.deepEqual(await refusal(update("strict", [{ op: "replace", path: "/deploymentId", value: "nope12" }])),
      { name: "NotFoundException", message: "Invalid Deployment identifier specified", status: 404 });
    assert.deepEqual(await refusal(update("nope", [{ op: "replace", path: "/description", value: "x" }])),
      { name: "NotFoundException", message: "Invalid Stage identifier specified", status: 404 });
    assert.deepEqual(await refusal(sdk.send(new UpdateStageCommand({ restApiId: "nope123456", stageName: "strict", patchOperations: [] }))),
      { name: "NotFoundException", message: "Invalid API identifier specified nope123456", status: 404 });
  });

  it("holds stage variables to API Gateway's rules in CreateStage, CreateDeployment and UpdateStage, and stores nothing refused", async () => {
    await sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "vars", deploymentId: firstDeployment, variables: { kept: "yes" } }));
    const badRequest = async (promise: Promise<unknown>, pattern: RegExp) => {
      const answer = await refusal(promise);
      assert.equal(answer.name, "BadRequestException");
      assert.match(answer.message, pattern);
    };
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`v${i}`, "x"]));
    await badRequest(sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "many", deploymentId: firstDeployment, variables: many })), /at most 100 stage variables; this request would give it 101/);
    await badRequest(sdk.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: "vars", variables: { "a b": "x" } })), /Invalid stage variable name 'a b'/);
    await badRequest(update("vars", [{ op: "add", path: "/variables/v", value: "x".repeat(513) }]), /Invalid value for stage variable 'v'/);
    await badRequest(update("vars", [{ op: "add", path: "/variables/v", value: "" }]), /Invalid value for stage variable 'v'/);
    await badRequest(update("vars", Array.from({ length: 101 }, (_, i) => ({ op: "add", path: `/variables/v${i}`, value: "x" }))), /at most 100 stage variables/);
    assert.deepEqual((await sdk.send(new GetStageCommand({ restApiId: apiId, stageName: "vars" }))).variables, { kept: "yes" });
    assert.deepEqual((await sdk.send(new GetStagesCommand({ restApiId: apiId }))).item?.map((s) => s.stageName).filter((n) => n === "many"), []);
  });

  it("applies 10,000 patch operations in one step each, and keeps method settings to the API's methods", async () => {
    await sdk.send(new CreateStageCommand({ restApiId: apiId, stageName: "busy", deploymentId: firstDeployment }));
    // Each operation once copied every variable and method setting: 10,000 took 30 s of the event loop.
    const started = Date.now();
    const churn: PatchOperation[] = Array.from({ length: 10_000 }, (_, i) => ({ op: i % 2 === 0 ? ("add" as const) : ("remove" as const), path: "/variables/v", value: "x" }));
    assert.equal((await update("busy", [...churn, { op: "replace", path: "/*/*/metrics/enabled", value: "true" }])).methodSettings?.["*/*"]?.metricsEnabled, true);
    assert.ok(Date.now() - started < 5_000, `10,000 operations took ${Date.now() - started} ms`);

    // The proxy resource's ANY method, named as Terraform (proxy+ without the slash) or escaped (~1); another name is refused.
    const settings = (await update("busy", [
      { op: "replace", path: "/{proxy+}/GET/logging/loglevel", value: "INFO" },
      { op: "replace", path: "/~1{proxy+}/ANY/metrics/enabled", value: "true" },
    ])).methodSettings ?? {};
    assert.deepEqual(Object.keys(settings).sort(), ["*/*", "{proxy+}/GET", "~1{proxy+}/ANY"]);
    for (const path of ["/nope/GET/metrics/enabled", "/__proto__/GET/metrics/enabled", "/constructor/GET/metrics/enabled", "/*/GET/metrics/enabled"]) {
      const answer = await refusal(update("busy", [{ op: "replace", path, value: "true" }]));
      assert.equal(answer.name, "BadRequestException", path);
      assert.match(answer.message, /^Invalid method setting path: .*: the API has no method GET on a resource /);
    }
    const many = Array.from({ length: 10_000 }, (_, i) => ({ op: "replace" as const, path: `/r${i}/GET/metrics/enabled`, value: "true" }));
    assert.equal((await refusal(update("busy", many))).name, "BadRequestException");
    assert.deepEqual(Object.keys((await sdk.send(new GetStageCommand({ restApiId: apiId, stageName: "busy" }))).methodSettings ?? {}).sort(), ["*/*", "{proxy+}/GET", "~1{proxy+}/ANY"]);
  });
});
