/** Starts a sandbox's leading process in its own process group, with its exit tracked once. */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Duplex, Readable, Writable } from "node:stream";
import type { ExitInfo, SandboxSpec } from "./driver.js";

export interface SpawnedGroup {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly pid: number;
  readonly channel: Duplex | undefined;
  /** Settles once the process has exited (never rejects). */
  readonly exited: Promise<ExitInfo>;
  /** The exit, once it happened. */
  readonly exitInfo: () => ExitInfo | undefined;
  /** The pipes asked for with `outputs`. */
  readonly outputs: readonly Readable[];
}

/**
 * Extra fds after the channel (3, or 4 with a channel): first `inputs`, each written whole and
 * closed (data the process reads once at start: a seccomp filter), then `outputs` pipes Unkai reads.
 */
export function spawnGroup(command: string, args: readonly string[], spec: SandboxSpec, inputs: readonly Buffer[] = [], outputs = 0): SpawnedGroup {
  const channelStdio = spec.channelFd ? ["pipe" as const] : [];
  const extra = inputs.length + outputs;
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ["pipe", "pipe", "pipe", ...channelStdio, ...Array.from({ length: extra }, () => "pipe" as const)],
    detached: true,
  });
  const firstExtra = 3 + channelStdio.length;
  inputs.forEach((data, index) => {
    const pipe = child.stdio[firstExtra + index] as Writable | null;
    pipe?.on("error", () => undefined);
    pipe?.end(data);
  });
  let info: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      info = { code, signal };
      resolve(info);
    });
    child.once("error", () => {
      info ??= { code: 127, signal: null };
      resolve(info);
    });
  });
  // A pipe closed by a dead child must not crash Unkai.
  child.stdin.on("error", () => undefined);
  return {
    child,
    pid: child.pid ?? -1,
    channel: spec.channelFd ? (child.stdio[3] as Duplex) : undefined,
    exited,
    exitInfo: () => info,
    outputs: Array.from({ length: outputs }, (_, index) => child.stdio[firstExtra + inputs.length + index] as Readable),
  };
}
