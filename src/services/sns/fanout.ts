/**
 * Delivers a published message to each confirmed subscription of its topic whose filter policy it
 * passes: SQS queues and Lambda functions through `platform.destinations` (durable before Publish
 * answers), email addresses to the local mailbox (written before Publish answers), http/https
 * endpoints in the background. A subscription whose delivery fails goes to its
 * RedrivePolicy's dead-letter queue when it has one.
 */
import type { Logger } from "pino";
import type { Destinations, TypedAttribute } from "../../async/destinations.js";
import type { EventPattern } from "../../core/event-pattern/index.js";
import { compileFilterPolicy, matchesFilterPolicy, type FilterPolicyScope } from "../../core/event-pattern/sns.js";
import type { SnsDeadLetter, SnsSubscriptionRecord, SnsTopicRecord } from "../../core/sns.js";
import type { SigningIdentity } from "./certificate.js";
import { countTopic, type SnsContext } from "./context.js";
import { lambdaEvent, notification, subscriptionConfirmation, unsubscribeUrl, type Published, type Signer } from "./envelope.js";
import type { Mailbox } from "../../store/mailbox.js";
import type { HttpDelivery } from "./http-delivery.js";
import { requestContentType } from "./delivery-policy.js";
import { randomUUID } from "node:crypto";

export class Fanout {
  private readonly policies = new Map<string, EventPattern>();

  constructor(
    private readonly context: SnsContext,
    private readonly destinations: Destinations,
    private readonly identity: () => Promise<SigningIdentity>,
    private readonly http: HttpDelivery,
    private readonly mailbox: Mailbox,
    private readonly logger: Logger,
  ) {}

  async signer(topic: SnsTopicRecord | undefined, baseUrl: string): Promise<Signer> {
    return { identity: await this.identity(), baseUrl, version: topic?.attributes.SignatureVersion === "2" ? "2" : "1" };
  }

  async publish(topic: SnsTopicRecord, message: Published, baseUrl: string): Promise<void> {
    const signer = await this.signer(topic, baseUrl);
    const subscriptions = (await this.context.subscriptions.list()).filter((s) => s.topicArn === topic.arn && s.confirmed && this.passes(s, message));
    await Promise.all(subscriptions.map((subscription) => this.deliver(topic, subscription, message, signer)));
  }

  private passes(subscription: SnsSubscriptionRecord, message: Published): boolean {
    const source = subscription.attributes.FilterPolicy;
    if (source === undefined || source === "") return true;
    const scope = (subscription.attributes.FilterPolicyScope ?? "MessageAttributes") as FilterPolicyScope;
    const key = `${scope}\n${source}`;
    let policy = this.policies.get(key);
    if (!policy) {
      policy = compileFilterPolicy(source, scope);
      this.policies.set(key, policy);
    }
    return matchesFilterPolicy(policy, scope, message.messageFor(subscription.protocol), message.attributes);
  }

  private async deliver(topic: SnsTopicRecord, subscription: SnsSubscriptionRecord, message: Published, signer: Signer): Promise<void> {
    const raw = subscription.attributes.RawMessageDelivery === "true";
    const envelope = JSON.stringify(notification(message, subscription.protocol, subscription.arn, signer));
    const deadLetter = deadLetterOf(subscription, envelope, message);
    if (subscription.protocol === "http" || subscription.protocol === "https") {
      const deliveryPolicy = subscription.attributes.DeliveryPolicy ?? topic.attributes.DeliveryPolicy;
      await this.http.send({
        url: subscription.endpoint, body: raw ? message.messageFor(subscription.protocol) : envelope, deliveryPolicy,
        headers: { "content-type": requestContentType(deliveryPolicy), "x-amz-sns-message-type": "Notification", "x-amz-sns-message-id": message.messageId, "x-amz-sns-topic-arn": topic.arn, "x-amz-sns-subscription-arn": subscription.arn, ...(raw ? { "x-amz-sns-rawdelivery": "true" } : {}) },
        deadLetter,
      });
      return;
    }
    try {
      if (subscription.protocol === "email" || subscription.protocol === "email-json") {
        const json = subscription.protocol === "email-json";
        await this.mailbox.deliver({
          to: subscription.endpoint, fromName: fromName(topic), subject: message.subject ?? "AWS Notification Message", messageId: message.messageId, dateMs: this.context.now(),
          body: json ? envelope : notificationText(message.messageFor(subscription.protocol), unsubscribeUrl(signer.baseUrl, subscription.arn)),
        });
      } else if (subscription.protocol === "lambda") {
        // The function's policy must allow sns.amazonaws.com for this topic; a denial is a failed delivery (not retried, dead-lettered).
        await this.destinations.send(subscription.endpoint, { body: JSON.stringify(lambdaEvent(message, subscription.arn, signer)), source: { principal: "sns.amazonaws.com", arn: topic.arn } });
      } else {
        // As sns.amazonaws.com for this topic: under enforcement the queue's policy must allow it (sqs:SendMessage).
        await this.destinations.send(subscription.endpoint, {
          body: raw ? message.messageFor("sqs") : envelope, source: { principal: "sns.amazonaws.com", arn: topic.arn },
          ...(raw ? { typedAttributes: typedAttributes(message) } : {}),
          ...(message.fifo ? { groupId: message.fifo.groupId, deduplicationId: message.fifo.deduplicationId } : {}),
        });
      }
      countTopic(this.context.metrics, topic.arn, "NumberOfNotificationsDelivered");
    } catch (error) {
      countTopic(this.context.metrics, topic.arn, "NumberOfNotificationsFailed");
      this.logger.warn({ subscription: subscription.arn, err: (error as Error).message }, "an SNS delivery failed");
      if (!deadLetter) return;
      const { targetArn, ...dead } = deadLetter;
      await this.destinations.send(targetArn, dead).catch((failure: unknown) => this.logger.warn({ err: (failure as Error).message }, "an SNS dead-letter delivery failed"));
    }
  }

