import { compileCidr, inCidr } from "./ip.js";
import { compileNumeric, fixedPoint, inRange, limitText } from "./numeric.js";
import { PatternError, type AnythingButForm, type Dialect, type JsonValue, type OperatorName, type Scalar } from "./types.js";
import { checkWildcardComplexity, compileWildcard } from "./wildcard.js";

/** One alternative of a leaf: a test on a present leaf value, and whether it also accepts absence. */
export interface Condition {
  readonly test: (value: Scalar) => boolean;
  /** True for `{"exists": false}`, the only condition a missing field satisfies. */
  readonly matchesMissing: boolean;
}

const never = (): boolean => false;
const present = (test: (value: Scalar) => boolean): Condition => ({ test, matchesMissing: false });

/**
 * Case folding for equals-ignore-case: character by character, as Event Ruler folds (so "straße" and
 * "STRASSE" differ, as on AWS; full Unicode case folding would make them equal).
 */
export const fold = (text: string): string => text.toLowerCase();

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(value: JsonValue | undefined, message: string): string {
  if (typeof value !== "string") throw new PatternError(message);
  return value;
}

/** `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}` (likewise suffix). */
function compileAffix(kind: "prefix" | "suffix", spec: JsonValue, dialect: Dialect): Condition {
  const has = (value: string, affix: string): boolean => (kind === "prefix" ? value.startsWith(affix) : value.endsWith(affix));
  if (isObject(spec)) {
    const keys = Object.keys(spec);
    const label = kind === "prefix" ? "Prefix" : "Suffix";
    if (keys.length === 0) throw new PatternError(`${label} expression name not found`);
    if (keys[0] !== "equals-ignore-case" || !dialect.affixIgnoreCase) throw new PatternError(`Unsupported ${kind} pattern: ${keys[0]}`);
    const affix = fold(requireString(spec[keys[0]], "equals-ignore-case match pattern must be a string"));
    if (keys.length > 1) throw new PatternError("Only one key allowed in match expression");
    return present((value) => typeof value === "string" && has(fold(value), affix));
  }
  const affix = requireString(spec, `${kind} match pattern must be a string`);
  return present((value) => typeof value === "string" && has(value, affix));
}

