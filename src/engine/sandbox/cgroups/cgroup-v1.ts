/**
 * cgroup v1: one hierarchy per controller (memory, pids, cpu), so an environment is three groups
 * with the same name, and a process joins all three.
 */
import { accessSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  HeldCounter, MB, MB_PER_VCPU, OWNER, PIDS_MAX, killPids, pidsIn, readText, removeDir, sweepStale, writeControl,
  type CgroupHost, type EnvironmentCgroup,
} from "./cgroup.js";

const CONTROLLERS = ["memory", "pids", "cpu"] as const;

/** Why v1 cannot be used under `mount`, or undefined when it can. */
export function v1UnavailableReason(mount: string): string | undefined {
  for (const controller of CONTROLLERS) {
    try {
      accessSync(join(mount, controller), constants.W_OK);
    } catch {
      return `the cgroup v1 ${controller} controller is not writable at ${join(mount, controller)}`;
    }
  }
  return undefined;
}

export function v1Host(mount: string): CgroupHost {
  const bases = Object.fromEntries(CONTROLLERS.map((c) => [c, join(mount, c, "unkai", OWNER)])) as Record<(typeof CONTROLLERS)[number], string>;
  for (const controller of CONTROLLERS) {
    mkdirSync(bases[controller], { recursive: true });
    sweepStale(join(mount, controller, "unkai"));
  }
  return {
    version: 1,
    root: join(mount, "{memory,pids,cpu}", "unkai", OWNER),
    create(id) {
      const dirs = { memory: join(bases.memory, id), pids: join(bases.pids, id), cpu: join(bases.cpu, id) };
      for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
      writeControl(dirs.pids, "pids.max", String(PIDS_MAX));
      return v1Group(dirs);
    },
  };
}

function v1Group(dirs: Record<(typeof CONTROLLERS)[number], string>): EnvironmentCgroup {
  const pids = () => pidsIn(dirs.pids);
  const peak = new HeldCounter(join(dirs.memory, "memory.max_usage_in_bytes"));
  return {
    joinDirs: [dirs.memory, dirs.pids, dirs.cpu],
    limit(memoryMb) {
      const enforced = writeControl(dirs.memory, "memory.limit_in_bytes", String(memoryMb * MB));
      writeControl(dirs.memory, "memory.memsw.limit_in_bytes", String(memoryMb * MB));
      writeControl(dirs.cpu, "cpu.shares", String(Math.max(2, Math.round((1024 * memoryMb) / MB_PER_VCPU))));
      return enforced;
    },
    pids,
    killAll: () => killPids(pids()),
    memory() {
      const rss = Number(/^total_rss (\d+)$/m.exec(readText(join(dirs.memory, "memory.stat")))?.[1] ?? 0);
      return { currentMb: rss / MB, peakMb: (peak.read() ?? 0) / MB };
    },
    peakMb: () => (peak.read() ?? 0) / MB,
    oomKilled: () => Number(/^oom_kill (\d+)$/m.exec(readText(join(dirs.memory, "memory.oom_control")))?.[1] ?? 0) > 0,
    remove: () => {
      peak.close();
      return Object.values(dirs).map(removeDir).every(Boolean);
    },
  };
}
