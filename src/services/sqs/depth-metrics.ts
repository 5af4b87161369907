/**
 * AWS/SQS's gauges: every queue's ApproximateNumberOfMessagesVisible, ...NotVisible and ...Delayed,
 * counted as GetQueueAttributes counts them, and ApproximateAgeOfOldestMessage (seconds since the oldest
 * message that is not delayed was sent; 0 for an empty queue). CloudWatch samples them once per alarm evaluation (a
 * minute by default), on the node that evaluates alarms: one count query per queue per sample.
 */
import { countQueue, type SqsContext } from "./context.js";
import { settingsOf } from "./queue-attributes.js";

const PAGE = 100;

export async function sampleQueueDepths(context: SqsContext): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const queues = await context.queues.list("", after, PAGE);
    for (const queue of queues) {
      const now = context.now();
      const sentAfter = now - settingsOf(queue.attributes).retentionSeconds * 1000;
      const counts = await context.messages.counts(queue.name, now, sentAfter);
      countQueue(context, queue.name, "ApproximateNumberOfMessagesVisible", counts.visible);
      countQueue(context, queue.name, "ApproximateNumberOfMessagesNotVisible", counts.inFlight);
      countQueue(context, queue.name, "ApproximateNumberOfMessagesDelayed", counts.delayed);
      const oldest = counts.visible + counts.inFlight > 0 ? await context.messages.oldestSentAt(queue.name, now, sentAfter) : undefined;
      countQueue(context, queue.name, "ApproximateAgeOfOldestMessage", oldest === undefined ? 0 : Math.max(0, Math.floor((now - oldest) / 1000)), "Seconds");
    }
    if (queues.length < PAGE) return;
    after = queues[queues.length - 1]?.name;
  }
}
