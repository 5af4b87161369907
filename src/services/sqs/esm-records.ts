/**
 * What an SQS event source mapping hands a function and how it reads the answer: the `Records`
 * event (lower-camel keys, unlike the SQS API) and the partial batch response rules of
 * `ReportBatchItemFailures`, as Lambda documents them.
 */
import type { Account } from "../../core/arn.js";
import type { ReceivedMessage } from "./receive-ops.js";

export function sqsEvent(messages: readonly ReceivedMessage[], queueArn: string, account: Account): { Records: unknown[] } {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      attributes: m.Attributes ?? {},
      messageAttributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([name, v]) => [name, {
        ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}),
        ...(v.BinaryValue !== undefined ? { binaryValue: Buffer.from(v.BinaryValue).toString("base64") } : {}),
        stringListValues: [], binaryListValues: [], dataType: v.DataType,
      }])),
      md5OfBody: m.MD5OfBody,
      ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: account.region,
    })),
  };
}

/**
 * The message ids a function reported as failed, or "all" when its answer fails the whole batch.
 * Success: an empty or null answer, no `batchItemFailures`, or an empty/null list. Whole batch
 * failed: invalid JSON, an item without a non-empty string `itemIdentifier`, or an id not in the batch.
 */
export function reportedFailures(payload: Buffer, batchIds: ReadonlySet<string>): Set<string> | "all" {
  const text = payload.toString("utf8").trim();
  if (text === "" || text === "null") return new Set();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "all";
  }
  if (typeof parsed !== "object" || parsed === null) return new Set();
  const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return "all";
  const failed = new Set<string>();
  for (const item of list) {
    const id = typeof item === "object" && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "" || !batchIds.has(id)) return "all";
    failed.add(id);
  }
  return failed;
}
