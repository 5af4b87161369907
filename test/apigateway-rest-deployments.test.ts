/** REST API deployments (GetDeployment, UpdateDeployment, DeleteDeployment) as Terraform's aws_api_gateway_deployment uses them, with the real @aws-sdk/client-api-gateway. */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  APIGatewayClient, CreateDeploymentCommand, CreateResourceCommand, CreateRestApiCommand, DeleteDeploymentCommand, DeleteStageCommand,
  GetDeploymentCommand, GetDeploymentsCommand, PutIntegrationCommand, PutMethodCommand, UpdateDeploymentCommand, UpdateStageCommand, type PatchOperation,
} from "@aws-sdk/client-api-gateway";
import { DEFAULT_CREDENTIALS, createFromFixture } from "./helpers/clients.js";
import { fnArn } from "./helpers/gateway.js";
import { unkaiSuite } from "./helpers/suite.js";
import { refusal } from "./helpers/outcome.js";

const MISSING = { name: "NotFoundException", message: "Invalid Deployment identifier specified", status: 404 };
const ACTIVE = { name: "BadRequestException", message: "Active stages pointing to this deployment must be moved or deleted", status: 400 };

describe("REST API deployments: GetDeployment, UpdateDeployment, DeleteDeployment", () => {
  const suite = unkaiSuite();
  let sdk: APIGatewayClient;
  let restApiId = "";
  const deploy = async (fields: { description?: string; stageName?: string } = {}) => String((await sdk.send(new CreateDeploymentCommand({ restApiId, ...fields }))).id);
  const get = (deploymentId: string) => sdk.send(new GetDeploymentCommand({ restApiId, deploymentId }));
  const remove = (deploymentId: string) => sdk.send(new DeleteDeploymentCommand({ restApiId, deploymentId }));
  const served = async (stage: string) => (await fetch(`${suite.unkai.url}/_aws/execute-api/${restApiId}/${stage}/hello`)).status;

  before(async () => {
    sdk = new APIGatewayClient({ endpoint: suite.unkai.url, region: "us-east-1", credentials: DEFAULT_CREDENTIALS, maxAttempts: 1 });
    await createFromFixture(suite.client, "rest-deployments-echo", "gateway-echo", { Timeout: 10 });
    const api = await sdk.send(new CreateRestApiCommand({ name: "deployments" }));
    restApiId = String(api.id);
    const proxy = await sdk.send(new CreateResourceCommand({ restApiId, parentId: api.rootResourceId, pathPart: "{proxy+}" }));
    await sdk.send(new PutMethodCommand({ restApiId, resourceId: proxy.id, httpMethod: "ANY", authorizationType: "NONE" }));
    await sdk.send(new PutIntegrationCommand({
      restApiId, resourceId: proxy.id, httpMethod: "ANY", type: "AWS_PROXY", integrationHttpMethod: "POST",
      uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn("rest-deployments-echo")}/invocations`,
    }));
  });

  it("GetDeployment answers a created deployment; UpdateDeployment replaces its description and refuses other paths", async () => {
    const created = await sdk.send(new CreateDeploymentCommand({ restApiId, description: "first" }));
    const id = String(created.id);
    const read = await get(id);
    assert.equal(read.id, id);
    assert.equal(read.description, "first");
    assert.ok(read.createdDate instanceof Date);
    assert.equal(read.createdDate.getTime(), created.createdDate?.getTime());

    const updated = await sdk.send(new UpdateDeploymentCommand({ restApiId, deploymentId: id, patchOperations: [{ op: "replace", path: "/description", value: "changed" }] }));
    assert.deepEqual([updated.id, updated.description, updated.$metadata.httpStatusCode], [id, "changed", 200]);
    assert.equal((await get(id)).description, "changed");
    assert.equal((await sdk.send(new GetDeploymentsCommand({ restApiId }))).items?.find((d) => d.id === id)?.description, "changed");

    const others: PatchOperation[] = [{ op: "remove", path: "/description" }, { op: "replace", path: "/canarySettings/percentTraffic", value: "10" }];
    for (const operation of others) {
      const refused = await refusal(sdk.send(new UpdateDeploymentCommand({
        restApiId, deploymentId: id, patchOperations: [{ op: "replace", path: "/description", value: "lost" }, operation],
      })));
      assert.equal(refused.name, "BadRequestException");
      assert.equal(refused.status, 400);
      assert.match(refused.message, new RegExp(`^Invalid patch path '${String(operation.path)}' specified for op '${String(operation.op)}'`));
    }
    assert.equal((await get(id)).description, "changed", "a refused UpdateDeployment stores none of its operations");

    assert.deepEqual(await refusal(get("nope12")), MISSING);
    assert.deepEqual(await refusal(sdk.send(new UpdateDeploymentCommand({ restApiId, deploymentId: "nope12", patchOperations: [] }))), MISSING);
    assert.deepEqual(await refusal(remove("nope12")), MISSING);
  });

  it("DeleteDeployment refuses a deployment a stage serves, deletes it once the stage moved or was deleted; the stage keeps serving its own", async () => {
    const old = await deploy({ stageName: "prod" });
    const next = await deploy();
    assert.equal(await served("prod"), 200);
    assert.deepEqual(await refusal(remove(old)), ACTIVE);
    assert.equal((await get(old)).id, old, "a refused DeleteDeployment keeps the deployment");

    await sdk.send(new UpdateStageCommand({ restApiId, stageName: "prod", patchOperations: [{ op: "replace", path: "/deploymentId", value: next }] }));
    assert.equal((await remove(old)).$metadata.httpStatusCode, 202);
    assert.deepEqual(await refusal(get(old)), MISSING);
    assert.deepEqual(await refusal(remove(old)), MISSING);
    assert.equal(await served("prod"), 200, "the stage serves the deployment it moved to after the other is deleted");

    const scratch = await deploy({ stageName: "scratch" });
    assert.deepEqual(await refusal(remove(scratch)), ACTIVE);
    await sdk.send(new DeleteStageCommand({ restApiId, stageName: "scratch" }));
    assert.equal((await remove(scratch)).$metadata.httpStatusCode, 202);
    assert.deepEqual(await refusal(get(scratch)), MISSING);

    const ids = (await sdk.send(new GetDeploymentsCommand({ restApiId }))).items?.map((d) => d.id) ?? [];
    assert.ok(ids.includes(next) && !ids.includes(old) && !ids.includes(scratch), `GetDeployments lists the deployments kept: ${ids.join(", ")}`);
    assert.deepEqual(await refusal(remove(next)), ACTIVE, "the stage still points at the deployment it moved to");
    assert.equal(await served("prod"), 200);
  });
});
