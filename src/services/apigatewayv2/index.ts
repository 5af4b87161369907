/** The apigatewayv2 management API (HTTP APIs) on restJson: APIs with quick create, routes, integrations, stages, deployments, Lambda authorizers, tags. */
import type { Logger } from "pino";
import { UnkaiError } from "../../core/errors.js";
import { functionArnOfIntegration, type HttpApi } from "../../core/api-definitions.js";
import { asUnkaiError, restJsonError } from "../../protocol/errors.js";
import { empty, json, type Service } from "../../protocol/http.js";
import { parseJsonInput, randomId } from "../../protocol/input.js";
import { Router } from "../../protocol/router.js";
import type { DocumentStore } from "../../store/ports.js";
import { API_GATEWAY_ERRORS } from "../apigateway/errors.js";
import type { ServiceModule } from "../module.js";
import { apiOut, authorizerInput, corsFrom, createApiInput, integrationInput, integrationOut, routeInput, routeOut, updateApiInput } from "./shapes.js";
import { authorizerRoutes, checkRouteAuthorization } from "./authorizers.js";
import type { z } from "zod/v3";
import { apiGatewayV2Actions } from "./authorization.js";
import { findStage, stageRoutes } from "./stages.js";
import { tagRoutes } from "./tags.js";
import { tagResourceInput, validateTags } from "../apigateway/tag-rules.js";

export interface ApiGatewayV2Deps {
  readonly apis: DocumentStore<HttpApi>;
  /** `http://<apiId>.execute-api.localhost:<port>` for an API. */
  readonly endpointOf: (apiId: string) => string;
  /** Integration timeout when the request names none (config `gatewayTimeoutMs`). */
  readonly defaultTimeoutMs: number;
  readonly logger: Logger;
}

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);
const notFound = (message: string) => new UnkaiError("NotFoundException", message);

