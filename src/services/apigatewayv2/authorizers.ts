/**
 * CreateAuthorizer, GetAuthorizer(s), UpdateAuthorizer, DeleteAuthorizer for HTTP APIs: Lambda
 * (REQUEST) authorizers, kept in the API's document. Serving them is src/services/served-apis/lambda-authorizer.ts.
 */
import type { z } from "zod/v3";
import { UnkaiError } from "../../core/errors.js";
import { functionArnOfIntegration, type HttpApi, type HttpAuthorizer, type HttpRoute } from "../../core/api-definitions.js";
import { empty, json } from "../../protocol/http.js";
import { randomId } from "../../protocol/input.js";
import type { Router } from "../../protocol/router.js";
import type { authorizerInput} from "./shapes.js";
import { authorizerOut } from "./shapes.js";

const badRequest = (message: string) => new UnkaiError("BadRequestException", message);

type AuthorizerInput = z.infer<typeof authorizerInput>;

/** A JWT authorizer: an issuer (an http(s) URL, its JWKS discovered from it), audiences, and where the token is. */
function jwtAuthorizerFrom(input: Partial<AuthorizerInput>, current: HttpAuthorizer | undefined): HttpAuthorizer {
  const issuer = input.jwtConfiguration?.issuer ?? current?.jwtConfiguration?.issuer;
  if (issuer === undefined || !/^https?:\/\/[^\s/]+/.test(issuer)) throw badRequest("A JWT authorizer needs JwtConfiguration.Issuer: the token issuer's URL (https://…), where its JWKS is discovered.");
  const audience = input.jwtConfiguration?.audience ?? current?.jwtConfiguration?.audience ?? [];
  if (audience.length === 0) throw badRequest("A JWT authorizer needs JwtConfiguration.Audience: at least one audience (aud or client_id) its tokens must name.");
  const identitySource = input.identitySource ?? current?.identitySource ?? [];
  if (identitySource.length !== 1) throw badRequest("A JWT authorizer takes one identity source, e.g. $request.header.Authorization.");
  return {
    authorizerId: current?.authorizerId ?? randomId(6),
    name: input.name ?? current?.name ?? "",
    authorizerType: "JWT",
    jwtConfiguration: { issuer, audience },
    authorizerUri: "",
    payloadFormatVersion: "2.0",
    enableSimpleResponses: false,
    identitySource,
    resultTtlSeconds: 0,
    credentialsArn: undefined,
  };
}

/** The authorizer `input` describes on top of `current` (a new one without), checked as API Gateway checks it. */
function authorizerFrom(input: Partial<AuthorizerInput>, current: HttpAuthorizer | undefined): HttpAuthorizer {
  const type = input.authorizerType ?? current?.authorizerType ?? "REQUEST";
  if (current !== undefined && type !== (current.authorizerType ?? "REQUEST")) throw badRequest("An authorizer's AuthorizerType cannot change.");
  if (type === "JWT") return jwtAuthorizerFrom(input, current);
  const uri = input.authorizerUri ?? current?.authorizerUri;
  if (uri === undefined) throw badRequest("AuthorizerUri is required for a REQUEST authorizer.");
  if (!functionArnOfIntegration(uri)) {
    throw badRequest(`Invalid authorizer URI ${uri}: use arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations or a function ARN.`);
  }
  const version = input.authorizerPayloadFormatVersion ?? current?.payloadFormatVersion;
  if (version === undefined) throw badRequest("AuthorizerPayloadFormatVersion is required for a REQUEST authorizer: 1.0 or 2.0.");
  const simple = input.enableSimpleResponses ?? current?.enableSimpleResponses ?? false;
  if (simple && version !== "2.0") throw badRequest("EnableSimpleResponses is only supported with AuthorizerPayloadFormatVersion 2.0.");
  const identitySource = input.identitySource ?? current?.identitySource ?? [];
  const ttl = input.authorizerResultTtlInSeconds ?? current?.resultTtlSeconds ?? 0;
  if (ttl > 0 && identitySource.length === 0) throw badRequest("Caching (AuthorizerResultTtlInSeconds above 0) needs at least one identity source: it is the cache key.");
  return {
    authorizerId: current?.authorizerId ?? randomId(6),
    name: input.name ?? current?.name ?? "",
    authorizerUri: uri,
    payloadFormatVersion: version,
    enableSimpleResponses: simple,
    identitySource,
    resultTtlSeconds: ttl,
    credentialsArn: input.authorizerCredentialsArn ?? current?.credentialsArn,
  };
}

