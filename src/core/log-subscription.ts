/** CloudWatch Logs' subscription filters as the store keeps them: one document per log group (src/services/logs works on them). */

export interface SubscriptionFilterRecord {
  readonly filterName: string;
  readonly logGroupName: string;
  readonly filterPattern: string;
  /** A Lambda function's ARN (the only destination kind Unkai delivers to yet). */
  readonly destinationArn: string;
  readonly roleArn?: string;
  readonly distribution: "ByLogStream" | "Random";
  readonly creationTime: number;
}

/** A group's filters, in ASCII order of name; at most MAX_SUBSCRIPTION_FILTERS_PER_GROUP. */
export interface LogGroupSubscriptions {
  readonly logGroupName: string;
  readonly filters: readonly SubscriptionFilterRecord[];
}
