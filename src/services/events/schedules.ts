/**
 * Scheduled rules: each enabled rule with a ScheduleExpression has a timer in the ScheduleTimerStore;
 * the ScheduleRunner fires it, and a firing puts AWS's `Scheduled Event` on the rule's targets.
 */
import type { Logger } from "pino";
import { ScheduleRunner, type ScheduleHandler } from "../../async/schedule-runner.js";
import { scheduledEvent } from "../../core/events/envelope.js";
import type { RuleRecord } from "../../core/events/resources.js";
import { nextFireAfter, parseSchedule } from "../../core/schedule/index.js";
import type { DocumentStore, ScheduleTimerStore } from "../../store/ports.js";
import { stableId, type EventDelivery } from "./delivery.js";

/**
 * Timer ids of rules (`events-rule:<bus>/<name>`), apart from other runners' (Scheduler's, alarms')
 * in the shared store: the rule runner claims and waits for only these. Stored ids carry it, so it
 * must not change.
 */
const TIMER_PREFIX = "events-rule:";

export interface RuleScheduleOptions {
  readonly owner: string;
  readonly now: () => number;
  /** Multiplies rate() periods (`--scheduler-rate-scale`, tests only); 1 in production. */
  readonly rateScale: number;
  /** A firing later than this (Unkai was down) is skipped (`--scheduler-missed-after-ms`, default 60 s). */
  readonly missedAfterMs: number;
}

export class RuleSchedules {
  readonly runner: ScheduleRunner;
  private readonly now: () => number;
  private readonly rateScale: number;

  constructor(
    private readonly rules: DocumentStore<RuleRecord>,
    private readonly timers: ScheduleTimerStore,
    private readonly delivery: EventDelivery,
    private readonly account: { readonly accountId: string; readonly region: string },
    options: RuleScheduleOptions,
    logger: Logger,
  ) {
    this.now = options.now;
    this.rateScale = options.rateScale;
    const handler: ScheduleHandler = {
      fire: (id, fireAtMs, firingId) => this.fire(id, fireAtMs, firingId),
      nextAfter: async (id, afterMs) => {
        const rule = await this.rules.get(id.slice(TIMER_PREFIX.length));
        return rule ? this.nextOf(rule, afterMs) : undefined;
      },
    };
    // A lease outlives any firing (queueing events takes milliseconds); a firing more than
    // missedAfterMs late (default a minute, AWS's "may lag by up to a minute") is a missed one.
    this.runner = new ScheduleRunner(
      timers,
      handler,
      { timerPrefix: TIMER_PREFIX, owner: options.owner, leaseMs: 60_000, pollMs: 30_000, batch: 64, missedAfterMs: options.missedAfterMs, now: options.now },
      logger,
    );
  }

  private nextOf(rule: RuleRecord, afterMs: number): number | undefined {
    if (rule.State === "DISABLED" || rule.ScheduleExpression === undefined) return undefined;
    const parsed = parseSchedule(rule.ScheduleExpression, { allowAt: false });
    const scaled = parsed.kind === "rate" ? { ...parsed, periodMs: Math.max(1, Math.round(parsed.periodMs * this.rateScale)) } : parsed;
    return nextFireAfter(scaled, afterMs, { anchorMs: rule.ScheduleAnchor });
  }

  /** Re-times a rule after PutRule, Enable/DisableRule or DeleteRule (`rule` undefined). */
  async changed(rule: RuleRecord | undefined, key: string): Promise<void> {
    const id = TIMER_PREFIX + key;
    const next = rule ? this.nextOf(rule, this.now()) : undefined;
    if (next === undefined) {
      await this.timers.remove(id);
      return;
    }
    await this.timers.set(id, next);
    this.runner.wake();
  }

  private async fire(id: string, fireAtMs: number, firingId: string): Promise<void> {
    const rule = await this.rules.get(id.slice(TIMER_PREFIX.length));
    if (!rule || rule.State === "DISABLED") return;
    await this.delivery.toTargets(rule, scheduledEvent(rule.Arn, fireAtMs, { account: this.account.accountId, region: this.account.region }, stableId(firingId)), firingId);
  }
}
