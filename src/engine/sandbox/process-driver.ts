/**
 * Plain-process sandboxes: one detached process group per environment, memory read from /proc.
 * No filesystem or PID isolation: only for hosts without namespaces and cgroups (Kumo says so at start).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Duplex } from "node:stream";
import type { ExitInfo, MemoryUsage, Sandbox, SandboxDriver, SandboxSpec } from "./driver.js";

export function processDriver(): SandboxDriver {
  return {
    name: "process",
    description: "plain processes: no filesystem, PID or network isolation; memory is watched, not enforced by the kernel",
    supportsPrestart: true,
    seenAs: (host) => host,
    spawn: spawnProcess,
  };
}

function spawnProcess(spec: SandboxSpec): Sandbox {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: spec.channelFd ? ["pipe", "pipe", "pipe", "pipe"] : ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.once("error", () => {
      exitInfo ??= { code: 127, signal: null };
      resolve(exitInfo);
    });
  });
  // A pipe closed by a dead child must not crash Kumo.
  child.stdin.on("error", () => undefined);
  const pid = child.pid ?? -1;
  let last: MemoryUsage = { currentMb: 0, peakMb: 0 };
  let lastReadAt = -Infinity;

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };

  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    channel: spec.channelFd ? (child.stdio[3] as Duplex) : undefined,
    exited,
    get hasExited() {
      return exitInfo !== undefined;
    },
    memory(maxAgeMs = 0): MemoryUsage {
      const now = performance.now();
      if (now - lastReadAt <= maxAgeMs) return last;
      const usage = readProcMemory(pid);
      last = { currentMb: usage.currentMb, peakMb: Math.max(last.peakMb, usage.peakMb) };
      lastReadAt = now;
      return last;
    },
    async kill(graceMs) {
      if (exitInfo) {
        signalGroup("SIGKILL"); // children that outlived the leader
        return exitInfo;
      }
      signalGroup(graceMs > 0 ? "SIGTERM" : "SIGKILL");
      const timer = graceMs > 0 ? setTimeout(() => signalGroup("SIGKILL"), graceMs) : undefined;
      const info = await exited;
      if (timer) clearTimeout(timer);
      signalGroup("SIGKILL");
      return info;
    },
  };
}

/** Reads VmRSS and VmHWM (peak) of a process in MB; zeros when it is gone. */
export function readProcMemory(pid: number): MemoryUsage {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    return { currentMb: kbField(status, "VmRSS:") / 1024, peakMb: kbField(status, "VmHWM:") / 1024 };
  } catch {
    return { currentMb: 0, peakMb: 0 };
  }
}

function kbField(status: string, name: string): number {
  const at = status.indexOf(name);
  if (at < 0) return 0;
  return Number.parseInt(status.slice(at + name.length).trimStart(), 10) || 0;
}
