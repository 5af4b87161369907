/**
 * Applies parsed update actions to an item. Every SET value is computed from the item as it was
 * before the update (as DynamoDB does), then the actions are applied; REMOVEs of list elements go
 * from the highest index down so each removes the element that was named.
 */
import { UnkaiError } from "../../../core/errors.js";
import type { Operand, Path, UpdateActions } from "./ast.js";
import { typeOf, valuesEqual, type AttributeMap, type AttributeValue } from "./attribute-value.js";
import { cloneItem, cloneValue, getPath, removePath, setPath } from "./document-path.js";
import { resolveOperand } from "./evaluate.js";
import { addNumbers, formatNumber, negate, parseNumber } from "./number.js";

const invalid = (message: string) => new UnkaiError("ValidationException", message);
const wrongType = () => invalid("An operand in the update expression has an incorrect data type");

/** The updated copy of `item` (undefined: no item yet, updated as an empty one). */
export function applyUpdate(item: AttributeMap | undefined, actions: UpdateActions): AttributeMap {
  const before = item ?? {};
  const values = actions.set.map((action) => setValue(before, action.value));
  const after = cloneItem(before);
  actions.set.forEach((action, i) => write(after, action.path, values[i] as AttributeValue));
  const removals = [...actions.remove].sort((a, b) => lastIndex(b) - lastIndex(a));
  for (const path of removals) removePath(after, path);
  for (const { path, value } of actions.add) write(after, path, added(getPath(after, path), value));
  for (const { path, value } of actions.delete) {
    const remaining = deleted(getPath(after, path), value);
    if (remaining === undefined) removePath(after, path);
    else write(after, path, remaining);
  }
  return after;
}

function lastIndex(path: Path): number {
  const last = path[path.length - 1];
  return last !== undefined && "index" in last ? last.index : -1;
}

function write(item: AttributeMap, path: Path, value: AttributeValue): void {
  if (!setPath(item, path, value)) throw invalid("The document path provided in the update expression is invalid for update");
}

function setValue(item: AttributeMap, operand: Operand): AttributeValue {
  switch (operand.kind) {
    case "if_not_exists":
      return getPath(item, operand.path) ?? setValue(item, operand.fallback);
    case "list_append": {
      const [left, right] = [setValue(item, operand.left), setValue(item, operand.right)];
      if (left.L === undefined || right.L === undefined) throw wrongType();
      return { L: [...left.L, ...right.L].map(cloneValue) };
    }
    case "arithmetic": {
      const [left, right] = [setValue(item, operand.left), setValue(item, operand.right)];
      if (left.N === undefined || right.N === undefined) throw wrongType();
      const r = parseNumber(right.N);
      return { N: formatNumber(addNumbers(parseNumber(left.N), operand.operator === "+" ? r : negate(r))) };
    }
    default: {
      const value = resolveOperand(item, operand);
      if (value === undefined) throw invalid("The provided expression refers to an attribute that does not exist in the item");
      return cloneValue(value);
    }
  }
}

function added(current: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if (current === undefined) return cloneValue(value);
  if (value.N !== undefined) {
    if (current.N === undefined) throw wrongType();
    return { N: formatNumber(addNumbers(parseNumber(current.N), parseNumber(value.N))) };
  }
  const type = typeOf(value);
  if (typeOf(current) !== type) throw wrongType();
  const members = [...(current[type] as unknown[])] as AttributeValue[keyof AttributeValue][];
  for (const element of value[type] as unknown[]) {
    if (!hasMember(current, type, element)) members.push(element as never);
  }
  return { [type]: members };
}

function deleted(current: AttributeValue | undefined, value: AttributeValue): AttributeValue | undefined {
  if (current === undefined) return undefined;
  const type = typeOf(value);
  if (typeOf(current) !== type) throw wrongType();
  const remaining = (current[type] as unknown[]).filter((element) => !hasMember(value, type, element));
  return remaining.length === 0 ? undefined : ({ [type]: remaining });
}

/** Set membership by value (numbers numerically, binaries by bytes). */
function hasMember(set: AttributeValue, type: string, element: unknown): boolean {
  const wrap = (member: unknown): AttributeValue => (type === "SS" ? { S: member as string } : type === "NS" ? { N: member as string } : { B: member as Uint8Array });
  return (set[type as "SS"] as unknown[]).some((member) => valuesEqual(wrap(member), wrap(element)));
}
