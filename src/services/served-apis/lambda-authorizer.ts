/**
 * Lambda authorizers as API Gateway runs them, for HTTP APIs (http-api-authorizer.ts) and REST APIs
 * (rest-api-authorizer.ts), which build the identity and the event and word the refusals: identity
 * sources missing → unauthorized without a call; otherwise the authorizer function's answer — a
 * simple `isAuthorized`, or an IAM policy evaluated for the route's or method's ARN — allows the
 * request (its `context` then reaches the integration) or refuses it. An authorizer that fails,
 * times out or answers something else has failed. With a TTL an answer is kept per authorizer and
 * identity values and reused, as API Gateway's cache does (a policy is evaluated again per ARN).
 */
import { compilePattern, matchPattern } from "../../core/iam-policy/patterns.js";
import type { ContextValue } from "../../core/iam-policy/types.js";
import { invokeBuffered, type IntegrationDeps } from "./integration.js";

/** How long API Gateway waits for a Lambda authorizer. */
const AUTHORIZER_TIMEOUT_MS = 10_000;
/** Answers kept at most, across every authorizer (the oldest goes first), and the largest kept (bigger ones serve their request only). */
const CACHE_ENTRIES = 10_000;
const CACHED_ANSWER_BYTES = 16 * 1024;
const NO_KEYS: ReadonlyMap<string, ContextValue> = new Map();

export interface AuthorizerSpec {
  /** The API and authorizer (`<apiId>/<authorizerId>`) and its function: the cache keeps answers per both. */
  readonly id: string;
  readonly functionArn: string;
  readonly ttlSeconds: number;
  /** Answers `isAuthorized` instead of an IAM policy (HTTP APIs' simple responses). */
  readonly simple: boolean;
  /** A function error whose message is "Unauthorized" means 401 (REST APIs' authorizers). */
  readonly unauthorizedError: boolean;
}

/** Why a request was refused: no identity, or the authorizer said so; denied = an explicit Deny. */
export type Refusal = "unauthorized" | "forbidden" | "denied" | "failed";

export type AuthorizerVerdict =
  | {
    readonly kind: "allow";
    readonly context: Record<string, unknown>;
    readonly principalId: string | undefined;
    /** A REST authorizer's `usageIdentifierKey`: the API key of an API whose apiKeySource is AUTHORIZER. */
    readonly usageIdentifierKey?: string | undefined;
  }
  | { readonly kind: "refuse"; readonly refusal: Refusal; readonly error: string };

export interface AuthorizerCall {
  /** The identity sources' values in order; undefined when one is missing (unauthorized). */
  readonly identity: readonly string[] | undefined;
  /** The event the authorizer function gets. */
  readonly event: () => Record<string, unknown>;
  /** The ARN an IAM policy answer must allow (`arn:aws:execute-api:…/<stage>/<METHOD>/<path>`). */
  readonly resourceArn: string;
  /**
   * A REST API's resource policy explicitly allows the call: an IAM policy answer silent on it then lets it
   * through (AWS's "Table A": either may allow in the same account); its Deny still refuses.
   */
  readonly resourcePolicyAllows?: boolean;
  readonly traceId: string | undefined;
}

interface Answer {
  readonly payload: Record<string, unknown>;
  readonly expiresAt: number;
}

type Called = { readonly payload: Record<string, unknown>; readonly bytes: number } | { readonly refusal: Refusal; readonly error: string };

const refuse = (refusal: Refusal, error: string): AuthorizerVerdict => ({ kind: "refuse", refusal, error });

export class LambdaAuthorizers {
  private readonly answers = new Map<string, Answer>();

  constructor(private readonly deps: IntegrationDeps) {}

  async authorize(spec: AuthorizerSpec, call: AuthorizerCall): Promise<AuthorizerVerdict> {
    if (call.identity === undefined) return refuse("unauthorized", "identity source missing");
    // JSON keeps the values apart: no two identities share a key, whatever characters they hold.
    const cacheKey = spec.ttlSeconds > 0 && call.identity.length > 0 ? JSON.stringify([spec.id, spec.functionArn, call.identity]) : undefined;
    let payload = cacheKey === undefined ? undefined : this.cached(cacheKey);
    if (payload === undefined) {
      const called = await this.call(spec, call);
      if ("refusal" in called) return refuse(called.refusal, called.error);
      payload = called.payload;
      if (cacheKey !== undefined && called.bytes <= CACHED_ANSWER_BYTES) this.keep(cacheKey, payload, spec.ttlSeconds);
    }
    return verdictOf(spec, payload, call);
  }

