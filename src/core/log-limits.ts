/** CloudWatch Logs' limits Unkai applies as CloudWatch does.
 *
 * Retention periods: the only values PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export function isRetentionDays(days: number): boolean {
  return (RETENTION_DAYS as readonly number[]).includes(days);
}

/** PutLogEvents takes no event older than this (nor older than the group's retention). */
export const MAX_EVENT_AGE_MS = 14 * 86_400_000;
/** PutLogEvents takes no event further in the future than this. */
export const MAX_EVENT_FUTURE_MS = 2 * 3_600_000;
/** One PutLogEvents batch may not span more than this. */
export const MAX_BATCH_SPAN_MS = 24 * 3_600_000;
/** One PutLogEvents batch: messages in UTF-8 plus 26 bytes per event. */
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_BATCH_EVENTS = 10_000;
/** Bytes each event counts for on top of its UTF-8 message, in batch sizes and stored bytes. */
export const LOG_EVENT_OVERHEAD_BYTES = 26;
/** Subscription filters one log group may have (PutSubscriptionFilter's API reference: "up to two"). */
export const MAX_SUBSCRIPTION_FILTERS_PER_GROUP = 2;
/**
 * How many subscription deliveries one original append may cause through functions' own output (a
 * function subscribed to its own log group, or two to each other's) before Unkai stops delivering
 * that output: Lambda's recursive loop detection stops a loop after about 16 invocations.
 */
export const MAX_SUBSCRIPTION_CHAIN = 16;
