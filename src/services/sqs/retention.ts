/**
 * The retention job of SQS: messages past their queue's MessageRetentionPeriod, and deduplication
 * ids whose 5-minute window has ended, deleted queue by queue. Receives never deliver an expired
 * message anyway; this reclaims the space.
 */
import type { RetentionJob } from "../../store/retention-sweeper.js";
import type { SqsContext } from "./context.js";
import { settingsOf } from "./queue-attributes.js";

export function sqsRetentionJob(context: Pick<SqsContext, "queues" | "messages">): RetentionJob {
  return {
    name: "sqs messages",
    async deleteExpired(now, limit) {
      let deleted = 0;
      let after: string | undefined;
      for (;;) {
        const page = await context.queues.list("", after, 100);
        for (const queue of page) {
          const sentBefore = now - settingsOf(queue.attributes).retentionSeconds * 1000;
          deleted += await context.messages.deleteExpired(queue.name, sentBefore, now, limit - deleted);
          if (deleted >= limit) return deleted;
        }
        after = page.at(-1)?.name;
        if (page.length < 100) return deleted;
      }
    },
  };
}