/** The strings an anything-but form names: one string or a list of them. */
function anythingButStrings(form: AnythingButForm, spec: JsonValue): string[] {
  const list = Array.isArray(spec) ? spec : [spec];
  if (!Array.isArray(spec) && typeof spec !== "string" && typeof spec !== "number") {
    throw new PatternError("Value of anything-but must be an array or single string/number value.");
  }
  return list.map((item) => {
    if (typeof item !== "string") {
      if (form === "equals-ignore-case") throw new PatternError("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
      throw new PatternError(form === "wildcard" ? "wildcard match pattern must be a string" : "prefix/suffix match pattern must be a string");
    }
    if ((form === "prefix" || form === "suffix") && item === "") throw new PatternError("Null prefix/suffix not allowed");
    return item;
  });
}

/** `{"anything-but": {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": …}}`. */
function compileAnythingButForm(spec: { [key: string]: JsonValue }, dialect: Dialect): Condition {
  const keys = Object.keys(spec);
  if (keys.length === 0) throw new PatternError("Anything-But expression name not found");
  const form = keys[0] as AnythingButForm;
  if (!dialect.anythingButForms.has(form)) throw new PatternError(`Unsupported anything-but pattern: ${keys[0]}`);
  const items = anythingButStrings(form, spec[form] as JsonValue);
  if (keys.length > 1) throw new PatternError("Too many elements in numeric expression");
  // A value that is not a string is never excluded by a string form: AWS compares the raw JSON text.
  const excluded = ((): ((text: string) => boolean) => {
    switch (form) {
      case "prefix": return (text) => items.some((item) => text.startsWith(item));
      case "suffix": return (text) => items.some((item) => text.endsWith(item));
      case "equals-ignore-case": { const set = new Set(items.map(fold)); return (text) => set.has(fold(text)); }
      case "wildcard": { const res = items.map(compileWildcard); return (text) => res.some((re) => re.test(text)); }
    }
  })();
  return present((value) => typeof value !== "string" || !excluded(value));
}

/** `{"anything-but": "x" | 5 | ["a","b"] | [1,2] | {form: …}}`. Missing fields never match. */
function compileAnythingBut(spec: JsonValue, dialect: Dialect): Condition {
  if (isObject(spec)) return compileAnythingButForm(spec, dialect);
  if (!Array.isArray(spec) && typeof spec !== "string" && typeof spec !== "number") {
    throw new PatternError("Value of anything-but must be an array or single string/number value.");
  }
  const list = Array.isArray(spec) ? spec : [spec];
  if (list.some((item) => typeof item !== "string" && typeof item !== "number")) {
    throw new PatternError(Array.isArray(spec) ? "Inside anything but list, start|null|boolean is not supported." : "Inside anything-but list, start|null|boolean is not supported.");
  }
  const strings = new Set(list.filter((item): item is string => typeof item === "string"));
  const numbers = list.filter((item): item is number => typeof item === "number");
  if (strings.size > 0 && numbers.length > 0 || list.length === 0) {
    throw new PatternError("Inside anything but list, either all values are number or string, mixed type is not supported");
  }
  const fixed = new Set(numbers.map((n) => {
    const f = fixedPoint(n, dialect);
    if (f === undefined) throw new PatternError(limitText(dialect));
    return f;
  }));
  return present((value) => {
    if (typeof value === "string") return !strings.has(value);
    if (typeof value === "number") return !fixed.has(fixedPoint(value, dialect) ?? NaN);
    return true;
  });
}

function compileOperator(name: OperatorName, spec: JsonValue, dialect: Dialect): Condition {
  switch (name) {
    case "exact": {
      const text = requireString(spec, "exact match pattern must be a string");
      return present((value) => value === text);
    }
    case "prefix":
    case "suffix":
      return compileAffix(name, spec, dialect);
    case "equals-ignore-case": {
      const text = fold(requireString(spec, "equals-ignore-case match pattern must be a string"));
      return present((value) => typeof value === "string" && fold(value) === text);
    }
    case "wildcard": {
      const re = compileWildcard(requireString(spec, "wildcard match pattern must be a string"));
      return present((value) => typeof value === "string" && re.test(value));
    }
    case "numeric": {
      const range = compileNumeric(spec, dialect);
      return present((value) => inRange(range, value, dialect));
    }
    case "cidr": {
      // "prefix match pattern must be a string" is what AWS answers here, sic.
      const range = compileCidr(requireString(spec, "prefix match pattern must be a string"));
      return present((value) => inCidr(range, value));
    }
    case "exists":
      if (typeof spec !== "boolean") throw new PatternError("exists match pattern must be either true or false.");
      return spec ? present(() => true) : { test: never, matchesMissing: true };
    case "anything-but":
      return compileAnythingBut(spec, dialect);
  }
}

/** `{"operator": operand}` inside a leaf's array. */
function compileMatchExpression(expression: { [key: string]: JsonValue }, dialect: Dialect): Condition {
  const keys = Object.keys(expression);
  const name = keys[0];
  if (name === undefined) throw new PatternError("Match expression name not found");
  if (!dialect.operators.has(name as OperatorName)) throw new PatternError(`Unrecognized match type ${name}`);
  const condition = compileOperator(name as OperatorName, expression[name] as JsonValue, dialect);
  if (keys.length > 1) {
    throw new PatternError(name === "numeric" || name === "anything-but" ? "Too many elements in numeric expression" : "Only one key allowed in match expression");
  }
  return condition;
}

/** A literal in a leaf's array: strings, booleans and null by equality, numbers by value (5 = 5.0 = 5e0). */
function compileLiteral(literal: Scalar, dialect: Dialect): Condition {
  if (typeof literal !== "number") return present((value) => value === literal);
  const fixed = fixedPoint(literal, dialect);
  return present((value) => typeof value === "number" && (fixed === undefined ? value === literal : fixedPoint(value, dialect) === fixed));
}

/** The `wildcard` operands of a leaf's alternatives, `anything-but` ones too (all valid strings by now). */
function wildcardOperands(values: readonly JsonValue[]): string[] {
  const found: string[] = [];
  for (const item of values) {
    if (!isObject(item)) continue;
    if (typeof item.wildcard === "string") found.push(item.wildcard);
    const but = item["anything-but"];
    const inner = isObject(but) ? but.wildcard : undefined;
    for (const w of Array.isArray(inner) ? inner : [inner]) if (typeof w === "string") found.push(w);
  }
  return found;
}

/** Compiles a leaf's array of alternatives (ORed). */
export function compileLeaf(values: JsonValue[], dialect: Dialect): Condition[] {
  if (values.length === 0) throw new PatternError("Empty arrays are not allowed");
  const conditions = values.map((item) => {
    if (Array.isArray(item)) throw new PatternError("Match value must be String, number, true, false, or null");
    if (typeof item === "object" && item !== null) return compileMatchExpression(item, dialect);
    return compileLiteral(item, dialect);
  });
  checkWildcardComplexity(wildcardOperands(values));
  return conditions;
}
