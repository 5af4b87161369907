/**
 * DynamoDB's AttributeValue as the codec decodes it (blobs as Uint8Array) and the rules DynamoDB
 * applies to one: exactly one type, valid numbers, non-empty sets without duplicates, nesting ≤ 32.
 */
import { UnkaiError } from "../../../core/errors.js";
import { ownValue, setOwn } from "../../../core/own-keys.js";
import { canonicalNumber, compareNumbers, parseNumber } from "./number.js";

export interface AttributeValue {
  S?: string;
  N?: string;
  B?: Uint8Array;
  BOOL?: boolean;
  NULL?: boolean;
  SS?: string[];
  NS?: string[];
  BS?: Uint8Array[];
  L?: AttributeValue[];
  M?: AttributeMap;
}

export type AttributeMap = Record<string, AttributeValue>;
export type AttributeType = "S" | "N" | "B" | "BOOL" | "NULL" | "SS" | "NS" | "BS" | "L" | "M";
export const ATTRIBUTE_TYPES: readonly AttributeType[] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];

const TYPE_NAMES: ReadonlySet<string> = new Set(ATTRIBUTE_TYPES);
const MAX_NESTING = 32;
const invalid = (message: string) => new UnkaiError("ValidationException", message);
const parameterInvalid = (message: string) => invalid(`One or more parameter values were invalid: ${message}`);

/**
 * An attribute of a map, by name: only the map's own member. Attribute names are the caller's, and
 * one such as `constructor`, `toString` or `__proto__` names an attribute like any other (own-keys.ts).
 */
export const attributeOf: (map: AttributeMap, name: string) => AttributeValue | undefined = ownValue;

/** Sets an attribute of a map as its own member, whatever its name. */
export const setAttribute: (map: AttributeMap, name: string, value: AttributeValue) => void = setOwn;

