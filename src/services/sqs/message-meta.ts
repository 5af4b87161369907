/** What SQS keeps beside a message's body (the store's opaque `meta` JSON), and its round trip. */
import type { AttributeValue } from "./digests.js";

interface StoredAttribute {
  readonly type: string;
  readonly string?: string;
  /** Base64. */
  readonly binary?: string;
}

export interface MessageMeta {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly system: Readonly<Record<string, AttributeValue>>;
  readonly md5OfBody: string;
  readonly senderId: string;
  readonly dedupId: string | undefined;
  /** The queue the message was sent to (a dead-letter queue reports it as DeadLetterQueueSourceArn). */
  readonly sentTo: string;
}

const store = (attributes: Readonly<Record<string, AttributeValue>>) =>
  Object.fromEntries(Object.entries(attributes).map(([name, v]): [string, StoredAttribute] => [
    name,
    v.BinaryValue ? { type: v.DataType, binary: Buffer.from(v.BinaryValue).toString("base64") } : { type: v.DataType, string: v.StringValue ?? "" },
  ]));

const load = (stored: Readonly<Record<string, StoredAttribute>> | undefined) =>
  Object.fromEntries(Object.entries(stored ?? {}).map(([name, v]): [string, AttributeValue] => [
    name,
    v.binary !== undefined ? { DataType: v.type, BinaryValue: new Uint8Array(Buffer.from(v.binary, "base64")) } : { DataType: v.type, StringValue: v.string ?? "" },
  ]));

export function encodeMeta(meta: MessageMeta): string {
  return JSON.stringify({
    attributes: store(meta.attributes),
    system: store(meta.system),
    md5OfBody: meta.md5OfBody,
    senderId: meta.senderId,
    dedupId: meta.dedupId,
    sentTo: meta.sentTo,
  });
}

export function decodeMeta(text: string): MessageMeta {
  const raw = JSON.parse(text) as {
    attributes?: Record<string, StoredAttribute>; system?: Record<string, StoredAttribute>;
    md5OfBody: string; senderId: string; dedupId?: string; sentTo: string;
  };
  return { attributes: load(raw.attributes), system: load(raw.system), md5OfBody: raw.md5OfBody, senderId: raw.senderId, dedupId: raw.dedupId, sentTo: raw.sentTo };
}
