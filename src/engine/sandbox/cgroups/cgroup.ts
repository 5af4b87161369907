/**
 * One environment's control group, whichever cgroup version the host runs. The linux driver only
 * talks to this seam; cgroup-v1.ts and cgroup-v2.ts know the files, detect.ts picks one.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, writeFileSync } from "node:fs";
import type { MemoryUsage } from "../driver.js";

export const MB = 1024 * 1024;
/** Processes (and threads) one environment may hold: enough for any runtime, too few for a fork bomb. */
export const PIDS_MAX = 1024;
/** Lambda gives one full vCPU at 1,769 MB; the CPU share is proportional to memory. */
export const MB_PER_VCPU = 1769;

export interface EnvironmentCgroup {
  /** Directories whose `cgroup.procs` a process writes itself into to join (one per v1 controller; one on v2). */
  readonly joinDirs: readonly string[];
  /** Memory limit (no swap beyond it) and the CPU share that goes with that much memory; true when the kernel now enforces the memory limit. */
  limit(memoryMb: number): boolean;
  /** Every process still in the group, daemons that left the process group included. */
  pids(): number[];
  /** Kills every process in the group. */
  killAll(): void;
  memory(): MemoryUsage;
  /** The kernel's peak memory of the group in MB (what REPORT's Max Memory Used shows), in one read. */
  peakMb(): number;
  /** Whether the kernel's OOM killer acted in this group. */
  oomKilled(): boolean;
  /** Removes the group; false while processes are still leaving it. */
  remove(): boolean;
}

/** The host's cgroup tree as Unkai uses it: one subtree per Unkai process, one group per environment. */
export interface CgroupHost {
  readonly version: 1 | 2;
  /** Where this Unkai's groups live (for messages and `unkai doctor`). */
  readonly root: string;
  create(id: string): EnvironmentCgroup;
}

export function writeControl(dir: string, file: string, value: string): boolean {
  try {
    writeFileSync(`${dir}/${file}`, value);
    return true;
  } catch {
    // Optional knobs (swap accounting, cgroup.kill on older kernels) may be missing.
    return false;
  }
}

export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

export function readNumber(path: string): number {
  return Number(readText(path).trim()) || 0;
}

/**
 * A counter file read again and again (a group's memory peak, once per invocation): the descriptor
 * stays open and each reading is one pread at offset 0, not open + read + close of a new file each
 * time. Undefined from `read` when the file does not exist (older kernels lack memory.peak).
 */
export class HeldCounter {
  private fd: number | undefined;
  private missing = false;
  private readonly buffer = Buffer.allocUnsafe(32);

  constructor(private readonly path: string) {}

  read(): number | undefined {
    if (this.missing) return undefined;
    try {
      this.fd ??= openSync(this.path, "r");
      const length = readSync(this.fd, this.buffer, 0, this.buffer.length, 0);
      return Number(this.buffer.toString("latin1", 0, length).trim()) || 0;
    } catch {
      this.close();
      this.missing = !existsSync(this.path);
      return this.missing ? undefined : 0;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}

export function pidsIn(dir: string): number[] {
  return readText(`${dir}/cgroup.procs`).split("\n").map(Number).filter((pid) => pid > 0);
}

export function killPids(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** This Unkai's subtree name: several Unkais can share a host, each under unkai/pid-<pid>/. */
export const OWNER = `pid-${process.pid}`;

/** Removes the subtrees of Unkai processes that are gone, killing anything still in them. */
export function sweepStale(parent: string): void {
  for (const owner of readdirSafe(parent)) {
    const pid = /^pid-(\d+)$/.exec(owner)?.[1];
    if (!pid || pid === String(process.pid) || existsSync(`/proc/${pid}`)) continue;
    const ownerDir = `${parent}/${owner}`;
    for (const name of readdirSafe(ownerDir).filter((entry) => entry.startsWith("env-"))) {
      const dir = `${ownerDir}/${name}`;
      writeControl(dir, "cgroup.kill", "1");
      killPids(pidsIn(dir));
      removeDir(dir);
    }
    removeDir(ownerDir);
  }
}

export function removeDir(dir: string): boolean {
  try {
    if (existsSync(dir)) rmdirSync(dir);
    return true;
  } catch {
    // still busy: processes are leaving, or a later start sweeps it
    return false;
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