export function apiGatewayV2Service({ apis, endpointOf, defaultTimeoutMs, logger }: ApiGatewayV2Deps): Service {
  const load = async (apiId: string): Promise<HttpApi> => {
    const api = await apis.get(apiId);
    if (!api) throw notFound(`Invalid API identifier specified ${apiId}`);
    return api;
  };
  const save = (api: HttpApi) => apis.put(api.apiId, api);
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  const integrationOf = (input: z.infer<typeof integrationInput>) => ({
    integrationId: randomId(7),
    integrationType: input.integrationType,
    integrationUri: lambdaUri(input.integrationUri),
    integrationMethod: input.integrationMethod ?? "POST",
    payloadFormatVersion: input.payloadFormatVersion ?? "2.0",
    timeoutInMillis: input.timeoutInMillis ?? defaultTimeoutMs,
    description: input.description,
  });
  const parse = <T extends z.ZodType>(schema: T, body: Buffer) => parseJsonInput(schema, body, "BadRequestException");

  const router = new Router()
    .on("POST", "/v2/apis", async (request) => {
      const input = parse(createApiInput, request.body);
      if (input.protocolType !== "HTTP") throw badRequest("Unkai serves HTTP APIs only; WEBSOCKET APIs are not supported.");
      if (input.routeKey !== undefined && input.target === undefined) throw badRequest("RouteKey can only be specified with Target (quick create).");
      validateTags(input.tags ?? {});
      const created = now();
      let api: HttpApi = {
        apiId: randomId(10), name: input.name, description: input.description, createdDate: created,
        cors: input.corsConfiguration ? corsFrom(input.corsConfiguration) : undefined, tags: input.tags ?? {},
        routes: [], integrations: [], stages: [],
      };
      if (input.target !== undefined) {
        // Quick create: one Lambda proxy integration, one route (default $default) and the auto-deployed $default stage.
        // The stage is created untagged: AWS documents no copying of the API's Tags to it (docs/compatibility/apigateway.md).
        const integration = integrationOf({ integrationType: "AWS_PROXY", integrationUri: input.target, payloadFormatVersion: "2.0" });
        api = {
          ...api,
          integrations: [integration],
          routes: [{ routeId: randomId(7), routeKey: input.routeKey ?? "$default", target: `integrations/${integration.integrationId}`, authorizationType: "NONE" }],
          stages: [{ stageName: "$default", autoDeploy: true, createdDate: created, lastUpdatedDate: created, stageVariables: {}, description: undefined }],
        };
      }
      await save(api);
      return json(201, apiOut(api, endpointOf(api.apiId)));
    })
    .on("GET", "/v2/apis", async () => json(200, { items: (await apis.list()).map((api) => apiOut(api, endpointOf(api.apiId))) }))
    .on("GET", "/v2/apis/{apiId}", async (_request, [apiId = ""]) => json(200, apiOut(await load(apiId), endpointOf(apiId))))
    .on("PATCH", "/v2/apis/{apiId}", async (request, [apiId = ""]) => {
      const input = parse(updateApiInput, request.body);
      const current = await load(apiId);
      const api: HttpApi = {
        ...current,
        name: input.name ?? current.name,
        description: input.description ?? current.description,
        cors: input.corsConfiguration ? corsFrom(input.corsConfiguration) : current.cors,
      };
      await save(api);
      return json(200, apiOut(api, endpointOf(apiId)));
    })
    .on("DELETE", "/v2/apis/{apiId}/cors", async (_request, [apiId = ""]) => {
      await save({ ...(await load(apiId)), cors: undefined });
      return empty(204);
    })
    .on("DELETE", "/v2/apis/{apiId}", async (_request, [apiId = ""]) => {
      await load(apiId);
      await apis.delete(apiId);
      return empty(204);
    })
    // Routes
    .on("POST", "/v2/apis/{apiId}/routes", async (request, [apiId = ""]) => {
      const input = parse(routeInput, request.body);
      const api = await load(apiId);
      if (api.routes.some((r) => r.routeKey === input.routeKey)) throw new UnkaiError("ConflictException", `Unable to complete operation due to concurrent modification. Route ${input.routeKey} already exists.`);
      checkTarget(api, input.target);
      const route = { routeId: randomId(7), routeKey: input.routeKey, target: input.target, authorizationType: input.authorizationType ?? "NONE", authorizerId: input.authorizerId, authorizationScopes: input.authorizationScopes };
      checkRouteAuthorization(api, route);
      await save({ ...api, routes: [...api.routes, route] });
      return json(201, routeOut(route));
    })
    .on("GET", "/v2/apis/{apiId}/routes", async (_request, [apiId = ""]) => json(200, { items: (await load(apiId)).routes.map(routeOut) }))
    .on("GET", "/v2/apis/{apiId}/routes/{routeId}", async (_request, [apiId = "", routeId = ""]) => json(200, routeOut(findRoute((await load(apiId)), routeId))))
    .on("PATCH", "/v2/apis/{apiId}/routes/{routeId}", async (request, [apiId = "", routeId = ""]) => {
      const input = parse(routeInput.partial(), request.body);
      const api = await load(apiId);
      const current = findRoute(api, routeId);
      checkTarget(api, input.target);
      const authorizationType = input.authorizationType ?? current.authorizationType;
      // Leaving CUSTOM drops the authorizer; staying (or becoming) CUSTOM keeps or takes the one given.
      const keeps = authorizationType === "CUSTOM" || authorizationType === "JWT";
      const authorizerId = keeps ? input.authorizerId ?? current.authorizerId : input.authorizerId;
      const authorizationScopes = authorizationType === "JWT" ? input.authorizationScopes ?? current.authorizationScopes : undefined;
      const route = { ...current, routeKey: input.routeKey ?? current.routeKey, target: input.target ?? current.target, authorizationType, authorizerId, authorizationScopes };
      checkRouteAuthorization(api, route);
      await save({ ...api, routes: api.routes.map((r) => (r.routeId === routeId ? route : r)) });
      return json(200, routeOut(route));
    })
    .on("DELETE", "/v2/apis/{apiId}/routes/{routeId}", async (_request, [apiId = "", routeId = ""]) => {
      const api = await load(apiId);
      findRoute(api, routeId);
      await save({ ...api, routes: api.routes.filter((r) => r.routeId !== routeId) });
      return empty(204);
    })
    // Integrations
    .on("POST", "/v2/apis/{apiId}/integrations", async (request, [apiId = ""]) => {
      const input = parse(integrationInput, request.body);
      const api = await load(apiId);
      const integration = integrationOf(input);
      await save({ ...api, integrations: [...api.integrations, integration] });
      return json(201, integrationOut(integration));
    })
    .on("GET", "/v2/apis/{apiId}/integrations", async (_request, [apiId = ""]) => json(200, { items: (await load(apiId)).integrations.map(integrationOut) }))
    .on("GET", "/v2/apis/{apiId}/integrations/{integrationId}", async (_request, [apiId = "", id = ""]) => json(200, integrationOut(findIntegration((await load(apiId)), id))))
    .on("PATCH", "/v2/apis/{apiId}/integrations/{integrationId}", async (request, [apiId = "", id = ""]) => {
      const input = parse(integrationInput.partial(), request.body);
      const api = await load(apiId);
      const current = findIntegration(api, id);
      const integration = {
        ...current,
        integrationUri: input.integrationUri !== undefined ? lambdaUri(input.integrationUri) : current.integrationUri,
        payloadFormatVersion: input.payloadFormatVersion ?? current.payloadFormatVersion,
        timeoutInMillis: input.timeoutInMillis ?? current.timeoutInMillis,
        description: input.description ?? current.description,
      };
      await save({ ...api, integrations: api.integrations.map((i) => (i.integrationId === id ? integration : i)) });
      return json(200, integrationOut(integration));
    })
    .on("DELETE", "/v2/apis/{apiId}/integrations/{integrationId}", async (_request, [apiId = "", id = ""]) => {
      const api = await load(apiId);
      findIntegration(api, id);
      if (api.routes.some((r) => r.target === `integrations/${id}`)) throw new UnkaiError("ConflictException", `Integration ${id} is still the target of a route; delete or retarget the route first.`);
      await save({ ...api, integrations: api.integrations.filter((i) => i.integrationId !== id) });
      return empty(204);
    });
  stageRoutes(router, { load, save, now, parse });
  authorizerRoutes(router, load, save, (body, partial) => (partial ? parse(authorizerInput.partial(), body) : parse(authorizerInput, body)));
  tagRoutes(router, { load, findStage, save, parseTags: (body) => parse(tagResourceInput, body) });

  return {
    name: "apigatewayv2",
    authorize: apiGatewayV2Actions,
    signingNames: ["apigateway"],
    // /v2/tags/<ARN>: TagResource, UntagResource and GetTags (tags.ts).
    matches: (request) => request.path.startsWith("/v2/apis") || request.path.startsWith("/v2/tags/"),
    async handle(request) {
      try {
        return await router.handle(request);
      } catch (error) {
        if (!(error instanceof UnkaiError)) logger.error({ err: error, path: request.path }, "internal error in the apigatewayv2 API");
        const unkaiError = error instanceof UnkaiError && error.code === "UnknownOperationException" ? notFound(error.message) : asUnkaiError(error);
        return restJsonError(unkaiError, API_GATEWAY_ERRORS);
      }
    },
  };
}

