/** What SNS's operations share: the store's ports, the account, the delivery machinery and a clock. */
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { MetricUnit, ServiceMetrics } from "../../core/service-metrics.js";
import type { SnsSubscriptionRecord, SnsTopicRecord } from "../../core/sns.js";
import type { DocumentStore } from "../../store/ports.js";

export interface SnsContext {
  readonly topics: DocumentStore<SnsTopicRecord>;
  readonly subscriptions: DocumentStore<SnsSubscriptionRecord>;
  readonly account: Account;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** Where AWS/SNS's per-topic figures go (the platform's ServiceMetrics); none, none kept. */
  readonly metrics?: ServiceMetrics;
}

/** One AWS/SNS figure of a topic (dimension `TopicName`, as SNS publishes them). */
export function countTopic(metrics: ServiceMetrics | undefined, topicArn: string, metricName: string, value = 1, unit: MetricUnit = "Count"): void {
  metrics?.add("AWS/SNS", metricName, { TopicName: topicArn.slice(topicArn.lastIndexOf(":") + 1) }, value, unit);
}

/** Who calls and by which address they reached Unkai: SubscribeURL, UnsubscribeURL and SigningCertURL are built on it. */
export interface Caller {
  readonly baseUrl: string;
}

export const invalid = (what: string) => new UnkaiError("InvalidParameter", `Invalid parameter: ${what}`);

const TOPIC_ARN = /^arn:aws[a-zA-Z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

export function topicArn(account: Account, name: string): string {
  return `arn:aws:sns:${account.region}:${account.accountId}:${name}`;
}

/** Whether the ARN names a topic of this account and region (another account's topics do not exist here). */
export function isLocalTopicArn(account: Account, arn: string): boolean {
  const match = TOPIC_ARN.exec(arn);
  return match !== null && match[1] === account.region && match[2] === account.accountId;
}

export async function topicByArn(context: SnsContext, arn: string): Promise<SnsTopicRecord> {
  const topic = isLocalTopicArn(context.account, arn) ? await context.topics.get(arn) : undefined;
  if (!topic) {
    if (!TOPIC_ARN.test(arn)) throw invalid("TopicArn");
    throw new UnkaiError("NotFound", "Topic does not exist");
  }
  return topic;
}

export async function subscriptionByArn(context: SnsContext, arn: string): Promise<SnsSubscriptionRecord> {
  const subscription = await context.subscriptions.get(arn);
  if (!subscription) {
    if (!/^arn:aws[a-zA-Z-]*:sns:/.test(arn)) throw invalid("SubscriptionArn");
    throw new UnkaiError("NotFound", "Subscription does not exist");
  }
  return subscription;
}
