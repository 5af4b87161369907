/** Subscription attributes: SNS's checks on RawMessageDelivery, FilterPolicy(Scope), RedrivePolicy, and what GetSubscriptionAttributes shows. */
import { compileFilterPolicy, type FilterPolicyScope } from "../../core/event-pattern/sns.js";
import { PatternError, snsFilterPolicyMessage } from "../../core/event-pattern/index.js";
import { UnkaiError } from "../../core/errors.js";
import type { SnsProtocol, SnsSubscriptionRecord } from "../../core/sns.js";
import { invalid } from "./context.js";
import { deliveryPolicyProblem } from "./delivery-policy.js";

const KNOWN = new Set(["RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy"]);
const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

function parseObject(name: string, value: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw invalid(`${name}: failed to parse JSON.`);
}

/** Checks one attribute against the subscription's protocol and the other attributes it will sit beside. */
export function checkSubscriptionAttribute(name: string, value: string, protocol: SnsProtocol, all: Readonly<Record<string, string>>, creating: boolean): void {
  if (!KNOWN.has(name)) throw invalid(creating ? `Attributes Reason: Unknown attribute ${name}` : "AttributeName");
  if (name === "RawMessageDelivery") {
    if (value !== "true" && value !== "false") throw invalid("RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
    if (protocol === "lambda" && value === "true") throw invalid("Delivery protocol [lambda] does not support raw message delivery.");
  }
  if (name === "FilterPolicyScope" && value !== "MessageAttributes" && value !== "MessageBody") {
    throw invalid(`FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
  }
  if (name === "FilterPolicy" || name === "FilterPolicyScope") {
    const policy = name === "FilterPolicy" ? value : all.FilterPolicy;
    const scope = (name === "FilterPolicyScope" ? value : all.FilterPolicyScope ?? "MessageAttributes") as FilterPolicyScope;
    if (policy !== undefined && policy !== "") compileOrRefuse(policy, scope);
  }
  if (name === "RedrivePolicy" && value !== "") {
    const target = parseObject("RedrivePolicy", value).deadLetterTargetArn;
    if (typeof target !== "string") throw invalid("RedrivePolicy: deadLetterTargetArn is missing");
    if (!SQS_ARN.test(target)) throw invalid("RedrivePolicy: deadLetterTargetArn is invalid");
  }
  if (name === "DeliveryPolicy" && value !== "") {
    parseObject("DeliveryPolicy", value);
    const problem = deliveryPolicyProblem(value);
    if (problem !== undefined) throw invalid(`DeliveryPolicy: ${problem}`);
  }
}

function compileOrRefuse(policy: string, scope: FilterPolicyScope): void {
  try {
    compileFilterPolicy(policy, scope);
  } catch (error) {
    if (error instanceof PatternError) throw new UnkaiError("InvalidParameter", snsFilterPolicyMessage(error));
    throw error;
  }
}

/** What GetSubscriptionAttributes answers. */
export function subscriptionAttributesView(subscription: SnsSubscriptionRecord): Record<string, string> {
  const { attributes } = subscription;
  return {
    SubscriptionArn: subscription.arn,
    TopicArn: subscription.topicArn,
    Owner: subscription.owner,
    Protocol: subscription.protocol,
    Endpoint: subscription.endpoint,
    ConfirmationWasAuthenticated: String(subscription.confirmed),
    PendingConfirmation: String(!subscription.confirmed),
    RawMessageDelivery: "false",
    ...(attributes.FilterPolicy !== undefined ? { FilterPolicyScope: "MessageAttributes" } : {}),
    ...attributes,
  };
}
