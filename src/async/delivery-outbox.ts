/**
 * Retries of deliveries to message targets (SQS queues, SNS topics, functions, any ARN the
 * destinations seam sends to), for EventBridge rules, EventBridge Scheduler schedules and S3
 * notifications, each with its own store and instance (S3 stores every notification here with the
 * object change, before its first attempt: see S3Notifications). The first attempt happens inside PutEvents (or the scheduled firing), before it
 * answers; a failed one is written here, durably, and retried with exponential backoff until it
 * succeeds, the target's RetryPolicy is exhausted (MaximumRetryAttempts, MaximumEventAgeInSeconds),
 * and then goes to the target's DeadLetterConfig queue with the service's DLQ attributes (or is
 * dropped with a warning when there is none, as both services drop it). Pending entries survive a
 * restart: the retry loop looks at the store when Unkai starts.
 */
import type { Logger } from "pino";
import type { PendingDelivery } from "../core/events/resources.js";
import { MissingTargetError, NOT_AUTHORIZED_TO_INVOKE, NOT_AUTHORIZED_TO_SEND, NotRetriedError, type Destinations, type OutboundMessage } from "./destinations.js";
import { throttleDelayMs, type RetryTiming } from "./retry-policy.js";
import { WakeLoop } from "./wake-loop.js";
import type { DocumentStore } from "../store/ports.js";

/** The defaults when a target has no RetryPolicy (EventBridge and Scheduler alike): 185 retries over 24 hours. */
export const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 } as const;

/** The longest sleep between looks at the store (another node may have written entries). */
const POLL_MS = 5_000;

/**
 * EventBridge's DLQ ERROR_CODE for a failure. The seam reports failures as sentences, not codes:
 * a target that is gone says "does not exist" (EventBridge's NO_RESOURCE), a function whose policy does
 * not allow the service says Lambda's "Not authorized to invoke function" (a queue's, topic's or bus's "Not
 * authorized to send to": NO_PERMISSIONS, from `Destinations.permission`); anything else is a
 * delivery the target refused (SDK_CLIENT_ERROR, as EventBridge names a rejected call).
 */
function errorCodeOf(message: string): string {
  if (/does not exist/.test(message)) return "NO_RESOURCE";
  return message.startsWith(NOT_AUTHORIZED_TO_INVOKE) || message.startsWith(NOT_AUTHORIZED_TO_SEND) ? "NO_PERMISSIONS" : "SDK_CLIENT_ERROR";
}

/** Whose deliveries an outbox keeps: how its logs and its dead-letter attributes name the source. */
export interface OutboxOwner {
  /** `EventBridge`, `Scheduler`: the start of every log line. */
  readonly service: string;
  /** The DLQ attribute carrying the entry's source ARN (`ruleArn`): `RULE_ARN`, `SCHEDULE_ARN`. */
  readonly sourceAttribute: string;
  /**
   * Whether a target that does not exist is dead-lettered at once: EventBridge rules do ("if a target
   * resource no longer exists, no retry attempts will happen"); Scheduler documents no such rule, so
   * its deliveries keep retrying (a queue created later still gets them).
   */
  readonly missingTargetNotRetried: boolean;
}

export const EVENTBRIDGE_OUTBOX: OutboxOwner = { service: "EventBridge", sourceAttribute: "RULE_ARN", missingTargetNotRetried: true };

export type ExhaustedBy = "MaximumRetryAttempts" | "MaximumEventAgeInSeconds";

export class DeliveryOutbox {
  private readonly loop: WakeLoop;

  constructor(
    private readonly pending: DocumentStore<PendingDelivery>,
    private readonly destinations: Destinations,
    private readonly timing: RetryTiming,
    private readonly now: () => number,
    private readonly logger: Logger,
    private readonly owner: OutboxOwner,
  ) {
    this.loop = new WakeLoop(() => this.tick(), {
      pollMs: POLL_MS, now,
      onError: (error) => logger.error({ err: error }, `${owner.service}: looking at pending deliveries failed`),
    });
  }

