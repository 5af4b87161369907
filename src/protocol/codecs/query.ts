/**
 * awsQuery: form parameters (`Action=…&Version=…&Attribute.1.Name=…`) decoded into the operation's
 * input, and outputs encoded as `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` XML, named
 * exactly as the model's `locationName` and `flattened` traits say (botocore's and the SDKs' rules:
 * lists `Name.member.N` or, flattened, `Name.N`; maps `Name.entry.N.key/value` or `Name.N.Key/Value`).
 */
import { setOwn } from "../../core/own-keys.js";
import { MalformedInput } from "./input-errors.js";
import { membersOf, shapeOf, type OperationModel, type ServiceModel, type Shape, type ShapeRef } from "./model.js";

/** The parameters of a query request, first value of a name winning, and every dotted prefix of their names. */
export class QueryParameters {
  private readonly values = new Map<string, string>();
  private readonly prefixes = new Set<string>();

  constructor(params: Iterable<[string, string]>) {
    for (const [name, value] of params) {
      if (this.values.has(name)) continue;
      this.values.set(name, value);
      for (let dot = name.indexOf("."); dot !== -1; dot = name.indexOf(".", dot + 1)) this.prefixes.add(name.slice(0, dot));
    }
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Whether `name` is given itself or as the prefix of a nested name. */
  has(name: string): boolean {
    return this.values.has(name) || this.prefixes.has(name);
  }
}

const join = (prefix: string, name: string) => (prefix ? `${prefix}.${name}` : name);

function scalar(shape: Shape, text: string, name: string): unknown {
  const invalid = (what: string) => new MalformedInput(`Value '${text}' for parameter ${name} is invalid: it must be ${what}.`);
  switch (shape.type) {
    case "string":
      return text;
    case "boolean":
      if (text === "true" || text === "false") return text === "true";
      throw invalid("true or false");
    case "timestamp": {
      const date = /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
      if (Number.isNaN(date.getTime())) throw invalid("an ISO 8601 timestamp");
      return date;
    }
    case "blob":
      return new Uint8Array(Buffer.from(text, "base64"));
    case "float":
    case "double":
    case "bigdecimal":
      if (text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
      throw invalid("a number");
    default:
      if (/^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
      throw invalid("an integer");
  }
}

function decodeList(model: ServiceModel, shape: Shape, ref: ShapeRef, params: QueryParameters, prefix: string): unknown[] | undefined {
  const member = shape.member;
  if (!member) return undefined;
  if (params.get(prefix) === "") return [];
  let listPrefix = `${prefix}.${member.locationName ?? "member"}`;
  if (shape.flattened || ref.flattened) listPrefix = member.locationName ? [...prefix.split(".").slice(0, -1), member.locationName].join(".") : prefix;
  const out: unknown[] = [];
  for (let i = 1; params.has(`${listPrefix}.${i}`); i++) out.push(decodeQueryValue(model, member, params, `${listPrefix}.${i}`));
  return out.length > 0 ? out : undefined;
}

function decodeMap(model: ServiceModel, shape: Shape, ref: ShapeRef, params: QueryParameters, prefix: string): Record<string, unknown> | undefined {
  if (!shape.key || !shape.value) return undefined;
  const entries = shape.flattened || ref.flattened ? prefix : `${prefix}.entry`;
  const keyName = shape.key.locationName ?? "key";
  const valueName = shape.value.locationName ?? "value";
  const out: Record<string, unknown> = {};
  let found = false;
  for (let i = 1; params.has(`${entries}.${i}`); i++) {
    const key = params.get(`${entries}.${i}.${keyName}`);
    if (key === undefined) throw new MalformedInput(`The parameter ${entries}.${i}.${keyName} is required with ${entries}.${i}.${valueName}.`);
    // The caller names the entries (an SNS message attribute `__proto__`): setOwn keeps each one an entry.
    setOwn(out, key, decodeQueryValue(model, shape.value, params, `${entries}.${i}.${valueName}`));
    found = true;
  }
  return found ? out : undefined;
}

/** The value at `prefix`, or undefined when the request does not give it. */
export function decodeQueryValue(model: ServiceModel, ref: ShapeRef, params: QueryParameters, prefix: string): unknown {
  const shape = shapeOf(model, ref);
  if (shape.type === "structure") {
    if (prefix && !params.has(prefix)) return undefined;
    const out: Record<string, unknown> = {};
    for (const [name, member] of membersOf(shape)) {
      const value = decodeQueryValue(model, member, params, join(prefix, member.locationName ?? name));
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  if (shape.type === "list") return decodeList(model, shape, ref, params, prefix);
  if (shape.type === "map") return decodeMap(model, shape, ref, params, prefix);
  const text = params.get(prefix);
  return text === undefined ? undefined : scalar(shape, text, prefix);
}

/** The operation's input from the request's parameters (Action and Version are not members, so they are skipped). */
export function decodeQuery(model: ServiceModel, operation: OperationModel, params: QueryParameters): Record<string, unknown> {
  if (!operation.input) return {};
  return (decodeQueryValue(model, operation.input, params, "") ?? {}) as Record<string, unknown>;
}

export function xmlText(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#xD;" })[c] ?? c);
}

function scalarText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  return xmlText(String(value));
}

/** The elements for one member named `name` (several when the member is a flattened list or map). */
function xmlElements(model: ServiceModel, ref: ShapeRef, value: unknown, name: string): string {
  if (value === undefined || value === null) return "";
  const shape = shapeOf(model, ref);
  const flattened = shape.flattened || ref.flattened;
  if (shape.type === "list" && Array.isArray(value) && shape.member) {
    const member = shape.member;
    if (flattened) return value.map((v: unknown) => xmlElements(model, member, v, member.locationName ?? name)).join("");
    return `<${name}>${value.map((v: unknown) => xmlElements(model, member, v, member.locationName ?? "member")).join("")}</${name}>`;
  }
  if (shape.type === "map" && typeof value === "object" && shape.key && shape.value) {
    const { key, value: valueRef } = shape;
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `<${key.locationName ?? "key"}>${xmlText(k)}</${key.locationName ?? "key"}>${xmlElements(model, valueRef, v, valueRef.locationName ?? "value")}`,
    );
    return flattened ? entries.map((e) => `<${name}>${e}</${name}>`).join("") : `<${name}>${entries.map((e) => `<entry>${e}</entry>`).join("")}</${name}>`;
  }
  if (shape.type === "structure" && typeof value === "object") return `<${name}>${xmlMembers(model, shape, value as Record<string, unknown>)}</${name}>`;
  return `<${name}>${scalarText(value)}</${name}>`;
}

/** The members in the order the operation gave them (AWS's responses do not always follow the model's order). */
function xmlMembers(model: ServiceModel, shape: Shape, value: Readonly<Record<string, unknown>>): string {
  const members = shape.members ?? {};
  return Object.keys(value).map((name) => {
    const ref = members[name];
    return ref ? xmlElements(model, ref, value[name], ref.locationName ?? name) : "";
  }).join("");
}

/** `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>`. */
export function queryResponseXml(model: ServiceModel, operation: OperationModel, output: Readonly<Record<string, unknown>> | undefined, requestId: string): string {
  const ns = model.metadata.xmlNamespace ? ` xmlns="${model.metadata.xmlNamespace}"` : "";
  const wrapper = operation.output ? (operation.output.resultWrapper ?? `${operation.name}Result`) : undefined;
  const result = operation.output && wrapper ? `<${wrapper}>${xmlMembers(model, shapeOf(model, operation.output), output ?? {})}</${wrapper}>` : "";
  return `<${operation.name}Response${ns}>${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation.name}Response>`;
}

/** `<ErrorResponse xmlns><Error><Type>Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`. */
export function queryErrorXml(model: ServiceModel, code: string, message: string, sender: boolean, requestId: string): string {
  const ns = model.metadata.xmlNamespace ? ` xmlns="${model.metadata.xmlNamespace}"` : "";
  return `<ErrorResponse${ns}><Error><Type>${sender ? "Sender" : "Receiver"}</Type><Code>${xmlText(code)}</Code><Message>${xmlText(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}
