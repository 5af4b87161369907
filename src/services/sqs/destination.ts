/**
 * SQS queues as asynchronous-invocation destinations (DestinationConfig OnSuccess/OnFailure: the
 * invocation record as the body) and as dead-letter targets (DeadLetterConfig: the failed event as
 * the body, with Lambda's RequestID, ErrorCode and ErrorMessage message attributes). Standard
 * queues only, as on AWS. Other services' messages (`send`: EventBridge targets, SNS subscriptions,
 * S3 notifications) reach FIFO queues too, with their group and deduplication ids. Sends are fsynced
 * before delivery counts as done.
 */
import { MissingTargetError, NotRetriedError, type DestinationTarget, type OutboundMessage } from "../../async/destinations.js";
import { queueNameFromArn, queueUrl } from "./addresses.js";
import type { SqsContext } from "./context.js";
import type { AttributeInput } from "./message-rules.js";
import { sendMessage } from "./send-ops.js";

const INTERNAL_BASE = "http://unkai.internal";

export function sqsDestination(context: SqsContext): DestinationTarget {
  const send = async (arn: string, message: OutboundMessage, standardOnly: boolean) => {
    const name = queueNameFromArn(arn, context.account);
    const queue = name === undefined ? undefined : await context.queues.get(name);
    if (!queue || name === undefined) throw new MissingTargetError(`destination queue ${arn} does not exist`);
    if (queue.fifo && standardOnly) throw new NotRetriedError(`destination queue ${arn} is a FIFO queue; Lambda delivers to standard queues only`);
    if (queue.fifo && message.groupId === undefined) throw new NotRetriedError(`queue ${arn} is a FIFO queue and the message has no message group id`);
    const MessageAttributes = queueAttributes(message);
    await sendMessage(context, {
      QueueUrl: queueUrl(INTERNAL_BASE, context.account, name), MessageBody: message.body,
      ...(MessageAttributes ? { MessageAttributes } : {}),
      ...(queue.fifo ? { MessageGroupId: message.groupId, ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}) } : {}),
    }, { baseUrl: INTERNAL_BASE, senderId: context.account.accountId });
  };
  return {
    kind: "sqs",
    serviceAction: "sqs:SendMessage",
    exists: async (arn) => {
      const name = queueNameFromArn(arn, context.account);
      return name !== undefined && (await context.queues.get(name)) !== undefined;
    },
    accepts: (arn) => queueNameFromArn(arn, context.account) !== undefined,
    deliver: (arn, record) => send(arn, { body: JSON.stringify(record) }, true),
    deliverDeadLetter: (arn, event, attributes) => send(arn, { body: event.toString("utf8"), attributes: { ...attributes } }, true),
    send: (arn, message) => send(arn, message, false),
  };
}

/** The message's attributes as SendMessage takes them: typed ones as they are, plain strings as `String`. */
function queueAttributes(message: OutboundMessage): Record<string, AttributeInput> | undefined {
  if (message.typedAttributes) {
    return Object.fromEntries(Object.entries(message.typedAttributes).map(([key, a]) => [key, a.binaryValue !== undefined
      ? { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, "base64") }
      : { DataType: a.dataType, StringValue: a.stringValue ?? "" }]));
  }
  const { attributes } = message;
  return attributes && Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, { DataType: "String", StringValue: value.slice(0, 1024) || "-" }]));
}