/** The URI itself when it names a Lambda function (an ARN, or API Gateway's `…:lambda:path/…/invocations` form). */
function lambdaUri(uri: string): string {
  if (functionArnOfIntegration(uri)) return uri;
  throw badRequest(`Invalid integration URI ${uri}: Unkai supports Lambda proxy integrations, with a function ARN or arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations.`);
}

function checkTarget(api: HttpApi, target: string | undefined): void {
  if (target !== undefined && !api.integrations.some((i) => `integrations/${i.integrationId}` === target)) {
    throw badRequest(`Invalid target ${target}: no such integration in API ${api.apiId}.`);
  }
}

function findRoute(api: HttpApi, routeId: string) {
  const route = api.routes.find((r) => r.routeId === routeId);
  if (!route) throw notFound(`Invalid Route identifier specified ${routeId}`);
  return route;
}

function findIntegration(api: HttpApi, id: string) {
  const integration = api.integrations.find((i) => i.integrationId === id);
  if (!integration) throw notFound(`Invalid Integration identifier specified ${id}`);
  return integration;
}

/** HTTP APIs share API Gateway's error table and compatibility page. */
export const apiGatewayV2Module: ServiceModule = {
  name: "apigatewayv2",
  errors: { kind: "json", table: API_GATEWAY_ERRORS, heading: "## API Gateway errors" },
  compatibility: "docs/compatibility/apigateway.md",
  create: (p) => apiGatewayV2Service({
    apis: p.store.httpApis, endpointOf: (id) => p.hostUrl(`${id}.execute-api.localhost`), defaultTimeoutMs: p.gatewayTimeoutMs, logger: p.logger("apigatewayv2"),
  }),
};
