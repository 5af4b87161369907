/**
 * Fires due schedules (EventBridge scheduled rules, Scheduler schedules) from the ScheduleTimerStore:
 * claims what is due with an expiring lease, fires it, then advances it to its next firing in one
 * fenced write. Any number of runners (nodes) may share a store: a timer is held by one at a time,
 * and a runner that stalls past its lease loses it, so each firing is committed once and delivered at
 * least once (a firing whose runner died before advancing is fired again by the next claimer).
 */
import type { Logger } from "pino";
import type { ScheduleTimer, ScheduleTimerStore } from "../store/ports.js";
import { WakeLoop } from "./wake-loop.js";

/** What the owner of the schedules (a service) does with them. */
export interface ScheduleHandler {
  /**
   * Delivers one firing. `firingId` is the same for every attempt at that firing (schedule and
   * time), so a target that dedups (the async queue's event id) sees a redelivery as one event.
   * Throwing leaves the timer claimed: it is fired again when the lease ends.
   */
  fire(scheduleId: string, fireAtMs: number, firingId: string): Promise<void>;
  /** The schedule's next firing strictly after `afterMs`, or undefined (deleted, finished). */
  nextAfter(scheduleId: string, afterMs: number): Promise<number | undefined>;
}

export interface ScheduleRunnerOptions {
  /**
   * The id prefix of this runner's timers (`events-rule:`): the runner claims and waits for only
   * those, so runners of other kinds share the store without taking each other's timers.
   */
  readonly timerPrefix: string;
  /** This node's name in leases. */
  readonly owner: string;
  /** How long a claim holds; longer than any `fire` takes. */
  readonly leaseMs: number;
  /** The longest sleep between looks at the store (other nodes may add timers meanwhile). */
  readonly pollMs: number;
  /** Timers claimed per look. */
  readonly batch: number;
  /**
   * A firing later than this (Unkai was down, or stalled) is not delivered: AWS does not replay
   * missed schedules; the timer moves on to its next firing after now.
   */
  readonly missedAfterMs: number;
  /** The clock (tests and the bench pass their own; times are epoch milliseconds). */
  readonly now: () => number;
  /**
   * Remove a timer once its schedule has nothing more to fire, instead of keeping it without a next
   * firing: for one-shot timers (SNS's delivery retries), whose ids are never set again.
   */
  readonly removeFinished?: boolean;
}

export class ScheduleRunner {
  private readonly loop: WakeLoop;

  constructor(
    private readonly timers: ScheduleTimerStore,
    private readonly handler: ScheduleHandler,
    private readonly options: ScheduleRunnerOptions,
    private readonly logger: Logger,
  ) {
    this.loop = new WakeLoop(() => this.pass(), { pollMs: options.pollMs, now: options.now, onError: () => undefined });
  }

  start(): void {
    this.loop.start();
  }

  /** Looks at the store now (after a schedule was created or changed); coalesced. */
  wake(): void {
    this.loop.wake();
  }

  /** Stops looking; waits for firings in progress. Idempotent. */
  async close(): Promise<void> {
    await this.loop.close();
  }

  /** One look: fires what is due, then finds when the next timer is due (a failed firing pass still sleeps until then). */
  private async pass(): Promise<number | undefined> {
    try {
      await this.tick();
    } catch (error) {
      this.logger.error({ err: error }, "schedule runner: looking for due schedules failed");
    }
    return this.timers.nextDueAt(this.options.timerPrefix).catch(() => undefined);
  }

  /** Claims and fires everything due now; returns how many firings were delivered. */
  async tick(): Promise<number> {
    let delivered = 0;
    for (;;) {
      const now = this.options.now();
      const claimed = await this.timers.claimDue(this.options.timerPrefix, now, this.options.owner, now + this.options.leaseMs, this.options.batch);
      const results = await Promise.all(claimed.map((timer) => this.run(timer, now)));
      delivered += results.filter(Boolean).length;
      if (claimed.length < this.options.batch || this.loop.isClosed) return delivered;
    }
  }

  private async run(timer: ScheduleTimer, now: number): Promise<boolean> {
    const fireAt = timer.nextFireAt ?? now;
    const missed = now - fireAt > this.options.missedAfterMs;
    if (missed) {
      this.logger.warn({ schedule: timer.id, fireAt: new Date(fireAt).toISOString() }, "schedule runner: skipping a firing missed while not running");
    } else {
      try {
        await this.handler.fire(timer.id, fireAt, `${timer.id}@${fireAt}`);
      } catch (error) {
        this.logger.error({ err: error, schedule: timer.id }, "schedule runner: firing failed; it is retried when the lease ends");
        return false;
      }
    }
    const next = await this.handler.nextAfter(timer.id, Math.max(fireAt, now));
    const advanced = await this.timers.advance(timer.id, timer.leaseCounter, next);
    if (!advanced) this.logger.warn({ schedule: timer.id }, "schedule runner: lost the lease before advancing (another node or a change took it)");
    // Unleased and without a next firing, nobody claims it between the advance and the removal.
    else if (next === undefined && this.options.removeFinished === true) await this.timers.remove(timer.id);
    return !missed;
  }
}
