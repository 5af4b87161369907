/**
 * SNS topics as targets of other services: asynchronous-invocation destinations (the invocation
 * record as the message), dead-letter targets (the failed event, with Lambda's RequestID, ErrorCode and
 * ErrorMessage as String message attributes) and plain messages (`send`: EventBridge targets,
 * CloudWatch alarm actions, S3 notifications), each published to the topic's subscribers.
 */
import type { DestinationTarget, OutboundMessage } from "../../async/destinations.js";
import type { Account } from "../../core/arn.js";
import { isLocalTopicArn, type SnsContext } from "./context.js";
import type { Publisher } from "./publish-ops.js";

const asAttributes = (attributes: Readonly<Record<string, string>> | undefined) =>
  attributes && Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: "String", StringValue: value.slice(0, 1024) || "-" }]));

export function snsDestination(account: Account, topics: SnsContext["topics"], publisher: Publisher, baseUrl: () => string): DestinationTarget {
  const send = (arn: string, message: OutboundMessage) => publisher.publishFrom(arn, {
    Message: message.body,
    ...(message.subject !== undefined ? { Subject: message.subject.slice(0, 100) } : {}),
    ...(message.attributes ? { MessageAttributes: asAttributes(message.attributes) } : {}),
    ...(message.groupId !== undefined ? { MessageGroupId: message.groupId } : {}),
    // Senders set a deduplication id for whatever FIFO target they may reach (EventBridge, Scheduler);
    // a standard topic refuses one, so only FIFO topics (names end in .fifo) get it, as SQS's target does.
    ...(message.deduplicationId !== undefined && arn.endsWith(".fifo") ? { MessageDeduplicationId: message.deduplicationId } : {}),
  }, baseUrl());
  return {
    kind: "sns",
    serviceAction: "sns:Publish",
    exists: async (arn) => (await topics.get(arn)) !== undefined,
    accepts: (arn) => isLocalTopicArn(account, arn),
    deliver: (arn, record) => send(arn, { body: JSON.stringify(record) }),
    deliverDeadLetter: (arn, event, attributes) => send(arn, { body: event.toString("utf8"), attributes: { ...attributes } }),
    send,
  };
}
