/**
 * Validation of a decoded input against the model's constraints (required members, enums, lengths,
 * ranges, patterns), worded as AWS words them: "Value null at 'queueName' failed to satisfy
 * constraint: Member must not be null". Returns every violation, in member order.
 */
import type { Violation } from "./input-errors.js";
import { membersOf, shapeOf, type ServiceModel, type Shape, type ShapeRef } from "./model.js";

const patterns = new Map<string, RegExp | null>();

/**
 * The model's pattern as a whole-value match (AWS's validators match the whole value). The models'
 * patterns are Java regular expressions; the few JavaScript cannot compile are not checked.
 */
function compiled(pattern: string): RegExp | null {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = null;
    for (const flags of ["u", ""]) {
      try {
        regex = new RegExp(`^(?:${pattern})$`, flags);
        break;
      } catch {
        // Not valid in this mode; try the next, else leave it unchecked.
      }
    }
    patterns.set(pattern, regex);
  }
  return regex;
}

/** AWS names members lower-camel in these paths (`QueueName` → `queueName`). */
const pathName = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

function quote(value: unknown): string {
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (value instanceof Uint8Array) return `'java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]'`;
  if (Array.isArray(value)) return `'[${value.map((v) => (typeof v === "object" ? "{…}" : String(v))).join(", ")}]'`;
  if (typeof value === "object" && value !== null) return `'{${Object.keys(value).join(", ")}}'`;
  return `'${String(value)}'`;
}

function sizeOf(value: unknown): number | undefined {
  if (typeof value === "string") return [...value].length;
  if (value instanceof Uint8Array || Array.isArray(value)) return value.length;
  if (typeof value === "object" && value !== null && !(value instanceof Date)) return Object.keys(value).length;
  return undefined;
}

function checkBounds(shape: Shape, value: unknown, at: (kind: Violation["kind"], constraint: string) => void): void {
  if (typeof value === "number") {
    if (shape.min !== undefined && value < shape.min) at("range", `Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && value > shape.max) at("range", `Member must have value less than or equal to ${shape.max}`);
    return;
  }
  const size = sizeOf(value);
  if (size === undefined) return;
  if (shape.min !== undefined && size < shape.min) at("length", `Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && size > shape.max) at("length", `Member must have length less than or equal to ${shape.max}`);
}

/** Whether a shape, or one it reaches, has a constraint to check: per model, by shape name, worked out once. */
const constrainedShapes = new WeakMap<ServiceModel, Map<string, boolean>>();

const hasOwnConstraint = (shape: Shape) =>
  shape.enum !== undefined || shape.min !== undefined || shape.max !== undefined || shape.pattern !== undefined || (shape.required?.length ?? 0) > 0;

/**
 * Whether a value of `name` can fail validation at all. A DynamoDB item is a map of AttributeValues,
 * none of which the model constrains: walking one finds nothing, so it is not walked. (Map keys are
 * not checked here, so a map's key shape does not count.)
 */
function isConstrained(model: ServiceModel, name: string): boolean {
  let known = constrainedShapes.get(model);
  if (known === undefined) constrainedShapes.set(model, (known = new Map<string, boolean>()));
  let constrained = known.get(name);
  if (constrained === undefined) {
    // Every shape reachable from this one, looked at once each (the shapes of a model may be recursive).
    const seen = new Set<string>();
    const reach = (at: string): boolean => {
      if (seen.has(at)) return false;
      seen.add(at);
      const shape = shapeOf(model, { shape: at });
      if (hasOwnConstraint(shape)) return true;
      const next = [...membersOf(shape).map(([, ref]) => ref), shape.member, shape.value].filter((ref) => ref !== undefined);
      return next.some((ref) => reach(ref.shape));
    };
    constrained = reach(name);
    known.set(name, constrained);
  }
  return constrained;
}

function checkValue(model: ServiceModel, ref: ShapeRef, value: unknown, path: string, member: string, out: Violation[]): void {
  if (!isConstrained(model, ref.shape)) return;
  const shape = shapeOf(model, ref);
  const at = (kind: Violation["kind"], constraint: string) => out.push({ path, kind, value: quote(value), constraint, member });
  if (typeof value === "string" && shape.enum && !shape.enum.includes(value)) at("enum", `Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
  checkBounds(shape, value, at);
  if (typeof value === "string" && shape.pattern && compiled(shape.pattern)?.test(value) === false) {
    at("pattern", `Member must satisfy regular expression pattern: ${shape.pattern}`);
  }
  if (shape.type === "structure" && typeof value === "object" && value !== null) checkStructure(model, shape, value as Record<string, unknown>, path, out);
  else if (shape.type === "list" && Array.isArray(value) && shape.member) {
    const element = shape.member;
    value.forEach((v: unknown, i) => checkValue(model, element, v, `${path}.${i + 1}.member`, member, out));
  } else if (shape.type === "map" && typeof value === "object" && value !== null && shape.value) {
    const element = shape.value;
    for (const [k, v] of Object.entries(value)) checkValue(model, element, v, `${path}.${k}.member`, member, out);
  }
}

function checkStructure(model: ServiceModel, shape: Shape, value: Record<string, unknown>, path: string, out: Violation[]): void {
  for (const [name, ref] of membersOf(shape)) {
    const memberValue = value[name];
    // The path is spelled out only for members present or missing (most of a shape's members are neither).
    if (memberValue === undefined && !shape.required?.includes(name)) continue;
    const memberPath = path ? `${path}.${pathName(name)}` : pathName(name);
    if (memberValue === undefined) out.push({ path: memberPath, kind: "required", value: "null", constraint: "Member must not be null", member: name });
    else checkValue(model, ref, memberValue, memberPath, ref.locationName ?? name, out);
  }
}

/** Every constraint `input` (a decoded operation input) fails; empty when it is valid. */
export function validate(model: ServiceModel, inputRef: ShapeRef | undefined, input: Readonly<Record<string, unknown>>): Violation[] {
  const out: Violation[] = [];
  if (inputRef) checkStructure(model, shapeOf(model, inputRef), input, "", out);
  return out;
}
