/**
 * SQS queues as asynchronous-invocation destinations (DestinationConfig OnSuccess/OnFailure: the
 * invocation record as the body) and as dead-letter targets (DeadLetterConfig: the failed event as
 * the body, with Lambda's RequestID, ErrorCode and ErrorMessage message attributes). Standard
 * queues only, as on AWS. Sends are fsynced before delivery counts as done.
 */
import type { DestinationTarget } from "../../async/destinations.js";
import { queueNameFromArn, queueUrl } from "./addresses.js";
import type { SqsContext } from "./context.js";
import { sendMessage } from "./send-ops.js";

const INTERNAL_BASE = "http://unkai.internal";

export function sqsDestination(context: SqsContext): DestinationTarget {
  const send = async (arn: string, body: string, attributes?: Record<string, string>) => {
    const name = queueNameFromArn(arn, context.account);
    const queue = name === undefined ? undefined : await context.queues.get(name);
    if (!queue || name === undefined) throw new Error(`destination queue ${arn} does not exist`);
    if (queue.fifo) throw new Error(`destination queue ${arn} is a FIFO queue; Lambda delivers to standard queues only`);
    const MessageAttributes = attributes && Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, { DataType: "String", StringValue: value.slice(0, 1024) || "-" }]));
    await sendMessage(context, { QueueUrl: queueUrl(INTERNAL_BASE, context.account, name), MessageBody: body, ...(MessageAttributes ? { MessageAttributes } : {}) }, {
      baseUrl: INTERNAL_BASE, senderId: context.account.accountId,
    });
  };
  return {
    kind: "sqs",
    accepts: (arn) => queueNameFromArn(arn, context.account) !== undefined,
    deliver: (arn, record) => send(arn, JSON.stringify(record)),
    deliverDeadLetter: (arn, event, attributes) => send(arn, event.toString("utf8"), { ...attributes }),
  };
}
