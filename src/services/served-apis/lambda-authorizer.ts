/**
 * An HTTP API route's Lambda (REQUEST) authorizer, as API Gateway runs it: the identity sources must
 * all be present (else 401 without a call), the authorizer function gets the request in its payload
 * format (1.0 or 2.0), and its answer — a simple `isAuthorized`, or an IAM policy evaluated for the
 * route's ARN — allows the request (its `context` then reaches the integration) or refuses it (403).
 * An authorizer that fails, times out or answers something else is a 500. With a TTL the answer is
 * kept per identity-source values and reused, as API Gateway's cache does.
 */
import type { HttpAuthorizer } from "../../core/api-definitions.js";
import { functionArnOfIntegration } from "../../core/api-definitions.js";
import { payloadV1, payloadV2, type EventContext } from "../../api-mapping/events.js";
import { headerValue, isTextContentType, queryPairs, type ServedRequest } from "../../api-mapping/request-parts.js";
import type { HttpResult } from "../../api-mapping/responses.js";
import { compilePattern, matchPattern } from "../../core/iam-policy/patterns.js";
import type { ContextValue } from "../../core/iam-policy/types.js";
import { invokeBuffered, type IntegrationDeps } from "./integration.js";

const NO_KEYS: ReadonlyMap<string, ContextValue> = new Map();

/** How long API Gateway waits for a Lambda authorizer. */
const AUTHORIZER_TIMEOUT_MS = 10_000;
/** Answers kept at most, across every authorizer (the oldest goes first), and the largest kept (bigger ones serve their request only). */
const CACHE_ENTRIES = 10_000;
const CACHED_ANSWER_BYTES = 16 * 1024;

export type AuthorizerVerdict =
  | { readonly kind: "allow"; readonly context: Record<string, unknown>; readonly principalId: string | undefined }
  | { readonly kind: "refuse"; readonly result: HttpResult; readonly error: string };

interface Answer {
  readonly payload: Record<string, unknown>;
  readonly expiresAt: number;
}

const refuse = (status: number, message: string, error: string): AuthorizerVerdict => ({
  kind: "refuse", error, result: { status, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ message })) },
});
const UNAUTHORIZED = () => refuse(401, "Unauthorized", "identity source missing");
const FORBIDDEN = () => refuse(403, "Forbidden", "authorizer denied the request");
const FAILED = (why: string) => refuse(500, "Internal Server Error", why);

export interface AuthorizedRequest {
  readonly request: ServedRequest;
  readonly context: EventContext;
  /** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`. */
  readonly routeArn: string;
}

export class LambdaAuthorizers {
  private readonly answers = new Map<string, Answer>();

  constructor(private readonly deps: IntegrationDeps) {}

  async authorize(authorizer: HttpAuthorizer, call: AuthorizedRequest): Promise<AuthorizerVerdict> {
    const identity = identityValues(authorizer, call);
    if (identity === undefined) return UNAUTHORIZED();
    // JSON keeps the values apart: no two identities share a key, whatever characters they hold.
    const cacheKey = authorizer.resultTtlSeconds > 0 ? JSON.stringify([authorizer.authorizerId, authorizer.authorizerUri, identity]) : undefined;
    let payload = cacheKey === undefined ? undefined : this.cached(cacheKey);
    if (payload === undefined) {
      const answered = await this.call(authorizer, call, identity);
      if ("error" in answered) return FAILED(answered.error);
      payload = answered.payload;
      if (cacheKey !== undefined && answered.bytes <= CACHED_ANSWER_BYTES) this.keep(cacheKey, payload, authorizer.resultTtlSeconds);
    }
    return verdictOf(authorizer, payload, call.routeArn);
  }

  private async call(authorizer: HttpAuthorizer, call: AuthorizedRequest, identity: readonly string[]): Promise<{ payload: Record<string, unknown>; bytes: number } | { error: string }> {
    const fn = functionArnOfIntegration(authorizer.authorizerUri);
    if (!fn) return { error: "the authorizer URI names no function" };
    const event = Buffer.from(JSON.stringify(authorizerEvent(authorizer, call, identity)));
    const outcome = await invokeBuffered(this.deps, { function: fn, qualifier: undefined, timeoutMs: AUTHORIZER_TIMEOUT_MS, traceId: headerValue(call.request.rawHeaders, "x-amzn-trace-id") }, event);
    if (outcome.kind !== "response") return { error: `the authorizer ${outcome.kind === "timeout" ? "timed out" : outcome.kind === "throttled" ? "was throttled" : "failed"}` };
    try {
      const payload = JSON.parse(outcome.payload.toString("utf8")) as unknown;
      if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) return { payload: payload as Record<string, unknown>, bytes: outcome.payload.length };
    } catch {
      // Not JSON: a malformed answer, below.
    }
    return { error: "the authorizer's response is not a JSON object" };
  }

  private cached(key: string): Record<string, unknown> | undefined {
    const answer = this.answers.get(key);
    if (answer === undefined) return undefined;
    if (answer.expiresAt > Date.now()) return answer.payload;
    this.answers.delete(key);
    return undefined;
  }

  private keep(key: string, payload: Record<string, unknown>, ttlSeconds: number): void {
    if (this.answers.size >= CACHE_ENTRIES) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(key, { payload, expiresAt: Date.now() + ttlSeconds * 1000 });
  }
}

