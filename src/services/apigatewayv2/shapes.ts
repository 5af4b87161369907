/** apigatewayv2 wire shapes: zod inputs (lowerCamel members, as the model names them) and the documents rendered back. */
import { z } from "zod/v3";
import { stringMap } from "../../protocol/input.js";
import type { CorsConfig, HttpApi, HttpAuthorizer, HttpDeployment, HttpIntegration, HttpRoute, HttpStage } from "../../core/api-definitions.js";
import { corsInput } from "../../api-mapping/cors.js";
import { routeKeyProblem } from "../../api-mapping/routes.js";


const routeKey = z.string().superRefine((key, ctx) => {
  const problem = routeKeyProblem(key);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const tags = stringMap;

export const createApiInput = z.object({
  name: z.string().min(1).max(128),
  protocolType: z.enum(["HTTP", "WEBSOCKET"]),
  description: z.string().max(1024).optional(),
  target: z.string().optional(),
  routeKey: routeKey.optional(),
  corsConfiguration: corsInput.optional(),
  tags: tags.optional(),
  version: z.string().optional(),
  routeSelectionExpression: z.string().optional(),
  disableExecuteApiEndpoint: z.boolean().optional(),
  credentialsArn: z.string().optional(),
});

export const updateApiInput = z.object({
  name: z.string().min(1).max(128).optional(),
  description: z.string().max(1024).optional(),
  corsConfiguration: corsInput.optional(),
});

export const routeInput = z.object({
  routeKey,
  target: z.string().regex(/^integrations\/[a-z0-9]+$/, "integrations/<integrationId>").optional(),
  authorizationType: z.enum(["NONE", "AWS_IAM", "CUSTOM", "JWT"], { message: "authorizationType is NONE, AWS_IAM, CUSTOM or JWT" }).optional(),
  authorizerId: z.string().regex(/^[a-z0-9]{1,10}$/, "an authorizerId CreateAuthorizer returned").optional(),
  authorizationScopes: z.array(z.string().min(1).max(64)).max(50).optional(),
  apiKeyRequired: z.boolean().optional(),
});

/** An identity source: a header, query string, context or stage variable selection expression. */
const identitySource = z.string().regex(
  /^\$(request\.header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+|request\.querystring\.[^\s,]+|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)$/,
  "an identity source is $request.header.<name>, $request.querystring.<name>, $context.<variable> or $stageVariables.<name>",
);

export const authorizerInput = z.object({
  name: z.string().min(1).max(128),
  authorizerType: z.enum(["REQUEST", "JWT"]),
  authorizerUri: z.string().min(1).optional(),
  authorizerPayloadFormatVersion: z.enum(["1.0", "2.0"]).optional(),
  enableSimpleResponses: z.boolean().optional(),
  // The CLI passes one string per value; a comma-separated list is split as API Gateway does.
  identitySource: z.array(z.string()).transform((values) => values.flatMap((v) => v.split(",").map((s) => s.trim()).filter((s) => s !== ""))).pipe(z.array(identitySource)).optional(),
  authorizerResultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
  authorizerCredentialsArn: z.string().optional(),
  jwtConfiguration: z.object({ audience: z.array(z.string().min(1)).optional(), issuer: z.string().optional() }).optional(),
});

export function authorizerOut(authorizer: HttpAuthorizer): Record<string, unknown> {
  if (authorizer.authorizerType === "JWT") {
    return {
      authorizerId: authorizer.authorizerId,
      authorizerType: "JWT",
      identitySource: authorizer.identitySource,
      jwtConfiguration: { audience: authorizer.jwtConfiguration?.audience ?? [], issuer: authorizer.jwtConfiguration?.issuer ?? "" },
      name: authorizer.name,
    };
  }
  return {
    ...(authorizer.credentialsArn !== undefined ? { authorizerCredentialsArn: authorizer.credentialsArn } : {}),
    authorizerId: authorizer.authorizerId,
    authorizerPayloadFormatVersion: authorizer.payloadFormatVersion,
    authorizerResultTtlInSeconds: authorizer.resultTtlSeconds,
    authorizerType: "REQUEST",
    authorizerUri: authorizer.authorizerUri,
    enableSimpleResponses: authorizer.enableSimpleResponses,
    identitySource: authorizer.identitySource,
    name: authorizer.name,
  };
}

export const integrationInput = z.object({
  integrationType: z.enum(["AWS_PROXY"], { message: "Unkai supports integrationType AWS_PROXY (Lambda proxy)" }),
  integrationUri: z.string().min(1),
  integrationMethod: z.string().optional(),
  payloadFormatVersion: z.enum(["1.0", "2.0"]).optional(),
  timeoutInMillis: z.number().int().min(50).max(30_000).optional(),
  description: z.string().optional(),
  connectionType: z.enum(["INTERNET"]).optional(),
});

const routeSettings = z.object({
  dataTraceEnabled: z.boolean().optional(),
  detailedMetricsEnabled: z.boolean().optional(),
  loggingLevel: z.enum(["ERROR", "INFO", "OFF"], { message: "loggingLevel is ERROR, INFO or OFF" }).optional(),
  throttlingBurstLimit: z.number().int().min(0).optional(),
  throttlingRateLimit: z.number().min(0).optional(),
});

/**
 * RouteSettings by route key. Not z.record, which leaves out a key named `__proto__` (see stringMap): every key
 * must reach the check that it names one of the API's routes (stages.ts). Each value is what `routeSettings`
 * parses it to, as for any other object input: members it does not know are not stored.
 */
const routeSettingsMap = z.custom<Record<string, unknown>>(
  (value: unknown) => typeof value === "object" && value !== null && !Array.isArray(value),
  "Expected an object mapping route keys to route settings",
).transform((map, ctx) => {
  const parsed = new Map<string, z.infer<typeof routeSettings>>();
  for (const [key, settings] of Object.entries(map)) {
    const result = routeSettings.safeParse(settings);
    if (result.success) parsed.set(key, result.data);
    else for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: [key, ...issue.path] });
  }
  // From a Map, so a key `__proto__` stays an own member.
  return Object.fromEntries(parsed);
});

