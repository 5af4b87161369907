/** What the engine needs to run one version of a function. */
import type { FunctionConfig } from "../core/function.js";

export interface FunctionVersion {
  readonly name: string;
  readonly arn: string;
  readonly version: string;
  readonly config: FunctionConfig;
  readonly codeSha256: string;
  /** Read-only directory with the unpacked code. */
  readonly codeDir: string;
  /** The function's layers merged in order (what Lambda mounts at /opt), when it has layers. */
  readonly optDir?: string | undefined;
  readonly revisionId: string;
}

/** Environments are shared only by invocations of exactly the same code and configuration. */
export function environmentKey(fn: FunctionVersion): string {
  return `${fn.name}\0${fn.version}\0${fn.revisionId}`;
}
