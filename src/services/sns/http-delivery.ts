/**
 * POSTs to http/https subscribers with SNS's headers, retrying on a failed attempt as the delivery
 * policy's healthy retry policy says (default: 3 retries 20 s apart; delivery-policy.ts has the phases). Every delivery is written to the store before Publish answers (the delivery
 * as a document, a schedule timer `sns-http:<id>`); the first attempt is made at once, with the timer
 * due only once that attempt must have ended, so a process killed during it leaves the delivery to the
 * next Unkai (or another node) instead of losing it. A failed attempt moves the timer to the retry,
 * which the schedule runner makes under an expiring lease: a restart, or another node of the cluster
 * when this one dies, makes the next attempt, and no two nodes make the same one.
 */
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import type { Destinations } from "../../async/destinations.js";
import { ScheduleRunner } from "../../async/schedule-runner.js";
import type { SnsDeadLetter, SnsPendingHttpDelivery } from "../../core/sns.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import { countTopic } from "./context.js";
import { retryDelaysMs, throttleIntervalMs } from "./delivery-policy.js";
import type { DocumentStore, ScheduleTimerStore } from "../../store/ports.js";

export interface HttpMessage {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Delivery policy JSON (the subscription's, else the topic's), or undefined for SNS's defaults. */
  readonly deliveryPolicy: string | undefined;
  /** Where the message goes when every attempt has failed (the subscription's RedrivePolicy). */
  readonly deadLetter?: SnsDeadLetter | undefined;
}

export interface HttpDeliveryOptions {
  /** This node's name in leases. */
  readonly owner: string;
  readonly now: () => number;
  /** Where AWS/SNS's NumberOfNotificationsDelivered / NumberOfNotificationsFailed go. */
  readonly metrics?: ServiceMetrics;
  /** How long an attempt waits for the subscriber's answer (SNS: 15 s). */
  readonly attemptTimeoutMs?: number;
}

const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
/** Stored timer ids carry it, so it must not change. */
const TIMER_PREFIX = "sns-http:";


export class HttpDelivery {
  readonly runner: ScheduleRunner;
  private closed = false;
  /** First attempts in flight: closing waits for them to be delivered or stored. */
  private readonly first = new Set<Promise<void>>();
  /** Per throttled subscription: when its next notification may go (throttlePolicy). */
  private readonly nextSlots = new Map<string, number>();
  /** Aborts the attempts in flight when Unkai stops. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly pending: DocumentStore<SnsPendingHttpDelivery>,
    private readonly timers: ScheduleTimerStore,
    private readonly destinations: Destinations,
    private readonly options: HttpDeliveryOptions,
    private readonly logger: Logger,
  ) {
    // A lease outlives an attempt (attemptTimeoutMs at most); a retry is never skipped for being late (it waited
    // while Unkai was down). Other nodes' new retries are seen at their due time (nextDueAt).
    this.runner = new ScheduleRunner(timers, {
      fire: (id) => this.retry(id.slice(TIMER_PREFIX.length)),
      nextAfter: async (id) => (await this.pending.get(id.slice(TIMER_PREFIX.length)))?.nextAttemptAt,
    }, { timerPrefix: TIMER_PREFIX, owner: options.owner, leaseMs: 4 * this.attemptTimeoutMs, pollMs: 30_000, batch: 32, missedAfterMs: Infinity, now: options.now, removeFinished: true }, logger);
  }

  private get attemptTimeoutMs(): number {
    return this.options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  }

  /**
   * Stores the delivery (durable once this resolves), then makes its first attempt in the background,
   * or leaves it to the runner at its throttled time when the subscription's throttle policy says later.
   */
  async send(message: HttpMessage): Promise<void> {
    const delaysMs = retryDelaysMs(message.deliveryPolicy);
    const minIntervalMs = throttleIntervalMs(message.deliveryPolicy);
    const now = this.options.now();
    const slot = this.slotFor(message.headers["x-amz-sns-subscription-arn"], minIntervalMs, now);
    // Due after the first attempt has surely ended (answered or timed out) and been recorded: only a
    // process that died during it leaves the timer to fire.
    const nextAttemptAt = slot > now ? slot : now + 2 * this.attemptTimeoutMs;
    const entry: SnsPendingHttpDelivery = {
      id: randomUUID(), url: message.url, body: message.body, headers: message.headers, attempts: 0, retries: delaysMs.length, delayMs: delaysMs[0] ?? 0, delaysMs, nextAttemptAt,
      ...(message.deadLetter ? { deadLetter: message.deadLetter } : {}),
    };
    await this.pending.put(entry.id, entry);
    await this.timers.set(TIMER_PREFIX + entry.id, nextAttemptAt);
    if (slot > now) {
      this.runner.wake();
      return;
    }
    const attempt = this.attempt(entry, false)
      .catch((error: unknown) => this.logger.error({ err: error, url: entry.url }, "an SNS http delivery could not be kept for its retry"))
      .finally(() => this.first.delete(attempt));
    this.first.add(attempt);
  }

