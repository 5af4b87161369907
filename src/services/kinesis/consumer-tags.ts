/**
 * Enhanced fan-out consumers' tags: TagResource, UntagResource and ListTagsForResource on a consumer's ARN, and
 * RegisterStreamConsumer's `Tags` (consumers.ts). Kept on the consumer in its stream's document, so they go with it
 * on DeregisterStreamConsumer and DeleteStream, and read under IAM enforcement as the consumer's
 * `aws:ResourceTag/<key>` (src/auth/resource-tags.ts). The limit is the stream's: 50 a consumer.
 */
import { KINESIS_CONSUMER_ARN, type KinesisConsumer } from "../../core/kinesis.js";
import { loadStream, type KinesisContext } from "./context.js";
import { loadConsumer } from "./consumers.js";
import { checkTags, type Tags } from "./tags.js";

export function consumerTags(ctx: KinesisContext) {
  /** Applies `change` to the consumer's tags, on its stream read again just before the write (a resharding between is kept). */
  async function retag(consumerArn: string, change: (tags: Tags) => Tags): Promise<void> {
    const { stream } = await loadConsumer(ctx, { ConsumerARN: consumerArn });
    const fresh = await loadStream(ctx, { StreamARN: stream.arn });
    const consumers = fresh.consumers ?? [];
    const consumer = consumers.find((c) => c.arn === consumerArn);
    // Deregistered between the two reads: as if it had been gone at the first.
    if (!consumer) return void (await loadConsumer(ctx, { ConsumerARN: consumerArn }));
    const next: KinesisConsumer = { ...consumer, tags: change(consumer.tags ?? {}) };
    await ctx.streams.put(fresh.arn, { ...fresh, consumers: consumers.map((c) => (c === consumer ? next : c)) });
  }
  return {
    /** Whether the ARN names a consumer rather than a stream. */
    names: (arn: string) => KINESIS_CONSUMER_ARN.test(arn),
    add: (consumerArn: string, added: Tags) => retag(consumerArn, (tags) => (checkTags(added, tags, "consumer"), { ...tags, ...added })),
    remove: (consumerArn: string, keys: readonly string[]) => retag(consumerArn, (tags) => Object.fromEntries(Object.entries(tags).filter(([key]) => !keys.includes(key)))),
    list: async (consumerArn: string): Promise<Tags> => (await loadConsumer(ctx, { ConsumerARN: consumerArn })).consumer.tags ?? {},
  };
}
