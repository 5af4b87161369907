/**
 * UpdateExpression: `SET a = b + :n, c = if_not_exists(c, :z), d = list_append(d, :l)`,
 * `REMOVE a, b[1]`, `ADD n :one, s :set`, `DELETE s :set`; each clause once, no two paths overlapping.
 */
import { formatPath, type Operand, type Path, type SetAction, type UpdateActions } from "./ast.js";
import { typeOf, type AttributeValue } from "./attribute-value.js";
import { Cursor } from "./cursor.js";
import { pathsClash } from "./document-path.js";
import type { ExpressionAttributes } from "./expression-attributes.js";
import { atCall, operand as conditionOperand } from "./parse-condition.js";

const CLAUSES = ["SET", "REMOVE", "ADD", "DELETE"] as const;
type Clause = (typeof CLAUSES)[number];
const KIND = "UpdateExpression";
/** How DynamoDB names a type in ADD/DELETE operand errors. */
const TYPE_WORDS: Record<string, string> = { S: "STRING", N: "NUMBER", B: "BINARY", BOOL: "BOOLEAN", NULL: "NULL", L: "LIST", M: "MAP", SS: "SET", NS: "SET", BS: "SET" };

export function parseUpdate(source: string, attributes: ExpressionAttributes): UpdateActions {
  const cursor = new Cursor(source, KIND, attributes);
  const actions = { set: [] as SetAction[], remove: [] as Path[], add: [] as { path: Path; value: AttributeValue }[], delete: [] as { path: Path; value: AttributeValue }[] };
  const seen = new Set<Clause>();
  do {
    const word = cursor.peek().kind === "name" ? cursor.peek().text.toUpperCase() : "";
    const clause = CLAUSES.find((c) => c === word);
    if (clause === undefined) throw cursor.syntaxError();
    if (seen.has(clause)) throw cursor.invalid(`The "${clause}" section can only be used once in an update expression;`);
    seen.add(clause);
    cursor.next();
    do parseAction(cursor, clause, actions);
    while (cursor.accept(","));
  } while (cursor.peek().kind !== "eof");
  checkOverlaps(cursor, [...actions.set.map((a) => a.path), ...actions.remove, ...actions.add.map((a) => a.path), ...actions.delete.map((a) => a.path)]);
  return actions;
}

function parseAction(cursor: Cursor, clause: Clause, actions: { set: SetAction[]; remove: Path[]; add: { path: Path; value: AttributeValue }[]; delete: { path: Path; value: AttributeValue }[] }): void {
  const path = cursor.path();
  if (clause === "SET") {
    cursor.expect("=");
    actions.set.push({ path, value: setValue(cursor) });
  } else if (clause === "REMOVE") actions.remove.push(path);
  else {
    const token = cursor.peek();
    if (token.kind !== "value") throw cursor.syntaxError();
    cursor.next();
    const value = cursor.attributes.value(token.text, KIND);
    const type = typeOf(value);
    const allowed = clause === "ADD" ? ["N", "SS", "NS", "BS"] : ["SS", "NS", "BS"];
    if (!allowed.includes(type)) throw cursor.invalid(`Incorrect operand type for operator or function; operator: ${clause}, operand type: ${TYPE_WORDS[type] ?? type}`);
    (clause === "ADD" ? actions.add : actions.delete).push({ path, value });
  }
}

/** `operand`, or `operand + operand` / `operand - operand`. */
function setValue(cursor: Cursor): Operand {
  const left = setOperand(cursor);
  for (const operator of ["+", "-"] as const) {
    if (cursor.accept(operator)) return { kind: "arithmetic", operator, left, right: setOperand(cursor) };
  }
  return left;
}

function setOperand(cursor: Cursor): Operand {
  if (!atCall(cursor)) {
    const operand = conditionOperand(cursor);
    return operand;
  }
  const name = cursor.peek().text;
  if (name !== "if_not_exists" && name !== "list_append") {
    if (name === "size" || ["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"].includes(name)) {
      throw cursor.invalid(`The function is not allowed in an update expression; function: ${name}`);
    }
    throw cursor.invalid(`Invalid function name; function: ${name}`);
  }
  cursor.next();
  cursor.expect("(");
  const args = cursor.nested(() => {
    const parsed = [setOperand(cursor)];
    while (cursor.accept(",")) parsed.push(setOperand(cursor));
    cursor.expect(")");
    return parsed;
  });
  if (args.length !== 2) throw cursor.invalid(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
  const [first, second] = args as [Operand, Operand];
  if (name === "if_not_exists") {
    if (first.kind !== "path") throw cursor.invalid("Operator or function requires a document path; operator or function: if_not_exists");
    return { kind: "if_not_exists", path: first.path, fallback: second };
  }
  for (const arg of args) {
    if (arg.kind === "value" && arg.value.L === undefined) {
      throw cursor.invalid(`Incorrect operand type for operator or function; operator or function: list_append, operand type: ${typeOf(arg.value)}`);
    }
  }
  return { kind: "list_append", left: first, right: second };
}

/** DynamoDB refuses two actions on one path or on a path inside another. */
export function checkOverlaps(cursor: Cursor, paths: readonly Path[]): void {
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const [a, b] = [paths[i] as Path, paths[j] as Path];
      const clash = pathsClash(a, b);
      if (clash !== undefined) {
        throw cursor.invalid(`Two document paths ${clash} with each other; must remove or rewrite one of these paths; path one: ${formatPath(a)}, path two: ${formatPath(b)}`);
      }
    }
  }
}
