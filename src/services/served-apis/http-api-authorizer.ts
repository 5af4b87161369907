/**
 * An HTTP API route's authorizer: a JWT one (jwt-authorizer.ts), or a Lambda (REQUEST) one run by
 * lambda-authorizer.ts with what is HTTP API's own here — identity sources from selection
 * expressions, the event in the authorizer's payload format, and the answers 401 Unauthorized,
 * 403 Forbidden, 500 Internal Server Error.
 */
import type { HttpAuthorizer } from "../../core/api-definitions.js";
import { functionArnOfIntegration } from "../../core/api-definitions.js";
import { ownValue } from "../../core/own-keys.js";
import { payloadV1, payloadV2, type EventContext } from "../../api-mapping/events.js";
import { headerValue, isTextContentType, requestValue, type ServedRequest } from "../../api-mapping/request-parts.js";
import type { HttpResult } from "../../api-mapping/responses.js";
import type { AuthorizerVerdict, LambdaAuthorizers, Refusal } from "./lambda-authorizer.js";
import type { JwtAuthorizers } from "./jwt-authorizer.js";

export interface HttpAuthorizedRequest {
  readonly request: ServedRequest;
  readonly context: EventContext;
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`. */
  readonly routeArn: string;
}

const ANSWERS: Record<Refusal, [number, string]> = {
  unauthorized: [401, "Unauthorized"],
  forbidden: [403, "Forbidden"],
  denied: [403, "Forbidden"],
  failed: [500, "Internal Server Error"],
};

/** HTTP API's answer to a refused request. */
export function httpApiRefusal(refusal: Refusal): HttpResult {
  const [status, message] = ANSWERS[refusal];
  return { status, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ message })) };
}

/**
 * A CUSTOM or JWT route's authorization: what reaches the integration as `requestContext.authorizer`
 * (payload 2.0 nests it under `lambda` or `jwt`; 1.0 has it flat, with a Lambda authorizer's
 * principal, as REST APIs do), or the answer refusing the request.
 */
export async function authorizeRoute(
  deps: { readonly authorizers: LambdaAuthorizers; readonly jwtAuthorizers: JwtAuthorizers },
  route: { readonly authorizationType: string; readonly authorizer: HttpAuthorizer | undefined; readonly scopes: readonly string[] | undefined },
  call: HttpAuthorizedRequest,
  v1: boolean,
): Promise<{ readonly authorizer: Record<string, unknown> } | { readonly refused: HttpResult; readonly error: string }> {
  if (!route.authorizer) return { refused: httpApiRefusal("failed"), error: "the route's authorizer is gone" };
  if (route.authorizationType === "JWT") {
    const verdict = await deps.jwtAuthorizers.authorize(route.authorizer, route.scopes, call.request);
    if (verdict.kind === "refuse") return { refused: verdict.result, error: verdict.error };
    const jwt = { claims: verdict.claims, scopes: verdict.scopes };
    return { authorizer: v1 ? jwt : { jwt } };
  }
  const verdict = await authorizeLambda(deps.authorizers, route.authorizer, call);
  if (verdict.kind === "refuse") return { refused: httpApiRefusal(verdict.refusal), error: verdict.error };
  return { authorizer: v1 ? { ...verdict.context, ...(verdict.principalId !== undefined ? { principalId: verdict.principalId } : {}) } : { lambda: verdict.context } };
}

function authorizeLambda(authorizers: LambdaAuthorizers, authorizer: HttpAuthorizer, call: HttpAuthorizedRequest): Promise<AuthorizerVerdict> {
  const identity = identityValues(authorizer, call);
  return authorizers.authorize(
    {
      id: `${call.context.apiId}/${authorizer.authorizerId}`, functionArn: functionArnOfIntegration(authorizer.authorizerUri) ?? authorizer.authorizerUri,
      ttlSeconds: authorizer.resultTtlSeconds, simple: authorizer.enableSimpleResponses, unauthorizedError: false,
    },
    { identity, event: () => authorizerEvent(authorizer, call, identity ?? []), resourceArn: call.routeArn, traceId: headerValue(call.request.rawHeaders, "x-amzn-trace-id") },
  );
}

/** The identity sources' values, in order; undefined when one is missing or empty (a 401). */
function identityValues(authorizer: HttpAuthorizer, call: HttpAuthorizedRequest): string[] | undefined {
  const values: string[] = [];
  for (const source of authorizer.identitySource) {
    const value = sourceValue(source, call);
    if (value === undefined || value === "") return undefined;
    values.push(value);
  }
  return values;
}

function sourceValue(source: string, { request, context }: HttpAuthorizedRequest): string | undefined {
  const [, kind, name = ""] = /^\$(request\.header|request\.querystring|context|stageVariables)\.(.+)$/.exec(source) ?? [];
  if (kind === "request.header") return requestValue(request, "header", name);
  if (kind === "request.querystring") return requestValue(request, "querystring", name);
  // The source names a variable (`$stageVariables.constructor` too): only a variable that exists counts as present.
  if (kind === "stageVariables") return context.stageVariables && ownValue(context.stageVariables, name);
  if (kind === "context") {
    const variables: Record<string, string> = {
      apiId: context.apiId, routeKey: context.routeKey, stage: context.stage, requestId: request.requestId,
      httpMethod: request.method, path: request.path, "identity.sourceIp": request.sourceIp,
    };
    return ownValue(variables, name);
  }
  return undefined;
}

/** The event the authorizer function gets: the request in the authorizer's payload format, without its body. */
function authorizerEvent(authorizer: HttpAuthorizer, call: HttpAuthorizedRequest, identity: readonly string[]): Record<string, unknown> {
  const { request, context, routeArn } = call;
  if (authorizer.payloadFormatVersion === "2.0") {
    const { version: _version, body: _body, isBase64Encoded: _encoded, ...rest } = payloadV2(request, context, { functionUrl: false });
    return { version: "2.0", type: "REQUEST", routeArn, identitySource: identity, ...rest };
  }
  const resourcePath = context.routeKey === "$default" ? "$default" : context.routeKey.slice(context.routeKey.indexOf(" ") + 1);
  const binary = !isTextContentType(headerValue(request.rawHeaders, "content-type"));
  const { body: _body, isBase64Encoded: _encoded, ...rest } = payloadV1(request, { ...context, resourcePath, resourceId: context.routeKey, requestContextPath: request.path }, binary);
  const joined = identity.join(",");
  return { version: "1.0", type: "REQUEST", methodArn: routeArn, identitySource: joined, authorizationToken: joined, ...rest };
}
