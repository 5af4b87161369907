/**
 * Plain-process sandboxes: one detached process group per environment, memory read from /proc.
 * No filesystem or PID isolation: only for hosts without namespaces and cgroups (Unkai says so at start).
 */
import { readFileSync } from "node:fs";
import type { MemoryUsage, Sandbox, SandboxDriver, SandboxSpec } from "./driver.js";
import { spawnGroup } from "./spawn-group.js";

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
  const { child, pid, channel, exited, exitInfo } = spawnGroup(spec.command, spec.args, spec);
  let last: MemoryUsage = { currentMb: 0, peakMb: 0 };
  let lastReadAt = -Infinity;

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };

  function memory(maxAgeMs = 0): MemoryUsage {
    const now = performance.now();
    if (now - lastReadAt <= maxAgeMs) return last;
    const usage = readProcMemory(pid);
    last = { currentMb: usage.currentMb, peakMb: Math.max(last.peakMb, usage.peakMb) };
    lastReadAt = now;
    return last;
  }

  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    channel,
    exited,
    get hasExited() {
      return exitInfo() !== undefined;
    },
    memory,
    // VmHWM, reused for 100 ms: under load /proc reads were a visible share of CPU.
    peakMemoryMb: () => memory(100).peakMb,
    async kill(graceMs) {
      const done = exitInfo();
      if (done) {
        signalGroup("SIGKILL"); // children that outlived the leader
        return done;
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
