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
  /** Set where the version has provisioned concurrency (not stored; for AWS/Lambda's metrics). */
  readonly provisioned?: ProvisionedUse | undefined;
}

/** How an invocation of a version with provisioned concurrency ran, as it began. */
export interface ProvisionedUse {
  /** A provisioned environment ran it (else it spilled over to an on-demand one). */
  readonly onProvisioned: boolean;
  /** The version's provisioned environments busy then, itself included when it ran on one. */
  readonly busy: number;
  /** The version's provisioned environments allocated then. */
  readonly allocated: number;
}

/** Lambda bills duration rounded up to the next millisecond. */
export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}
