/**
 * Stages of REST APIs (CreateStage, GetStage(s), UpdateStage, DeleteStage), kept in the API's document. A stage
 * serves the deployment it names (a snapshot of the resources) with its `variables` as the event's `stageVariables`.
 */
import type { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { RestApi, RestStage } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import type { Router } from "../../protocol/router.js";
import { createStageInput, patchInput, stageOut } from "./shapes.js";
import { findDeployment, findStage } from "./lookups.js";
import { patchStage } from "./stage-patch.js";
import { validateTags } from "./tag-rules.js";
import { validateStageVariables } from "./stage-variables.js";

/** A new stage (CreateStage, or CreateDeployment naming a stage that does not exist yet). */
export function newStage(name: string, deploymentId: string, now: number, fields: Partial<Pick<RestStage, "description" | "variables" | "tags" | "cacheClusterEnabled" | "tracingEnabled">> = {}): RestStage {
  return {
    stageName: name, deploymentId, description: fields.description, createdDate: now, lastUpdatedDate: now, variables: fields.variables ?? {},
    tags: fields.tags ?? {}, cacheClusterEnabled: fields.cacheClusterEnabled, tracingEnabled: fields.tracingEnabled,
  };
}

/** What the stage routes need of the service: its lookups, clock (epoch seconds) and parser. */
export interface StageRouteDeps {
  readonly load: (id: string) => Promise<RestApi>;
  readonly save: (api: RestApi) => Promise<unknown>;
  readonly seconds: () => number;
  readonly parse: <T extends z.ZodType>(schema: T, body: Buffer) => z.infer<T>;
}

export function stageRoutes(router: Router, { load, save, seconds, parse }: StageRouteDeps): void {
  router
    .on("POST", "/restapis/{id}/stages", async (request, [id = ""]) => {
      const input = parse(createStageInput, request.body);
      const api = await load(id);
      findDeployment(api, input.deploymentId);
      if (api.stages.some((s) => s.stageName === input.stageName)) throw new UnkaiError("ConflictException", "Stage already exists");
      validateTags(input.tags ?? {});
      validateStageVariables(input.variables ?? {});
      const stage = newStage(input.stageName, input.deploymentId, seconds(), input);
      await save({ ...api, stages: [...api.stages, stage] });
      return json(201, stageOut(stage));
    })
    .on("GET", "/restapis/{id}/stages", async (_request, [id = ""]) => json(200, { item: (await load(id)).stages.map(stageOut) }))
    .on("GET", "/restapis/{id}/stages/{stageName}", async (_request, [id = "", name = ""]) => json(200, stageOut(findStage(await load(id), name))))
    .on("PATCH", "/restapis/{id}/stages/{stageName}", async (request, [id = "", name = ""]) => {
      const input = parse(patchInput, request.body);
      const api = await load(id);
      const stage = { ...patchStage(api, findStage(api, name), input.patchOperations ?? []), lastUpdatedDate: seconds() };
      await save({ ...api, stages: api.stages.map((s) => (s.stageName === name ? stage : s)) });
      return json(200, stageOut(stage));
    })
    .on("DELETE", "/restapis/{id}/stages/{stageName}", async (_request, [id = "", name = ""]) => {
      const api = await load(id);
      findStage(api, name);
      await save({ ...api, stages: api.stages.filter((s) => s.stageName !== name) });
      return empty(202);
    });
}
