/** Lambda's platform log lines (Text format) and the function-error bodies Lambda itself produces. */
import { LIMITS } from "../core/limits.js";
import type { LogEvent } from "../store/ports.js";
import { describeExit } from "./sandbox/driver.js";
import type { InitFailure, InvokeOutcome } from "./environment.js";

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs: number | undefined;
  /** `timeout` or `error`, for invocations after which the environment was reset. */
  readonly status: string | undefined;
  readonly errorType: string | undefined;
}

export function reportLine(r: ReportFields): string {
  let line = `REPORT RequestId: ${r.requestId}\tDuration: ${r.durationMs.toFixed(2)} ms\tBilled Duration: ${r.billedDurationMs} ms\tMemory Size: ${r.memorySizeMb} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t`;
  if (r.initDurationMs !== undefined) line += `Init Duration: ${r.initDurationMs.toFixed(2)} ms\t`;
  if (r.status) line += `Status: ${r.status}\t`;
  if (r.errorType) line += `Error Type: ${r.errorType}\t`;
  return line;
}

export function initReportLine(initDurationMs: number, status: string, errorType: string | undefined): string {
  return `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}\t${errorType ? `Error Type: ${errorType}\t` : ""}`;
}

export function droppedLine(droppedBytes: number): string {
  return `[unkai] ${droppedBytes} bytes of log output were dropped: the limit is ${LIMITS.logBytesPerInvocation} bytes per invocation.`;
}

/** The one line kept instead of a function's output while the data directory is low on space. */
export function lowDiskLine(dropped: readonly LogEvent[], shortfall: string): string {
  const bytes = dropped.reduce((sum, event) => sum + Buffer.byteLength(event.message) + 1, 0);
  return `[unkai] ${dropped.length} log lines (${bytes} bytes) of this invocation were dropped: ${shortfall}`;
}

/** The caller-visible result of an outcome: payload, whether it is a function error, and its type. */
export interface FunctionResult {
  readonly payload: Buffer;
  readonly failed: boolean;
  readonly errorType: string | undefined;
  /** Set when the environment was reset: `timeout` or `error`. */
  readonly resetStatus: "timeout" | "error" | undefined;
}

function lambdaError(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

export function functionResult(outcome: InvokeOutcome, requestId: string, timeoutSeconds: number): FunctionResult {
  switch (outcome.kind) {
    case "response":
      return { payload: outcome.body, failed: false, errorType: undefined, resetStatus: undefined };
    case "error":
      return { payload: outcome.body, failed: true, errorType: outcome.errorType ?? errorTypeOf(outcome.body), resetStatus: undefined };
    case "streamed":
      if (!outcome.error) return { payload: Buffer.alloc(0), failed: false, errorType: undefined, resetStatus: undefined };
      return { payload: outcome.error.body, failed: true, errorType: outcome.error.errorType ?? errorTypeOf(outcome.error.body), resetStatus: undefined };
    case "too-large":
      return {
        payload: Buffer.from(JSON.stringify({
          errorMessage: `Response payload size exceeded maximum allowed payload size (${outcome.limitBytes} bytes).`,
          errorType: "Function.ResponseSizeTooLarge",
        })),
        failed: true,
        errorType: "Function.ResponseSizeTooLarge",
        resetStatus: "error",
      };
    case "timeout":
      return {
        payload: lambdaError("Sandbox.Timedout", `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`),
        failed: true,
        errorType: "Sandbox.Timedout",
        resetStatus: "timeout",
      };
    case "oom":
      return {
        payload: lambdaError("Runtime.ExitError", `RequestId: ${requestId} Error: Runtime exited with error: signal: killed (out of memory: the environment used more than its ${outcome.limitMb} MB)`),
        failed: true,
        errorType: "Runtime.OutOfMemory",
        resetStatus: "error",
      };
    case "exit":
      return {
        payload: lambdaError("Runtime.ExitError", `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(outcome.exit)}`),
        failed: true,
        errorType: "Runtime.ExitError",
        resetStatus: "error",
      };
    case "init-failed":
      return initFailureResult(outcome.failure, requestId);
  }
}

function initFailureResult(failure: InitFailure, requestId: string): FunctionResult {
  switch (failure.kind) {
    case "init-error": {
      const errorType = failure.errorType ?? errorTypeOf(failure.body) ?? "Runtime.Unknown";
      return { payload: failure.body, failed: true, errorType, resetStatus: "error" };
    }
    case "exit":
      return {
        payload: lambdaError("Runtime.ExitError", `RequestId: ${requestId} Error: Runtime exited with error: ${describeExit(failure.exit)}`),
        failed: true,
        errorType: "Runtime.ExitError",
        resetStatus: "error",
      };
    case "init-timeout":
      return {
        payload: lambdaError("Sandbox.Timedout", `RequestId: ${requestId} Error: Init phase timed out after ${(failure.afterMs / 1000).toFixed(2)} seconds`),
        failed: true,
        errorType: "Sandbox.Timedout",
        resetStatus: "timeout",
      };
    case "no-entrypoint":
      return {
        payload: lambdaError("Runtime.InvalidEntrypoint", `RequestId: ${requestId} Error: ${failure.message}`),
        failed: true,
        errorType: "Runtime.InvalidEntrypoint",
        resetStatus: "error",
      };
  }
}

/** The `errorType` of a Lambda error body, when it has one. */
export function errorTypeOf(body: Buffer): string | undefined {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { errorType?: unknown };
    return typeof parsed.errorType === "string" ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

/** Base64 of the last 4 KB of an invocation's log, for X-Amz-Log-Result. */
export function logTail(events: readonly LogEvent[]): string {
  const text = Buffer.from(events.map((event) => `${event.message}\n`).join(""));
  return text.subarray(Math.max(0, text.length - LIMITS.logTailBytes)).toString("base64");
}