  /**
   * Records a failed first attempt (or ends it at once when its policy allows no retry or the error
   * is a NotRetriedError).
   */
  async failed(entry: Omit<PendingDelivery, "attempts" | "nextAttemptAt" | "lastError">, error: unknown): Promise<void> {
    await this.afterFailure({ ...entry, attempts: 0, nextAttemptAt: 0, lastError: "" }, error);
  }

  start(): void {
    this.loop.start();
  }

  async close(): Promise<void> {
    await this.loop.close();
  }

  /** Looks at the store now (coalesced). */
  wake(): void {
    this.loop.wake();
  }

  /** Attempts every due entry; returns when the next one is due. */
  async tick(): Promise<number | undefined> {
    const now = this.now();
    const entries = await this.pending.list();
    await Promise.all(entries.filter((e) => e.nextAttemptAt <= now).map((e) => this.attempt(e)));
    const later = (await this.pending.list()).map((e) => e.nextAttemptAt);
    return later.length > 0 ? Math.min(...later) : undefined;
  }

  /**
   * One attempt of a stored entry now, by its sender (S3 tries its notifications before it answers):
   * deleted when it succeeds, else counted as a failed attempt like the loop's own.
   */
  async deliver(entry: PendingDelivery): Promise<void> {
    await this.attempt(entry);
  }

  private async attempt(entry: PendingDelivery): Promise<void> {
    try {
      await this.destinations.send(entry.targetArn, entry.message);
    } catch (error) {
      await this.afterFailure(entry, error);
      return;
    }
    await this.pending.delete(entry.id);
  }

  /** Counts a failed attempt: schedules the next one, or ends the delivery. */
  private async afterFailure(entry: PendingDelivery, failure: unknown): Promise<void> {
    const error = failure instanceof Error ? failure.message : String(failure);
    const attempts = entry.attempts + 1;
    const now = this.now();
    const nextAttemptAt = now + throttleDelayMs(attempts - 1, this.timing);
    const exhausted: ExhaustedBy | undefined = attempts > entry.maximumRetryAttempts
      ? "MaximumRetryAttempts"
      : nextAttemptAt - entry.eventTimeMs > entry.maximumEventAgeSeconds * 1000 ? "MaximumEventAgeInSeconds" : undefined;
    const notRetried = failure instanceof NotRetriedError || (failure instanceof MissingTargetError && this.owner.missingTargetNotRetried);
    if (!exhausted && !notRetried) {
      await this.pending.put(entry.id, { ...entry, attempts, nextAttemptAt, lastError: error });
      this.wake();
      return;
    }
    await this.deadLetter({ ...entry, attempts, lastError: error }, notRetried ? undefined : exhausted);
    await this.pending.delete(entry.id);
  }

  /** `exhausted` is undefined for an error not retried: no retry condition was exhausted, so the attribute is left out. */
  private async deadLetter(entry: PendingDelivery, exhausted: ExhaustedBy | undefined): Promise<void> {
    const log = { rule: entry.ruleArn, target: entry.targetArn, attempts: entry.attempts, error: entry.lastError };
    if (entry.deadLetterArn === undefined) {
      this.logger.warn(log, `${this.owner.service}: a delivery failed for good (retries exhausted or not retried) and the target has no dead-letter queue; the event was dropped`);
      return;
    }
    const message: OutboundMessage = {
      body: entry.message.body,
      attributes: {
        [this.owner.sourceAttribute]: entry.ruleArn,
        TARGET_ARN: entry.targetArn,
        ERROR_CODE: errorCodeOf(entry.lastError),
        ERROR_MESSAGE: entry.lastError,
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
        RETRY_ATTEMPTS: String(entry.attempts - 1),
      },
    };
    try {
      await this.destinations.send(entry.deadLetterArn, message);
    } catch (error) {
      // EventBridge and Scheduler count these (InvocationsFailedToBeSentToDLQ) and drop the event.
      this.logger.error({ ...log, err: error, deadLetter: entry.deadLetterArn }, `${this.owner.service}: the dead-letter queue refused a failed event; it was dropped`);
    }
  }
}
