/**
 * Deletes what has outlived its retention — log events past their group's retention, invocation
 * records past theirs — every `intervalMs`, in batches that yield to the event loop between them
 * so a large backlog never stalls requests.
 */
import type { Logger } from "pino";

/** One kind of expiring data: deletes at most `limit` expired items at `now` and says how many. */
export interface RetentionJob {
  readonly name: string;
  deleteExpired(now: number, limit: number): Promise<number>;
}

export interface SweeperOptions {
  readonly intervalMs: number;
  /** Items deleted per batch (one short transaction each). */
  readonly batchSize?: number;
  readonly now?: () => number;
}

export class RetentionSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private readonly batchSize: number;
  private readonly now: () => number;

  constructor(private readonly jobs: readonly RetentionJob[], private readonly options: SweeperOptions, private readonly logger: Logger) {
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

  /** One full sweep of every job (joins a sweep already running). */
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
    for (const job of this.jobs) {
      let total = 0;
      try {
        for (;;) {
          if (this.closed) return;
          const deleted = await job.deleteExpired(this.now(), this.batchSize);
          total += deleted;
          if (deleted < this.batchSize) break;
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        this.logger.error({ err: error, job: job.name }, "a retention sweep failed; it runs again at the next interval");
      }
      if (total > 0) this.logger.info({ job: job.name, deleted: total }, "deleted data past its retention");
    }
  }
}
