/**
 * POSTs to http/https subscribers with SNS's headers, retrying on a failed attempt as the delivery
 * policy's healthy retry policy says (default: 3 retries 20 s apart; `minDelayTarget` sets the delay,
 * `numRetries` the count). The first attempt is made at once, from memory; a failed one is written
 * to the store (the delivery as a document, its due time as a schedule timer `sns-http:<id>`), and the
 * schedule runner retries it under an expiring lease: a restart, or another node of the cluster when
 * this one dies, makes the next attempt, and no two nodes make the same one.
 */
import type { Logger } from "pino";
import { randomUUID } from "node:crypto";
import type { Destinations } from "../../async/destinations.js";
import { ScheduleRunner } from "../../async/schedule-runner.js";
import type { SnsDeadLetter, SnsPendingHttpDelivery } from "../../core/sns.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import { countTopic } from "./context.js";
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
}

const ATTEMPT_TIMEOUT_MS = 15_000;
/** Stored timer ids carry it, so it must not change. */
const TIMER_PREFIX = "sns-http:";

function retryPolicy(policy: string | undefined): { retries: number; delayMs: number } {
  let parsed: { healthyRetryPolicy?: { numRetries?: unknown; minDelayTarget?: unknown }; http?: { defaultHealthyRetryPolicy?: { numRetries?: unknown; minDelayTarget?: unknown } } } = {};
  try {
    parsed = policy === undefined ? {} : (JSON.parse(policy) as typeof parsed);
  } catch {
    parsed = {};
  }
  const healthy = parsed.healthyRetryPolicy ?? parsed.http?.defaultHealthyRetryPolicy ?? {};
  const retries = typeof healthy.numRetries === "number" ? Math.min(Math.max(0, healthy.numRetries), 100) : 3;
  const delaySeconds = typeof healthy.minDelayTarget === "number" ? Math.min(Math.max(1, healthy.minDelayTarget), 3600) : 20;
  return { retries, delayMs: delaySeconds * 1000 };
}

export class HttpDelivery {
  readonly runner: ScheduleRunner;
  private closed = false;
  /** First attempts in flight: closing waits for them to be delivered or stored. */
  private readonly first = new Set<Promise<void>>();
  /** Aborts the attempts in flight when Unkai stops. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly pending: DocumentStore<SnsPendingHttpDelivery>,
    private readonly timers: ScheduleTimerStore,
    private readonly destinations: Destinations,
    private readonly options: HttpDeliveryOptions,
    private readonly logger: Logger,
  ) {
    // A lease outlives an attempt (15 s at most); a retry is never skipped for being late (it waited
    // while Unkai was down). Other nodes' new retries are seen at their due time (nextDueAt).
    this.runner = new ScheduleRunner(timers, {
      fire: (id) => this.retry(id.slice(TIMER_PREFIX.length)),
      nextAfter: async (id) => (await this.pending.get(id.slice(TIMER_PREFIX.length)))?.nextAttemptAt,
    }, { timerPrefix: TIMER_PREFIX, owner: options.owner, leaseMs: 60_000, pollMs: 30_000, batch: 32, missedAfterMs: Infinity, now: options.now, removeFinished: true }, logger);
  }

  send(message: HttpMessage): void {
    const { retries, delayMs } = retryPolicy(message.deliveryPolicy);
    const entry: SnsPendingHttpDelivery = {
      id: randomUUID(), url: message.url, body: message.body, headers: message.headers, attempts: 0, retries, delayMs, nextAttemptAt: this.options.now(),
      ...(message.deadLetter ? { deadLetter: message.deadLetter } : {}),
    };
    const attempt = this.attempt(entry, false)
      .catch((error: unknown) => this.logger.error({ err: error, url: entry.url }, "an SNS http delivery could not be kept for its retry"))
      .finally(() => this.first.delete(attempt));
    this.first.add(attempt);
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

  /** One attempt, then what follows it: forgotten when delivered, kept for its next attempt, or dead-lettered when none is left. */
  private async attempt(entry: SnsPendingHttpDelivery, stored: boolean): Promise<void> {
    const outcome = await this.post(entry);
    if (outcome === "delivered") {
      this.count(entry, "NumberOfNotificationsDelivered");
      if (stored) await this.pending.delete(entry.id);
      return;
    }
    // An attempt cut off by Unkai stopping does not count: it is made again after the restart.
    const attempts = entry.attempts + (outcome === "failed" ? 1 : 0);
    if (attempts > entry.retries) {
      this.count(entry, "NumberOfNotificationsFailed");
      await this.deadLetter(entry);
      if (stored) await this.pending.delete(entry.id);
      return;
    }
    const nextAttemptAt = this.options.now() + (outcome === "failed" ? entry.delayMs : 0);
    await this.pending.put(entry.id, { ...entry, attempts, nextAttemptAt });
    if (!stored) {
      await this.timers.set(TIMER_PREFIX + entry.id, nextAttemptAt);
      this.runner.wake();
    }
  }

  private async post(entry: SnsPendingHttpDelivery): Promise<"delivered" | "failed" | "stopped"> {
    if (this.closed) return "stopped";
    try {
      const response = await fetch(entry.url, { method: "POST", headers: entry.headers, body: entry.body, redirect: "manual", signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]) });
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
