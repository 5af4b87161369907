/**
 * Stages (CreateStage, GetStage(s), UpdateStage, DeleteStage, DeleteRouteSettings) and deployments (CreateDeployment,
 * GetDeployment(s), UpdateDeployment, DeleteDeployment) of HTTP APIs, kept in the API's document.
 * A deployment is a record stages may name, not a snapshot: every stage serves the API's current routes.
 */
import type { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { HttpApi, HttpDeployment, HttpStage } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import { randomId } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import { deploymentInput, deploymentOut, stageInput, stageOut, updateStageInput } from "./shapes.js";
import { validateTags } from "../apigateway/tag-rules.js";
import { validateStageVariables } from "../apigateway/stage-variables.js";

type Variables = Readonly<Record<string, string>>;

const notFound = (message: string) => new UnkaiError("NotFoundException", message);

export function findStage(api: HttpApi, name: string): HttpStage {
  const stage = api.stages.find((s) => s.stageName === name);
  if (!stage) throw notFound(`Invalid stage identifier specified ${name}`);
  return stage;
}

function findDeployment(api: HttpApi, id: string): HttpDeployment {
  const deployment = api.deployments?.find((d) => d.deploymentId === id);
  if (!deployment) throw notFound(`Invalid Deployment identifier specified ${id}`);
  return deployment;
}

/**
 * UpdateStage's StageVariables on top of the stage's: the names given are set, the others kept, and a name
 * given the empty string is removed (how the Terraform AWS provider removes one: aws_apigatewayv2_stage's
 * update sends only the changed names, the removed ones as ""). A Map keeps a name `__proto__` a plain key.
 */
function mergedVariables(current: Variables, given: Variables | undefined): Variables {
  if (given === undefined) return current;
  const variables = new Map(Object.entries(current));
  for (const [name, value] of Object.entries(given)) {
    if (value === "") variables.delete(name);
    else variables.set(name, value);
  }
  const merged = Object.fromEntries(variables);
  validateStageVariables(merged);
  return merged;
}

/**
 * RouteSettings name routes of the API: a key no route has is refused, as API Gateway refuses it ("Unable to find
 * Route by key … within the provided RouteSettings"), which also keeps a stage's settings to one per route.
 */
function checkRouteSettingKeys(api: HttpApi, routeSettings: Readonly<Record<string, unknown>> | undefined): void {
  for (const key of Object.keys(routeSettings ?? {})) {
    if (!api.routes.some((r) => r.routeKey === key)) throw new UnkaiError("BadRequestException", `Unable to find Route by key ${key} within the provided RouteSettings.`);
  }
}

/** What the stage routes need of the service: its lookups, clock and parser. */
export interface StageRouteDeps {
  readonly load: (apiId: string) => Promise<HttpApi>;
  readonly save: (api: HttpApi) => Promise<unknown>;
  /** The current time as API Gateway writes dates (ISO 8601, whole seconds). */
  readonly now: () => string;
  readonly parse: <T extends z.ZodType>(schema: T, body: Buffer) => z.infer<T>;
}

const withStage = (api: HttpApi, stage: HttpStage): HttpApi => ({ ...api, stages: api.stages.map((s) => (s.stageName === stage.stageName ? stage : s)) });

/** The stage UpdateStage's `input` makes of `current`: a member left out keeps its value; Tags are TagResource's to change. */
function updatedStage(api: HttpApi, current: HttpStage, input: z.infer<typeof updateStageInput>, updated: string): HttpStage {
  const autoDeploy = input.autoDeploy ?? current.autoDeploy;
  if (input.deploymentId !== undefined) {
    // "Can't be updated if autoDeploy is enabled" (UpdateStage's DeploymentId, API Gateway v2 API reference).
    if (autoDeploy) throw new UnkaiError("BadRequestException", `DeploymentId cannot be set on stage ${current.stageName} while AutoDeploy is enabled; set AutoDeploy to false to name a deployment.`);
    findDeployment(api, input.deploymentId);
  }
  checkRouteSettingKeys(api, input.routeSettings);
  return {
    ...current,
    autoDeploy,
    description: input.description ?? current.description,
    stageVariables: mergedVariables(current.stageVariables, input.stageVariables),
    deploymentId: input.deploymentId ?? current.deploymentId,
    accessLogSettings: input.accessLogSettings ?? current.accessLogSettings,
    defaultRouteSettings: input.defaultRouteSettings ?? current.defaultRouteSettings,
    // Merged by route key: the Terraform provider calls DeleteRouteSettings for a route's settings it drops.
    routeSettings: input.routeSettings ? { ...current.routeSettings, ...input.routeSettings } : current.routeSettings,
    clientCertificateId: input.clientCertificateId ?? current.clientCertificateId,
    lastUpdatedDate: updated,
  };
}

export function stageRoutes(router: Router, { load, save, now, parse }: StageRouteDeps): void {
  router
    .on("POST", "/v2/apis/{apiId}/stages", async (request, [apiId = ""]) => {
      const input = parse(stageInput, request.body);
      const api = await load(apiId);
      if (api.stages.some((s) => s.stageName === input.stageName)) throw new UnkaiError("ConflictException", `Stage already exist: ${input.stageName}`);
      const tags = input.tags ?? {};
      validateTags(tags);
      validateStageVariables(input.stageVariables ?? {});
      checkRouteSettingKeys(api, input.routeSettings);
      if (input.deploymentId !== undefined) findDeployment(api, input.deploymentId);
      const created = now();
      const stage: HttpStage = {
        stageName: input.stageName, autoDeploy: input.autoDeploy ?? false, createdDate: created, lastUpdatedDate: created,
        stageVariables: input.stageVariables ?? {}, description: input.description, tags, deploymentId: input.deploymentId,
        accessLogSettings: input.accessLogSettings, defaultRouteSettings: input.defaultRouteSettings, routeSettings: input.routeSettings, clientCertificateId: input.clientCertificateId,
      };
      await save({ ...api, stages: [...api.stages, stage] });
      return json(201, stageOut(stage));
    })
    .on("GET", "/v2/apis/{apiId}/stages", async (_request, [apiId = ""]) => json(200, { items: (await load(apiId)).stages.map(stageOut) }))
    .on("GET", "/v2/apis/{apiId}/stages/{stageName}", async (_request, [apiId = "", name = ""]) => json(200, stageOut(findStage(await load(apiId), name))))
    .on("PATCH", "/v2/apis/{apiId}/stages/{stageName}", async (request, [apiId = "", name = ""]) => {
      const input = parse(updateStageInput, request.body);
      const api = await load(apiId);
      const stage = updatedStage(api, findStage(api, name), input, now());
      await save(withStage(api, stage));
      return json(200, stageOut(stage));
    })
    .on("DELETE", "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}", async (_request, [apiId = "", name = "", routeKey = ""]) => {
      const api = await load(apiId);
      const stage = findStage(api, name);
      if (stage.routeSettings === undefined || !Object.hasOwn(stage.routeSettings, routeKey)) throw notFound(`Stage ${name} has no route settings for route key ${routeKey}.`);
      const routeSettings = Object.fromEntries(Object.entries(stage.routeSettings).filter(([key]) => key !== routeKey));
      await save(withStage(api, { ...stage, routeSettings, lastUpdatedDate: now() }));
      return empty(204);
    })
    .on("DELETE", "/v2/apis/{apiId}/stages/{stageName}", async (_request, [apiId = "", name = ""]) => {
      const api = await load(apiId);
      findStage(api, name);
      await save({ ...api, stages: api.stages.filter((s) => s.stageName !== name) });
      return empty(204);
    })
    .on("POST", "/v2/apis/{apiId}/deployments", async (request, [apiId = ""]) => {
      const input = parse(deploymentInput, request.body);
      let api = await load(apiId);
      const created = now();
      const deployment: HttpDeployment = { deploymentId: randomId(6), createdDate: created, description: input.description, deploymentStatus: "DEPLOYED", autoDeployed: false };
      // With StageName, the stage now names this deployment (a missing stage is NotFoundException, nothing stored).
      if (input.stageName !== undefined) api = withStage(api, { ...findStage(api, input.stageName), deploymentId: deployment.deploymentId, lastUpdatedDate: created });
      await save({ ...api, deployments: [...(api.deployments ?? []), deployment] });
      return json(201, deploymentOut(deployment));
    })
    .on("GET", "/v2/apis/{apiId}/deployments", async (_request, [apiId = ""]) => json(200, { items: ((await load(apiId)).deployments ?? []).map(deploymentOut) }))
    .on("GET", "/v2/apis/{apiId}/deployments/{deploymentId}", async (_request, [apiId = "", id = ""]) => json(200, deploymentOut(findDeployment(await load(apiId), id))))
    .on("PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}", async (request, [apiId = "", id = ""]) => {
      const { description } = parse(deploymentInput.pick({ description: true }), request.body);
      const api = await load(apiId);
      const deployment = { ...findDeployment(api, id), ...(description !== undefined ? { description } : {}) };
      await save({ ...api, deployments: (api.deployments ?? []).map((d) => (d.deploymentId === id ? deployment : d)) });
      return json(200, deploymentOut(deployment));
    })
    .on("DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}", async (_request, [apiId = "", id = ""]) => {
      const api = await load(apiId);
      findDeployment(api, id);
      await save({ ...api, deployments: (api.deployments ?? []).filter((d) => d.deploymentId !== id) });
      return empty(204);
    });
}
