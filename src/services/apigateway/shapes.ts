/** apigateway (REST API, v1) wire shapes: zod inputs and the documents rendered back (timestamps in epoch seconds). */
import { z } from "zod/v3";
import { stringMap } from "../../protocol/input.js";
import type { RestApi, RestDeployment, RestIntegration, RestMethod, RestResource, RestStage } from "../../core/api-definitions.js";
import { policyOut } from "./rest-api-policy.js";

export const createRestApiInput = z.object({
  name: z.string().min(1).max(1024),
  description: z.string().optional(),
  binaryMediaTypes: z.array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "a media type such as image/png or */*")).optional(),
  tags: stringMap.optional(),
  endpointConfiguration: z.object({ types: z.array(z.string()).optional() }).optional(),
  apiKeySource: z.enum(["HEADER", "AUTHORIZER"], { message: "apiKeySource must be HEADER or AUTHORIZER" }).optional(),
  minimumCompressionSize: z.number().optional(),
  policy: z.string().max(20_480).optional(),
});

/** UpdateRestApi's body: JSON Patch-like operations (`op`, `path`, `value`). */
export const patchInput = z.object({
  patchOperations: z.array(z.object({ op: z.string(), path: z.string(), value: z.string().optional(), from: z.string().optional() })).optional(),
});

export const createResourceInput = z.object({
  pathPart: z.string().regex(/^([A-Za-z0-9._~:@!$&'()*+,;=-]+|\{[A-Za-z0-9._-]+\+?\})$/, "a literal segment, {name} or {name+}"),
});

export const putMethodInput = z.object({
  authorizationType: z.enum(["NONE", "AWS_IAM", "CUSTOM"], { message: "Unkai supports authorizationType NONE, AWS_IAM and CUSTOM (Lambda authorizers)" }),
  authorizerId: z.string().regex(/^[a-z0-9]{1,10}$/, "an authorizer id CreateAuthorizer returned").optional(),
  apiKeyRequired: z.boolean().optional(),
  operationName: z.string().optional(),
  requestParameters: z.record(z.string(), z.boolean()).optional(),
});

export const putIntegrationInput = z.object({
  type: z.enum(["AWS_PROXY"], { message: "Unkai supports type AWS_PROXY (Lambda proxy integration)" }),
  integrationHttpMethod: z.string().optional(),
  uri: z.string().regex(/:lambda:path\/\d{4}-\d\d-\d\d\/functions\/.+\/invocations$/, "arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function arn>/invocations"),
  timeoutInMillis: z.number().int().min(50).max(29_000).optional(),
  passthroughBehavior: z.string().optional(),
  contentHandling: z.string().optional(),
});

export const createDeploymentInput = z.object({
  stageName: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "letters, digits, _ and -").optional(),
  stageDescription: z.string().optional(),
  description: z.string().optional(),
  variables: stringMap.optional(),
});

export const createStageInput = z.object({
  stageName: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "letters, digits, _ and -"),
  deploymentId: z.string().min(1),
  description: z.string().optional(),
  variables: stringMap.optional(),
  tags: stringMap.optional(),
  cacheClusterEnabled: z.boolean().optional(),
  tracingEnabled: z.boolean().optional(),
});

export function restApiOut(api: RestApi): Record<string, unknown> {
  return {
    id: api.id,
    name: api.name,
    ...(api.description !== undefined ? { description: api.description } : {}),
    createdDate: api.createdDate,
    ...(api.binaryMediaTypes.length > 0 ? { binaryMediaTypes: api.binaryMediaTypes } : {}),
    apiKeySource: api.apiKeySource ?? "HEADER",
    endpointConfiguration: { types: ["EDGE"] },
    disableExecuteApiEndpoint: false,
    rootResourceId: api.rootResourceId,
    tags: api.tags,
    ...(api.policy !== undefined ? { policy: policyOut(api.policy) } : {}),
  };
}

export function integrationOut(integration: RestIntegration, resourceId: string): Record<string, unknown> {
  return {
    type: integration.type,
    httpMethod: integration.httpMethod,
    uri: integration.uri,
    passthroughBehavior: "WHEN_NO_MATCH",
    timeoutInMillis: integration.timeoutInMillis,
    cacheNamespace: resourceId,
    cacheKeyParameters: [],
  };
}

export function methodOut(method: RestMethod, resourceId: string): Record<string, unknown> {
  return {
    httpMethod: method.httpMethod,
    authorizationType: method.authorizationType,
    ...(method.authorizerId !== undefined ? { authorizerId: method.authorizerId } : {}),
    apiKeyRequired: method.apiKeyRequired,
    ...(method.integration ? { methodIntegration: integrationOut(method.integration, resourceId) } : {}),
  };
}

export function resourceOut(resource: RestResource): Record<string, unknown> {
  const methods = Object.values(resource.methods);
  return {
    id: resource.id,
    ...(resource.parentId !== undefined ? { parentId: resource.parentId } : {}),
    ...(resource.pathPart !== undefined ? { pathPart: resource.pathPart } : {}),
    path: resource.path,
    ...(methods.length > 0 ? { resourceMethods: Object.fromEntries(methods.map((m) => [m.httpMethod, methodOut(m, resource.id)])) } : {}),
  };
}

export function deploymentOut(deployment: RestDeployment): Record<string, unknown> {
  return { id: deployment.id, createdDate: deployment.createdDate, ...(deployment.description !== undefined ? { description: deployment.description } : {}) };
}

export function stageOut(stage: RestStage): Record<string, unknown> {
  return {
    stageName: stage.stageName,
    deploymentId: stage.deploymentId,
    ...(stage.description !== undefined ? { description: stage.description } : {}),
    createdDate: stage.createdDate,
    lastUpdatedDate: stage.lastUpdatedDate,
    ...(Object.keys(stage.variables).length > 0 ? { variables: stage.variables } : {}),
    cacheClusterEnabled: stage.cacheClusterEnabled ?? false,
    // No cache exists here; a stage with caching on answers AVAILABLE at once, the state clients (Terraform) wait for.
    cacheClusterStatus: stage.cacheClusterEnabled === true ? "AVAILABLE" : "NOT_AVAILABLE",
    tracingEnabled: stage.tracingEnabled ?? false,
    methodSettings: stage.methodSettings ?? {},
    // The stage's own tags only, as GetStage answers them; absent when it has none.
    ...(stage.tags !== undefined && Object.keys(stage.tags).length > 0 ? { tags: stage.tags } : {}),
  };
}
