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
 * `pipeFds`: more pipes at these fixed fds (read them as `child.stdio[fd]`); any fd in between stays closed.
 */
export function spawnGroup(command: string, args: readonly string[], spec: SandboxSpec, inputs: readonly Buffer[] = [], outputs = 0, pipeFds: readonly number[] = []): SpawnedGroup {
  const firstExtra = spec.channelFd ? 4 : 3;
  const extraEnd = firstExtra + inputs.length + outputs;
  if (pipeFds.some((fd) => fd < extraEnd)) throw new Error(`fixed pipe fds ${pipeFds.join(", ")} overlap the sandbox's fds below ${extraEnd}`);
  const stdio = Array.from({ length: Math.max(extraEnd, ...pipeFds.map((fd) => fd + 1)) }, (_, fd): "pipe" | "ignore" =>
    fd < extraEnd || pipeFds.includes(fd) ? "pipe" : "ignore");
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio,
    detached: true,
  }) as ChildProcessByStdio<Writable, Readable, Readable>;
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