/** The identity sources' values, in order; undefined when one is missing or empty (a 401). */
function identityValues(authorizer: HttpAuthorizer, call: AuthorizedRequest): string[] | undefined {
  const values: string[] = [];
  for (const source of authorizer.identitySource) {
    const value = sourceValue(source, call);
    if (value === undefined || value === "") return undefined;
    values.push(value);
  }
  return values;
}

function sourceValue(source: string, { request, context }: AuthorizedRequest): string | undefined {
  const [, kind, name = ""] = /^\$(request\.header|request\.querystring|context|stageVariables)\.(.+)$/.exec(source) ?? [];
  if (kind === "request.header") return headerValue(request.rawHeaders, name.toLowerCase());
  if (kind === "request.querystring") return queryPairs(request.rawQuery).find(([key]) => key === name)?.[1];
  if (kind === "stageVariables") return context.stageVariables?.[name];
  if (kind === "context") {
    const variables: Record<string, string> = {
      apiId: context.apiId, routeKey: context.routeKey, stage: context.stage, requestId: request.requestId,
      httpMethod: request.method, path: request.path, "identity.sourceIp": request.sourceIp,
    };
    return variables[name];
  }
  return undefined;
}

/** The event the authorizer function gets: the request in the authorizer's payload format, without its body. */
function authorizerEvent(authorizer: HttpAuthorizer, call: AuthorizedRequest, identity: readonly string[]): Record<string, unknown> {
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

/** Allows or refuses by the authorizer's answer: a simple response, or an IAM policy for the route's ARN. */
function verdictOf(authorizer: HttpAuthorizer, payload: Record<string, unknown>, routeArn: string): AuthorizerVerdict {
  const context = payload.context !== null && typeof payload.context === "object" && !Array.isArray(payload.context) ? (payload.context as Record<string, unknown>) : {};
  if (authorizer.enableSimpleResponses) {
    if (typeof payload.isAuthorized !== "boolean") return FAILED("a simple response needs a boolean isAuthorized");
    return payload.isAuthorized ? { kind: "allow", context, principalId: undefined } : FORBIDDEN();
  }
  const statements = policyStatements(payload.policyDocument);
  if (statements === undefined) return FAILED("the authorizer's response has no valid policyDocument");
  const applies = statements.filter((s) => matchesAny(s.Action, ["execute-api:Invoke"], "action") && matchesAny(s.Resource, [routeArn], "resource"));
  if (applies.some((s) => s.Effect === "Deny") || !applies.some((s) => s.Effect === "Allow")) return FORBIDDEN();
  return { kind: "allow", context, principalId: typeof payload.principalId === "string" ? payload.principalId : undefined };
}

interface Statement {
  readonly Effect: string;
  readonly Action: unknown;
  readonly Resource: unknown;
}

function policyStatements(document: unknown): Statement[] | undefined {
  if (document === null || typeof document !== "object") return undefined;
  const raw = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw];
  if (list === undefined) return undefined;
  const statements: Statement[] = [];
  for (const item of list) {
    if (item === null || typeof item !== "object") return undefined;
    const statement = item as Statement;
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny") return undefined;
    statements.push(statement);
  }
  return statements;
}

/**
 * Whether a policy's Action or Resource (a string or a list) matches one of `values`, with IAM's
 * wildcards (src/core/iam-policy/patterns.ts): actions ignoring case, resources as ARNs.
 */
function matchesAny(patterns: unknown, values: readonly string[], kind: "action" | "resource"): boolean {
  const list = typeof patterns === "string" ? [patterns] : Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === "string") : [];
  const options = kind === "action" ? { wildcards: "string" as const, ignoreCase: true } : { wildcards: "arn" as const };
  return list.some((source) => {
    const pattern = compilePattern(source, options);
    return values.some((value) => matchPattern(pattern, value, NO_KEYS));
  });
}
