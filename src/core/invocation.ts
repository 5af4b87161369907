/** The invocation record: written once when an invocation ends; logs, metrics and billing read it. */

/** How an invocation ended. */
export type InvocationStatus = "success" | "error" | "timeout" | "crashed" | "throttled";

export interface InvocationRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly version: string;
  /** Epoch ms when Unkai accepted the request. */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  /** Set on cold starts: how long the environment's init took. */
  readonly initDurationMs: number | undefined;
  readonly coldStart: boolean;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly status: InvocationStatus;
  readonly errorType: string | undefined;
  readonly logStream: string | undefined;
  /**
   * Set where the version has provisioned concurrency: true when a provisioned environment ran it,
   * false when it spilled over to an on-demand one (not stored; for the metrics).
   */
  readonly provisioned?: boolean | undefined;
}

/** Lambda bills duration rounded up to the next millisecond. */
export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}