  /** Sends an http/https subscription its SubscriptionConfirmation (again on a repeated Subscribe). */
  async confirm(subscription: SnsSubscriptionRecord, topic: SnsTopicRecord | undefined, baseUrl: string): Promise<void> {
    const body = subscriptionConfirmation(subscription.topicArn, subscription.token ?? "", randomUUID(), new Date(this.context.now()).toISOString(), await this.signer(topic, baseUrl));
    if (subscription.protocol === "email" || subscription.protocol === "email-json") {
      await this.mailbox.deliver({
        to: subscription.endpoint, fromName: fromName(topic), subject: "AWS Notification - Subscription Confirmation", messageId: String(body.MessageId), dateMs: this.context.now(),
        body: subscription.protocol === "email-json" ? JSON.stringify(body) : confirmationText(subscription.topicArn, String(body.SubscribeURL)),
      });
      return;
    }
    const deliveryPolicy = subscription.attributes.DeliveryPolicy ?? topic?.attributes.DeliveryPolicy;
    await this.http.send({
      url: subscription.endpoint, body: JSON.stringify(body), deliveryPolicy,
      headers: { "content-type": requestContentType(deliveryPolicy), "x-amz-sns-message-type": "SubscriptionConfirmation", "x-amz-sns-message-id": String(body.MessageId), "x-amz-sns-topic-arn": subscription.topicArn },
    });
  }
}

const NO_REPLY = "Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support";

/** The sender's name: the topic's DisplayName, as SNS uses it, else SNS's own. */
const fromName = (topic: SnsTopicRecord | undefined) => (topic?.attributes.DisplayName ? topic.attributes.DisplayName : "AWS Notifications");

/** An `email` notification's body: the message, then SNS's footer with the unsubscribe link. */
function notificationText(message: string, unsubscribe: string): string {
  return `${message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${unsubscribe}\n\n${NO_REPLY}\n`;
}

/** An `email` subscription's confirmation: the link is SubscribeURL (ConfirmSubscription on Unkai). */
function confirmationText(topicArn: string, subscribeUrl: string): string {
  return `You have chosen to subscribe to the topic:\n${topicArn}\n\nTo confirm this subscription, click or visit the link below (If this was in error no action is necessary):\nConfirm subscription: ${subscribeUrl}\n\n${NO_REPLY}\n`;
}

/** Where a failed delivery goes (the subscription's RedrivePolicy): the envelope, to its dead-letter queue. */
function deadLetterOf(subscription: SnsSubscriptionRecord, envelope: string, message: Published): SnsDeadLetter | undefined {
  const policy = subscription.attributes.RedrivePolicy;
  if (policy === undefined || policy === "") return undefined;
  const targetArn = (JSON.parse(policy) as { deadLetterTargetArn: string }).deadLetterTargetArn;
  return { targetArn, body: envelope, ...(message.fifo ? { groupId: message.fifo.groupId, deduplicationId: message.fifo.deduplicationId } : {}) };
}

/** Raw delivery to SQS carries every attribute as a queue message attribute of the same data type (Binary ones too). */
function typedAttributes(message: Published): Record<string, TypedAttribute> {
  return Object.fromEntries(Object.entries(message.attributes).map(([name, a]) => [name, a.BinaryValue !== undefined
    ? { dataType: a.DataType, binaryValue: Buffer.from(a.BinaryValue).toString("base64") }
    : { dataType: a.DataType, stringValue: a.StringValue ?? "" }]));
}
