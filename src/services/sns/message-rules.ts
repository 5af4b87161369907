/** Publish's checks, in SNS's words: message size and structure, subject, message attributes, FIFO ids. */
import { createHash } from "node:crypto";
import { UnkaiError } from "../../core/errors.js";
import type { SnsMessageAttribute } from "../../core/event-pattern/sns.js";
import type { SnsTopicRecord } from "../../core/sns.js";
import { invalid } from "./context.js";

export const MAX_MESSAGE_BYTES = 262_144;
const MAX_ATTRIBUTES = 10;

const valueError = (message: string) => new UnkaiError("ParameterValueInvalid", message);

function checkAttribute(name: string, attribute: SnsMessageAttribute): number {
  if (name.length > 256 || !/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..") || /^(aws|amazon)\./i.test(name)) {
    throw valueError(`The message attribute name '${name}' is invalid.`);
  }
  const base = attribute.DataType.split(".")[0] ?? "";
  if (!["String", "Number", "Binary"].includes(base) || attribute.DataType.length > 256) {
    throw valueError(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  if (base === "Binary") {
    if (attribute.BinaryValue === undefined || attribute.BinaryValue.length === 0) throw valueError(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${attribute.DataType}'.`);
    return name.length + attribute.DataType.length + attribute.BinaryValue.length;
  }
  const value = attribute.StringValue;
  if (value === undefined || value === "") throw valueError(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${attribute.DataType}'.`);
  if (base === "Number" && attribute.DataType !== "String.Array" && (!Number.isFinite(Number(value)) || value.trim() === "" || Math.abs(Number(value)) > 1e9)) {
    throw valueError(`Could not cast message attribute '${name}' value to number.`);
  }
  if (attribute.DataType === "String.Array" && !isJsonArray(value)) throw valueError(`Invalid value for message attribute '${name}': it must be a JSON array.`);
  return name.length + attribute.DataType.length + Buffer.byteLength(value, "utf8");
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

export interface MessageInput {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, SnsMessageAttribute>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

/** Checks a message; answers the per-protocol bodies (MessageStructure json) as a function. */
export function checkMessage(input: MessageInput): (protocol: string) => string {
  if (input.Message === "") throw invalid("Empty message");
  const attributes = input.MessageAttributes ?? {};
  if (Object.keys(attributes).length > MAX_ATTRIBUTES) throw invalid(`Number of message attributes [${Object.keys(attributes).length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  const attributeBytes = Object.entries(attributes).reduce((sum, [name, attribute]) => sum + checkAttribute(name, attribute), 0);
  if (Buffer.byteLength(input.Message, "utf8") + attributeBytes > MAX_MESSAGE_BYTES) throw invalid("Message too long");
  if (input.Subject !== undefined && (input.Subject === "" || input.Subject.length > 100 || /\p{Cc}/u.test(input.Subject))) throw invalid("Subject");
  if (input.MessageStructure === undefined) return () => input.Message;
  if (input.MessageStructure !== "json") throw invalid("MessageStructure");
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.Message);
  } catch {
    throw invalid("Message Structure - JSON message body failed to parse");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid("Message Structure - JSON message body failed to parse");
  const byProtocol = parsed as Record<string, unknown>;
  if (typeof byProtocol.default !== "string") throw invalid("Message Structure - No default entry in JSON message body");
  const fallback = byProtocol.default;
  return (protocol) => (typeof byProtocol[protocol] === "string" ? byProtocol[protocol] : fallback);
}

/** A FIFO topic's group and deduplication id (content-based: SHA-256 of the message); refusals for standard topics. */
export function fifoIds(topic: SnsTopicRecord, input: MessageInput): { groupId: string; deduplicationId: string } | undefined {
  if (!topic.fifo) {
    if (input.MessageDeduplicationId !== undefined) throw invalid("MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
    return undefined;
  }
  if (input.MessageGroupId === undefined || input.MessageGroupId === "") throw invalid("The MessageGroupId parameter is required for FIFO topics");
  const contentBased = topic.attributes.ContentBasedDeduplication === "true";
  if (input.MessageDeduplicationId === undefined && !contentBased) {
    throw invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
  }
  return { groupId: input.MessageGroupId, deduplicationId: input.MessageDeduplicationId ?? createHash("sha256").update(input.Message).digest("hex") };
}
