/**
 * What a message may be: its body's characters (SQS accepts the XML character set only), its
 * message attributes (names, data types, values, at most 10), system attributes (AWSTraceHeader
 * only) and its size, counted as SQS counts it (body plus each attribute's name, type and value).
 */
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import { isBinaryType, type AttributeValue } from "./digests.js";

/** A message attribute as the codec decodes it (lists are reserved by SQS and refused). */
export interface AttributeInput {
  readonly DataType?: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
  readonly StringListValues?: readonly string[];
  readonly BinaryListValues?: readonly Uint8Array[];
}

const invalid = (message: string) => new UnkaiError("InvalidParameterValue", message);

/** The first code point outside `#x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF` (lone surrogates included). */
export function firstInvalidCharacter(text: string): number | undefined {
  for (const char of text) {
    const c = char.codePointAt(0) ?? 0;
    const ok = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
    if (!ok) return c;
  }
  return undefined;
}

const ALLOWED_SET = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

export function checkBody(body: string): void {
  if (body.length === 0) throw invalid("The request must contain the parameter MessageBody.");
  const bad = firstInvalidCharacter(body);
  if (bad !== undefined) {
    throw new UnkaiError("InvalidMessageContents", `Invalid binary character '#x${bad.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is ${ALLOWED_SET}`);
  }
}

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;

function checkName(name: string, kind: string): void {
  const reserved = /^(aws\.|amazon\.)/i.test(name);
  if (!NAME.test(name) || reserved || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
    throw invalid(`${kind} name '${name}' is invalid: up to 256 of A-Z a-z 0-9 _ - . without leading, trailing or repeated periods, not starting with AWS. or Amazon.`);
  }
}

/** A finite decimal with at most 38 significant digits, between -10^128 and 10^126, as SQS's Number type allows. */
function isSqsNumber(text: string): boolean {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return false;
  const digits = text.replace(/^[+-]/, "").replace(/[eE].*$/, "").replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  const value = Number(text);
  return digits.length <= 38 && Number.isFinite(value) && value <= 1e126 && value >= -1e128;
}

function checkValue(name: string, input: AttributeInput, kind: string): AttributeValue {
  const dataType = input.DataType ?? "";
  const base = dataType.split(".", 1)[0];
  if (dataType.length === 0 || dataType.length > 256 || (base !== "String" && base !== "Number" && base !== "Binary") || (dataType.includes(".") && dataType.length === base.length + 1)) {
    throw invalid(`The type of ${kind} '${name}' is invalid: '${dataType}' is not String, Number or Binary (optionally with a .suffix).`);
  }
  if (input.StringListValues?.length || input.BinaryListValues?.length) throw invalid(`${kind} '${name}': list values are reserved for future use and not supported.`);
  if (isBinaryType(dataType)) {
    if (!input.BinaryValue || input.BinaryValue.length === 0 || input.StringValue !== undefined) {
      throw invalid(`${kind} '${name}' must contain a non-empty value of type 'Binary' (and no StringValue).`);
    }
    return { DataType: dataType, BinaryValue: input.BinaryValue };
  }
  const text = input.StringValue;
  if (text === undefined || text.length === 0 || input.BinaryValue !== undefined) {
    throw invalid(`${kind} '${name}' must contain a non-empty value of type '${base}' (and no BinaryValue).`);
  }
  const bad = firstInvalidCharacter(text);
  if (bad !== undefined) throw new UnkaiError("InvalidMessageContents", `Invalid binary character '#x${bad.toString(16).toUpperCase()}' was found in ${kind} '${name}'.`);
  if (base === "Number" && !isSqsNumber(text)) throw invalid(`${kind} '${name}' has an invalid Number value '${text.slice(0, 64)}'.`);
  return { DataType: dataType, StringValue: text };
}

/** Checks and normalises message attributes; at most 10. */
export function checkMessageAttributes(input: Readonly<Record<string, AttributeInput>> | undefined): Record<string, AttributeValue> {
  const names = Object.keys(input ?? {});
  if (names.length > 10) throw invalid(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  const checked: Record<string, AttributeValue> = {};
  for (const name of names) {
    checkName(name, "Message attribute");
    // setOwn: an attribute named `__proto__` is an attribute, not the object's prototype.
    setOwn(checked, name, checkValue(name, input?.[name] ?? {}, "Message attribute"));
  }
  return checked;
}

/** System attributes: only `AWSTraceHeader`, a String. */
export function checkSystemAttributes(input: Readonly<Record<string, AttributeInput>> | undefined): Record<string, AttributeValue> {
  const checked: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(input ?? {})) {
    if (name !== "AWSTraceHeader") throw invalid(`Message system attribute name '${name}' is invalid: only AWSTraceHeader may be sent.`);
    const checkedValue = checkValue(name, value, "Message system attribute");
    if (checkedValue.DataType !== "String") throw invalid("Message system attribute 'AWSTraceHeader' must be of type 'String'.");
    checked[name] = checkedValue;
  }
  return checked;
}

/** Bytes counted against MaximumMessageSize: the body's UTF-8 plus each attribute's name, type and value. */
export function messageSize(body: string, attributes: Readonly<Record<string, AttributeValue>>): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value.DataType, "utf8");
    size += value.BinaryValue ? value.BinaryValue.length : Buffer.byteLength(value.StringValue ?? "", "utf8");
  }
  return size;
}

const GROUP_OR_DEDUP = /^[\x21-\x7e]{1,128}$/;

/** MessageGroupId and MessageDeduplicationId: 1–128 of the printable ASCII characters. */
export function checkToken(name: "MessageGroupId" | "MessageDeduplicationId", value: string): void {
  if (!GROUP_OR_DEDUP.test(value)) {
    throw invalid(`Value ${value.slice(0, 140)} for parameter ${name} is invalid. Reason: it must be 1 to 128 alphanumeric or punctuation characters.`);
  }
}
