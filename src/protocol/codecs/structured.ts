/**
 * Decoding and encoding of the structured protocols' values (awsJson1_0/1_1 bodies after JSON.parse,
 * rpcv2Cbor bodies after CBOR decoding) against the model: a value of the wrong type is MalformedInput
 * (the service's SerializationException), members the model does not know are ignored, as AWS does.
 * Only timestamps and blobs differ between the two wires, so each wire passes its own readers.
 */
import { setOwn } from "../../core/own-keys.js";
import { MalformedInput } from "./input-errors.js";
import { membersOf, shapeOf, type ServiceModel, type Shape, type ShapeRef } from "./model.js";

export interface Wire {
  /** A timestamp on the wire as a Date, or undefined when it is not one. */
  readTimestamp(raw: unknown): Date | undefined;
  readBlob(raw: unknown): Uint8Array | undefined;
  writeTimestamp(date: Date): unknown;
  writeBlob(bytes: Uint8Array): unknown;
}

/** Jackson's token names, as AWS's JSON services quote them in SerializationException messages. */
function tokenOf(raw: unknown): string {
  if (typeof raw === "string") return "STRING_VALUE";
  if (typeof raw === "number" || typeof raw === "bigint") return "NUMBER_VALUE";
  if (typeof raw === "boolean") return "BOOLEAN_VALUE";
  if (Array.isArray(raw)) return "START_ARRAY";
  return raw instanceof Uint8Array ? "BYTE_STRING" : "START_OBJECT";
}

const TYPE_NAMES: Record<string, string> = {
  structure: "Structure", list: "List", map: "Map", string: "String", integer: "Integer", long: "Long", short: "Short", byte: "Byte",
  float: "Float", double: "Double", boolean: "Boolean", timestamp: "Timestamp", blob: "Blob", bigdecimal: "BigDecimal", biginteger: "BigInteger",
};

function wrong(raw: unknown, shape: Shape, path: string): MalformedInput {
  return new MalformedInput(`${tokenOf(raw)} cannot be converted to ${TYPE_NAMES[shape.type] ?? shape.type}${path ? ` at '${path}'` : ""}`);
}

const isRecord = (raw: unknown): raw is Record<string, unknown> =>
  typeof raw === "object" && raw !== null && !Array.isArray(raw) && !(raw instanceof Uint8Array);

function number(raw: unknown, shape: Shape, path: string): number {
  const value = typeof raw === "bigint" ? Number(raw) : raw;
  const integral = ["integer", "long", "short", "byte", "biginteger"].includes(shape.type);
  if (typeof value === "number" && (!integral || Number.isInteger(value))) return value;
  if (!integral && typeof value === "string" && ["NaN", "Infinity", "-Infinity"].includes(value)) return Number(value);
  throw wrong(raw, shape, path);
}

function decodeScalar(raw: unknown, shape: Shape, path: string, wire: Wire): unknown {
  switch (shape.type) {
    case "string":
      if (typeof raw === "string") return raw;
      break;
    case "boolean":
      if (typeof raw === "boolean") return raw;
      break;
    case "timestamp":
      return wire.readTimestamp(raw) ?? (() => { throw wrong(raw, shape, path); })();
    case "blob":
      return wire.readBlob(raw) ?? (() => { throw wrong(raw, shape, path); })();
    default:
      return number(raw, shape, path);
  }
  throw wrong(raw, shape, path);
}

const memberMaps = new WeakMap<Shape, ReadonlyMap<string, ShapeRef>>();

/** A structure's members by name, made once per shape. */
function memberMap(shape: Shape): ReadonlyMap<string, ShapeRef> {
  let members = memberMaps.get(shape);
  if (members === undefined) memberMaps.set(shape, (members = new Map(membersOf(shape))));
  return members;
}

/** The request value `raw` as the operation's input: Dates for timestamps, Uint8Arrays for blobs. */
export function decodeValue(model: ServiceModel, ref: ShapeRef, raw: unknown, path: string, wire: Wire): unknown {
  const shape = shapeOf(model, ref);
  if (shape.document) return raw;
  const at = (segment: string) => (path ? `${path}.${segment}` : segment);
  if (shape.type === "structure") {
    if (!isRecord(raw)) throw wrong(raw, shape, path);
    // The members the request sent (an AttributeValue sends one of its ten), looked up in the model;
    // a name the model lacks (`__proto__` among them) is ignored, as AWS ignores unknown members.
    const members = memberMap(shape);
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(raw)) {
      const member = members.get(name);
      const value = raw[name];
      if (member !== undefined && value !== undefined && value !== null) out[name] = decodeValue(model, member, value, at(name), wire);
    }
    return out;
  }
  if (shape.type === "list") {
    if (!Array.isArray(raw) || !shape.member) throw wrong(raw, shape, path);
    const out: unknown[] = [];
    for (let i = 0; i < raw.length; i++) if (raw[i] !== null) out.push(decodeValue(model, shape.member, raw[i], at(String(i + 1)), wire));
    return out;
  }
  if (shape.type === "map") {
    if (!isRecord(raw) || !shape.value) throw wrong(raw, shape, path);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(raw)) {
      const v = raw[key];
      if (v === null) continue;
      // Every key is the map's own entry, `__proto__` too (own-keys.ts).
      setOwn(out, key, decodeValue(model, shape.value, v, at(key), wire));
    }
    return out;
  }
  return decodeScalar(raw, shape, path, wire);
}

/** The operation's output as the wire's plain value: members the shape lacks and undefined values are dropped. */
export function encodeValue(model: ServiceModel, ref: ShapeRef, value: unknown, wire: Wire): unknown {
  const shape = shapeOf(model, ref);
  if (value === undefined || value === null || shape.document) return value;
  if (shape.type === "structure" && isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of membersOf(shape)) {
      const encoded = encodeValue(model, member, value[name], wire);
      if (encoded !== undefined && encoded !== null) out[name] = encoded;
    }
    return out;
  }
  if (shape.type === "list" && Array.isArray(value) && shape.member) {
    const member = shape.member;
    return value.map((v: unknown) => encodeValue(model, member, v, wire));
  }
  if (shape.type === "map" && isRecord(value) && shape.value) {
    const member = shape.value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(model, member, v, wire)]));
  }
  if (value instanceof Date) return shape.type === "timestamp" ? wire.writeTimestamp(value) : value.toISOString();
  if (value instanceof Uint8Array) return wire.writeBlob(value);
  return value;
}
