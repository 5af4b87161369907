import { ownValue } from "../own-keys.js";
import { isLeaf, type LeafNode, type PatternNode } from "./compile.js";
import type { JsonValue, Scalar } from "./types.js";

type JsonObject = { [key: string]: JsonValue };

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The scalar leaves at a position: arrays (nested too) are flattened, objects are not leaves. */
function leafValues(value: JsonValue | undefined, into: Scalar[] = []): Scalar[] {
  if (value === undefined || isObject(value)) return into;
  if (Array.isArray(value)) {
    for (const item of value) leafValues(item, into);
    return into;
  }
  into.push(value);
  return into;
}

/** The objects at a position an inner pattern is matched against: each element of an array, in any depth. */
function objectCandidates(value: JsonValue | undefined, into: JsonObject[] = []): JsonObject[] {
  if (isObject(value)) into.push(value);
  else if (Array.isArray(value)) for (const item of value) objectCandidates(item, into);
  return into;
}

function matchLeaf(leaf: LeafNode, value: JsonValue | undefined): boolean {
  const values = leafValues(value);
  if (values.length === 0) return leaf.conditions.some((condition) => condition.matchesMissing);
  return values.some((v) => leaf.conditions.some((condition) => condition.test(v)));
}

/**
 * Whether an object (or nothing, when the event lacks it) matches a pattern level. An inner pattern
 * against an array of objects needs one element to match all of it, so fields of different elements
 * never combine.
 */
export function matchNode(node: PatternNode, event: JsonObject | undefined): boolean {
  for (const [key, child] of node.fields) {
    // Field names are the pattern author's: `constructor` or `toString` must not find Object's members.
    const value = event === undefined ? undefined : ownValue(event, key);
    if (isLeaf(child)) {
      if (!matchLeaf(child, value)) return false;
      continue;
    }
    const candidates = objectCandidates(value);
    const matched = candidates.length === 0 ? matchNode(child, undefined) : candidates.some((c) => matchNode(child, c));
    if (!matched) return false;
  }
  return node.ors.every((branches) => branches.some((branch) => matchNode(branch, event)));
}
