/**
 * Firing schedules: each enabled schedule with a firing ahead has a timer (`scheduler:<group>/<name>`)
 * in the shared ScheduleTimerStore, claimed with a lease by one node's ScheduleRunner at a time. A
 * firing sends the target's Input (context attributes filled in) through the destinations seam, as
 * the target's execution role;
 * a failed send goes to the retry outbox, which dead-letters it when the RetryPolicy is spent. A
 * one-time schedule with ActionAfterCompletion DELETE is deleted once it has fired.
 */
import { createHash } from "node:crypto";
import type { Logger } from "pino";
import { DEFAULT_RETRY, type DeliveryOutbox } from "../../async/delivery-outbox.js";
import type { Destinations, OutboundMessage } from "../../async/destinations.js";
import { ScheduleRunner } from "../../async/schedule-runner.js";
import { nextFireAfter, parseSchedule, type Schedule } from "../../core/schedule/index.js";
import type { ScheduleRecord } from "../../core/scheduler.js";
import type { DocumentStore, ScheduleTimerStore } from "../../store/ports.js";

/** The service principal a schedule's execution role must trust. */
const SCHEDULER_PRINCIPAL = "scheduler.amazonaws.com";

/** Timer ids of schedules, apart from EventBridge rules' in the shared store. Stored ids carry it: do not change. */
const TIMER_PREFIX = "scheduler:";

export interface SchedulerTimerOptions {
  readonly owner: string;
  readonly now: () => number;
  /** Multiplies rate() periods (tests). */
  readonly rateScale: number;
  /** A firing later than this is skipped (missed while Unkai was down). */
  readonly missedAfterMs: number;
}

