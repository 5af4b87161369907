/** The apigateway management API (REST APIs) on restJson: the operations a `{proxy+}` Lambda proxy API needs, deployments, stages and tags. */
import type { Logger } from "pino";
import type { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import type { RestApi, RestResource } from "../../core/api-definitions.js";
import type { Account } from "../../core/arn.js";
import { asUnkaiError, restJsonError } from "../../protocol/errors.js";
import { empty, json, type Service } from "../../protocol/http.js";
import { parseJsonInput, randomId } from "../../protocol/input.js";
import { Router } from "../../protocol/router.js";
import type { DocumentStore } from "../../store/ports.js";
import { API_GATEWAY_ERRORS } from "./errors.js";
import type { ServiceModule } from "../module.js";
import {
  createResourceInput, createRestApiInput, integrationOut, methodOut, patchInput, putIntegrationInput, putMethodInput, resourceOut, restApiOut,
} from "./shapes.js";
import { deploymentRoutes } from "./deployments.js";
import { normalizeRestApiPolicy, patchRestApi } from "./rest-api-policy.js";
import { apiGatewayActions } from "./authorization.js";
import { checkMethodAuthorization, restAuthorizerRoutes } from "./authorizers.js";
import { stageRoutes } from "./stages.js";
import { isTagRequest, tagRoutes } from "./tags.js";
import { tagResourceInput, validateTags } from "./tag-rules.js";
import { apiKeyRoutes } from "./api-keys.js";
import { usagePlanRoutes } from "./usage-plans.js";
import type { ApiKeyRecord, ApiKeyValueRecord, UsagePlanRecord } from "../../core/api-keys.js";

export interface ApiGatewayDeps {
  readonly apis: DocumentStore<RestApi>;
  readonly apiKeys: DocumentStore<ApiKeyRecord>;
  readonly apiKeyValues: DocumentStore<ApiKeyValueRecord>;
  readonly usagePlans: DocumentStore<UsagePlanRecord>;
  /** Expands a resource policy's `execute-api:/…` resources to the API's ARN. */
  readonly account: Account;
  /** Integration timeout when PutIntegration names none (config `gatewayTimeoutMs`). */
  readonly defaultTimeoutMs: number;
  readonly logger: Logger;
}

/** The REST API management paths this service claims (besides /tags/<ARN>). */
const MANAGED_COLLECTIONS = ["/restapis", "/apikeys", "/usageplans"];
const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"]);
const notFound = (message: string) => new UnkaiError("NotFoundException", message);
const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

export function apiGatewayService({ apis, apiKeys, apiKeyValues, usagePlans, account, defaultTimeoutMs, logger }: ApiGatewayDeps): Service {
  const load = async (id: string): Promise<RestApi> => {
    const api = await apis.get(id);
    if (!api) throw notFound(`Invalid API identifier specified ${id}`);
    return api;
  };
  const save = (api: RestApi) => apis.put(api.id, api);
  const seconds = () => Math.floor(Date.now() / 1000);
  const parse = <T extends z.ZodType>(schema: T, body: Buffer) => parseJsonInput(schema, body, "BadRequestException");
  const resourceIn = (api: RestApi, id: string) => {
    const resource = api.resources.find((r) => r.id === id);
    if (!resource) throw notFound(`Invalid Resource identifier specified`);
    return resource;
  };
  const methodName = (raw: string) => {
    const method = raw.toUpperCase();
    if (!METHODS.has(method)) throw badRequest(`Invalid HTTP method ${raw}: use GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY.`);
    return method;
  };
  const methodIn = (resource: RestResource, raw: string) => {
    const method = resource.methods[methodName(raw)];
    if (!method) throw notFound("Invalid Method identifier specified");
    return method;
  };
  const replaceResource = (api: RestApi, resource: RestResource): RestApi => ({ ...api, resources: api.resources.map((r) => (r.id === resource.id ? resource : r)) });

  const router = new Router()
    .on("POST", "/restapis", async (request) => {
      const input = parse(createRestApiInput, request.body);
      validateTags(input.tags ?? {});
      const rootResourceId = randomId(10);
      const id = randomId(10);
      const api: RestApi = {
        id, name: input.name, description: input.description, createdDate: seconds(),
        policy: input.policy === undefined ? undefined : normalizeRestApiPolicy(input.policy, account, id),
        binaryMediaTypes: input.binaryMediaTypes ?? [], rootResourceId, tags: input.tags ?? {}, apiKeySource: input.apiKeySource,
        resources: [{ id: rootResourceId, parentId: undefined, pathPart: undefined, path: "/", methods: {} }],
        deployments: [], stages: [],
      };
      await save(api);
      return json(201, restApiOut(api));
    })
    .on("GET", "/restapis", async () => json(200, { item: (await apis.list()).map(restApiOut) }))
    .on("GET", "/restapis/{id}", async (_request, [id = ""]) => json(200, restApiOut((await load(id)))))
    .on("PATCH", "/restapis/{id}", async (request, [id = ""]) => {
      const input = parse(patchInput, request.body);
      const api = patchRestApi(await load(id), input.patchOperations ?? [], account);
      await save(api);
      return json(200, restApiOut(api));
    })
    .on("DELETE", "/restapis/{id}", async (_request, [id = ""]) => {
      await load(id);
      await apis.delete(id);
      return empty(202);
    })
    .on("GET", "/restapis/{id}/resources", async (_request, [id = ""]) => json(200, { item: (await load(id)).resources.map(resourceOut) }))
    .on("GET", "/restapis/{id}/resources/{resourceId}", async (_request, [id = "", rid = ""]) => json(200, resourceOut(resourceIn((await load(id)), rid))))
    .on("POST", "/restapis/{id}/resources/{parentId}", async (request, [id = "", parentId = ""]) => {
      const input = parse(createResourceInput, request.body);
      const api = await load(id);
      const parent = resourceIn(api, parentId);
      if (parent.pathPart?.endsWith("+}")) throw badRequest(`A greedy path variable ${parent.path} cannot have child resources.`);
      const path = parent.path === "/" ? `/${input.pathPart}` : `${parent.path}/${input.pathPart}`;
      if (api.resources.some((r) => r.path === path)) throw new UnkaiError("ConflictException", `Another resource with the same parent already has this name: ${input.pathPart}`);
      const resource: RestResource = { id: randomId(6), parentId, pathPart: input.pathPart, path, methods: {} };
      await save({ ...api, resources: [...api.resources, resource] });
      return json(201, resourceOut(resource));
    })
    .on("DELETE", "/restapis/{id}/resources/{resourceId}", async (_request, [id = "", rid = ""]) => {
      const api = await load(id);
      const resource = resourceIn(api, rid);
      if (resource.parentId === undefined) throw badRequest("The root resource cannot be deleted.");
      await save({ ...api, resources: api.resources.filter((r) => r.path !== resource.path && !r.path.startsWith(`${resource.path}/`)) });
      return empty(202);
    })
    .on("PUT", "/restapis/{id}/resources/{resourceId}/methods/{method}", async (request, [id = "", rid = "", raw = ""]) => {
      const input = parse(putMethodInput, request.body);
      const api = await load(id);
      const resource = resourceIn(api, rid);
      checkMethodAuthorization(api, input.authorizationType, input.authorizerId);
      const method = { httpMethod: methodName(raw), authorizationType: input.authorizationType, authorizerId: input.authorizerId, apiKeyRequired: input.apiKeyRequired ?? false, integration: undefined };
      await save(replaceResource(api, { ...resource, methods: { ...resource.methods, [method.httpMethod]: method } }));
      return json(201, methodOut(method, rid));
    })
    .on("GET", "/restapis/{id}/resources/{resourceId}/methods/{method}", async (_request, [id = "", rid = "", raw = ""]) => {
      return json(200, methodOut(methodIn(resourceIn((await load(id)), rid), raw), rid));
    })
    .on("DELETE", "/restapis/{id}/resources/{resourceId}/methods/{method}", async (_request, [id = "", rid = "", raw = ""]) => {
      const api = await load(id);
      const resource = resourceIn(api, rid);
      const method = methodIn(resource, raw);
      const { [method.httpMethod]: _removed, ...rest } = resource.methods;
      await save(replaceResource(api, { ...resource, methods: rest }));
      return empty(204);
    })
    .on("PUT", "/restapis/{id}/resources/{resourceId}/methods/{method}/integration", async (request, [id = "", rid = "", raw = ""]) => {
      const input = parse(putIntegrationInput, request.body);
      const api = await load(id);
      const resource = resourceIn(api, rid);
      const method = methodIn(resource, raw);
      if (input.integrationHttpMethod !== undefined && input.integrationHttpMethod.toUpperCase() !== "POST") {
        throw badRequest("Lambda proxy integrations call the function with integrationHttpMethod POST.");
      }
      const integration = { type: input.type, httpMethod: "POST", uri: input.uri, timeoutInMillis: input.timeoutInMillis ?? defaultTimeoutMs };
      await save(replaceResource(api, { ...resource, methods: { ...resource.methods, [method.httpMethod]: { ...method, integration } } }));
      return json(201, integrationOut(integration, rid));
    })
    .on("GET", "/restapis/{id}/resources/{resourceId}/methods/{method}/integration", async (_request, [id = "", rid = "", raw = ""]) => {
      const integration = methodIn(resourceIn((await load(id)), rid), raw).integration;
      if (!integration) throw notFound("No integration defined for method");
      return json(200, integrationOut(integration, rid));
    });

  stageRoutes(router, { load, save, seconds, parse });
  deploymentRoutes(router, { load, save, seconds, parse });
  tagRoutes(router, { load, save, parseTags: (body) => parse(tagResourceInput, body) });
  restAuthorizerRoutes(router, load, save, parse);
  apiKeyRoutes(router, { keys: apiKeys, keyValues: apiKeyValues, plans: usagePlans, loadApi: load, seconds, parse });
  usagePlanRoutes(router, { keys: apiKeys, plans: usagePlans, loadApi: load, parse });

  return {
    name: "apigateway",
    authorize: apiGatewayActions,
    // Both API Gateway management APIs sign as `apigateway`.
    signingNames: ["apigateway"],
    // /tags/<ARN>: TagResource, UntagResource and GetTags (tags.ts); HTTP APIs' are /v2/tags/<ARN>, never claimed here.
    // A request signed for S3 is for a bucket of that name (path style), never for this API.
    matches: (request) => (request.caller.service !== "s3" && MANAGED_COLLECTIONS.some((c) => request.path === c || request.path.startsWith(`${c}/`))) || isTagRequest(request),
    async handle(request) {
      try {
        return await router.handle(request);
      } catch (error) {
        if (!(error instanceof UnkaiError)) logger.error({ err: error, path: request.path }, "internal error in the apigateway API");
        const unkaiError = error instanceof UnkaiError && error.code === "UnknownOperationException" ? notFound(error.message) : asUnkaiError(error);
        return restJsonError(unkaiError, API_GATEWAY_ERRORS);
      }
    },
  };
}

export const apiGatewayModule: ServiceModule = {
  name: "apigateway",
  errors: { kind: "json", table: API_GATEWAY_ERRORS, heading: "## API Gateway errors" },
  compatibility: "docs/compatibility/apigateway.md",
  create: (p) => apiGatewayService({ apis: p.store.restApis, apiKeys: p.store.apiKeys, apiKeyValues: p.store.apiKeyValues, usagePlans: p.store.usagePlans, account: p.account, defaultTimeoutMs: p.gatewayTimeoutMs, logger: p.logger("apigateway") }),
};
