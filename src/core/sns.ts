/** SNS topics and subscriptions as the store keeps them (documents; src/services/sns works on them). */

export interface SnsTopicRecord {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** The settable attributes as SNS returns them (DisplayName, Policy, DeliveryPolicy, ContentBasedDeduplication …). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/**
 * The policy SNS gives a topic that has none: the owner account's principals, and the services that
 * publish for the account naming it as `AWS:SourceOwner` (CloudWatch alarms), may use the topic. IAM
 * enforcement evaluates it as the topic's policy (src/auth/resource-policies.ts).
 */
export function defaultTopicPolicy(topicArn: string): string {
  return JSON.stringify({
    Version: "2008-10-17", Id: "__default_policy_ID",
    Statement: [{
      Sid: "__default_statement_ID", Effect: "Allow", Principal: { AWS: "*" },
      Action: ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
      Resource: topicArn, Condition: { StringEquals: { "AWS:SourceOwner": topicArn.split(":")[4] } },
    }],
  });
}

export type SnsProtocol = "sqs" | "lambda" | "http" | "https" | "email" | "email-json";

export interface SnsSubscriptionRecord {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: SnsProtocol;
  readonly endpoint: string;
  readonly owner: string;
  /** http/https and email subscriptions wait for ConfirmSubscription with `token`; sqs and lambda are confirmed at once. */
  readonly confirmed: boolean;
  readonly token: string | undefined;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy, SubscriptionRoleArn. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

/**
 * An http/https delivery (a Notification or a SubscriptionConfirmation) whose attempt failed and
 * which waits in the store for its next one, so a restart or another node of the cluster retries it.
 */
export interface SnsPendingHttpDelivery {
  readonly id: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Attempts made so far. */
  readonly attempts: number;
  /** Retries the delivery policy allows after the first attempt, and the delay before each. */
  readonly retries: number;
  /** The delay before every retry (deliveries stored before the policy's phases had only this). */
  readonly delayMs: number;
  /** The delay before each retry, first retry first, by the policy's phases. */
  readonly delaysMs?: readonly number[];
  /** When the next attempt is due (epoch milliseconds). */
  readonly nextAttemptAt: number;
  /** Where the message goes once every attempt has failed (the subscription's RedrivePolicy), if anywhere. */
  readonly deadLetter?: SnsDeadLetter;
}

export interface SnsDeadLetter {
  readonly targetArn: string;
  readonly body: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
}

/** What a FIFO topic remembers of a deduplication id: the first message's id and sequence number. */
export interface SnsDeduplication {
  readonly messageId: string;
  readonly sequence: number;
  /** True when this claim recorded the id (publish it); false when a live record was already there (a duplicate). */
  readonly fresh: boolean;
}
