/**
 * DynamoDB's PartiQL subset, parsed by recursive descent into the condition and update forms the
 * expression languages already evaluate: SELECT, INSERT … VALUE, UPDATE … SET/REMOVE, DELETE.
 */
import { UnkaiError } from "../../../core/errors.js";
import type { Comparator, Condition, Operand, SetAction } from "../expressions/ast.js";
import type { AttributeMap, AttributeValue, Path, UpdateActions } from "../expressions/index.js";
import { malformed } from "./lexer.js";
import { Reader } from "./reader.js";

export interface Source {
  readonly table: string;
  readonly index?: string | undefined;
}

/** `ORDER BY <key attribute> [ASC|DESC]`. */
export interface Order {
  readonly attribute: string;
  readonly descending: boolean;
}

/** RETURNING as UpdateItem's ReturnValues names it. */
export type Returning = "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW";

export type Statement =
  | { readonly kind: "select"; readonly source: Source; readonly projection: Path[] | undefined; readonly where: Condition | undefined; readonly order?: Order | undefined }
  /** `EXISTS(SELECT …)`: ExecuteTransaction's condition check on one item. */
  | { readonly kind: "exists"; readonly source: Source; readonly where: Condition | undefined }
  | { readonly kind: "insert"; readonly source: Source; readonly item: AttributeMap }
  | { readonly kind: "update"; readonly source: Source; readonly actions: UpdateActions; readonly where: Condition; readonly returning: Returning | undefined }
  | { readonly kind: "delete"; readonly source: Source; readonly where: Condition; readonly returning: Returning | undefined };

