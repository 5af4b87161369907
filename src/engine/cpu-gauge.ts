/**
 * Whether the host's CPUs are saturated right now: the share of non-idle time across every core
 * (every process on the host, Unkai's or not) over the last sampling window, from /proc/stat. Sampled
 * lazily, at most once per window, so asking on every request costs a clock read.
 */
import { readFileSync } from "node:fs";

export class CpuGauge {
  private last: { readonly at: number; readonly busy: number; readonly total: number } | undefined;
  private saturatedNow = false;

  /** `saturatedShare`: busy at least this share of the time counts as saturated (0: always). */
  constructor(private readonly saturatedShare: number, private readonly windowMs = 250, private readonly statPath = "/proc/stat") {}

  saturated(): boolean {
    if (this.saturatedShare <= 0) return true;
    const now = performance.now();
    if (this.last && now - this.last.at < this.windowMs) return this.saturatedNow;
    const ticks = this.read();
    if (!ticks) return false;
    if (this.last && ticks.total > this.last.total) {
      this.saturatedNow = (ticks.busy - this.last.busy) / (ticks.total - this.last.total) >= this.saturatedShare;
    }
    this.last = { at: now, ...ticks };
    return this.saturatedNow;
  }

  /** The aggregate `cpu` line: busy and total ticks (idle and iowait are not busy); undefined off Linux. */
  private read(): { busy: number; total: number } | undefined {
    let line: string;
    try {
      const text = readFileSync(this.statPath, "latin1");
      line = text.slice(0, text.indexOf("\n"));
    } catch {
      return undefined;
    }
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  }
}
