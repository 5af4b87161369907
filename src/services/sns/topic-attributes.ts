/** Topic attributes: which ones CreateTopic and SetTopicAttributes take, their checks, and what GetTopicAttributes shows. */
import type { SnsSubscriptionRecord, SnsTopicRecord } from "../../core/sns.js";
import { invalid } from "./context.js";
import { defaultTopicPolicy } from "../../core/sns.js";
import { deliveryPolicyProblem } from "./delivery-policy.js";

const FEEDBACK = /^(HTTP|Lambda|SQS|Firehose|Application)(Success|Failure)Feedback(RoleArn|SampleRate)$/;
const SETTABLE = new Set(["DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "ContentBasedDeduplication", "ArchivePolicy", "DataProtectionPolicy", "FifoThroughputScope"]);

function isJson(value: string): boolean {
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null;
  } catch {
    return false;
  }
}

/** Refuses an attribute SNS does not have or a value it would refuse, in SNS's words. */
export function checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  if (name === "FifoTopic") {
    if (!creating) throw invalid("AttributeName");
    if (value !== "true" && value !== "false") throw invalid("Attributes Reason: FifoTopic Value must be true or false");
    return;
  }
  if (!SETTABLE.has(name) && !FEEDBACK.test(name)) throw invalid(creating ? `Attributes Reason: Unknown attribute ${name}` : "AttributeName");
  if ((name === "Policy" || name === "DeliveryPolicy" || name === "ArchivePolicy" || name === "DataProtectionPolicy") && value !== "" && !isJson(value)) {
    throw invalid(`Attributes Reason: ${name}: failed to parse JSON`);
  }
  const policyProblem = name === "DeliveryPolicy" && value !== "" ? deliveryPolicyProblem(value) : undefined;
  if (policyProblem !== undefined) throw invalid(`Attributes Reason: DeliveryPolicy: ${policyProblem}`);
  if (name === "SignatureVersion" && value !== "1" && value !== "2") throw invalid("Attributes Reason: SignatureVersion: Invalid value [" + value + "]. Should be one of [1, 2]");
  if (name === "TracingConfig" && value !== "PassThrough" && value !== "Active") throw invalid("Attributes Reason: TracingConfig: Invalid value [" + value + "]. Should be one of [PassThrough, Active]");
  if (name === "ContentBasedDeduplication") {
    if (!fifo) throw invalid("Attributes Reason: Content-based deduplication can only be set for FIFO topics");
    if (value !== "true" && value !== "false") throw invalid("Attributes Reason: ContentBasedDeduplication Value must be true or false");
  }
  if (name === "FifoThroughputScope" && (!fifo || (value !== "Topic" && value !== "MessageGroup"))) throw invalid("Attributes Reason: FifoThroughputScope");
  if (name === "DisplayName" && value.length > 100) throw invalid("DisplayName");
}

/** The policy SNS gives a topic that has none (GetTopicAttributes shows it; AddPermission starts from it). */
export const defaultPolicy = (topic: SnsTopicRecord): string => defaultTopicPolicy(topic.arn);

const EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: { defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" }, disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" } },
});

/** What GetTopicAttributes answers: the stored attributes over SNS's defaults and the subscription counts. */
export function topicAttributesView(topic: SnsTopicRecord, subscriptions: readonly SnsSubscriptionRecord[]): Record<string, string> {
  const mine = subscriptions.filter((s) => s.topicArn === topic.arn);
  return {
    TopicArn: topic.arn,
    Owner: topic.arn.split(":")[4] ?? "",
    Policy: defaultPolicy(topic),
    DisplayName: "",
    SubscriptionsConfirmed: String(mine.filter((s) => s.confirmed).length),
    SubscriptionsPending: String(mine.filter((s) => !s.confirmed).length),
    SubscriptionsDeleted: "0",
    EffectiveDeliveryPolicy: topic.attributes.DeliveryPolicy ?? EFFECTIVE_DELIVERY_POLICY,
    ...(topic.fifo ? { FifoTopic: "true", ContentBasedDeduplication: "false" } : {}),
    ...topic.attributes,
  };
}