  private async call(spec: AuthorizerSpec, call: AuthorizerCall): Promise<Called> {
    const event = Buffer.from(JSON.stringify(call.event()));
    const outcome = await invokeBuffered(this.deps, { function: spec.functionArn, qualifier: undefined, timeoutMs: AUTHORIZER_TIMEOUT_MS, traceId: call.traceId }, event);
    if (outcome.kind === "function-error" && spec.unauthorizedError && errorMessageOf(outcome.payload) === "Unauthorized") {
      return { refusal: "unauthorized", error: "the authorizer answered Unauthorized" };
    }
    if (outcome.kind !== "response") return { refusal: "failed", error: `the authorizer ${outcome.kind === "timeout" ? "timed out" : outcome.kind === "throttled" ? "was throttled" : "failed"}` };
    try {
      const payload = JSON.parse(outcome.payload.toString("utf8")) as unknown;
      if (payload !== null && typeof payload === "object" && !Array.isArray(payload)) return { payload: payload as Record<string, unknown>, bytes: outcome.payload.length };
    } catch {
      // Not JSON: a malformed answer, below.
    }
    return { refusal: "failed", error: "the authorizer's response is not a JSON object" };
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

/** A function error's `errorMessage` (the JSON Lambda answers with when a handler throws). */
function errorMessageOf(payload: Buffer | undefined): string | undefined {
  try {
    const parsed = JSON.parse(payload?.toString("utf8") ?? "") as { errorMessage?: unknown };
    return typeof parsed.errorMessage === "string" ? parsed.errorMessage : undefined;
  } catch {
    return undefined;
  }
}

/** Allows or refuses by the authorizer's answer: a simple response, or an IAM policy for `resourceArn` (beside the resource policy's Allow). */
function verdictOf(spec: AuthorizerSpec, payload: Record<string, unknown>, { resourceArn, resourcePolicyAllows }: AuthorizerCall): AuthorizerVerdict {
  const context = payload.context !== null && typeof payload.context === "object" && !Array.isArray(payload.context) ? (payload.context as Record<string, unknown>) : {};
  if (spec.simple) {
    if (typeof payload.isAuthorized !== "boolean") return refuse("failed", "a simple response needs a boolean isAuthorized");
    return payload.isAuthorized ? { kind: "allow", context, principalId: undefined } : refuse("forbidden", "the authorizer refused the request");
  }
  const statements = policyStatements(payload.policyDocument);
  if (statements === undefined) return refuse("failed", "the authorizer's response has no valid policyDocument");
  const applies = statements.filter((s) => targets(s, resourceArn));
  if (applies.some((s) => s.Effect === "Deny")) return refuse("denied", "the authorizer's policy denies the request");
  if (!applies.some((s) => s.Effect === "Allow") && resourcePolicyAllows !== true) return refuse("forbidden", "the authorizer's policy does not allow the request");
  const usageIdentifierKey = typeof payload.usageIdentifierKey === "string" ? payload.usageIdentifierKey : undefined;
  return { kind: "allow", context, principalId: typeof payload.principalId === "string" ? payload.principalId : undefined, usageIdentifierKey };
}

interface Statement {
  readonly Effect: string;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

/**
 * Whether a statement of the authorizer's policy covers `execute-api:Invoke` on `resourceArn`, as IAM reads
 * it: Action or else NotAction (every action but those), Resource or else NotResource. A statement naming
 * neither form of one side covers nothing.
 */
function targets(statement: Statement, resourceArn: string): boolean {
  const action = "Action" in statement ? matchesAny(statement.Action, "execute-api:Invoke", "action")
    : "NotAction" in statement && !matchesAny(statement.NotAction, "execute-api:Invoke", "action");
  const resource = "Resource" in statement ? matchesAny(statement.Resource, resourceArn, "resource")
    : "NotResource" in statement && !matchesAny(statement.NotResource, resourceArn, "resource");
  return action && resource;
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
 * Whether a policy's Action or Resource (a string or a list) matches `value`, with IAM's wildcards
 * (src/core/iam-policy/patterns.ts): actions ignoring case, resources as ARNs.
 */
function matchesAny(patterns: unknown, value: string, kind: "action" | "resource"): boolean {
  const list = typeof patterns === "string" ? [patterns] : Array.isArray(patterns) ? patterns.filter((p): p is string => typeof p === "string") : [];
  const options = kind === "action" ? { wildcards: "string" as const, ignoreCase: true } : { wildcards: "arn" as const };
  return list.some((source) => matchPattern(compilePattern(source, options), value, NO_KEYS));
}
