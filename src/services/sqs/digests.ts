/**
 * The MD5 digests SQS returns and clients verify: of the body (hex MD5 of its UTF-8 bytes), and of
 * message attributes, as SQS defines it: attributes sorted by name, each written as its name, its
 * data type (each a 4-byte big-endian length and UTF-8 bytes), a transport byte (1 for String and
 * Number, 2 for Binary) and its value (length and bytes); the MD5 of the whole, in hex.
 */
import { createHash } from "node:crypto";

/** A message attribute as stored and returned (binary values as bytes). */
export interface AttributeValue {
  readonly DataType: string;
  readonly StringValue?: string | undefined;
  readonly BinaryValue?: Uint8Array | undefined;
}

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

function lengthPrefixed(bytes: Uint8Array): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return [length, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)];
}

/** Binary data types are `Binary` and `Binary.<custom>`; everything else travels as a string. */
export const isBinaryType = (dataType: string): boolean => dataType === "Binary" || dataType.startsWith("Binary.");

/** The digest of a set of attributes; undefined for none (SQS then omits the member). */
export function attributesMd5(attributes: Readonly<Record<string, AttributeValue>>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash("md5");
  for (const name of names) {
    const value = attributes[name];
    if (!value) continue;
    const binary = isBinaryType(value.DataType);
    const parts = [
      ...lengthPrefixed(Buffer.from(name, "utf8")),
      ...lengthPrefixed(Buffer.from(value.DataType, "utf8")),
      Buffer.from([binary ? 2 : 1]),
      ...lengthPrefixed(binary ? (value.BinaryValue ?? new Uint8Array()) : Buffer.from(value.StringValue ?? "", "utf8")),
    ];
    for (const part of parts) hash.update(part);
  }
  return hash.digest("hex");
}
