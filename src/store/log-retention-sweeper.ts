/**
 * Deletes log events past their group's retention, every `intervalMs`, in batches that yield to
 * the event loop between them so a large backlog never stalls requests.
 */
import type { Logger } from "pino";
import type { LogStore } from "./ports.js";

export interface SweeperOptions {
  readonly intervalMs: number;
  /** Events deleted per batch (one short transaction each). */
  readonly batchSize?: number;
  readonly now?: () => number;
}

export class LogRetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly batchSize: number;
  private readonly now: () => number;

  constructor(private readonly logs: LogStore, private readonly options: SweeperOptions, private readonly logger: Logger) {
    this.batchSize = options.batchSize ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  /** Sweeps now, then every interval. */
  start(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.options.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  /** One full sweep (joins a sweep already running); resolves with nothing to report. */
  sweep(): Promise<void> {
    this.running ??= this.sweepAll().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the timer and waits for a sweep in progress to finish its batch. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async sweepAll(): Promise<void> {
    let total = 0;
    try {
      for (;;) {
        if (this.closed) break;
        const deleted = this.logs.deleteExpired(this.now(), this.batchSize);
        total += deleted;
        if (deleted < this.batchSize) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      this.logger.error({ err: error }, "the log retention sweep failed; it runs again at the next interval");
    }
    if (total > 0) this.logger.info({ deleted: total }, "deleted log events past their group's retention");
  }
}
