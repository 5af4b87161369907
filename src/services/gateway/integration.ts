/** The gateway's one call into the engine: the synchronous Invoker path, bounded by the integration timeout. */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { parseFunctionRef } from "../../core/arn.js";
import { KumoError } from "../../core/errors.js";
import type { Invoker } from "../../engine/invoker.js";
import type { FunctionService } from "../lambda/function-service.js";

export type IntegrationOutcome =
  | { readonly kind: "response"; readonly payload: Buffer }
  | { readonly kind: "function-error" }
  | { readonly kind: "throttled" }
  | { readonly kind: "timeout" };

export interface IntegrationDeps {
  readonly functions: FunctionService;
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
 * Invokes and buffers the whole response. Function URLs in RESPONSE_STREAM mode are served here
 * too for now; a streaming invoke slots in beside this function. At the integration timeout the
 * client gets its 504 while the function runs on to its own timeout, as on AWS.
 */
export async function invokeBuffered(deps: IntegrationDeps, target: IntegrationTarget, event: Buffer): Promise<IntegrationOutcome> {
  let invocation: Promise<IntegrationOutcome>;
  try {
    const ref = parseFunctionRef(target.function, undefined, deps.functions.account);
    const qualifier = ref.qualifier ?? target.qualifier;
    const record = deps.functions.resolve(ref.name, qualifier);
    invocation = deps.invoker.invoke({
      fn: deps.functions.runnable(record),
      requestId: randomUUID(),
      payload: event,
      invokedArn: deps.functions.arn(ref.name, qualifier),
      clientContext: undefined,
      traceId: target.traceId,
      wantLogTail: false,
    }).then(
      (result): IntegrationOutcome => (result.functionError ? { kind: "function-error" } : { kind: "response", payload: result.payload }),
      (error: unknown) => failed(deps.logger, target, error),
    );
  } catch (error) {
    return failed(deps.logger, target, error);
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<IntegrationOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timeout" }), target.timeoutMs);
  });
  try {
    return await Promise.race([invocation, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function failed(logger: Logger, target: IntegrationTarget, error: unknown): IntegrationOutcome {
  if (error instanceof KumoError && error.code === "TooManyRequestsException") return { kind: "throttled" };
  if (!(error instanceof KumoError)) logger.error({ err: error, fn: target.function }, "gateway integration failed");
  return { kind: "function-error" };
}
