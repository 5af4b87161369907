/**
 * The sandbox driver seam: how an execution environment's process is started, measured and killed.
 * `process` (plain OS processes) exists today; a `linux` driver (bubblewrap + cgroups) plugs in here.
 */
import type { Duplex, Readable, Writable } from "node:stream";

/** The directories an environment is made of: on the host, or as the function sees them. */
export interface SandboxPaths {
  /** The function's code (Lambda: /var/task). */
  readonly taskRoot: string;
  /** Its layers merged (Lambda: /opt), if any. */
  readonly optDir: string | undefined;
  /** Its scratch space (Lambda: /tmp). */
  readonly tmpDir: string;
  /** Unkai's bootstraps (Lambda: /var/runtime). */
  readonly runtimeDir: string;
  /** The AWS SDK for JavaScript's packages (Lambda: /var/runtime/node_modules). */
  readonly sdkModules?: string | undefined;
}

export interface SandboxSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly memoryMb: number;
  /** Writable scratch directory that is this environment's /tmp. */
  readonly tmpDir: string;
  /** Open a bidirectional pipe as the process's fd 3 (the framed runtime channel). */
  readonly channelFd: boolean;
  /** Where the environment's directories are on the host (a driver may mount them elsewhere). */
  readonly host?: SandboxPaths | undefined;
  /** Size of the environment's /tmp (EphemeralStorage). */
  readonly ephemeralMb?: number | undefined;
  /** The HTTP Runtime API's Unix socket, for a driver with `runtimeApiAddress` to relay to. */
  readonly runtimeApiSocket?: string | undefined;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface MemoryUsage {
  readonly currentMb: number;
  readonly peakMb: number;
}

/** One running sandbox: a process tree Unkai can talk to, measure and kill. */
export interface Sandbox {
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The host end of fd 3, when the spec asked for it. */
  readonly channel: Duplex | undefined;
  /** Settles once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  readonly hasExited: boolean;
  /** Current and peak RSS; a reading up to `maxAgeMs` old may be reused (reading /proc costs). */
  memory(maxAgeMs?: number): MemoryUsage;
  /** Peak memory in MB, read once as an invocation ends (REPORT's Max Memory Used): the cheapest exact reading a driver has. */
  peakMemoryMb(): number;
  /** SIGTERM, then SIGKILL after `graceMs`, to the whole process tree. Idempotent. */
  kill(graceMs: number): Promise<ExitInfo>;
  /** True when the kernel killed it for exceeding its memory limit (drivers that enforce one). */
  oomKilled?(): boolean;
  /**
   * The kernel holds the sandbox to its memory limit (a cgroup's): its usage cannot pass the limit, so
   * an invocation needs no polling for it; crossing it is an OOM kill (`oomKilled`).
   */
  readonly enforcesMemory?: boolean;
  /** For a pre-started sandbox: put the function's code (and layers) in place and apply its limits. */
  prepare?(fn: { codeDir: string; optDir: string | undefined; memoryMb: number }): Promise<void>;
}

/** Maps a host path inside one of the environment's directories to where the function sees it. */
export function seePath(path: string, host: SandboxPaths, seen: SandboxPaths): string {
  for (const key of ["taskRoot", "runtimeDir", "optDir", "tmpDir"] as const) {
    const from = host[key];
    const to = seen[key];
    if (from && to && (path === from || path.startsWith(`${from}/`))) return to + path.slice(from.length);
  }
  return path;
}

export interface SandboxDriver {
  readonly name: string;
  /** Why this driver was chosen, printed at start. */
  readonly description: string;
  /** Whether a process can be started before its function is known (the pre-start pool). */
  readonly supportsPrestart: boolean;
  /** The paths a function sees for these host paths. */
  seenAs(host: SandboxPaths): SandboxPaths;
  /**
   * Set when each environment has a network of its own: the runtime reaches its HTTP Runtime API at
   * this address (`127.0.0.1:9001`), which the driver relays to `SandboxSpec.runtimeApiSocket`.
   * Unset: the Runtime API listens on the host's loopback (no network isolation).
   */
  readonly runtimeApiAddress?: string | undefined;
  spawn(spec: SandboxSpec): Sandbox;
}

/** Maps an exit to the words Lambda uses: `exit status 1`, `signal: killed`. */
export function describeExit(exit: ExitInfo): string {
  if (exit.signal) return `signal: ${SIGNAL_WORDS[exit.signal] ?? exit.signal.toLowerCase()}`;
  return `exit status ${exit.code ?? 0}`;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGSEGV: "segmentation fault",
  SIGABRT: "aborted",
  SIGINT: "interrupt",
  SIGBUS: "bus error",
  SIGILL: "illegal instruction",
  SIGFPE: "floating point exception",
};
