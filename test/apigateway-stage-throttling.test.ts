/**
 * Stage throttling, applied as API Gateway applies it: an HTTP API stage's DefaultRouteSettings and
 * RouteSettings (with @aws-sdk/client-apigatewayv2), a REST API stage's method settings (UpdateStage's
 * `throttling/rateLimit` and `burstLimit`, with @aws-sdk/client-api-gateway): past the burst a route or
 * method answers 429 `Too Many Requests`, and a limit of 0 switches it off.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, PutIntegrationCommand, PutMethodCommand, UpdateStageCommand } from "@aws-sdk/client-api-gateway";
import { ApiGatewayV2Client, CreateApiCommand, CreateIntegrationCommand, CreateRouteCommand, CreateStageCommand, UpdateStageCommand as UpdateHttpStageCommand } from "@aws-sdk/client-apigatewayv2";
import { DEFAULT_CREDENTIALS, createFromFixture } from "./helpers/clients.js";
import { fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";

describe("stage throttling", () => {
  const suite = unkaiSuite();
  const statuses = async (url: string, count: number) => {
    const seen = [];
    for (let i = 0; i < count; i++) seen.push((await fetch(url)).status);
    return seen;
  };
  const answer = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: await response.text() };
  };

  before(async () => {
    await createFromFixture(suite.client, "throttle-echo", "gateway-echo", { Timeout: 10 });
  });

  it("an HTTP API stage throttles each route by its DefaultRouteSettings, overridden by RouteSettings; a rate of 0 refuses every call", async () => {
    const sdk = new ApiGatewayV2Client({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const apiId = String((await sdk.send(new CreateApiCommand({ Name: "throttled", ProtocolType: "HTTP" }))).ApiId);
    const integration = await sdk.send(new CreateIntegrationCommand({ ApiId: apiId, IntegrationType: "AWS_PROXY", IntegrationUri: fnArn("throttle-echo"), PayloadFormatVersion: "2.0" }));
    for (const RouteKey of ["GET /a", "GET /b", "GET /off"]) await sdk.send(new CreateRouteCommand({ ApiId: apiId, RouteKey, Target: `integrations/${String(integration.IntegrationId)}` }));
    await sdk.send(new CreateStageCommand({ ApiId: apiId, StageName: "live" }));
    const base = `${suite.unkai.url}/_aws/execute-api/${apiId}/live`;
    assert.deepEqual(await statuses(`${base}/a`, 4), [200, 200, 200, 200], "no settings: not throttled");

    await sdk.send(new UpdateHttpStageCommand({
      ApiId: apiId, StageName: "live",
      DefaultRouteSettings: { ThrottlingRateLimit: 0.01, ThrottlingBurstLimit: 2 },
      RouteSettings: { "GET /b": { ThrottlingBurstLimit: 3 }, "GET /off": { ThrottlingRateLimit: 0 } },
    }));
    assert.deepEqual(await statuses(`${base}/a`, 3), [200, 200, 429]);
    assert.deepEqual(await answer(`${base}/a`), { status: 429, type: null, body: JSON.stringify({ message: "Too Many Requests" }) });
    assert.deepEqual(await statuses(`${base}/b`, 4), [200, 200, 200, 429], "each route has its own bucket; its burst overrides the default's, its rate is the default's");
    assert.deepEqual(await statuses(`${base}/off`, 2), [429, 429], "a rate of 0 switches the route off, whatever the burst it inherits");

    await sdk.send(new UpdateHttpStageCommand({ ApiId: apiId, StageName: "live", DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 1000 } }));
    assert.equal((await fetch(`${base}/a`)).status, 200, "a raised limit counts from the next call");
  });

  it("a REST API stage throttles each method by its method settings (`*/*` for all, a method's own first)", async () => {
    const sdk = new APIGatewayClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    const api = await sdk.send(new CreateRestApiCommand({ name: "throttled" }));
    const restApiId = String(api.id);
    const uri = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn("throttle-echo")}/invocations`;
    for (const [pathPart, httpMethod] of [["all", "GET"], ["off", "ANY"]] as const) {
      const resource = await sdk.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId, pathPart }));
      await sdk.send(new PutMethodCommand({ restApiId, resourceId: resource.id, httpMethod, authorizationType: "NONE" }));
      await sdk.send(new PutIntegrationCommand({ restApiId, resourceId: resource.id, httpMethod, type: "AWS_PROXY", integrationHttpMethod: "POST", uri }));
    }
    await sdk.send(new CreateDeploymentCommand({ restApiId, stageName: "prod" }));
    const base = `${suite.unkai.url}/_aws/execute-api/${restApiId}/prod`;
    await sdk.send(new UpdateStageCommand({
      restApiId, stageName: "prod", patchOperations: [
        { op: "replace", path: "/*/*/throttling/rateLimit", value: "0.01" },
        { op: "replace", path: "/*/*/throttling/burstLimit", value: "2" },
        { op: "replace", path: "/~1off/GET/throttling/rateLimit", value: "0" },
        { op: "replace", path: "/~1off/GET/throttling/burstLimit", value: "0" },
      ],
    }));
    assert.deepEqual(await statuses(`${base}/all`, 3), [200, 200, 429]);
    assert.deepEqual(await answer(`${base}/all`), { status: 429, type: "TooManyRequestsException", body: JSON.stringify({ message: "Too Many Requests" }) });
    assert.deepEqual(await statuses(`${base}/off`, 2), [429, 429], "GET on the ANY method is off");
    assert.equal((await fetch(`${base}/off`, { method: "POST" })).status, 200, "POST on it keeps the `*/*` limits (its own bucket)");
  });
});
