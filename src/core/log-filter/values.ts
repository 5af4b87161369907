/**
 * What the three pattern kinds share: the error a bad pattern raises, `%regex%` terms with the subset
 * CloudWatch accepts, `*` wildcards, and one comparison (`= != < > <= >=`) of a field's text with a value.
 */
import { FilterPatternError } from "./error.js";
import { parseRegex, type TextMatcher } from "./regex.js";

export { FilterPatternError } from "./error.js";

export type Operator = "=" | "!=" | "<" | ">" | "<=" | ">=";

/** A value on the right of an operator: a number, a string (possibly with `*`), or a `%regex%`. */
export type Literal =
  | { readonly kind: "number"; readonly text: string; readonly value: number }
  | { readonly kind: "string"; readonly text: string; readonly glob?: Glob | undefined }
  | { readonly kind: "regex"; readonly text: string; readonly regex: TextMatcher };

// AWS: letters, digits, the symbols _ # = @ / ; , - : and space-free operators ^ $ ? [ ] { } | \ * + .
const REGEX_ALLOWED = /^[A-Za-z0-9_#=@/;,\-:^$?[\]{}|\\*+.]*$/;
/** AWS's quota: a JSON or space-delimited pattern may hold at most two regular expressions. */
export const MAX_REGEX_PER_PATTERN = 2;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** Compiles the body of `%…%`, refusing what CloudWatch's regex subset does not have (no groups, no multi-byte). */
export function compileRegex(body: string): TextMatcher {
  if (body === "") throw new FilterPatternError("Empty regular expression");
  if (!REGEX_ALLOWED.test(body)) {
    const bad = [...body].find((c) => !REGEX_ALLOWED.test(c)) ?? "";
    throw new FilterPatternError(`Unsupported character '${bad}' in regular expression '%${body}%'`);
  }
  return parseRegex(body);
}

/** Text with `*` wildcards, matched in O(text × pattern) (a RegExp of several `.*` can backtrack far longer). */
export interface Glob {
  test(text: string): boolean;
}

/** `*` matches any run of characters; everything else is literal and case-sensitive. The whole value must match. */
export function globRegex(pattern: string): Glob | undefined {
  if (!pattern.includes("*")) return undefined;
  return { test: (text) => globMatches(pattern, text) };
}

/** The classic two-pointer wildcard match: on a mismatch, resume after the last `*`, which takes one more character. */
function globMatches(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== "*" && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

/** A literal as written after an operator: quoted (quotes removed), `%regex%`, a number, or a bare word. */
export function parseLiteral(raw: string): Literal {
  if (raw.length >= 2 && raw.startsWith("%") && raw.endsWith("%")) return { kind: "regex", text: raw, regex: compileRegex(raw.slice(1, -1)) };
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    const text = raw.slice(1, -1).replace(/\\(["\\])/g, "$1");
    return { kind: "string", text, glob: globRegex(text) };
  }
  if (raw === "") throw new FilterPatternError("Missing value after operator");
  if (NUMBER.test(raw)) return { kind: "number", text: raw, value: Number(raw) };
  if (/["%]/.test(raw)) throw new FilterPatternError(`Invalid character(s) in term '${raw}'`);
  return { kind: "string", text: raw, glob: globRegex(raw) };
}

/** Ordering operators need a number on the right, as on CloudWatch. */
export function checkOperator(op: Operator, literal: Literal): void {
  if (op !== "=" && op !== "!=" && literal.kind !== "number") {
    throw new FilterPatternError(`Operator ${op} needs a numeric value, got '${literal.text}'`);
  }
}

function equals(field: string | number, literal: Literal): boolean {
  if (literal.kind === "regex") return literal.regex.test(String(field));
  if (literal.kind === "number") {
    const n = typeof field === "number" ? field : NUMBER.test(field) ? Number(field) : Number.NaN;
    return n === literal.value;
  }
  return literal.glob ? literal.glob.test(String(field)) : String(field) === literal.text;
}

/**
 * Compares a field (a JSON number, or text from a JSON string or a space-delimited field) with a literal.
 * Ordering compares numbers only: a field that is not numeric does not match.
 */
export function compare(field: string | number, op: Operator, literal: Literal): boolean {
  if (op === "=") return equals(field, literal);
  if (op === "!=") return !equals(field, literal);
  const n = typeof field === "number" ? field : NUMBER.test(field.trim()) ? Number(field) : Number.NaN;
  if (Number.isNaN(n) || literal.kind !== "number") return false;
  switch (op) {
    case "<": return n < literal.value;
    case ">": return n > literal.value;
    case "<=": return n <= literal.value;
    default: return n >= literal.value;
  }
}

export const OPERATORS: readonly Operator[] = ["!=", "<=", ">=", "=", "<", ">"];
