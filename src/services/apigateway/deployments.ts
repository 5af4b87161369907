/**
 * Deployments of REST APIs (CreateDeployment, GetDeployment(s), UpdateDeployment, DeleteDeployment), kept in the
 * API's document: each a snapshot of the resources, policy and authorizers that the stages naming it serve. A
 * deployment a stage names cannot be deleted, so every stage keeps serving its own.
 */
import { UnkaiError } from "../../core/errors.js";
import type { RestDeployment } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import { randomId } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import { createDeploymentInput, deploymentOut, patchInput } from "./shapes.js";
import { unsupportedPatch, type PatchOperation } from "./rest-api-policy.js";
import { findDeployment } from "./lookups.js";
import { newStage, type StageRouteDeps } from "./stages.js";
import { validateStageVariables } from "./stage-variables.js";

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

/** UpdateDeployment: `replace` of `/description`; anything else is refused as UpdateRestApi refuses it (nothing is stored). */
function patchDeployment(deployment: RestDeployment, operations: readonly PatchOperation[]): RestDeployment {
  let next = deployment;
  for (const { op, path, value } of operations) {
    if (op === "replace" && path === "/description") next = { ...next, description: value };
    else throw unsupportedPatch(op, path, "replace of /description");
  }
  return next;
}

export function deploymentRoutes(router: Router, { load, save, seconds, parse }: StageRouteDeps): void {
  router
    .on("POST", "/restapis/{id}/deployments", async (request, [id = ""]) => {
      const input = parse(createDeploymentInput, request.body);
      const api = await load(id);
      if (!api.resources.some((r) => Object.values(r.methods).length > 0)) throw badRequest("The REST API doesn't contain any methods");
      // The policy is deployed with the resources: a stage serves the policy of its deployment, as on AWS.
      const deployment = { id: randomId(6), description: input.description, createdDate: seconds(), resources: api.resources, policy: api.policy, authorizers: api.authorizers };
      let stages = api.stages;
      if (input.stageName !== undefined) {
        const existing = stages.find((s) => s.stageName === input.stageName);
        const stage = existing
          ? { ...existing, deploymentId: deployment.id, lastUpdatedDate: seconds(), variables: { ...existing.variables, ...input.variables } }
          : newStage(input.stageName, deployment.id, seconds(), { description: input.stageDescription, variables: input.variables });
        validateStageVariables(stage.variables);
        stages = [...stages.filter((s) => s.stageName !== input.stageName), stage];
      }
      await save({ ...api, deployments: [...api.deployments, deployment], stages });
      return json(201, deploymentOut(deployment));
    })
    .on("GET", "/restapis/{id}/deployments", async (_request, [id = ""]) => json(200, { item: (await load(id)).deployments.map(deploymentOut) }))
    // `embed=apisummary` is not answered: the deployment's snapshot is served, not summarised.
    .on("GET", "/restapis/{id}/deployments/{deploymentId}", async (_request, [id = "", deploymentId = ""]) => json(200, deploymentOut(findDeployment(await load(id), deploymentId))))
    .on("PATCH", "/restapis/{id}/deployments/{deploymentId}", async (request, [id = "", deploymentId = ""]) => {
      const input = parse(patchInput, request.body);
      const api = await load(id);
      const deployment = patchDeployment(findDeployment(api, deploymentId), input.patchOperations ?? []);
      await save({ ...api, deployments: api.deployments.map((d) => (d.id === deploymentId ? deployment : d)) });
      return json(200, deploymentOut(deployment));
    })
    .on("DELETE", "/restapis/{id}/deployments/{deploymentId}", async (_request, [id = "", deploymentId = ""]) => {
      const api = await load(id);
      findDeployment(api, deploymentId);
      // AWS's words (terraform-provider-aws#19805): a stage serves its deployment's snapshot, so it must move first.
      if (api.stages.some((s) => s.deploymentId === deploymentId)) throw badRequest("Active stages pointing to this deployment must be moved or deleted");
      await save({ ...api, deployments: api.deployments.filter((d) => d.id !== deploymentId) });
      return empty(202);
    });
}
