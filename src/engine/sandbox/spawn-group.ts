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
}

/** `pipeFds`: more pipes, opened as these fds of the child (read them as `child.stdio[fd]`); other fds stay closed. */
export function spawnGroup(command: string, args: readonly string[], spec: SandboxSpec, pipeFds: readonly number[] = []): SpawnedGroup {
  const more = Array.from({ length: Math.max(spec.channelFd ? 4 : 3, ...pipeFds.map((fd) => fd + 1)) - 3 }, (_, i): "pipe" | "ignore" =>
    (i === 0 && spec.channelFd) || pipeFds.includes(i + 3) ? "pipe" : "ignore");
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: ["pipe", "pipe", "pipe", ...more],
    detached: true,
  }) as ChildProcessByStdio<Writable, Readable, Readable>;
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
  };
}
