/** HTTP API stages and deployments with the real @aws-sdk/client-apigatewayv2: UpdateStage, CreateDeployment's StageName, GetDeployment(s), UpdateDeployment, DeleteDeployment. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  ApiGatewayV2Client, CreateApiCommand, CreateDeploymentCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand,
  DeleteDeploymentCommand, DeleteRouteSettingsCommand, GetDeploymentCommand, GetDeploymentsCommand, GetStageCommand, GetTagsCommand,
  UpdateDeploymentCommand, UpdateStageCommand,
} from "@aws-sdk/client-apigatewayv2";
import { DEFAULT_CREDENTIALS, createFromFixture, signedFetch } from "./helpers/clients.js";
import { fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { refusal } from "./helpers/outcome.js";

describe("HTTP API stages and deployments", () => {
  const suite = unkaiSuite();
  let sdk: ApiGatewayV2Client;
  let apiId = "";

  before(async () => {
    sdk = new ApiGatewayV2Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await createFromFixture(suite.client, "stages-echo", "gateway-echo", { Timeout: 10 });
    apiId = String((await sdk.send(new CreateApiCommand({ Name: "stages", ProtocolType: "HTTP" }))).ApiId);
    const integration = await sdk.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("stages-echo"), PayloadFormatVersion: "2.0" }));
    await sdk.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "GET /vars", Target: `integrations/${String(integration.IntegrationId)}` }));
  });

  it("UpdateStage changes the members given, keeps those left out and the tags, and the served event sees the new stage variables", async () => {
    const created = await sdk.send(new CreateStageCommand({
      ApiId: apiId, StageName: "dev", Description: "first", StageVariables: { env: "dev", keep: "me", drop: "x" }, Tags: { team: "api" },
    }));
    const stageVariables = async () => ((await (await fetch(`${suite.unkai.url}/_aws/execute-api/${apiId}/dev/vars`)).json()) as { stageVariables?: unknown }).stageVariables;
    assert.deepEqual(await stageVariables(), { env: "dev", keep: "me", drop: "x" });

    const updated = await sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "dev", Description: "second", StageVariables: { env: "prod", drop: "", added: "y" }, AutoDeploy: true }));
    // Names given are set, a name given "" is removed, the others are kept (as the Terraform AWS provider relies on).
    assert.deepEqual(updated.StageVariables, { env: "prod", keep: "me", added: "y" });
    assert.equal(updated.Description, "second");
    assert.equal(updated.AutoDeploy, true);
    assert.deepEqual(updated.Tags, { team: "api" }, "UpdateStage leaves the tags to TagResource");
    assert.ok(updated.LastUpdatedDate && created.LastUpdatedDate && updated.LastUpdatedDate >= created.LastUpdatedDate);
    assert.deepEqual(updated.CreatedDate, created.CreatedDate);

    const got = await sdk.send(new GetStageCommand({ ApiId: apiId, StageName: "dev" }));
    assert.deepEqual({ ...got, $metadata: undefined }, { ...updated, $metadata: undefined }, "GetStage answers what UpdateStage answered");
    assert.deepEqual(await stageVariables(), { env: "prod", keep: "me", added: "y" });

    // A body naming nothing changes nothing but lastUpdatedDate.
    const untouched = await sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "dev" }));
    assert.equal(untouched.Description, "second");
    assert.equal(untouched.AutoDeploy, true);
    assert.deepEqual(untouched.StageVariables, { env: "prod", keep: "me", added: "y" });
    assert.deepEqual((await sdk.send(new GetTagsCommand({ ResourceArn: `arn:aws:apigateway:us-east-1::/apis/${apiId}/stages/dev` }))).Tags, { team: "api" });
  });

  it("UpdateStage keeps and answers route settings, access log settings and the client certificate; DeleteRouteSettings drops one route's", async () => {
    await sdk.send(new CreateStageCommand({ ApiId: apiId, StageName: "settings" }));
    await sdk.send(new CreateRouteCommand({ ApiId: apiId, RouteKey: "$default" }));
    await sdk.send(new UpdateStageCommand({
      ApiId: apiId, StageName: "settings",
      AccessLogSettings: { DestinationArn: "arn:aws:logs:us-east-1:000000000000:log-group:access", Format: "$context.requestId" },
      DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 },
      RouteSettings: { "GET /vars": { ThrottlingBurstLimit: 1 } },
      ClientCertificateId: "cert123",
    }));
    const stage = await sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "settings", RouteSettings: { "$default": { DetailedMetricsEnabled: true } } }));
    assert.deepEqual(stage.AccessLogSettings, { DestinationArn: "arn:aws:logs:us-east-1:000000000000:log-group:access", Format: "$context.requestId" });
    assert.deepEqual(stage.DefaultRouteSettings, { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 });
    assert.deepEqual(stage.RouteSettings, { "GET /vars": { ThrottlingBurstLimit: 1 }, "$default": { DetailedMetricsEnabled: true } }, "route settings are merged by route key");
    assert.equal(stage.ClientCertificateId, "cert123");

    await sdk.send(new DeleteRouteSettingsCommand({ ApiId: apiId, StageName: "settings", RouteKey: "GET /vars" }));
    assert.deepEqual((await sdk.send(new GetStageCommand({ ApiId: apiId, StageName: "settings" }))).RouteSettings, { "$default": { DetailedMetricsEnabled: true } });
    assert.equal((await refusal(sdk.send(new DeleteRouteSettingsCommand({ ApiId: apiId, StageName: "settings", RouteKey: "GET /vars" })))).name, "NotFoundException");
  });

  it("UpdateStage refuses a missing API or stage (NotFoundException) and bad input (BadRequestException)", async () => {
    assert.deepEqual(await refusal(sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "nope", Description: "x" }))),
      { name: "NotFoundException", message: "Invalid stage identifier specified nope", status: 404 });
    assert.deepEqual(await refusal(sdk.send(new UpdateStageCommand({ ApiId: "nope123456", StageName: "dev", Description: "x" }))),
      { name: "NotFoundException", message: "Invalid API identifier specified nope123456", status: 404 });
    await sdk.send(new CreateStageCommand({ ApiId: apiId, StageName: "strict" }));
    const badLevel = await refusal(sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "strict", DefaultRouteSettings: { LoggingLevel: "LOUD" as "INFO" } })));
    assert.equal(badLevel.name, "BadRequestException");
    assert.match(badLevel.message, /defaultRouteSettings\.loggingLevel/);
    assert.deepEqual(await refusal(sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "strict", DeploymentId: "nope12" }))),
      { name: "NotFoundException", message: "Invalid Deployment identifier specified nope12", status: 404 });
  });

  it("CreateDeployment stores a deployment, sets its StageName's DeploymentId; GetDeployment(s), UpdateDeployment, DeleteDeployment", async () => {
    const id = String((await sdk.send(new CreateApiCommand({ Name: "deployed", ProtocolType: "HTTP" }))).ApiId);
    await sdk.send(new CreateStageCommand({ ApiId: id, StageName: "live" }));
    assert.deepEqual((await sdk.send(new GetDeploymentsCommand({ ApiId: id }))).Items, [], "an API starts with no deployments");

    const first = await sdk.send(new CreateDeploymentCommand({ ApiId: id, Description: "v1", StageName: "live" }));
    assert.equal(first.DeploymentStatus, "DEPLOYED");
    assert.equal(first.AutoDeployed, false);
    assert.equal(first.Description, "v1");
    assert.equal((await sdk.send(new GetStageCommand({ ApiId: id, StageName: "live" }))).DeploymentId, first.DeploymentId);
    const second = await sdk.send(new CreateDeploymentCommand({ ApiId: id }));
    assert.equal((await sdk.send(new GetStageCommand({ ApiId: id, StageName: "live" }))).DeploymentId, first.DeploymentId, "a deployment without StageName moves no stage");

    const got = await sdk.send(new GetDeploymentCommand({ ApiId: id, DeploymentId: first.DeploymentId }));
    assert.deepEqual({ ...got, $metadata: undefined }, { ...first, $metadata: undefined });
    assert.deepEqual((await sdk.send(new GetDeploymentsCommand({ ApiId: id }))).Items?.map((d) => d.DeploymentId), [first.DeploymentId, second.DeploymentId]);
    assert.equal((await sdk.send(new UpdateDeploymentCommand({ ApiId: id, DeploymentId: second.DeploymentId, Description: "v2" }))).Description, "v2");

    // UpdateStage names a deployment only while AutoDeploy is off.
    assert.equal((await sdk.send(new UpdateStageCommand({ ApiId: id, StageName: "live", DeploymentId: second.DeploymentId }))).DeploymentId, second.DeploymentId);
    assert.equal((await refusal(sdk.send(new UpdateStageCommand({ ApiId: id, StageName: "live", AutoDeploy: true, DeploymentId: first.DeploymentId })))).name, "BadRequestException");

    await sdk.send(new DeleteDeploymentCommand({ ApiId: id, DeploymentId: first.DeploymentId }));
    assert.deepEqual(await refusal(sdk.send(new GetDeploymentCommand({ ApiId: id, DeploymentId: first.DeploymentId }))),
      { name: "NotFoundException", message: `Invalid Deployment identifier specified ${String(first.DeploymentId)}`, status: 404 });
    assert.equal((await refusal(sdk.send(new DeleteDeploymentCommand({ ApiId: id, DeploymentId: first.DeploymentId })))).name, "NotFoundException");
    assert.deepEqual((await sdk.send(new GetDeploymentsCommand({ ApiId: id }))).Items?.map((d) => d.DeploymentId), [second.DeploymentId]);
  });

  it("stores a route setting's known members only: whatever else a caller sends is neither kept nor answered", async () => {
    await sdk.send(new CreateStageCommand({ ApiId: apiId, StageName: "lean" }));
    const stageUrl = `${suite.unkai.url}/v2/apis/${apiId}/stages/lean`;
    const sent = { routeSettings: { "GET /vars": { throttlingBurstLimit: 2, junk: "x".repeat(100_000) } } };
    const patched = await signedFetch(stageUrl, { method: "PATCH", service: "apigateway", headers: { "content-type": "application/json" }, body: JSON.stringify(sent) });
    assert.equal(patched.status, 200);
    const stored = (await (await signedFetch(stageUrl, { service: "apigateway" })).json()) as { routeSettings: unknown };
    assert.deepEqual(stored.routeSettings, { "GET /vars": { throttlingBurstLimit: 2 } });
  });

  it("CreateDeployment with a missing stage is NotFoundException and stores nothing", async () => {
    const id = String((await sdk.send(new CreateApiCommand({ Name: "undeployed", ProtocolType: "HTTP" }))).ApiId);
    assert.deepEqual(await refusal(sdk.send(new CreateDeploymentCommand({ ApiId: id, StageName: "nope" }))),
      { name: "NotFoundException", message: "Invalid stage identifier specified nope", status: 404 });
    assert.deepEqual((await sdk.send(new GetDeploymentsCommand({ ApiId: id }))).Items, []);
  });

  it("refuses stage variables, descriptions, access log formats and route settings past API Gateway's rules, and stores nothing then", async () => {
    await sdk.send(new CreateStageCommand({ ApiId: apiId, StageName: "bounded", StageVariables: { kept: "yes" } }));
    const refused = async (input: Omit<ConstructorParameters<typeof UpdateStageCommand>[0], "ApiId" | "StageName">, pattern: RegExp) => {
      const answer = await refusal(sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "bounded", ...input })));
      assert.equal(answer.name, "BadRequestException", JSON.stringify(input).slice(0, 100));
      assert.match(answer.message, pattern);
    };
    // Stage variables: at most 100 a stage, names of 1-64 letters, digits and _, values of 1-512 of [A-Za-z0-9-._~:/?#&=,].
    const many = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`v${i}`, "x"]));
    await refused({ StageVariables: many }, /at most 100 stage variables; this request would give it 101/);
    await refused({ StageVariables: { "bad-name": "x" } }, /Invalid stage variable name 'bad-name'/);
    await refused({ StageVariables: { [`n${"a".repeat(64)}`]: "x" } }, /Invalid stage variable name/);
    await refused({ StageVariables: { v: "x".repeat(513) } }, /Invalid value for stage variable 'v'.*513 given/);
    await refused({ StageVariables: { v: "no spaces" } }, /Invalid value for stage variable 'v'/);
    assert.equal((await refusal(sdk.send(new CreateStageCommand({ ApiId: apiId, StageName: "many", StageVariables: { ...many, one: "more" } })))).name, "BadRequestException");
    // Descriptions (stage and deployment) are at most 1024 characters; an access log template 3 KB.
    await refused({ Description: "d".repeat(1025) }, /description/);
    await refused({ AccessLogSettings: { Format: "f".repeat(3073) } }, /accessLogSettings\.format/);
    assert.equal((await refusal(sdk.send(new CreateDeploymentCommand({ ApiId: apiId, Description: "d".repeat(1025) })))).name, "BadRequestException");
    // Route settings name the API's routes; a key no route has (__proto__ among them, once silently dropped) is refused.
    await refused({ RouteSettings: { "GET /nope": { ThrottlingBurstLimit: 1 } } }, /^Unable to find Route by key GET \/nope within the provided RouteSettings\.$/);
    await refused({ RouteSettings: JSON.parse('{"__proto__":{"ThrottlingBurstLimit":1}}') as Record<string, object> }, /Unable to find Route by key __proto__/);
    const stage = await sdk.send(new GetStageCommand({ ApiId: apiId, StageName: "bounded" }));
    assert.deepEqual(stage.StageVariables, { kept: "yes" });
    assert.deepEqual(stage.RouteSettings, {});
    assert.equal(stage.Description, undefined);

    // At the limits, all is kept; names JavaScript objects inherit are plain names.
    const limit = { ...Object.fromEntries(Array.from({ length: 97 }, (_, i) => [`v${i}`, "x"])), [`n${"a".repeat(63)}`]: "v".repeat(512), constructor: "a-._~:/?#&=,", kept: "" };
    const updated = await sdk.send(new UpdateStageCommand({ ApiId: apiId, StageName: "bounded", StageVariables: limit, Description: "d".repeat(1024) }));
    assert.equal(Object.keys(updated.StageVariables ?? {}).length, 99);
    assert.equal(updated.StageVariables?.constructor, "a-._~:/?#&=,");
  });
});