/** The one type a validated value carries. */
export function typeOf(value: AttributeValue): AttributeType {
  for (const type of ATTRIBUTE_TYPES) if (value[type] !== undefined) return type;
  throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

/**
 * Checks a value as DynamoDB does and returns it canonical (numbers normalized, so "1.50" is stored
 * and returned as "1.5"). Throws ValidationException with DynamoDB's message when it is malformed.
 */
export function checkValue(value: unknown, depth = 0): AttributeValue {
  if (depth > MAX_NESTING) throw invalid("Nesting Levels have exceeded supported limits");
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  const raw = value as Record<string, unknown>;
  // The value's own members (one, when it is well formed) rather than a lookup of each of the ten types.
  let type: AttributeType | undefined;
  for (const name of Object.keys(raw)) {
    if (!TYPE_NAMES.has(name) || raw[name] === undefined || raw[name] === null) continue;
    if (type !== undefined) throw invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
    type = name as AttributeType;
  }
  if (type === undefined) throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  const member = raw[type];
  switch (type) {
    case "S":
      return { S: expect(member, "string") as string };
    case "N":
      return { N: canonicalNumber(expect(member, "string") as string) };
    case "B":
      return { B: expectBytes(member) };
    case "BOOL":
      return { BOOL: expect(member, "boolean") as boolean };
    case "NULL":
      if (member !== true) throw parameterInvalid("Null attribute value types must have the value of true");
      return { NULL: true };
    case "SS":
    case "NS":
    case "BS":
      return checkSet(type, member);
    case "L":
      if (!Array.isArray(member)) throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
      return { L: member.map((element) => checkValue(element, depth + 1)) };
    case "M":
      return { M: checkMap(member, depth + 1) };
  }
}

/** A map of attributes (an item, a nested M), each value checked. */
export function checkMap(value: unknown, depth = 0): AttributeMap {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  const result: AttributeMap = {};
  const raw = value as Record<string, unknown>;
  for (const name of Object.keys(raw)) {
    setAttribute(result, name, checkValue(raw[name], depth));
  }
  return result;
}

function expect(member: unknown, kind: "string" | "boolean"): unknown {
  if (typeof member !== kind) throw new UnkaiError("SerializationException", `Unexpected value type in payload: expected ${kind}`);
  return member;
}

function expectBytes(member: unknown): Uint8Array {
  if (member instanceof Uint8Array) return member;
  if (typeof member === "string") return Buffer.from(member, "base64");
  throw new UnkaiError("SerializationException", "Unexpected value type in payload: expected a base64 blob");
}

const SET_NAMES = { SS: "string", NS: "number", BS: "binary" } as const;

/** An empty set: the one invalid value DynamoDB's ExpressionAttributeValues refusal names no key for. */
export class EmptySetError extends UnkaiError {
  constructor(type: keyof typeof SET_NAMES) {
    super("ValidationException", `One or more parameter values were invalid: An ${SET_NAMES[type]} set  may not be empty`);
  }
}

function checkSet(type: "SS" | "NS" | "BS", member: unknown): AttributeValue {
  if (!Array.isArray(member)) throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (member.length === 0) throw new EmptySetError(type);
  if (type === "BS") {
    const elements = member.map(expectBytes);
    const keys = elements.map((element) => Buffer.from(element).toString("base64"));
    if (new Set(keys).size !== keys.length) throw parameterInvalid(`Input collection [${keys.join(", ")}]of type BS contains duplicates.`);
    return { BS: elements };
  }
  const elements = member.map((element) => expect(element, "string") as string);
  const canonical = type === "NS" ? elements.map(canonicalNumber) : elements;
  if (new Set(canonical).size !== canonical.length) throw parameterInvalid(`Input collection [${elements.join(", ")}] contains duplicates.`);
  return type === "NS" ? { NS: canonical } : { SS: canonical };
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** Deep equality as DynamoDB's `=`: numbers by value, sets regardless of order, same type only. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case "S":
    case "BOOL":
    case "NULL":
      return a[type] === b[type];
    case "N":
      return compareNumbers(parseNumber(a.N as string), parseNumber(b.N as string)) === 0;
    case "B":
      return bytesEqual(a.B as Uint8Array, b.B as Uint8Array);
    case "SS":
    case "NS":
      return sameMembers(a[type] as string[], b[type] as string[], (x) => (type === "NS" ? canonicalNumber(x) : x));
    case "BS":
      return sameMembers(a.BS as Uint8Array[], b.BS as Uint8Array[], (x) => Buffer.from(x).toString("base64"));
    case "L": {
      const [x, y] = [a.L as AttributeValue[], b.L as AttributeValue[]];
      return x.length === y.length && x.every((element, i) => valuesEqual(element, y[i] as AttributeValue));
    }
    case "M": {
      const [x, y] = [a.M as AttributeMap, b.M as AttributeMap];
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length && keys.every((key) => {
        const other = attributeOf(y, key);
        return other !== undefined && valuesEqual(x[key] as AttributeValue, other);
      });
    }
  }
}

function sameMembers<T>(a: readonly T[], b: readonly T[], key: (element: T) => string): boolean {
  if (a.length !== b.length) return false;
  const keys = new Set(a.map(key));
  return b.every((element) => keys.has(key(element)));
}

/** Order of two S, N or B values of the same type (S by UTF-8 bytes, as DynamoDB sorts); undefined otherwise. */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(Buffer.from(a.S, "utf8"), Buffer.from(b.S, "utf8"));
  if (a.N !== undefined && b.N !== undefined) return compareNumbers(parseNumber(a.N), parseNumber(b.N));
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(a.B, b.B);
  return undefined;
}

/** Bytes DynamoDB counts for a value (UTF-8 text, ~1 byte per 2 digits of a number, 3 + 1 per element for L and M). */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, "utf8");
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, "utf8"), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.length, 0);
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  return Object.entries(value.M ?? {}).reduce((sum, [name, element]) => sum + 1 + Buffer.byteLength(name, "utf8") + valueSize(element), 3);
}

function numberSize(text: string): number {
  const digits = text.replace(/[-.]/g, "").replace(/^0+/, "").replace(/0+$/, "").length;
  return Math.ceil(digits / 2) + 1;
}

/** An item's size: attribute names (UTF-8) plus their values. */
export function itemSize(item: AttributeMap): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, "utf8") + valueSize(value), 0);
}
