/**
 * Resource-based policies on streams and consumers (PutResourcePolicy, GetResourcePolicy,
 * DeleteResourcePolicy): kept in the stream's document, and evaluated under IAM enforcement beside the
 * caller's own policies with AWS's same-account logic (src/auth/resource-policies.ts): a statement naming
 * the caller allows by itself, a Deny wins. A stream's policy governs actions on the stream, a consumer's
 * those on the consumer (SubscribeToShard, DescribeStreamConsumer).
 */
import { UnkaiError } from "../../core/errors.js";
import { MalformedPolicyError, parsePolicy } from "../../core/iam-policy/index.js";
import { KINESIS_CONSUMER_ARN, KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import { invalid, loadStream, type KinesisContext } from "./context.js";

/** What GetResourcePolicy answers for a resource without a policy. */
const NO_POLICY = "{}";

/** The stream a ResourceARN belongs to, and the consumer it names (undefined: the stream itself). */
function resourceOf(arn: string): { streamArn: string; consumerArn: string | undefined } {
  const consumer = KINESIS_CONSUMER_ARN.exec(arn);
  if (consumer?.[1]) return { streamArn: consumer[1], consumerArn: arn };
  if (KINESIS_STREAM_ARN.test(arn)) return { streamArn: arn, consumerArn: undefined };
  throw invalid(`ResourceARN ${arn} is neither a Kinesis stream ARN nor a consumer ARN.`);
}

export function resourcePolicyOperations(ctx: KinesisContext) {
  /** Sets the resource's policy to `next` (undefined removes it), writing only a change; answers the one it had. */
  async function replace(resourceArn: string, next: string | undefined): Promise<string | undefined> {
    const { streamArn, consumerArn } = resourceOf(resourceArn);
    const stream = await loadStream(ctx, { StreamARN: streamArn });
    const consumers = stream.consumers ?? [];
    const consumer = consumerArn === undefined ? undefined : consumers.find((c) => c.arn === consumerArn);
    if (consumerArn !== undefined && !consumer) throw new UnkaiError("ResourceNotFoundException", `Consumer ${consumerArn} under account ${ctx.account.accountId} not found.`);
    const previous = consumer ? consumer.policy : stream.policy;
    if (previous === next) return previous;
    const updated = consumer ? { ...stream, consumers: consumers.map((c) => (c === consumer ? { ...c, policy: next } : c)) } : { ...stream, policy: next };
    await ctx.streams.put(stream.arn, updated);
    return previous;
  }

  return {
    async PutResourcePolicy(input: { ResourceARN: string; Policy: string }) {
      try {
        parsePolicy(input.Policy, "resource");
      } catch (error) {
        if (error instanceof MalformedPolicyError) throw invalid(`Policy is not valid: ${error.message}`);
        throw error;
      }
      await replace(input.ResourceARN, input.Policy);
      return {};
    },

    async GetResourcePolicy(input: { ResourceARN: string }) {
      const { streamArn, consumerArn } = resourceOf(input.ResourceARN);
      const stream = await loadStream(ctx, { StreamARN: streamArn });
      if (consumerArn === undefined) return { Policy: stream.policy ?? NO_POLICY };
      const consumer = (stream.consumers ?? []).find((c) => c.arn === consumerArn);
      if (!consumer) throw new UnkaiError("ResourceNotFoundException", `Consumer ${consumerArn} under account ${ctx.account.accountId} not found.`);
      return { Policy: consumer.policy ?? NO_POLICY };
    },

    async DeleteResourcePolicy(input: { ResourceARN: string }) {
      if ((await replace(input.ResourceARN, undefined)) === undefined) throw new UnkaiError("ResourceNotFoundException", `No resource policy found for resource ${input.ResourceARN}.`);
      return {};
    },
  };
}