/** A UUID-shaped id that is the same for the same firing (a redelivered firing keeps its execution id). */
function stableId(text: string): string {
  const hex = createHash("sha256").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Scheduler's context attributes in Input (`<aws.scheduler.schedule-arn>` …), filled in per firing. */
function withContext(input: string, values: Readonly<Record<string, string>>): string {
  return input.replace(/<aws\.scheduler\.(schedule-arn|scheduled-time|execution-id|attempt-number)>/g, (_m, name: string) => values[name] ?? "");
}

export class SchedulerTimers {
  readonly runner: ScheduleRunner;

  constructor(
    private readonly schedules: DocumentStore<ScheduleRecord>,
    private readonly timers: ScheduleTimerStore,
    private readonly destinations: Destinations,
    private readonly outbox: DeliveryOutbox,
    private readonly options: SchedulerTimerOptions,
    private readonly logger: Logger,
  ) {
    this.runner = new ScheduleRunner(
      timers,
      {
        fire: (id, fireAtMs, firingId) => this.fire(id.slice(TIMER_PREFIX.length), fireAtMs, firingId),
        nextAfter: async (id, afterMs) => {
          const schedule = await schedules.get(id.slice(TIMER_PREFIX.length));
          return schedule ? this.nextOf(schedule, afterMs) : undefined;
        },
      },
      { timerPrefix: TIMER_PREFIX, owner: options.owner, leaseMs: 60_000, pollMs: 30_000, batch: 64, missedAfterMs: options.missedAfterMs, now: options.now },
      logger,
    );
  }

  private parsed(schedule: ScheduleRecord): Schedule {
    const parsed = parseSchedule(schedule.ScheduleExpression, { allowAt: true, timeZone: schedule.ScheduleExpressionTimezone ?? "UTC" });
    return parsed.kind === "rate" ? { ...parsed, periodMs: Math.max(1, Math.round(parsed.periodMs * this.options.rateScale)) } : parsed;
  }

  /**
   * The next firing after `afterMs`. A rate fires first at the schedule's StartDate, else at its last
   * change (at once, as AWS documents), then a period apart; FLEXIBLE windows fire at the start of the
   * window (a valid time inside it, and a predictable one), so MaximumWindowInMinutes adds no delay here.
   */
  private nextOf(schedule: ScheduleRecord, afterMs: number): number | undefined {
    if (schedule.State === "DISABLED") return undefined;
    const window = { anchorMs: schedule.LastModificationDate, startMs: schedule.StartDate, endMs: schedule.EndDate, firstAtStart: true };
    return nextFireAfter(this.parsed(schedule), afterMs, window);
  }

  /** Re-times a schedule after a change (`schedule` undefined: deleted). */
  async changed(key: string, schedule: ScheduleRecord | undefined): Promise<void> {
    const id = TIMER_PREFIX + key;
    // From just before the change, so a rate without StartDate gets its first firing at the change itself.
    const next = schedule ? this.nextOf(schedule, Math.min(this.options.now(), schedule.LastModificationDate - 1)) : undefined;
    if (next === undefined) {
      await this.timers.remove(id);
      return;
    }
    await this.timers.set(id, next);
    this.runner.wake();
  }

  private async fire(key: string, fireAtMs: number, firingId: string): Promise<void> {
    const schedule = await this.schedules.get(key);
    if (!schedule || schedule.State === "DISABLED") return;
    const executionId = stableId(firingId);
    await this.send(schedule, fireAtMs, executionId);
    if (schedule.ActionAfterCompletion === "DELETE" && this.nextOf(schedule, fireAtMs) === undefined) {
      await this.schedules.delete(key);
      this.logger.info({ schedule: schedule.Arn }, "Scheduler: deleted a completed schedule (ActionAfterCompletion DELETE)");
    }
  }

  private message(schedule: ScheduleRecord, fireAtMs: number, executionId: string): OutboundMessage {
    const { Target: target } = schedule;
    const context = { "schedule-arn": schedule.Arn, "scheduled-time": new Date(fireAtMs).toISOString().replace(/\.\d{3}Z$/, "Z"), "execution-id": executionId, "attempt-number": "1" };
    // Without Input, Unkai sends an empty JSON object (AWS's "default notification" is not documented).
    const body = withContext(target.Input ?? "{}", context);
    const bus = target.EventBridgeParameters;
    return {
      body,
      ...(bus ? { attributes: { Source: bus.Source, DetailType: bus.DetailType, Resources: schedule.Arn } } : {}),
      // A message's group is a FIFO queue's MessageGroupId, or a Kinesis stream's partition key.
      ...(target.SqsParameters?.MessageGroupId !== undefined ? { groupId: target.SqsParameters.MessageGroupId } : {}),
      ...(target.KinesisParameters !== undefined ? { groupId: target.KinesisParameters.PartitionKey } : {}),
      deduplicationId: executionId,
      // Scheduler acts as the target's execution role: under enforcement the role must trust Scheduler
      // and be allowed the target's action (lambda:InvokeFunction, sqs:SendMessage, …), as on AWS.
      source: { principal: SCHEDULER_PRINCIPAL, arn: schedule.Arn, roleArn: target.RoleArn },
    };
  }

  private async send(schedule: ScheduleRecord, fireAtMs: number, executionId: string): Promise<void> {
    const { Target: target } = schedule;
    const message = this.message(schedule, fireAtMs, executionId);
    try {
      await this.destinations.send(target.Arn, message);
    } catch (error) {
      const lastError = error instanceof Error ? error.message : String(error);
      this.logger.warn({ schedule: schedule.Arn, target: target.Arn, error: lastError }, "Scheduler: invoking a target failed; the retry outbox takes it");
      await this.outbox.failed({
        id: executionId, ruleArn: schedule.Arn, targetArn: target.Arn, message, eventTimeMs: fireAtMs,
        maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRY.maximumRetryAttempts,
        maximumEventAgeSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.maximumEventAgeSeconds,
        ...(target.DeadLetterConfig?.Arn !== undefined ? { deadLetterArn: target.DeadLetterConfig.Arn } : {}),
      }, error);
    }
  }
}
