/**
 * The pre-expression parameters older code still sends (Expected, KeyConditions, QueryFilter,
 * ScanFilter, AttributeUpdates, AttributesToGet, ConditionalOperator), translated to the same parsed
 * forms the expressions produce, so one evaluator serves both.
 */
import type { Comparator, Condition, Operand, Path, UpdateActions } from "./expressions/ast.js";
import { checkValue, typeOf, type AttributeValue } from "./expressions/index.js";
import { invalid } from "./table-definition.js";

export interface LegacyCondition {
  readonly ComparisonOperator?: string;
  readonly AttributeValueList?: unknown[];
  /** Expected only: */
  readonly Value?: unknown;
  readonly Exists?: boolean;
}

const COMPARATORS: Record<string, Comparator> = { EQ: "=", NE: "<>", LT: "<", LE: "<=", GT: ">", GE: ">=" };
const OPERAND_COUNTS: Record<string, number> = { EQ: 1, NE: 1, LT: 1, LE: 1, GT: 1, GE: 1, NOT_NULL: 0, NULL: 0, CONTAINS: 1, NOT_CONTAINS: 1, BEGINS_WITH: 1, BETWEEN: 2 };

const pathOf = (name: string): Path => [{ name }];
const pathOperand = (name: string): Operand => ({ kind: "path", path: pathOf(name) });
const valueOperand = (value: AttributeValue): Operand => ({ kind: "value", value });

/** Refuses mixing the two styles, as DynamoDB does. */
export function refuseMixing(input: object, legacy: readonly string[], expressions: readonly string[]): void {
  const given = (name: string) => (input as Record<string, unknown>)[name] !== undefined;
  const usedLegacy = legacy.filter(given);
  const usedExpressions = expressions.filter(given);
  if (usedLegacy.length > 0 && usedExpressions.length > 0) {
    throw invalid(`Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${usedLegacy.join(", ")}} Expression parameters: {${usedExpressions.join(", ")}}`);
  }
}

function one(name: string, condition: LegacyCondition): Condition {
  const operator = condition.ComparisonOperator as string;
  const values = (condition.AttributeValueList ?? []).map((value) => checkValue(value));
  const expected = OPERAND_COUNTS[operator];
  if (operator !== "IN" && expected !== undefined && values.length !== expected) {
    throw invalid(`One or more parameter values were invalid: Invalid number of argument(s) for the ${operator} ComparisonOperator`);
  }
  if (operator === "IN" && values.length === 0) throw invalid("One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator");
  const path = pathOperand(name);
  const [first, second] = values as [AttributeValue, AttributeValue];
  const comparator = COMPARATORS[operator];
  if (comparator !== undefined) return { kind: "compare", operator: comparator, left: path, right: valueOperand(first) };
  switch (operator) {
    case "NOT_NULL":
      return { kind: "function", name: "attribute_exists", args: [path] };
    case "NULL":
      return { kind: "function", name: "attribute_not_exists", args: [path] };
    case "CONTAINS":
      return { kind: "function", name: "contains", args: [path, valueOperand(first)] };
    case "NOT_CONTAINS":
      return { kind: "not", condition: { kind: "function", name: "contains", args: [path, valueOperand(first)] } };
    case "BEGINS_WITH":
      return { kind: "function", name: "begins_with", args: [path, valueOperand(first)] };
    case "IN":
      return { kind: "in", operand: path, list: values.map(valueOperand) };
    case "BETWEEN":
      return { kind: "between", operand: path, low: valueOperand(first), high: valueOperand(second) };
    default:
      throw invalid(`1 validation error detected: Value '${operator}' at 'comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set`);
  }
}

/** `Expected`: each entry by `Value`/`Exists`, or by `ComparisonOperator`. */
function expectedOne(name: string, entry: LegacyCondition): Condition {
  if (entry.ComparisonOperator !== undefined) return one(name, entry);
  if (entry.Exists === false) {
    if (entry.Value !== undefined) throw invalid("One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: " + name);
    return { kind: "function", name: "attribute_not_exists", args: [pathOperand(name)] };
  }
  if (entry.Value === undefined) throw invalid(`One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: ${name}`);
  return { kind: "compare", operator: "=", left: pathOperand(name), right: valueOperand(checkValue(entry.Value)) };
}

function combine(conditions: Condition[], operator: string | undefined): Condition | undefined {
  const kind = operator === "OR" ? "or" : "and";
  return conditions.reduce<Condition | undefined>((left, right) => (left === undefined ? right : { kind, left, right }), undefined);
}

/** A condition map (Expected, QueryFilter, ScanFilter, KeyConditions) as one condition. */
export function legacyCondition(map: Record<string, LegacyCondition> | undefined, operator: string | undefined, expected = false): Condition | undefined {
  if (map === undefined) return undefined;
  return combine(Object.entries(map).map(([name, entry]) => (expected ? expectedOne(name, entry) : one(name, entry))), operator);
}

/** `AttributesToGet` as projection paths. */
export function legacyProjection(names: string[] | undefined): Path[] | undefined {
  return names?.map(pathOf);
}

/** `AttributeUpdates` (Action PUT by default, ADD, DELETE) as update actions. */
export function legacyUpdates(updates: Record<string, { Action?: string; Value?: unknown }> | undefined): UpdateActions | undefined {
  if (updates === undefined) return undefined;
  const actions = { set: [] as UpdateActions["set"][number][], remove: [] as Path[], add: [] as UpdateActions["add"][number][], delete: [] as UpdateActions["delete"][number][] };
  for (const [name, update] of Object.entries(updates)) {
    const action = update.Action ?? "PUT";
    const value = update.Value === undefined ? undefined : checkValue(update.Value);
    if (action === "PUT") {
      if (value === undefined) throw invalid(`One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified`);
      actions.set.push({ path: pathOf(name), value: valueOperand(value) });
    } else if (action === "DELETE") {
      if (value === undefined) actions.remove.push(pathOf(name));
      else actions.delete.push({ path: pathOf(name), value });
    } else {
      if (value === undefined || !["N", "SS", "NS", "BS"].includes(typeOf(value))) throw invalid("One or more parameter values were invalid: ADD action is not supported for the type " + (value ? typeOf(value) : "NULL"));
      actions.add.push({ path: pathOf(name), value });
    }
  }
  return actions;
}