const COMPARATORS: Record<string, Comparator> = { "=": "=", "<>": "<>", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=" };
const CONDITION_FUNCTIONS = new Set(["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"]);
const INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes";
const invalid = (message: string) => new UnkaiError("ValidationException", message);

/** Parses one statement, binding its `?` to `parameters` (AttributeValues, checked) in order. */
export function parseStatement(source: string, parameters: readonly unknown[] = []): Statement {
  const reader = new Reader(source, parameters);
  let statement: Statement;
  if (reader.accept("SELECT")) statement = select(reader);
  else if (reader.accept("INSERT")) statement = insert(reader);
  else if (reader.accept("UPDATE")) statement = update(reader);
  else if (reader.accept("DELETE")) statement = remove(reader);
  else if (reader.accept("EXISTS")) statement = exists(reader);
  else throw malformed("Expected data manipulation");
  reader.end();
  return statement;
}

function from(reader: Reader, allowIndex: boolean): Source {
  const table = reader.name();
  if (!reader.accept(".")) return { table };
  if (!allowIndex) throw invalid("FROM clause may only contain a single table name in data manipulation statements");
  const index = reader.name();
  if (reader.at(".")) throw invalid("A path may contain at most 2 components in the FROM clause");
  return { table, index };
}

function select(reader: Reader): Statement {
  let projection: Path[] | undefined;
  if (!reader.accept("*")) {
    projection = [reader.path()];
    while (reader.accept(",")) {
      if (reader.at("*")) throw invalid("Other attributes should not be present in the projection when '*' is used.");
      projection.push(reader.path());
    }
  }
  reader.expect("FROM");
  const source = from(reader, true);
  const where = reader.accept("WHERE") ? or(reader) : undefined;
  if (!reader.accept("ORDER")) return { kind: "select", source, projection, where };
  reader.expect("BY");
  const attribute = reader.name();
  const descending = reader.accept("DESC");
  if (!descending) reader.accept("ASC");
  if (where === undefined) throw invalid("Must have WHERE clause in the statement when using ORDER BY clause.");
  return { kind: "select", source, projection, where, order: { attribute, descending } };
}

function exists(reader: Reader): Statement {
  reader.expect("(");
  reader.expect("SELECT");
  const inner = select(reader);
  reader.expect(")");
  if (inner.kind !== "select" || inner.source.index !== undefined) throw invalid("Operations on indices are not supported in transactions");
  return { kind: "exists", source: inner.source, where: inner.where };
}

function insert(reader: Reader): Statement {
  reader.expect("INTO");
  const source = from(reader, false);
  if (!reader.accept("VALUE")) {
    if (reader.at("VALUES")) throw invalid('Unsupported operation: Inserting multiple items in a single statement is not supported, use "INSERT INTO tableName VALUE item" instead');
    throw reader.unexpected();
  }
  const item = reader.value();
  if (item.M === undefined) throw invalid("Unsupported format in item expression. Please use struct format {...} to express item values for insert statement.");
  if (reader.at("RETURNING")) throw invalid("RETURNING is not supported in INSERT");
  return { kind: "insert", source, item: item.M };
}

function update(reader: Reader): Statement {
  const source = from(reader, false);
  const set: SetAction[] = [];
  const removals: Path[] = [];
  const add: { path: Path; value: AttributeValue }[] = [];
  const deletions: { path: Path; value: AttributeValue }[] = [];
  for (;;) {
    if (reader.accept("SET")) {
      do assignment(reader, set, add, deletions);
      while (reader.accept(","));
    } else if (reader.accept("REMOVE")) {
      do removals.push(reader.path());
      while (reader.accept(","));
    } else break;
  }
  if (set.length + removals.length + add.length + deletions.length === 0) throw reader.unexpected();
  if (!reader.accept("WHERE")) throw invalid(INCOMPLETE_KEY);
  const where = or(reader);
  return { kind: "update", source, actions: { set, remove: removals, add, delete: deletions }, where, returning: returning(reader) };
}

/** `path = value`; `set_add(path, <<…>>)` / `set_delete(path, <<…>>)` are ADD and DELETE on that same path. */
function assignment(reader: Reader, set: SetAction[], add: { path: Path; value: AttributeValue }[], deletions: { path: Path; value: AttributeValue }[]): void {
  const path = reader.path();
  reader.expect("=");
  const fn = reader.peek().text.toLowerCase();
  if ((fn === "set_add" || fn === "set_delete") && reader.at("(", 1)) {
    const name = fn.toUpperCase().slice(4);
    reader.next();
    reader.expect("(");
    const target = reader.path();
    if (JSON.stringify(target) !== JSON.stringify(path)) throw invalid(`The first argument to SET_${name} must equal the assignment value`);
    reader.expect(",");
    const value = reader.value();
    if (value.SS === undefined && value.NS === undefined && value.BS === undefined) throw invalid(`The second argument to SET_${name} must be a value with type SET`);
    reader.expect(")");
    (fn === "set_add" ? add : deletions).push({ path, value });
    return;
  }
  set.push({ path, value: updateValue(reader) });
}

function updateValue(reader: Reader): Operand {
  let left = updateTerm(reader);
  for (;;) {
    const operator = reader.accept("+") ? "+" : reader.accept("-") ? "-" : undefined;
    if (operator === undefined) return left;
    left = { kind: "arithmetic", operator, left, right: updateTerm(reader) };
  }
}

function updateTerm(reader: Reader): Operand {
  const fn = reader.peek().text.toLowerCase();
  if ((fn === "list_append" || fn === "if_not_exists") && reader.at("(", 1)) {
    reader.next();
    reader.expect("(");
    return reader.nested(() => {
      const first = fn === "if_not_exists" ? { kind: "path" as const, path: reader.path() } : updateValue(reader);
      reader.expect(",");
      const second = updateValue(reader);
      reader.expect(")");
      return fn === "if_not_exists" ? { kind: "if_not_exists", path: first.kind === "path" ? first.path : [], fallback: second } : { kind: "list_append", left: first, right: second };
    });
  }
  if (reader.atValue()) return { kind: "value", value: reader.value() };
  return { kind: "path", path: reader.path() };
}

function remove(reader: Reader): Statement {
  reader.expect("FROM");
  const source = from(reader, false);
  if (!reader.accept("WHERE")) throw invalid(INCOMPLETE_KEY);
  const where = or(reader);
  const returned = returning(reader);
  if (returned !== undefined && returned !== "ALL_OLD") throw invalid(`Invalid returning clause: RETURNING ${returned.replace("UPDATED", "MODIFIED").replace("_", " ")} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`);
  return { kind: "delete", source, where, returning: returned };
}

function returning(reader: Reader): Returning | undefined {
  if (!reader.accept("RETURNING")) return undefined;
  const scope = reader.accept("ALL") ? "ALL" : reader.accept("MODIFIED") ? "UPDATED" : undefined;
  const image = reader.accept("OLD") ? "OLD" : reader.accept("NEW") ? "NEW" : undefined;
  if (scope === undefined || image === undefined || !reader.accept("*")) throw invalid("Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
  return `${scope}_${image}`;
}

function or(reader: Reader): Condition {
  let left = and(reader);
  while (reader.accept("OR")) left = { kind: "or", left, right: and(reader) };
  return left;
}

function and(reader: Reader): Condition {
  let left = not(reader);
  while (reader.accept("AND")) left = { kind: "and", left, right: not(reader) };
  return left;
}

function not(reader: Reader): Condition {
  if (reader.accept("NOT")) return { kind: "not", condition: reader.nested(() => not(reader)) };
  return predicate(reader);
}

function predicate(reader: Reader): Condition {
  if (reader.accept("(")) {
    const inner = reader.nested(() => or(reader));
    reader.expect(")");
    return inner;
  }
  const fn = reader.peek().text.toLowerCase();
  if (CONDITION_FUNCTIONS.has(fn) && reader.at("(", 1)) return conditionFunction(reader, fn);
  const left = operand(reader);
  const comparator = COMPARATORS[reader.peek().kind === "punct" ? reader.peek().text : ""];
  if (comparator !== undefined) {
    reader.next();
    return { kind: "compare", operator: comparator, left, right: operand(reader) };
  }
  if (reader.accept("BETWEEN")) {
    const low = operand(reader);
    reader.expect("AND");
    return { kind: "between", operand: left, low, high: operand(reader) };
  }
  if (reader.accept("IN")) return inList(reader, left);
  if (reader.accept("IS")) return isPredicate(reader, left);
  throw reader.unexpected();
}

function inList(reader: Reader, left: Operand): Condition {
  const close = reader.accept("(") ? ")" : reader.accept("[") ? "]" : undefined;
  if (close === undefined || left.kind !== "path" || reader.at(close)) {
    throw invalid("IN operator must have a left hand argument of type Variable Reference and right hand argument of type Seq with at least one member");
  }
  const list = [operand(reader)];
  while (reader.accept(",")) list.push(operand(reader));
  reader.expect(close);
  return { kind: "in", operand: left, list };
}

/** `IS [NOT] MISSING` (attribute_not_exists / attribute_exists) and `IS [NOT] NULL`. */
function isPredicate(reader: Reader, left: Operand): Condition {
  const negated = reader.accept("NOT");
  let condition: Condition;
  if (left.kind !== "path") throw invalid("The left hand side argument to IS must be a Variable Reference, Literal, or Path");
  if (reader.accept("MISSING")) condition = { kind: "function", name: "attribute_not_exists", args: [left] };
  else if (reader.accept("NULL")) condition = { kind: "compare", operator: "=", left, right: { kind: "value", value: { NULL: true } } };
  else throw invalid(`Unsupported data type for IS operator: ${reader.peek().text}. Supported data types are [MISSING, NULL]`);
  return negated ? { kind: "not", condition } : condition;
}

function conditionFunction(reader: Reader, name: string): Condition {
  reader.next();
  reader.expect("(");
  const args = reader.nested(() => {
    const list = [operand(reader)];
    while (reader.accept(",")) list.push(operand(reader));
    reader.expect(")");
    return list;
  });
  const arity = name === "attribute_exists" || name === "attribute_not_exists" ? 1 : 2;
  if (args.length !== arity || (arity === 1 && args[0]?.kind !== "path")) throw invalid(`Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
  return { kind: "function", name: name as "contains", args };
}

/** A path, a literal or parameter, or `size(path)`. */
function operand(reader: Reader): Operand {
  if (reader.peek().text.toLowerCase() === "size" && reader.at("(", 1)) {
    reader.next();
    reader.expect("(");
    const path = reader.path();
    reader.expect(")");
    return { kind: "size", operand: { kind: "path", path } };
  }
  if (reader.atValue()) return { kind: "value", value: reader.value() };
  if (reader.at("MISSING")) throw invalid("MISSING must be compared using IS operator");
  return { kind: "path", path: reader.path() };
}
