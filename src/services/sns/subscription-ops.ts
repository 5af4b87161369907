/** Subscriptions: Subscribe (idempotent), ConfirmSubscription, Unsubscribe, listings and attributes. */
import { randomBytes, randomUUID } from "node:crypto";
import type { SnsProtocol, SnsSubscriptionRecord } from "../../core/sns.js";
import { invalid, subscriptionByArn, topicByArn, type Caller, type SnsContext } from "./context.js";
import { isMailboxAddress } from "./mailbox.js";
import { checkSubscriptionAttribute, subscriptionAttributesView } from "./subscription-attributes.js";
import { page } from "./topic-ops.js";

/** What Subscribe hands on: an http/https subscription's SubscriptionConfirmation (sent in the background), an email one's confirmation mail. */
export type OnPending = (subscription: SnsSubscriptionRecord, caller: Caller) => void;

const PROTOCOLS: readonly SnsProtocol[] = ["sqs", "lambda", "http", "https", "email", "email-json"];
const NOT_YET = new Set(["sms", "application", "firehose"]);
const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const LAMBDA_ARN = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9_$-]+)?$/;

function protocolOf(raw: string): SnsProtocol {
  const protocol = raw.toLowerCase();
  if ((PROTOCOLS as readonly string[]).includes(protocol)) return protocol as SnsProtocol;
  if (NOT_YET.has(protocol)) throw invalid(`Unkai does not deliver to the ${protocol} protocol yet; use sqs, lambda, http, https, email or email-json`);
  throw invalid(`Amazon SNS does not support this protocol string: ${raw}`);
}

function checkEndpoint(protocol: SnsProtocol, endpoint: string, fifoTopic: boolean): void {
  if (protocol === "sqs" && !SQS_ARN.test(endpoint)) throw invalid("SQS endpoint ARN");
  if (protocol === "lambda" && !LAMBDA_ARN.test(endpoint)) throw invalid("Lambda endpoint ARN");
  if (protocol === "http" || protocol === "https") {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== `${protocol}:`) throw invalid("Endpoint must match the specified protocol");
  }
  if ((protocol === "email" || protocol === "email-json") && !isMailboxAddress(endpoint)) throw invalid("Email address");
  if (fifoTopic && protocol !== "sqs") throw invalid(`Invalid protocol type: ${protocol}`);
  if (!fifoTopic && protocol === "sqs" && endpoint.endsWith(".fifo")) throw invalid("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
}

interface SubscribeInput {
  TopicArn: string;
  Protocol: string;
  Endpoint?: string;
  Attributes?: Record<string, string>;
  ReturnSubscriptionArn?: boolean;
}

export async function subscribe(context: SnsContext, onPending: OnPending, input: SubscribeInput, caller: Caller): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  const protocol = protocolOf(input.Protocol);
  const endpoint = input.Endpoint ?? "";
  checkEndpoint(protocol, endpoint, topic.fifo);
  const attributes = { ...(input.Attributes ?? {}) };
  for (const [name, value] of Object.entries(attributes)) checkSubscriptionAttribute(name, value, protocol, attributes, true);
  const existing = (await context.subscriptions.list()).find((s) => s.topicArn === topic.arn && s.protocol === protocol && s.endpoint === endpoint);
  const shown = (s: SnsSubscriptionRecord) => ({ SubscriptionArn: s.confirmed || input.ReturnSubscriptionArn === true ? s.arn : "pending confirmation" });
  if (existing) {
    if (Object.entries(attributes).some(([key, value]) => existing.attributes[key] !== value)) throw invalid("Attributes Reason: Subscription already exists with different attributes");
    if (!existing.confirmed) onPending(existing, caller);
    return shown(existing);
  }
  const pending = protocol !== "sqs" && protocol !== "lambda";
  const subscription: SnsSubscriptionRecord = {
    arn: `${topic.arn}:${randomUUID()}`, topicArn: topic.arn, protocol, endpoint, owner: context.account.accountId,
    confirmed: !pending, token: pending ? randomBytes(64).toString("hex") : undefined, attributes, createdAt: context.now(),
  };
  await context.subscriptions.put(subscription.arn, subscription);
  if (pending) onPending(subscription, caller);
  return shown(subscription);
}

export async function confirmSubscription(context: SnsContext, input: { TopicArn: string; Token: string }): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  const subscription = (await context.subscriptions.list()).find((s) => s.topicArn === topic.arn && s.token !== undefined && s.token === input.Token);
  if (!subscription) throw invalid("Token");
  if (!subscription.confirmed) await context.subscriptions.put(subscription.arn, { ...subscription, confirmed: true });
  return { SubscriptionArn: subscription.arn };
}

export async function unsubscribe(context: SnsContext, input: { SubscriptionArn: string }): Promise<object> {
  if (!/^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+:[0-9a-f-]{36}$/.test(input.SubscriptionArn)) throw invalid("SubscriptionArn");
  await context.subscriptions.delete(input.SubscriptionArn);
  return {};
}

const listed = (s: SnsSubscriptionRecord) => ({
  SubscriptionArn: s.confirmed ? s.arn : "PendingConfirmation", Owner: s.owner, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn,
});

export async function listSubscriptions(context: SnsContext, input: { NextToken?: string }): Promise<object> {
  const all = (await context.subscriptions.list()).sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const { items, next } = page(all, (s) => s.arn, input.NextToken);
  return { Subscriptions: items.map(listed), ...(next ? { NextToken: next } : {}) };
}

export async function listSubscriptionsByTopic(context: SnsContext, input: { TopicArn: string; NextToken?: string }): Promise<object> {
  const topic = await topicByArn(context, input.TopicArn);
  const mine = (await context.subscriptions.list()).filter((s) => s.topicArn === topic.arn).sort((a, b) => (a.arn < b.arn ? -1 : 1));
  const { items, next } = page(mine, (s) => s.arn, input.NextToken);
  return { Subscriptions: items.map(listed), ...(next ? { NextToken: next } : {}) };
}

export async function getSubscriptionAttributes(context: SnsContext, input: { SubscriptionArn: string }): Promise<object> {
  return { Attributes: subscriptionAttributesView(await subscriptionByArn(context, input.SubscriptionArn)) };
}

export async function setSubscriptionAttributes(context: SnsContext, input: { SubscriptionArn: string; AttributeName: string; AttributeValue?: string }): Promise<object> {
  const subscription = await subscriptionByArn(context, input.SubscriptionArn);
  const value = input.AttributeValue ?? "";
  const attributes = { ...subscription.attributes, [input.AttributeName]: value };
  checkSubscriptionAttribute(input.AttributeName, value, subscription.protocol, attributes, false);
  if (value === "" && input.AttributeName !== "RawMessageDelivery") delete attributes[input.AttributeName];
  await context.subscriptions.put(subscription.arn, { ...subscription, attributes });
  return {};
}