/** The stage members CreateStage and UpdateStage share (UpdateStage takes them all as optional). */
const stageSettings = z.object({
  autoDeploy: z.boolean().optional(),
  // Descriptions are StringWithLengthBetween0And1024 in the apigatewayv2 model; an access log template is at most 3 KB (HTTP API quotas).
  description: z.string().max(1024).optional(),
  stageVariables: stringMap.optional(),
  deploymentId: z.string().min(1).optional(),
  accessLogSettings: z.object({ destinationArn: z.string().optional(), format: z.string().max(3072).optional() }).optional(),
  defaultRouteSettings: routeSettings.optional(),
  routeSettings: routeSettingsMap.optional(),
  clientCertificateId: z.string().optional(),
});

export const stageInput = stageSettings.extend({
  stageName: z.string().regex(/^(\$default|[A-Za-z0-9_-]{1,128})$/, "letters, digits, _ and -, or $default"),
  tags: tags.optional(),
});

/** UpdateStage's body: no StageName (it is in the path) and no Tags (TagResource changes those). */
export const updateStageInput = stageSettings;

export const deploymentInput = z.object({
  description: z.string().max(1024).optional(),
  stageName: z.string().min(1).optional(),
});

export function corsFrom(input: z.infer<typeof corsInput>): CorsConfig {
  return {
    allowOrigins: input.allowOrigins ?? [],
    allowMethods: (input.allowMethods ?? []).map((m) => m.toUpperCase()),
    allowHeaders: input.allowHeaders ?? [],
    exposeHeaders: input.exposeHeaders ?? [],
    maxAge: input.maxAge,
    allowCredentials: input.allowCredentials ?? false,
  };
}

function corsOut(config: CorsConfig): Record<string, unknown> {
  return {
    ...(config.allowOrigins.length > 0 ? { allowOrigins: config.allowOrigins } : {}),
    ...(config.allowMethods.length > 0 ? { allowMethods: config.allowMethods } : {}),
    ...(config.allowHeaders.length > 0 ? { allowHeaders: config.allowHeaders } : {}),
    ...(config.exposeHeaders.length > 0 ? { exposeHeaders: config.exposeHeaders } : {}),
    ...(config.maxAge !== undefined ? { maxAge: config.maxAge } : {}),
    allowCredentials: config.allowCredentials,
  };
}

export function apiOut(api: HttpApi, endpoint: string): Record<string, unknown> {
  return {
    apiEndpoint: endpoint,
    apiId: api.apiId,
    apiKeySelectionExpression: "$request.header.x-api-key",
    createdDate: api.createdDate,
    ...(api.description !== undefined ? { description: api.description } : {}),
    disableExecuteApiEndpoint: false,
    name: api.name,
    protocolType: "HTTP",
    routeSelectionExpression: "$request.method $request.path",
    ...(api.cors ? { corsConfiguration: corsOut(api.cors) } : {}),
    tags: api.tags,
  };
}

export function routeOut(route: HttpRoute): Record<string, unknown> {
  return {
    apiKeyRequired: false,
    authorizationType: route.authorizationType,
    ...(route.authorizationScopes !== undefined && route.authorizationScopes.length > 0 ? { authorizationScopes: route.authorizationScopes } : {}),
    ...(route.authorizerId !== undefined ? { authorizerId: route.authorizerId } : {}),
    routeId: route.routeId,
    routeKey: route.routeKey,
    ...(route.target ? { target: route.target } : {}),
  };
}

export function integrationOut(integration: HttpIntegration): Record<string, unknown> {
  return {
    connectionType: "INTERNET",
    ...(integration.description !== undefined ? { description: integration.description } : {}),
    integrationId: integration.integrationId,
    integrationMethod: integration.integrationMethod,
    integrationType: integration.integrationType,
    integrationUri: integration.integrationUri,
    payloadFormatVersion: integration.payloadFormatVersion,
    timeoutInMillis: integration.timeoutInMillis,
  };
}

export function stageOut(stage: HttpStage): Record<string, unknown> {
  return {
    ...(stage.accessLogSettings !== undefined ? { accessLogSettings: stage.accessLogSettings } : {}),
    autoDeploy: stage.autoDeploy,
    ...(stage.clientCertificateId !== undefined ? { clientCertificateId: stage.clientCertificateId } : {}),
    createdDate: stage.createdDate,
    defaultRouteSettings: { detailedMetricsEnabled: false, ...stage.defaultRouteSettings },
    ...(stage.deploymentId !== undefined ? { deploymentId: stage.deploymentId } : {}),
    ...(stage.description !== undefined ? { description: stage.description } : {}),
    lastUpdatedDate: stage.lastUpdatedDate,
    routeSettings: stage.routeSettings ?? {},
    stageName: stage.stageName,
    stageVariables: stage.stageVariables,
    tags: stage.tags ?? {},
  };
}

export function deploymentOut(deployment: HttpDeployment): Record<string, unknown> {
  return {
    autoDeployed: deployment.autoDeployed,
    createdDate: deployment.createdDate,
    deploymentId: deployment.deploymentId,
    deploymentStatus: deployment.deploymentStatus,
    ...(deployment.description !== undefined ? { description: deployment.description } : {}),
  };
}
