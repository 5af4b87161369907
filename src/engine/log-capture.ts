/**
 * Turns a runtime's stdout/stderr into timestamped log lines, attributed to the invocation in flight
 * (or to Init), with a byte budget per invocation so a flood cannot grow memory or the log store.
 */
import type { Readable } from "node:stream";
import { LOG_EVENT_OVERHEAD_BYTES } from "../core/log-limits.js";
import type { LogEvent } from "../store/ports.js";

export class LineCapture {
  private lines: LogEvent[] = [];
  private bytes = 0;
  private droppedBytes = 0;
  private open = 0;
  private closedWaiters: (() => void)[] = [];

  constructor(private budgetBytes: number) {}

  /** Follows a stream until it ends. */
  follow(stream: Readable): void {
    this.open++;
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      let start = 0;
      for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
        this.push(partial + chunk.slice(start, nl));
        partial = "";
        start = nl + 1;
      }
      partial += chunk.slice(start);
      if (partial.length > 256 * 1024) {
        this.push(partial);
        partial = "";
      }
    });
    stream.once("close", () => {
      if (partial) this.push(partial);
      partial = "";
      this.open--;
      if (this.open === 0) for (const wake of this.closedWaiters.splice(0)) wake();
    });
  }

  /** Starts a new segment (an invocation) with a fresh budget; returns what the previous one held. */
  take(nextBudgetBytes: number = this.budgetBytes): { lines: LogEvent[]; droppedBytes: number } {
    const taken = { lines: this.lines, droppedBytes: this.droppedBytes };
    this.lines = [];
    this.bytes = 0;
    this.droppedBytes = 0;
    this.budgetBytes = nextBudgetBytes;
    return taken;
  }

  /** Resolves once every followed stream has closed, or after `maxWaitMs`. */
  async closed(maxWaitMs: number): Promise<void> {
    if (this.open === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.closedWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private push(message: string): void {
    // Each line costs its row's overhead too (CloudWatch counts 26 bytes per event), so a flood of
    // empty lines cannot write a million rows inside the byte budget.
    const size = Buffer.byteLength(message) + LOG_EVENT_OVERHEAD_BYTES;
    if (this.bytes + size > this.budgetBytes) {
      this.droppedBytes += size;
      return;
    }
    this.bytes += size;
    this.lines.push({ timestamp: Date.now(), message });
  }
}

/** Waits until data already written to the pipes has been read (the poll phase has run). */
export function afterPendingIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}
