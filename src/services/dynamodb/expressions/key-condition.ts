/** KeyConditionExpression: `=` on the partition key, and at most one of `= < <= > >= BETWEEN begins_with` on the sort key. */
import { UnkaiError } from "../../../core/errors.js";
import type { Condition, Operand } from "./ast.js";
import { typeOf, type AttributeValue } from "./attribute-value.js";

export interface KeyAttribute {
  readonly name: string;
  /** S, N or B. */
  readonly type: string;
}

export interface KeySchema {
  readonly partition: KeyAttribute;
  readonly sort?: KeyAttribute | undefined;
}

export type SortOperator = "=" | "<" | "<=" | ">" | ">=" | "between" | "begins_with";

export interface KeyRange {
  readonly partition: AttributeValue;
  readonly sort?: { readonly operator: SortOperator; readonly values: readonly AttributeValue[] } | undefined;
}

const invalid = (message: string) => new UnkaiError("ValidationException", message);
const FLIPPED: Record<string, SortOperator> = { "=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

interface Part {
  readonly name: string;
  readonly operator: SortOperator;
  readonly values: AttributeValue[];
}

export function keyRange(condition: Condition, schema: KeySchema): KeyRange {
  const parts = conjuncts(condition).map(part);
  const byName = new Map<string, Part>();
  for (const p of parts) {
    if (byName.has(p.name)) throw invalid("KeyConditionExpressions must only contain one condition per key");
    byName.set(p.name, p);
  }
  const partition = byName.get(schema.partition.name);
  if (partition === undefined) throw invalid(`Query condition missed key schema element: ${schema.partition.name}`);
  if (partition.operator !== "=") throw invalid("Query key condition not supported");
  const sort = schema.sort === undefined ? undefined : byName.get(schema.sort.name);
  if (byName.size !== (sort === undefined ? 1 : 2)) throw invalid("Query key condition not supported");
  for (const [p, key] of [[partition, schema.partition], [sort, schema.sort]] as const) {
    if (p !== undefined && key !== undefined && p.values.some((value) => typeOf(value) !== key.type)) {
      throw invalid("One or more parameter values were invalid: Condition parameter type does not match schema type");
    }
  }
  return { partition: partition.values[0] as AttributeValue, sort: sort === undefined ? undefined : { operator: sort.operator, values: sort.values } };
}

function conjuncts(condition: Condition): Condition[] {
  if (condition.kind === "and") return [...conjuncts(condition.left), ...conjuncts(condition.right)];
  if (condition.kind === "or" || condition.kind === "not") throw invalid(`Invalid operator used in KeyConditionExpression: ${condition.kind.toUpperCase()}`);
  return [condition];
}

/** A top-level attribute name, or undefined for anything else. */
function keyName(operand: Operand): string | undefined {
  if (operand.kind !== "path" || operand.path.length !== 1) return undefined;
  const [element] = operand.path;
  return element !== undefined && "name" in element ? element.name : undefined;
}

function literal(operand: Operand): AttributeValue {
  if (operand.kind !== "value") throw invalid("Query key condition not supported");
  return operand.value;
}

function part(condition: Condition): Part {
  switch (condition.kind) {
    case "compare": {
      if (condition.operator === "<>") throw invalid("Invalid operator used in KeyConditionExpression: <>");
      const leftName = keyName(condition.left);
      if (leftName !== undefined) return { name: leftName, operator: condition.operator, values: [literal(condition.right)] };
      const rightName = keyName(condition.right);
      if (rightName === undefined) throw invalid("Query key condition not supported");
      return { name: rightName, operator: FLIPPED[condition.operator] as SortOperator, values: [literal(condition.left)] };
    }
    case "between": {
      const name = keyName(condition.operand);
      if (name === undefined) throw invalid("Query key condition not supported");
      return { name, operator: "between", values: [literal(condition.low), literal(condition.high)] };
    }
    case "function": {
      const [first, second] = condition.args;
      const name = condition.name === "begins_with" && first !== undefined ? keyName(first) : undefined;
      if (condition.name !== "begins_with") throw invalid(`Invalid operator used in KeyConditionExpression: ${condition.name}`);
      if (name === undefined || second === undefined) throw invalid("Query key condition not supported");
      return { name, operator: "begins_with", values: [literal(second)] };
    }
    default:
      throw invalid("Query key condition not supported");
  }
}
