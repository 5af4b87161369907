/**
 * Kinesis streams as a target of other services' messages (platform.destinations): an EventBridge
 * rule's or a schedule's target puts the message body as one record, a Logs subscription filter its
 * gzipped batch (`binaryBody`), with the sender's partition key (EventBridge: KinesisParameters.
 * PartitionKeyPath, else the event's id; Logs: the log stream), as the sender's role may
 * (`kinesis:PutRecord`); DynamoDB's Kinesis destination a batch of change records at a time (`sendBatch`).
 * Never a Lambda destination, as on AWS.
 */
import { randomUUID } from "node:crypto";
import { MissingTargetError, type DestinationTarget, type OutboundMessage } from "../../async/destinations.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import type { KinesisContext } from "./context.js";
import { appendRecords, type RecordEntry } from "./record-ops.js";

export function kinesisDestination(ctx: KinesisContext): DestinationTarget {
  return {
    kind: "kinesis",
    accepts: (arn) => KINESIS_STREAM_ARN.test(arn),
    serviceAction: "kinesis:PutRecord",
    messagesOnly: true,
    exists: async (arn) => (await ctx.streams.get(arn)) !== undefined,
    deliver: () => Promise.reject(new Error("a Kinesis stream is not a Lambda destination")),
    async send(arn, message) {
      if (!(await ctx.streams.get(arn))) throw new MissingTargetError(`stream ${arn} does not exist`);
      await appendRecords(ctx, { StreamARN: arn }, [entryOf(message)], true);
    },
    /** One append, as PutRecords: the records keep their order, and each its shard's (DynamoDB's Kinesis destination). */
    async sendBatch(arn, messages) {
      if (!(await ctx.streams.get(arn))) throw new MissingTargetError(`stream ${arn} does not exist`);
      if (messages.length > 0) await appendRecords(ctx, { StreamARN: arn }, messages.map(entryOf), false);
    },
  };
}

/** A message as a record: its group (or id) as the partition key, its bytes as the data. */
function entryOf(message: OutboundMessage): RecordEntry {
  const partitionKey = (message.groupId ?? message.id ?? randomUUID()).slice(0, 256) || "-";
  const data = message.binaryBody !== undefined ? Buffer.from(message.binaryBody, "base64") : Buffer.from(message.body);
  return { Data: data, PartitionKey: partitionKey };
}