  /**
   * When a subscription's next notification may be first attempted, taking that slot: now when it is
   * unthrottled, else `minIntervalMs` after the one before (kept per node).
   */
  private slotFor(subscription: string | undefined, minIntervalMs: number | undefined, now: number): number {
    if (subscription === undefined || minIntervalMs === undefined) return now;
    const slot = Math.max(now, this.nextSlots.get(subscription) ?? now);
    // Slots already past say nothing any more: forget them rather than keep every subscription ever throttled.
    if (this.nextSlots.size > 1_000) for (const [key, next] of this.nextSlots) if (next <= now) this.nextSlots.delete(key);
    this.nextSlots.set(subscription, slot + minIntervalMs);
    return slot;
  }

  start(): void {
    this.runner.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopping.abort();
    await Promise.all([...this.first]);
    await this.runner.close();
  }

  /** The runner's firing: the stored delivery's next attempt (none when another node finished it). */
  /** Notifications only: a SubscriptionConfirmation carries no topic header and counts nowhere, as on SNS. */
  private count(entry: SnsPendingHttpDelivery, metricName: string): void {
    const topicArn = entry.headers["x-amz-sns-message-type"] === "Notification" ? entry.headers["x-amz-sns-topic-arn"] : undefined;
    if (topicArn !== undefined) countTopic(this.options.metrics, topicArn, metricName);
  }

  private async retry(id: string): Promise<void> {
    const entry = await this.pending.get(id);
    if (entry) await this.attempt(entry, true);
  }

  /**
   * One attempt, then what follows it: forgotten when delivered, kept for its next attempt, or
   * dead-lettered when none is left. `fired`: the runner's firing, which moves or removes the timer
   * itself (nextAfter); a first attempt moves or removes it here.
   */
  private async attempt(entry: SnsPendingHttpDelivery, fired: boolean): Promise<void> {
    const outcome = await this.post(entry);
    if (outcome === "delivered") {
      this.count(entry, "NumberOfNotificationsDelivered");
      await this.forget(entry, fired);
      return;
    }
    // An attempt cut off by Unkai stopping does not count: it is made again after the restart.
    const attempts = entry.attempts + (outcome === "failed" ? 1 : 0);
    if (attempts > entry.retries) {
      this.count(entry, "NumberOfNotificationsFailed");
      await this.deadLetter(entry);
      await this.forget(entry, fired);
      return;
    }
    const nextAttemptAt = this.options.now() + (outcome === "failed" ? (entry.delaysMs?.[attempts - 1] ?? entry.delayMs) : 0);
    await this.pending.put(entry.id, { ...entry, attempts, nextAttemptAt });
    if (!fired) {
      await this.timers.set(TIMER_PREFIX + entry.id, nextAttemptAt);
      this.runner.wake();
    }
  }

  private async forget(entry: SnsPendingHttpDelivery, fired: boolean): Promise<void> {
    await this.pending.delete(entry.id);
    if (!fired) await this.timers.remove(TIMER_PREFIX + entry.id);
  }

  private async post(entry: SnsPendingHttpDelivery): Promise<"delivered" | "failed" | "stopped"> {
    if (this.closed) return "stopped";
    try {
      const response = await fetch(entry.url, { method: "POST", headers: entry.headers, body: entry.body, redirect: "manual", signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.attemptTimeoutMs)]) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return "delivered";
      this.logger.info({ url: entry.url, status: response.status, attempt: entry.attempts + 1 }, "an SNS http delivery was refused");
    } catch (error) {
      if (this.closed) return "stopped";
      this.logger.info({ url: entry.url, err: (error as Error).message, attempt: entry.attempts + 1 }, "an SNS http delivery failed");
    }
    return "failed";
  }

  private async deadLetter(entry: SnsPendingHttpDelivery): Promise<void> {
    const target = entry.deadLetter;
    if (!target) return;
    const { targetArn, ...message } = target;
    await this.destinations.send(targetArn, message).catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, "an SNS dead-letter delivery failed"));
  }
}
