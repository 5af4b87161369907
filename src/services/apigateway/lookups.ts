/** A REST API's stage or deployment by name, or NotFoundException in API Gateway's words: one lookup for every route that names one. */
import { UnkaiError } from "../../core/errors.js";
import type { RestApi, RestDeployment, RestStage } from "../../core/api-definitions.js";

export function findStage(api: RestApi, name: string): RestStage {
  const stage = api.stages.find((s) => s.stageName === name);
  if (!stage) throw new UnkaiError("NotFoundException", "Invalid Stage identifier specified");
  return stage;
}

/** CreateStage, UpdateStage's `/deploymentId` and the deployment routes answer a missing one alike. */
export function findDeployment(api: RestApi, id: string): RestDeployment {
  const deployment = api.deployments.find((d) => d.id === id);
  if (!deployment) throw new UnkaiError("NotFoundException", "Invalid Deployment identifier specified");
  return deployment;
}
