/**
 * A REST API method's Lambda authorizer (lambda-authorizer.ts runs it): TOKEN authorizers get one
 * header (checked against identityValidationExpression first), REQUEST authorizers the request;
 * both answer with an IAM policy, and a function error "Unauthorized" means 401. REST API's own
 * answers: 401 Unauthorized, 403 with or without "explicit deny", 500 `{"message":null}`. The API's
 * resource policy has been evaluated first (index.ts): its Deny never reaches here, its Allow does.
 */
import { Script, createContext } from "node:vm";
import { functionArnOfIntegration, identitySources, type RestAuthorizer } from "../../core/api-definitions.js";
import { ownValue } from "../../core/own-keys.js";
import { payloadV1, type EventContext } from "../../api-mapping/events.js";
import { headerValue, requestValue, type ServedRequest } from "../../api-mapping/request-parts.js";
import type { HttpResult } from "../../api-mapping/responses.js";
import type { AuthorizerVerdict, LambdaAuthorizers, Refusal } from "./lambda-authorizer.js";

/** How long a TOKEN's identityValidationExpression may run: a user's pattern meets a caller's token, so it must not hang the server. */
const VALIDATION_TIMEOUT_MS = 25;

export interface RestAuthorizedRequest {
  readonly request: ServedRequest;
  readonly context: EventContext & { readonly resourcePath: string; readonly resourceId: string; readonly requestContextPath: string };
  readonly binary: boolean;
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`. */
  readonly methodArn: string;
  /** The API's resource policy explicitly allows the call (rest-api-policy.ts): the authorizer's policy need not. */
  readonly resourcePolicyAllows: boolean;
}

const ANSWERS: Record<Refusal, [number, string, Record<string, unknown>]> = {
  unauthorized: [401, "UnauthorizedException", { message: "Unauthorized" }],
  forbidden: [403, "AccessDeniedException", { Message: "User is not authorized to access this resource" }],
  denied: [403, "AccessDeniedException", { Message: "User is not authorized to access this resource with an explicit deny" }],
  failed: [500, "AuthorizerConfigurationException", { message: null }],
};

/** REST API's answer to a refused request. */
export function restApiRefusal(refusal: Refusal): HttpResult {
  const [status, type, body] = ANSWERS[refusal];
  return { status, headers: { "content-type": "application/json", "x-amzn-ErrorType": type }, body: Buffer.from(JSON.stringify(body)) };
}

export function authorizeRestMethod(authorizers: LambdaAuthorizers, authorizer: RestAuthorizer, call: RestAuthorizedRequest): Promise<AuthorizerVerdict> {
  const identity = authorizer.type === "TOKEN" ? tokenIdentity(authorizer, call) : requestIdentity(authorizer, call);
  return authorizers.authorize(
    { id: `${call.context.apiId}/${authorizer.id}`, functionArn: functionArnOfIntegration(authorizer.authorizerUri) ?? authorizer.authorizerUri, ttlSeconds: authorizer.resultTtlSeconds, simple: false, unauthorizedError: true },
    { identity, event: () => authorizerEvent(authorizer, call, identity ?? []), resourceArn: call.methodArn, resourcePolicyAllows: call.resourcePolicyAllows, traceId: headerValue(call.request.rawHeaders, "x-amzn-trace-id") },
  );
}

/** The token, when present and matching the validation expression. */
function tokenIdentity(authorizer: RestAuthorizer, call: RestAuthorizedRequest): string[] | undefined {
  const name = identitySources(authorizer.identitySource)[0]?.slice("method.request.header.".length) ?? "";
  const token = requestValue(call.request, "header", name);
  if (token === undefined || token === "") return undefined;
  if (authorizer.identityValidationExpression !== undefined && !matchesWithin(authorizer.identityValidationExpression, token)) return undefined;
  return [token];
}

/** Every identity source's value; a missing one refuses only where the answer is cached (it is the key), as on AWS. */
function requestIdentity(authorizer: RestAuthorizer, call: RestAuthorizedRequest): string[] | undefined {
  const values: string[] = [];
  for (const source of identitySources(authorizer.identitySource)) {
    const value = sourceValue(source, call);
    if (value === undefined || value === "") {
      if (authorizer.resultTtlSeconds > 0) return undefined;
      continue;
    }
    values.push(value);
  }
  return authorizer.resultTtlSeconds > 0 ? values : [];
}

function sourceValue(source: string, { request, context }: RestAuthorizedRequest): string | undefined {
  const [, kind, name = ""] = /^(method\.request\.header|method\.request\.querystring|stageVariables|context)\.(.+)$/.exec(source) ?? [];
  if (kind === "method.request.header") return requestValue(request, "header", name);
  if (kind === "method.request.querystring") return requestValue(request, "querystring", name);
  // The source names a variable (`stageVariables.constructor` too): only a variable that exists counts as present.
  if (kind === "stageVariables") return context.stageVariables && ownValue(context.stageVariables, name);
  if (kind === "context") {
    const variables: Record<string, string> = { apiId: context.apiId, stage: context.stage, requestId: request.requestId, httpMethod: request.method, resourcePath: context.resourcePath, "identity.sourceIp": request.sourceIp };
    return ownValue(variables, name);
  }
  return undefined;
}

function authorizerEvent(authorizer: RestAuthorizer, call: RestAuthorizedRequest, identity: readonly string[]): Record<string, unknown> {
  if (authorizer.type === "TOKEN") return { type: "TOKEN", methodArn: call.methodArn, authorizationToken: identity[0] ?? "" };
  const { body: _body, isBase64Encoded: _encoded, ...rest } = payloadV1(call.request, call.context, call.binary);
  return { type: "REQUEST", methodArn: call.methodArn, ...rest };
}

const validation = { script: new Script("pattern.test(token)"), context: createContext({ pattern: /$^/, token: "" }) };

/**
 * Whether `token` matches the whole expression (API Gateway's validation anchors it), in a VM with a
 * time limit: a pattern that backtracks for too long counts as no match instead of stalling Unkai.
 */
function matchesWithin(expression: string, token: string): boolean {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${expression})$`);
  } catch {
    return false;
  }
  validation.context.pattern = pattern;
  validation.context.token = token;
  try {
    return validation.script.runInContext(validation.context, { timeout: VALIDATION_TIMEOUT_MS }) === true;
  } catch {
    return false;
  }
}
