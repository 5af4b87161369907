/**
 * Items leave in DynamoDB JSON without the model codec walking them. The codec's output encoder copies
 * every value along its shape (for an item: each attribute, each set element), which for a 100-item
 * Query cost as much as the rest of the request. Items are already DynamoDB JSON except for binaries
 * (bytes inside the service, base64 on the wire), so this module gives the codec a model whose output
 * AttributeValues are documents it passes through as they are, and converts the binaries of an output
 * itself, copying only the objects on the way to one. Inputs still go through the codec's full model.
 */
import type { ServiceModel, Shape, ShapeRef } from "../../protocol/codecs/model.js";

const ATTRIBUTE_VALUE = "AttributeValue";
const WIRE = "$wire";

/** `model` with each operation's output reaching AttributeValues through copies whose AttributeValue is a document. */
export function withDocumentOutputItems(model: ServiceModel): ServiceModel {
  const shapes: Record<string, Shape> = { ...model.shapes };
  const reaching = shapesReaching(model, ATTRIBUTE_VALUE);
  const wireName = (name: string): string => {
    if (!reaching.has(name)) return name;
    const copy = name + WIRE;
    if (shapes[copy] !== undefined) return copy;
    const shape = model.shapes[name] as Shape;
    if (name === ATTRIBUTE_VALUE) {
      shapes[copy] = { ...shape, document: true };
      return copy;
    }
    shapes[copy] = shape; // placeholder while its members are rewritten (recursive shapes)
    const rewritten = rewrite(shape, (ref) => ({ ...ref, shape: wireName(ref.shape) }));
    // A list or map of documents (an item, a list of items) is one too: the codec need not walk its entries.
    const element = rewritten.type === "list" ? rewritten.member : rewritten.type === "map" ? rewritten.value : undefined;
    shapes[copy] = element !== undefined && shapes[element.shape]?.document === true ? { ...rewritten, document: true } : rewritten;
    return copy;
  };
  const operations = Object.fromEntries(
    Object.entries(model.operations).map(([name, op]) => [name, op.output ? { ...op, output: { ...op.output, shape: wireName(op.output.shape) } } : op]),
  );
  return { ...model, operations, shapes };
}

/** The shapes from which `target` can be reached (itself included), to a fixed point. */
function shapesReaching(model: ServiceModel, target: string): Set<string> {
  const reaching = new Set([target]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (!reaching.has(name) && refsOf(shape).some((ref) => reaching.has(ref.shape))) {
        reaching.add(name);
        grew = true;
      }
    }
  }
  return reaching;
}

function refsOf(shape: Shape | undefined): ShapeRef[] {
  if (shape === undefined) return [];
  return [...Object.values(shape.members ?? {}), ...(shape.member ? [shape.member] : []), ...(shape.value ? [shape.value] : [])];
}

function rewrite(shape: Shape, ref: (r: ShapeRef) => ShapeRef): Shape {
  return {
    ...shape,
    ...(shape.members ? { members: Object.fromEntries(Object.entries(shape.members).map(([k, r]) => [k, ref(r)])) } : {}),
    ...(shape.member ? { member: ref(shape.member) } : {}),
    ...(shape.value ? { value: ref(shape.value) } : {}),
  };
}

/** An operation's output with every binary as base64 (the JSON wire's form); objects without one are returned as they are. */
export function wireOutput<T>(value: T): T {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") as T;
  if (typeof value !== "object" || value === null || value instanceof Date) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      const converted = wireOutput(element);
      if (converted !== element) (out ??= value.slice())[i] = converted;
    }
    return (out ?? value) as T;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const member = (value as Record<string, unknown>)[key];
    const converted = wireOutput(member);
    if (converted !== member) (out ??= { ...(value as Record<string, unknown>) })[key] = converted;
  }
  return (out ?? value) as T;
}

/**
 * Enums whose values DynamoDB lists, in a refusal, in another order than the model's (AWS-verified):
 * `Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`.
 */
const AWS_ENUM_ORDER: Readonly<Record<string, readonly string[]>> = {
  Select: ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
};

/** `model` with its enums listed as DynamoDB lists them in its messages (the same values). */
export function withAwsEnumOrder(model: ServiceModel): ServiceModel {
  const shapes: Record<string, Shape> = { ...model.shapes };
  for (const [name, order] of Object.entries(AWS_ENUM_ORDER)) {
    const shape = shapes[name];
    if (shape?.enum !== undefined && shape.enum.length === order.length && order.every((value) => shape.enum?.includes(value))) shapes[name] = { ...shape, enum: [...order] };
  }
  return { ...model, shapes };
}
