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

export type SnsProtocol = "sqs" | "lambda" | "http" | "https";

export interface SnsSubscriptionRecord {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: SnsProtocol;
  readonly endpoint: string;
  readonly owner: string;
  /** http/https subscriptions wait for ConfirmSubscription with `token`; sqs and lambda are confirmed at once. */
  readonly confirmed: boolean;
  readonly token: string | undefined;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy, SubscriptionRoleArn. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: number;
}
