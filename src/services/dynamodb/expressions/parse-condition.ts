/**
 * ConditionExpression / FilterExpression / KeyConditionExpression: comparators, BETWEEN, IN,
 * AND/OR/NOT (NOT binds tightest, then AND, then OR), parentheses, the condition functions and
 * `size`. Written as recursive descent so errors can say DynamoDB's "token …, near …".
 */
import type { Comparator, Condition, ConditionFunction, Operand } from "./ast.js";
import { compareValues, typeOf, type AttributeValue } from "./attribute-value.js";
import { Cursor } from "./cursor.js";
import type { ExpressionAttributes } from "./expression-attributes.js";
import { ATTRIBUTE_TYPES } from "./attribute-value.js";

const COMPARATORS = new Set<string>(["=", "<>", "<", "<=", ">", ">="]);
const FUNCTIONS: Record<ConditionFunction, number> = { attribute_exists: 1, attribute_not_exists: 1, attribute_type: 2, begins_with: 2, contains: 2 };
const MAX_IN_OPERANDS = 100;

export function parseCondition(source: string, kind: string, attributes: ExpressionAttributes): Condition {
  const cursor = new Cursor(source, kind, attributes);
  const condition = or(cursor);
  cursor.end();
  return condition;
}

function or(cursor: Cursor): Condition {
  let left = and(cursor);
  while (cursor.accept("OR")) left = { kind: "or", left, right: and(cursor) };
  return left;
}

function and(cursor: Cursor): Condition {
  let left = not(cursor);
  while (cursor.accept("AND")) left = { kind: "and", left, right: not(cursor) };
  return left;
}

function not(cursor: Cursor): Condition {
  if (cursor.accept("NOT")) return { kind: "not", condition: cursor.nested(() => not(cursor)) };
  return primary(cursor);
}

/** Whether the cursor is at `name(`. */
export function atCall(cursor: Cursor): boolean {
  return cursor.peek().kind === "name" && cursor.peek(1).kind === "punct" && cursor.peek(1).text === "(";
}

function primary(cursor: Cursor): Condition {
  if (cursor.accept("(")) {
    const inner = cursor.nested(() => or(cursor));
    cursor.expect(")");
    return inner;
  }
  if (atCall(cursor) && cursor.peek().text in FUNCTIONS) return conditionFunction(cursor);
  return comparison(cursor, operand(cursor));
}

function comparison(cursor: Cursor, left: Operand): Condition {
  const token = cursor.peek();
  if (token.kind === "punct" && COMPARATORS.has(token.text)) {
    cursor.next();
    return { kind: "compare", operator: token.text as Comparator, left, right: operand(cursor) };
  }
  if (cursor.accept("BETWEEN")) {
    const low = operand(cursor);
    cursor.expect("AND");
    const high = operand(cursor);
    checkBounds(cursor, low, high);
    return { kind: "between", operand: left, low, high };
  }
  if (cursor.accept("IN")) {
    cursor.expect("(");
    const list = [operand(cursor)];
    while (cursor.accept(",")) list.push(operand(cursor));
    cursor.expect(")");
    if (list.length > MAX_IN_OPERANDS) throw cursor.invalid(`The IN operator is provided with too many operands; number of operands: ${list.length}`);
    return { kind: "in", operand: left, list };
  }
  if (left.kind === "size") throw cursor.invalid("The function is not allowed to be used this way in an expression; function: size");
  throw cursor.syntaxError();
}

/** `AttributeValue: {N:5}`, as DynamoDB quotes a literal. */
export function describeValue(value: AttributeValue): string {
  const type = typeOf(value);
  const member = value[type];
  const text = member instanceof Uint8Array ? Buffer.from(member).toString("base64") : Array.isArray(member) || typeof member === "object" ? JSON.stringify(member) : String(member);
  return `AttributeValue: {${type}:${text}}`;
}

function checkBounds(cursor: Cursor, low: Operand, high: Operand): void {
  if (low.kind !== "value" || high.kind !== "value") return;
  const order = compareValues(low.value, high.value);
  if (order !== undefined && order > 0) {
    throw cursor.invalid(
      `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: ${describeValue(low.value)}, upper bound operand: ${describeValue(high.value)}`,
    );
  }
}

function callArguments(cursor: Cursor, parse: (cursor: Cursor) => Operand): { name: string; args: Operand[] } {
  const name = cursor.next().text;
  cursor.expect("(");
  return cursor.nested(() => {
    const args = [parse(cursor)];
    while (cursor.accept(",")) args.push(parse(cursor));
    cursor.expect(")");
    return { name, args };
  });
}

function conditionFunction(cursor: Cursor): Condition {
  const { name, args } = callArguments(cursor, operand);
  const fn = name as ConditionFunction;
  if (args.length !== FUNCTIONS[fn]) throw cursor.invalid(`Incorrect number of operands for operator or function; operator or function: ${fn}, number of operands: ${args.length}`);
  const [first, second] = args as [Operand, Operand | undefined];
  if ((fn === "attribute_exists" || fn === "attribute_not_exists" || fn === "attribute_type") && first.kind !== "path") {
    throw cursor.invalid(`Operator or function requires a document path; operator or function: ${fn}`);
  }
  if (fn === "attribute_type" && second !== undefined) checkTypeOperand(cursor, second);
  if (fn === "begins_with") {
    for (const arg of args) {
      if (arg.kind === "value" && arg.value.S === undefined && arg.value.B === undefined) {
        throw cursor.invalid(`Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${typeOf(arg.value)}`);
      }
    }
  }
  return { kind: "function", name: fn, args };
}

function checkTypeOperand(cursor: Cursor, operand: Operand): void {
  if (operand.kind !== "value") return;
  const type = operand.value.S;
  if (type === undefined) throw cursor.invalid(`Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ${typeOf(operand.value)}`);
  if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type)) {
    throw cursor.invalid(`Invalid attribute type name found in type: ${type}, valid types: ${ATTRIBUTE_TYPES.join(",")}`);
  }
}

/** A path, a `:value`, or `size(path)`. */
export function operand(cursor: Cursor): Operand {
  const token = cursor.peek();
  if (token.kind === "value") {
    cursor.next();
    return { kind: "value", value: cursor.attributes.value(token.text, cursor.kind) };
  }
  if (atCall(cursor)) {
    if (token.text === "size") return sizeOperand(cursor);
    if (token.text in FUNCTIONS) throw cursor.invalid(`The function is not allowed to be used this way in an expression; function: ${token.text}`);
    throw cursor.invalid(`Invalid function name; function: ${token.text}`);
  }
  if (cursor.atPath()) return { kind: "path", path: cursor.path() };
  throw cursor.syntaxError();
}

function sizeOperand(cursor: Cursor): Operand {
  const { args } = callArguments(cursor, operand);
  if (args.length !== 1) throw cursor.invalid(`Incorrect number of operands for operator or function; operator or function: size, number of operands: ${args.length}`);
  const [arg] = args as [Operand];
  if (arg.kind === "value" && ["N", "BOOL", "NULL"].includes(typeOf(arg.value))) {
    throw cursor.invalid(`Incorrect operand type for operator or function; operator or function: size, operand type: ${typeOf(arg.value)}`);
  }
  return { kind: "size", operand: arg };
}
