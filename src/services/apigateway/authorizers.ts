/**
 * CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer, DeleteAuthorizer for REST APIs: Lambda
 * authorizers of type TOKEN and REQUEST, kept in the API's document and deployed with its methods.
 * Serving them is src/services/served-apis/rest-api-authorizer.ts.
 */
import { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import { functionArnOfIntegration, identitySources, type RestApi, type RestAuthorizer } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import { randomId } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import { patchInput } from "./shapes.js";

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

const HEADER_SOURCE = /^method\.request\.header\.[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_SOURCE = /^(method\.request\.(header|querystring)\.[^\s,]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$/;

export const createAuthorizerInput = z.object({
  name: z.string().min(1).max(128),
  type: z.enum(["TOKEN", "REQUEST", "COGNITO_USER_POOLS"]),
  authorizerUri: z.string().min(1).optional(),
  identitySource: z.string().optional(),
  identityValidationExpression: z.string().max(1024).optional(),
  authorizerResultTtlInSeconds: z.number().int().min(0).max(3600).optional(),
  authorizerCredentials: z.string().optional(),
  providerARNs: z.array(z.string()).optional(),
  authType: z.string().optional(),
});

/** An authorizer as given, checked as API Gateway checks it. */
function checked(authorizer: RestAuthorizer): RestAuthorizer {
  if (!functionArnOfIntegration(authorizer.authorizerUri)) {
    throw badRequest(`Invalid authorizer URI ${authorizer.authorizerUri}: use arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations.`);
  }
  const sources = identitySources(authorizer.identitySource);
  if (authorizer.type === "TOKEN" && (sources.length !== 1 || !HEADER_SOURCE.test(sources[0] ?? ""))) {
    throw badRequest("A TOKEN authorizer's identitySource must be one header: method.request.header.<name>.");
  }
  if (authorizer.type === "REQUEST") {
    const bad = sources.find((s) => !REQUEST_SOURCE.test(s));
    if (bad !== undefined) throw badRequest(`Invalid identity source ${bad}: use method.request.header.<name>, method.request.querystring.<name>, stageVariables.<name> or context.<variable>.`);
    if (authorizer.resultTtlSeconds > 0 && sources.length === 0) throw badRequest("A REQUEST authorizer that caches (authorizerResultTtlInSeconds above 0) needs an identitySource: it is the cache key.");
  }
  if (authorizer.identityValidationExpression !== undefined) {
    if (authorizer.type !== "TOKEN") throw badRequest("identityValidationExpression applies to TOKEN authorizers only.");
    try {
      new RegExp(authorizer.identityValidationExpression);
    } catch {
      throw badRequest(`Invalid identityValidationExpression ${authorizer.identityValidationExpression}: not a regular expression.`);
    }
  }
  return authorizer;
}

export function authorizerOut(authorizer: RestAuthorizer): Record<string, unknown> {
  return {
    id: authorizer.id,
    name: authorizer.name,
    type: authorizer.type,
    authType: "custom",
    authorizerUri: authorizer.authorizerUri,
    ...(authorizer.identitySource !== undefined ? { identitySource: authorizer.identitySource } : {}),
    ...(authorizer.identityValidationExpression !== undefined ? { identityValidationExpression: authorizer.identityValidationExpression } : {}),
    authorizerResultTtlInSeconds: authorizer.resultTtlSeconds,
    ...(authorizer.credentials !== undefined ? { authorizerCredentials: authorizer.credentials } : {}),
  };
}

function findAuthorizer(api: RestApi, id: string): RestAuthorizer {
  const authorizer = api.authorizers?.find((a) => a.id === id);
  if (!authorizer) throw new UnkaiError("NotFoundException", `Invalid authorizer identifier specified ${id}`);
  return authorizer;
}

/** PutMethod's authorization: CUSTOM needs one of the API's authorizers, the others none. */
export function checkMethodAuthorization(api: RestApi, authorizationType: string, authorizerId: string | undefined): void {
  if (authorizationType === "CUSTOM") {
    if (authorizerId === undefined) throw badRequest("authorizerId is required when authorizationType is CUSTOM.");
    findAuthorizer(api, authorizerId);
  } else if (authorizerId !== undefined) {
    throw badRequest(`authorizerId can only be set with authorizationType CUSTOM, not ${authorizationType}.`);
  }
}

/** UpdateAuthorizer's patch operations: `replace` of the fields CreateAuthorizer sets. */
function patched(current: RestAuthorizer, operations: z.infer<typeof patchInput>["patchOperations"]): RestAuthorizer {
  let next = current;
  for (const operation of operations ?? []) {
    if (operation.op !== "replace") throw badRequest(`Invalid patch operation ${operation.op}: UpdateAuthorizer takes replace.`);
    const value = operation.value ?? "";
    switch (operation.path) {
      case "/name": next = { ...next, name: value }; break;
      case "/authorizerUri": next = { ...next, authorizerUri: value }; break;
      case "/identitySource": next = { ...next, identitySource: value }; break;
      case "/identityValidationExpression": next = { ...next, identityValidationExpression: value === "" ? undefined : value }; break;
      case "/authorizerResultTtlInSeconds": {
        const ttl = Number(value);
        if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw badRequest("authorizerResultTtlInSeconds must be a whole number from 0 to 3600.");
        next = { ...next, resultTtlSeconds: ttl };
        break;
      }
      default: throw badRequest(`Invalid patch path ${operation.path}.`);
    }
  }
  return checked(next);
}

export function restAuthorizerRoutes(
  router: Router,
  load: (id: string) => Promise<RestApi>,
  save: (api: RestApi) => Promise<void>,
  parse: <T extends z.ZodType>(schema: T, body: Buffer) => z.infer<T>,
): void {
  router
    .on("POST", "/restapis/{id}/authorizers", async (request, [id = ""]) => {
      const input = parse(createAuthorizerInput, request.body);
      if (input.type === "COGNITO_USER_POOLS") throw badRequest("Unkai supports TOKEN and REQUEST (Lambda) authorizers; COGNITO_USER_POOLS is not supported.");
      if (input.authorizerUri === undefined) throw badRequest("authorizerUri is required for a Lambda authorizer.");
      const api = await load(id);
      const authorizer = checked({
        id: randomId(6), name: input.name, type: input.type, authorizerUri: input.authorizerUri, identitySource: input.identitySource,
        identityValidationExpression: input.identityValidationExpression, resultTtlSeconds: input.authorizerResultTtlInSeconds ?? 300, credentials: input.authorizerCredentials,
      });
      await save({ ...api, authorizers: [...(api.authorizers ?? []), authorizer] });
      return json(201, authorizerOut(authorizer));
    })
    .on("GET", "/restapis/{id}/authorizers", async (_request, [id = ""]) => json(200, { item: ((await load(id)).authorizers ?? []).map(authorizerOut) }))
    .on("GET", "/restapis/{id}/authorizers/{authorizerId}", async (_request, [id = "", authorizerId = ""]) => json(200, authorizerOut(findAuthorizer(await load(id), authorizerId))))
    .on("PATCH", "/restapis/{id}/authorizers/{authorizerId}", async (request, [id = "", authorizerId = ""]) => {
      const api = await load(id);
      const authorizer = patched(findAuthorizer(api, authorizerId), parse(patchInput, request.body).patchOperations);
      await save({ ...api, authorizers: (api.authorizers ?? []).map((a) => (a.id === authorizerId ? authorizer : a)) });
      return json(200, authorizerOut(authorizer));
    })
    .on("DELETE", "/restapis/{id}/authorizers/{authorizerId}", async (_request, [id = "", authorizerId = ""]) => {
      const api = await load(id);
      findAuthorizer(api, authorizerId);
      const user = api.resources.flatMap((r) => Object.values(r.methods).map((m) => ({ path: r.path, method: m }))).find((m) => m.method.authorizerId === authorizerId);
      if (user) throw new UnkaiError("ConflictException", `Authorizer ${authorizerId} is still used by ${user.method.httpMethod} ${user.path}; change the method's authorization first.`);
      await save({ ...api, authorizers: (api.authorizers ?? []).filter((a) => a.id !== authorizerId) });
      return empty(202);
    });
}
