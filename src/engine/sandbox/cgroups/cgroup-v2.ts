/**
 * cgroup v2: one unified hierarchy, so an environment is one group with memory.max, pids.max and
 * cpu.weight; cgroup.kill ends every process in it at once. Controllers must be enabled down the
 * path (root → unkai → pid-<pid>), which needs a writable root of the v2 mount (Unkai as root).
 */
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  HeldCounter, MB, MB_PER_VCPU, OWNER, PIDS_MAX, killPids, pidsIn, readNumber, readText, removeDir, sweepStale, writeControl,
  type CgroupHost, type EnvironmentCgroup,
} from "./cgroup.js";

const NEEDED = ["memory", "pids", "cpu"];
const ENABLE = NEEDED.map((c) => `+${c}`).join(" ");

/** Why v2 cannot be used at `mount`, or undefined when it can. */
export function v2UnavailableReason(mount: string): string | undefined {
  if (!existsSync(join(mount, "cgroup.controllers"))) return `no cgroup v2 hierarchy is mounted at ${mount}`;
  const available = readText(join(mount, "cgroup.controllers")).trim().split(/\s+/);
  const missing = NEEDED.filter((c) => !available.includes(c));
  if (missing.length > 0) return `the cgroup v2 hierarchy at ${mount} lacks the ${missing.join(", ")} controller(s) (bound to v1?)`;
  try {
    accessSync(join(mount, "cgroup.subtree_control"), constants.W_OK);
  } catch {
    return `the cgroup v2 root ${mount} is not writable (run Unkai as root)`;
  }
  return undefined;
}

export function v2Host(mount: string): CgroupHost {
  const parent = join(mount, "unkai");
  const base = join(parent, OWNER);
  mkdirSync(base, { recursive: true });
  for (const dir of [mount, parent, base]) {
    if (!writeControl(dir, "cgroup.subtree_control", ENABLE)) throw new Error(`could not enable ${NEEDED.join(", ")} in ${dir}/cgroup.subtree_control`);
  }
  sweepStale(parent);
  return {
    version: 2,
    root: base,
    create(id) {
      const dir = join(base, id);
      mkdirSync(dir, { recursive: true });
      writeControl(dir, "pids.max", String(PIDS_MAX));
      return v2Group(dir);
    },
  };
}

/** One environment's group at `dir` (exported so the kernel-facing parts can be tested on hybrid hosts). */
export function v2Group(dir: string): EnvironmentCgroup {
  const pids = () => pidsIn(dir);
  let peakSeenMb = 0;
  const peakFile = new HeldCounter(join(dir, "memory.peak"));
  /** memory.peak exists from Linux 5.19; before that the largest reading taken is the best there is. */
  const peakMb = () => {
    const peak = peakFile.read();
    if (peak !== undefined) return peak / MB;
    peakSeenMb = Math.max(peakSeenMb, readNumber(join(dir, "memory.current")) / MB);
    return peakSeenMb;
  };
  return {
    joinDirs: [dir],
    limit(memoryMb) {
      const enforced = writeControl(dir, "memory.max", String(memoryMb * MB));
      writeControl(dir, "memory.swap.max", "0");
      writeControl(dir, "cpu.weight", String(Math.min(10_000, Math.max(1, Math.round((100 * memoryMb) / MB_PER_VCPU)))));
      return enforced;
    },
    pids,
    killAll() {
      // cgroup.kill (Linux 5.14+) reaches every process at once; older kernels get one signal each.
      writeControl(dir, "cgroup.kill", "1");
      killPids(pids());
    },
    memory() {
      const anon = Number(/^anon (\d+)$/m.exec(readText(join(dir, "memory.stat")))?.[1] ?? 0) / MB;
      return { currentMb: anon, peakMb: peakMb() };
    },
    peakMb,
    oomKilled: () => Number(/^oom_kill (\d+)$/m.exec(readText(join(dir, "memory.events")))?.[1] ?? 0) > 0,
    remove: () => {
      peakFile.close();
      return removeDir(dir);
    },
  };
}
