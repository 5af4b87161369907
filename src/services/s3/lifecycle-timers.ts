/**
 * Runs lifecycle sweeps in the background, in a cluster too: each bucket with a lifecycle
 * configuration has a timer (`s3-lifecycle:<bucket>`) in the platform's ScheduleTimerStore, claimed
 * with a lease by one node's ScheduleRunner at a time, so one node sweeps a bucket at a time and a
 * dead node's sweep is taken over when its lease is freed. A sweep runs every quarter of a lifecycle
 * day (at most hourly): S3 acts within a day of an action falling due.
 */
import type { Logger } from "pino";
import { ScheduleRunner } from "../../async/schedule-runner.js";
import type { ScheduleTimerStore } from "../../store/ports.js";
import type { S3Context } from "./context.js";
import { enabledRules, sweepBucket } from "./lifecycle-sweep.js";

/** Timer ids of lifecycle sweeps in the shared store. Stored ids carry it: do not change. */
const TIMER_PREFIX = "s3-lifecycle:";
const MAX_SWEEP_INTERVAL_MS = 3_600_000;
const MIN_SWEEP_INTERVAL_MS = 100;

export interface LifecycleTimerOptions {
  readonly owner: string;
  /** The length of a lifecycle day (`--s3-lifecycle-day-ms`). */
  readonly dayMs: number;
  readonly now: () => number;
}

export class LifecycleTimers {
  readonly runner: ScheduleRunner;
  private readonly sweepIntervalMs: number;
  private context: S3Context | undefined;

  constructor(private readonly timers: ScheduleTimerStore, private readonly options: LifecycleTimerOptions, private readonly logger: Logger) {
    this.sweepIntervalMs = Math.max(MIN_SWEEP_INTERVAL_MS, Math.min(MAX_SWEEP_INTERVAL_MS, Math.floor(options.dayMs / 4)));
    this.runner = new ScheduleRunner(
      timers,
      {
        fire: (id, fireAtMs) => this.sweep(id.slice(TIMER_PREFIX.length), fireAtMs),
        nextAfter: async (id, afterMs) => (this.context && (await enabledRules(this.context, id.slice(TIMER_PREFIX.length))).length > 0 ? afterMs + this.sweepIntervalMs : undefined),
      },
      // A sweep missed while Unkai was down still runs: its actions are as due as they were.
      { timerPrefix: TIMER_PREFIX, owner: options.owner, leaseMs: 600_000, pollMs: Math.min(30_000, this.sweepIntervalMs), batch: 16, missedAfterMs: Number.MAX_SAFE_INTEGER, now: options.now, removeFinished: true },
      logger,
    );
  }

  /** Starts sweeping with the service's context (the context holds these timers, so it comes after). */
  start(context: S3Context): void {
    this.context = context;
    this.runner.start();
  }

  /** After a configuration was put or deleted: sweep soon, or stop sweeping the bucket. */
  async changed(bucket: string, hasRules: boolean): Promise<void> {
    const id = TIMER_PREFIX + bucket;
    if (!hasRules) {
      await this.timers.remove(id);
      return;
    }
    await this.timers.set(id, this.options.now() + this.sweepIntervalMs);
    this.runner.wake();
  }

  private async sweep(bucket: string, fireAtMs: number): Promise<void> {
    if (!this.context) return;
    const counts = await sweepBucket(this.context, bucket, Math.max(fireAtMs, this.options.now()), this.options.dayMs);
    if (counts.expired + counts.removed + counts.aborted > 0) this.logger.info({ bucket, ...counts }, "S3 lifecycle: expired objects and uploads");
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
