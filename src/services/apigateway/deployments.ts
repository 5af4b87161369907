/**
 * Deployments of REST APIs (CreateDeployment, GetDeployment(s)), kept in the API's document: each a snapshot of the
 * resources, policy and authorizers that the stages naming it serve.
 */
import { UnkaiError } from "../../core/errors.js";
import { json } from "../../protocol/http.js";
import { randomId } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import { createDeploymentInput, deploymentOut } from "./shapes.js";
import { newStage, type StageRouteDeps } from "./stages.js";
import { validateStageVariables } from "./stage-variables.js";

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

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
    .on("GET", "/restapis/{id}/deployments", async (_request, [id = ""]) => json(200, { item: (await load(id)).deployments.map(deploymentOut) }));
}
