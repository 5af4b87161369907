/** What SQS's operations share: the store's ports, the account, the long-poll signals and a clock. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { MetricUnit, ServiceMetrics } from "../../core/service-metrics.js";
import type { MessageStore, QueueRecord, QueueStore } from "../../store/ports.js";
import { doesNotExist, queueNameFromUrl } from "./addresses.js";
import type { WakeSignals } from "../../core/wake-signals.js";

export interface SqsContext {
  readonly queues: QueueStore;
  readonly messages: MessageStore;
  readonly account: Account;
  readonly signals: WakeSignals;
  /** Epoch milliseconds (tests may pass their own). */
  readonly now: () => number;
  /** When each queue was last purged (PurgeQueue runs once per 60 s per queue). */
  readonly purgedAt: Map<string, number>;
  /** FIFO receives by `<queue>\n<ReceiveRequestAttemptId>`: a retried receive gets the same messages and handles (5 minutes). */
  readonly receiveAttempts: Map<string, ReceiveAttempt>;
  /** Where AWS/SQS's per-queue figures go (the platform's ServiceMetrics); none, none kept. */
  readonly metrics?: ServiceMetrics;
}

/** One AWS/SQS figure of a queue (dimension `QueueName`, as SQS publishes them). */
export function countQueue(context: SqsContext, queueName: string, metricName: string, value = 1, unit: MetricUnit = "Count"): void {
  context.metrics?.add("AWS/SQS", metricName, { QueueName: queueName }, value, unit);
}

export interface ReceiveAttempt {
  readonly token: string;
  readonly seqs: readonly number[];
  readonly expiresAt: number;
}

/** Who calls and how they reached Unkai: queue URLs are built on `baseUrl`; `senderId` is the SenderId of what they send. */
export interface Caller {
  readonly baseUrl: string;
  readonly senderId: string;
}

export async function queueByUrl(context: SqsContext, url: string): Promise<QueueRecord> {
  const queue = await context.queues.get(queueNameFromUrl(url, context.account));
  if (!queue) throw doesNotExist();
  return queue;
}

/** An optional integer parameter in range, or SQS's InvalidParameterValue naming it. */
export function integerParameter(name: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UnkaiError("InvalidParameterValue", `Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}
