/** The parsed forms of DynamoDB's expression languages. */
import type { AttributeValue } from "./attribute-value.js";

export type PathElement = { readonly name: string } | { readonly index: number };
/** A document path: a top-level attribute name, then `.name` and `[index]` steps. */
export type Path = readonly PathElement[];

export type Operand =
  | { readonly kind: "path"; readonly path: Path }
  | { readonly kind: "value"; readonly value: AttributeValue }
  | { readonly kind: "size"; readonly operand: Operand }
  // UpdateExpression's SET values only:
  | { readonly kind: "if_not_exists"; readonly path: Path; readonly fallback: Operand }
  | { readonly kind: "list_append"; readonly left: Operand; readonly right: Operand }
  | { readonly kind: "arithmetic"; readonly operator: "+" | "-"; readonly left: Operand; readonly right: Operand };

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";
export type ConditionFunction = "attribute_exists" | "attribute_not_exists" | "attribute_type" | "begins_with" | "contains";

export type Condition =
  | { readonly kind: "compare"; readonly operator: Comparator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: "between"; readonly operand: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly kind: "in"; readonly operand: Operand; readonly list: readonly Operand[] }
  | { readonly kind: "and" | "or"; readonly left: Condition; readonly right: Condition }
  | { readonly kind: "not"; readonly condition: Condition }
  | { readonly kind: "function"; readonly name: ConditionFunction; readonly args: readonly Operand[] };

export interface SetAction {
  readonly path: Path;
  readonly value: Operand;
}

/** An UpdateExpression: its four clauses, each at most once. */
export interface UpdateActions {
  readonly set: readonly SetAction[];
  readonly remove: readonly Path[];
  readonly add: readonly { readonly path: Path; readonly value: AttributeValue }[];
  readonly delete: readonly { readonly path: Path; readonly value: AttributeValue }[];
}

/** `[a, b, [0]]`: how DynamoDB's messages print a path. */
export function formatPath(path: Path): string {
  return `[${path.map((element) => ("name" in element ? element.name : `[${element.index}]`)).join(", ")}]`;
}
