/** Evaluates a parsed condition against an item (an absent item is an empty one). */
import type { Condition, Operand } from "./ast.js";
import { compareValues, typeOf, valuesEqual, type AttributeMap, type AttributeValue } from "./attribute-value.js";
import { getPath } from "./document-path.js";
import { compareNumbers, parseNumber } from "./number.js";

/** The value an operand stands for in `item`; undefined for a missing path (or `size` of a sizeless type). */
export function resolveOperand(item: AttributeMap, operand: Operand): AttributeValue | undefined {
  switch (operand.kind) {
    case "path":
      return getPath(item, operand.path);
    case "value":
      return operand.value;
    case "size": {
      const value = resolveOperand(item, operand.operand);
      const size = value === undefined ? undefined : sizeOf(value);
      return size === undefined ? undefined : { N: String(size) };
    }
    default:
      return undefined;
  }
}

function sizeOf(value: AttributeValue): number | undefined {
  if (value.S !== undefined) return [...value.S].length;
  if (value.B !== undefined) return value.B.length;
  const collection = value.SS ?? value.NS ?? value.BS ?? value.L;
  if (collection !== undefined) return collection.length;
  if (value.M !== undefined) return Object.keys(value.M).length;
  return undefined;
}

export function evaluate(condition: Condition, item: AttributeMap): boolean {
  switch (condition.kind) {
    case "and":
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case "or":
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case "not":
      return !evaluate(condition.condition, item);
    case "compare":
      return compare(condition.operator, resolveOperand(item, condition.left), resolveOperand(item, condition.right));
    case "between": {
      const value = resolveOperand(item, condition.operand);
      return compare(">=", value, resolveOperand(item, condition.low)) && compare("<=", value, resolveOperand(item, condition.high));
    }
    case "in": {
      const value = resolveOperand(item, condition.operand);
      return value !== undefined && condition.list.some((candidate) => compare("=", value, resolveOperand(item, candidate)));
    }
    case "function":
      return callFunction(condition.name, condition.args.map((arg) => resolveOperand(item, arg)));
  }
}

function compare(operator: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (operator === "<>") return a !== undefined && b !== undefined ? !valuesEqual(a, b) : a !== b;
  if (a === undefined || b === undefined) return false;
  if (operator === "=") return valuesEqual(a, b);
  const order = compareValues(a, b);
  if (order === undefined) return false;
  return operator === "<" ? order < 0 : operator === "<=" ? order <= 0 : operator === ">" ? order > 0 : order >= 0;
}

function callFunction(name: string, args: (AttributeValue | undefined)[]): boolean {
  const [first, second] = args;
  switch (name) {
    case "attribute_exists":
      return first !== undefined;
    case "attribute_not_exists":
      return first === undefined;
    case "attribute_type":
      return first !== undefined && second?.S !== undefined && typeOf(first) === second.S;
    case "begins_with":
      return beginsWith(first, second);
    case "contains":
      return first !== undefined && second !== undefined && contains(first, second);
    default:
      return false;
  }
}

function beginsWith(value: AttributeValue | undefined, prefix: AttributeValue | undefined): boolean {
  if (value?.S !== undefined && prefix?.S !== undefined) return value.S.startsWith(prefix.S);
  if (value?.B !== undefined && prefix?.B !== undefined) return Buffer.from(value.B).subarray(0, prefix.B.length).equals(prefix.B);
  return false;
}

function contains(value: AttributeValue, needle: AttributeValue): boolean {
  if (value.S !== undefined) return needle.S !== undefined && value.S.includes(needle.S);
  if (value.B !== undefined) return needle.B !== undefined && Buffer.from(value.B).includes(Buffer.from(needle.B));
  if (value.SS !== undefined) return needle.S !== undefined && value.SS.includes(needle.S);
  if (value.NS !== undefined) {
    const n = needle.N;
    return n !== undefined && value.NS.some((member) => compareNumbers(parseNumber(member), parseNumber(n)) === 0);
  }
  if (value.BS !== undefined) return needle.B !== undefined && value.BS.some((member) => Buffer.compare(member, needle.B as Uint8Array) === 0);
  if (value.L !== undefined) return value.L.some((element) => valuesEqual(element, needle));
  return false;
}
