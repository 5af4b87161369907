/** A served API's one call into the engine: the synchronous Invoker path, bounded by the integration timeout. */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { parseFunctionRef } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { InvokeRequest, Invoker } from "../../engine/invoker.js";
import { headerValue } from "../../api-mapping/request-parts.js";
import type { UnkaiResponse } from "../../protocol/http.js";
import { NoHttpResponse, streamedHttpResponse } from "../../protocol/http-integration-response.js";
import type { FunctionRegistry } from "../../functions/registry.js";

export type IntegrationOutcome =
  | { readonly kind: "response"; readonly payload: Buffer }
  | { readonly kind: "function-error"; readonly payload?: Buffer | undefined }
  | { readonly kind: "throttled" }
  | { readonly kind: "timeout" };

export interface IntegrationDeps {
  readonly functions: FunctionRegistry;
  readonly invoker: Invoker;
  readonly logger: Logger;
}

export interface IntegrationTarget {
  /** A function name or ARN (qualified or not). */
  readonly function: string;
  /** A qualifier that applies when `function` carries none (a Function URL's alias). */
  readonly qualifier: string | undefined;
  readonly timeoutMs: number;
  readonly traceId: string | undefined;
}

/**
 * Invokes and buffers the whole response. At the integration timeout the client gets its 504
 * while the function runs on to its own timeout, as on AWS.
 */
export async function invokeBuffered(deps: IntegrationDeps, target: IntegrationTarget, event: Buffer): Promise<IntegrationOutcome> {
  let invocation: Promise<IntegrationOutcome>;
  try {
    invocation = deps.invoker.invoke(await invokeRequest(deps, target, event)).then(
      (result): IntegrationOutcome => (result.functionError ? { kind: "function-error", payload: result.payload } : { kind: "response", payload: result.payload }),
      (error: unknown) => failed(deps.logger, target, error),
    );
  } catch (error) {
    return failed(deps.logger, target, error);
  }
  return withinTimeout(invocation, target.timeoutMs);
}

/** An API integration's call (its function, its timeout, the request's trace header) and how long it took, for the access log. */
export async function invokeIntegration(deps: IntegrationDeps, fn: string, timeoutMs: number, rawHeaders: readonly string[], event: Buffer): Promise<{ outcome: IntegrationOutcome; latency: number }> {
  const started = Date.now();
  const outcome = await invokeBuffered(deps, { function: fn, qualifier: undefined, timeoutMs, traceId: headerValue(rawHeaders, "x-amzn-trace-id") }, event);
  return { outcome, latency: Date.now() - started };
}

export type StreamedOutcome = Exclude<IntegrationOutcome, { kind: "response" }> | { readonly kind: "response"; readonly response: UnkaiResponse };

/**
 * Invokes a RESPONSE_STREAM Function URL: the HTTP prelude (status, headers, cookies) must arrive
 * within the timeout; the body then streams to the client as the function writes it, for as long
 * as the function's own timeout allows.
 */
export async function invokeStreamed(deps: IntegrationDeps, target: IntegrationTarget, event: Buffer): Promise<StreamedOutcome> {
  let invocation: Promise<StreamedOutcome>;
  try {
    invocation = deps.invoker.invokeStream(await invokeRequest(deps, target, event))
      .then(streamedHttpResponse)
      .then(
        (response): StreamedOutcome => ({ kind: "response", response }),
        (error: unknown) => (error instanceof NoHttpResponse ? { kind: "function-error" } : failed(deps.logger, target, error)),
      );
  } catch (error) {
    return failed(deps.logger, target, error);
  }
  return withinTimeout(invocation, target.timeoutMs);
}

async function invokeRequest(deps: IntegrationDeps, target: IntegrationTarget, event: Buffer): Promise<InvokeRequest> {
  const ref = parseFunctionRef(target.function, undefined, deps.functions.account);
  const qualifier = ref.qualifier ?? target.qualifier;
  const record = await deps.functions.resolve(ref.name, qualifier);
  return {
    fn: deps.functions.runnable(record),
    requestId: randomUUID(),
    payload: event,
    invokedArn: deps.functions.arn(ref.name, qualifier),
    clientContext: undefined,
    traceId: target.traceId,
    wantLogTail: false,
  };
}

async function withinTimeout<T>(invocation: Promise<T>, timeoutMs: number): Promise<T | { kind: "timeout" }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ kind: "timeout" }>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs);
  });
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function failed(logger: Logger, target: IntegrationTarget, error: unknown): { kind: "throttled" } | { kind: "function-error" } {
  if (error instanceof UnkaiError && error.code === "TooManyRequestsException") return { kind: "throttled" };
  if (!(error instanceof UnkaiError)) logger.error({ err: error, fn: target.function }, "gateway integration failed");
  return { kind: "function-error" };
}