function findAuthorizer(api: HttpApi, id: string): HttpAuthorizer {
  const authorizer = api.authorizers?.find((a) => a.authorizerId === id);
  if (!authorizer) throw new UnkaiError("NotFoundException", `Invalid Authorizer identifier specified ${id}`);
  return authorizer;
}

/** A route's authorization as given: CUSTOM needs one of the API's Lambda authorizers, JWT a JWT one, the others none. */
export function checkRouteAuthorization(api: HttpApi, route: Pick<HttpRoute, "authorizationType" | "authorizerId" | "authorizationScopes">): void {
  if (route.authorizationType === "CUSTOM" || route.authorizationType === "JWT") {
    if (route.authorizerId === undefined) throw badRequest(`AuthorizerId is required when AuthorizationType is ${route.authorizationType}.`);
    const kind = findAuthorizer(api, route.authorizerId).authorizerType ?? "REQUEST";
    if ((kind === "JWT") !== (route.authorizationType === "JWT")) throw badRequest(`Authorizer ${route.authorizerId} is a ${kind} authorizer; AuthorizationType ${route.authorizationType} needs ${route.authorizationType === "JWT" ? "a JWT" : "a REQUEST"} one.`);
  } else if (route.authorizerId !== undefined) {
    throw badRequest(`AuthorizerId can only be set with AuthorizationType CUSTOM, not ${route.authorizationType}.`);
  }
}

export function authorizerRoutes(
  router: Router,
  load: (apiId: string) => Promise<HttpApi>,
  save: (api: HttpApi) => Promise<void>,
  parse: (body: Buffer, partial: boolean) => Partial<AuthorizerInput>,
): void {
  router
    .on("POST", "/v2/apis/{apiId}/authorizers", async (request, [apiId = ""]) => {
      const api = await load(apiId);
      const authorizer = authorizerFrom(parse(request.body, false), undefined);
      await save({ ...api, authorizers: [...(api.authorizers ?? []), authorizer] });
      return json(201, authorizerOut(authorizer));
    })
    .on("GET", "/v2/apis/{apiId}/authorizers", async (_request, [apiId = ""]) => json(200, { items: ((await load(apiId)).authorizers ?? []).map(authorizerOut) }))
    .on("GET", "/v2/apis/{apiId}/authorizers/{authorizerId}", async (_request, [apiId = "", id = ""]) => json(200, authorizerOut(findAuthorizer(await load(apiId), id))))
    .on("PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}", async (request, [apiId = "", id = ""]) => {
      const api = await load(apiId);
      const authorizer = authorizerFrom(parse(request.body, true), findAuthorizer(api, id));
      await save({ ...api, authorizers: (api.authorizers ?? []).map((a) => (a.authorizerId === id ? authorizer : a)) });
      return json(200, authorizerOut(authorizer));
    })
    .on("DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}", async (_request, [apiId = "", id = ""]) => {
      const api = await load(apiId);
      findAuthorizer(api, id);
      const user = api.routes.find((r) => r.authorizerId === id);
      if (user) throw new UnkaiError("ConflictException", `Authorizer ${id} is still used by route ${user.routeKey}; change the route's authorization first.`);
      await save({ ...api, authorizers: (api.authorizers ?? []).filter((a) => a.authorizerId !== id) });
      return empty(204);
    });
}
