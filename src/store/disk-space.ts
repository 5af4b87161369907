/**
 * Watches the free space of the data directory so writes that grow it can be refused before the
 * disk is full (reads, deletes and invocations go on). One statfs per `cacheMs` at most: cheap
 * enough to ask on every write.
 */
import { statfsSync } from "node:fs";

export interface DiskSpaceOptions {
  readonly dir: string;
  /** Below this many free bytes, writes that grow storage are refused; 0 turns the watch off. */
  readonly minFreeBytes: number;
  /** How long one statfs answer is trusted. */
  readonly cacheMs?: number;
  readonly now?: () => number;
}

/** Whether there is room to grow storage; `shortfall()` says why not, for the caller's own error. */
export interface FreeSpace {
  /** undefined when there is room; otherwise a sentence for the refusal. */
  shortfall(): string | undefined;
}

export class DiskSpace implements FreeSpace {
  private checkedAt = Number.NEGATIVE_INFINITY;
  private free = Number.POSITIVE_INFINITY;
  private readonly cacheMs: number;
  private readonly now: () => number;

  constructor(private readonly options: DiskSpaceOptions) {
    this.cacheMs = options.cacheMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Free bytes available to Unkai's user on the data directory's file system. */
  freeBytes(): number {
    const now = this.now();
    if (now - this.checkedAt >= this.cacheMs) {
      this.checkedAt = now;
      try {
        const stats = statfsSync(this.options.dir);
        this.free = stats.bavail * stats.bsize;
      } catch {
        // The directory cannot be measured (removed under us): keep the last answer rather than fail every write.
      }
    }
    return this.free;
  }

  shortfall(): string | undefined {
    const { minFreeBytes, dir } = this.options;
    if (minFreeBytes <= 0) return undefined;
    const free = this.freeBytes();
    if (free >= minFreeBytes) return undefined;
    return `Unkai's data directory ${dir} has ${free} bytes free, below the minimum of ${minFreeBytes} bytes ` +
      "(--min-free-disk-bytes); writes that need space are refused until space is freed (deletes and reads still work).";
  }
}

/** A FreeSpace that always has room (tests of other parts, tools that do not guard). */
export const UNLIMITED_SPACE: FreeSpace = { shortfall: () => undefined };
