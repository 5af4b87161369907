/**
 * JSON patterns: `{ $.level = "ERROR" && ($.latency > 500 || $.user.id IS NULL) }`.
 *
 * Selectors are `$` followed by `.name`, `[n]` and `[*]` (any element). Conditions: `= != < > <= >=`
 * against a string (with `*` wildcards), a number or a `%regex%`; `IS NULL`, `IS TRUE`, `IS FALSE`,
 * `NOT EXISTS`. `&&` binds tighter than `||`; parentheses group. Only an event that is a JSON object or
 * array can match.
 */
import { checkOperator, compare, FilterPatternError, MAX_REGEX_PER_PATTERN, OPERATORS, parseLiteral, type Literal, type Operator } from "./values.js";

/** A member name, an array index, or `ANY` for `[*]`. */
type Step = string | number | typeof ANY;
const ANY = Symbol("[*]");
type Test = { readonly op: Operator; readonly literal: Literal } | { readonly is: "NULL" | "TRUE" | "FALSE" | "NOT EXISTS" };
type Node =
  | { readonly kind: "and" | "or"; readonly left: Node; readonly right: Node }
  | { readonly kind: "cond"; readonly selector: string; readonly steps: readonly Step[]; readonly test: Test };

/** The lexer: parentheses, `&&`/`||`, operators, quoted strings, `%regex%`, and words (selectors, keywords, bare values). */
export function lex(body: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "(" || c === ")") { out.push(c); i++; continue; }
    const two = body.slice(i, i + 2);
    if (two === "&&" || two === "||") { out.push(two); i += 2; continue; }
    const op = OPERATORS.find((o) => body.startsWith(o, i));
    if (op) { out.push(op); i += op.length; continue; }
    const end = c === '"' ? quotedEnd(body, i) : c === "%" ? body.indexOf("%", i + 1) + 1 : wordEnd(body, i);
    if (end <= i) throw new FilterPatternError(`Unterminated ${c === '"' ? "quote" : "regular expression"} in '{${body}}'`);
    out.push(body.slice(i, end));
    i = end;
  }
  return out;
}

function quotedEnd(body: string, start: number): number {
  for (let i = start + 1; i < body.length; i++) {
    if (body[i] === "\\") i++;
    else if (body[i] === '"') return i + 1;
  }
  return -1;
}

function wordEnd(body: string, start: number): number {
  let i = start;
  while (i < body.length && !/[\s()=!<>&|"]/.test(body[i] as string)) i++;
  return i;
}

function parseSelector(text: string): Step[] {
  if (!text.startsWith("$")) throw new FilterPatternError(`Expected a selector such as $.field, got '${text}'`);
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]/gy;
  re.lastIndex = 1;
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (!m) throw new FilterPatternError(`Invalid selector '${text}'`);
    steps.push(m[1] !== undefined ? m[1] : m[2] === "*" ? ANY : Number(m[2]));
  }
  if (steps.length === 0) throw new FilterPatternError(`Invalid selector '${text}'`);
  return steps;
}

class Parser {
  private at = 0;
  regexCount = 0;
  constructor(private readonly toks: readonly string[]) {}

  parse(): Node {
    const node = this.or();
    if (this.at < this.toks.length) throw new FilterPatternError(`Unexpected '${this.toks[this.at]}'`);
    return node;
  }
  private peek(): string | undefined { return this.toks[this.at]; }
  private next(what: string): string {
    const t = this.toks[this.at++];
    if (t === undefined) throw new FilterPatternError(`Expected ${what} at the end of the pattern`);
    return t;
  }
  private or(): Node {
    let left = this.and();
    while (this.peek() === "||") { this.at++; left = { kind: "or", left, right: this.and() }; }
    return left;
  }
  private and(): Node {
    let left = this.primary();
    while (this.peek() === "&&") { this.at++; left = { kind: "and", left, right: this.primary() }; }
    return left;
  }
  private primary(): Node {
    if (this.peek() === "(") {
      this.at++;
      const inner = this.or();
      if (this.next("')'") !== ")") throw new FilterPatternError("Expected ')'");
      return inner;
    }
    const selector = this.next("a selector");
    return { kind: "cond", selector, steps: parseSelector(selector), test: this.test() };
  }
  private test(): Test {
    const word = this.next("an operator");
    if (word === "IS") {
      const what = this.next("NULL, TRUE or FALSE");
      if (what !== "NULL" && what !== "TRUE" && what !== "FALSE") throw new FilterPatternError(`Expected NULL, TRUE or FALSE after IS, got '${what}'`);
      return { is: what };
    }
    if (word === "NOT") {
      if (this.next("EXISTS") !== "EXISTS") throw new FilterPatternError("Expected EXISTS after NOT");
      return { is: "NOT EXISTS" };
    }
    if (!(OPERATORS as readonly string[]).includes(word)) throw new FilterPatternError(`Expected an operator, got '${word}'`);
    const literal = parseLiteral(this.next("a value"));
    checkOperator(word as Operator, literal);
    if (literal.kind === "regex" && ++this.regexCount > MAX_REGEX_PER_PATTERN) {
      throw new FilterPatternError(`A filter pattern may contain at most ${MAX_REGEX_PER_PATTERN} regular expressions`);
    }
    return { op: word as Operator, literal };
  }
}

/** Every value a selector reaches (several through `[*]`, none when a step is missing). */
export function select(root: unknown, steps: readonly Step[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step === ANY) { if (Array.isArray(value)) next.push(...(value as unknown[])); }
      else if (typeof step === "number") { if (Array.isArray(value) && step < value.length) next.push(value[step]); }
      else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.hasOwn(value, step)) {
        next.push((value as Record<string, unknown>)[step]);
      }
    }
    current = next;
  }
  return current;
}

function holds(value: unknown, test: Test): boolean {
  if ("is" in test) {
    if (test.is === "NULL") return value === null;
    return test.is === "TRUE" ? value === true : value === false;
  }
  if (typeof value !== "string" && typeof value !== "number") return false;
  return compare(value, test.op, test.literal);
}

function evaluate(node: Node, root: unknown): boolean {
  if (node.kind !== "cond") {
    return node.kind === "and" ? evaluate(node.left, root) && evaluate(node.right, root) : evaluate(node.left, root) || evaluate(node.right, root);
  }
  const values = select(root, node.steps);
  if ("is" in node.test && node.test.is === "NOT EXISTS") return values.length === 0;
  const test = node.test;
  return values.some((v) => holds(v, test));
}

function selectors(node: Node, out: Set<string>): Set<string> {
  if (node.kind === "cond") out.add(node.selector);
  else { selectors(node.left, out); selectors(node.right, out); }
  return out;
}

export interface JsonPattern {
  /** The parsed event when it matches, else undefined. */
  readonly match: (message: string) => unknown;
  /** The selectors the pattern names, for TestMetricFilter's extracted values. */
  readonly selectors: readonly string[];
}

/** Compiles `{ … }` (the braces included). */
export function compileJson(pattern: string): JsonPattern {
  if (!pattern.endsWith("}")) throw new FilterPatternError("If a filter pattern starts with '{' it must end with '}'");
  const body = pattern.slice(1, -1);
  if (body.trim() === "") throw new FilterPatternError("Empty JSON pattern");
  const tree = new Parser(lex(body)).parse();
  return {
    selectors: [...selectors(tree, new Set())],
    match(message) {
      const trimmed = message.trim();
      if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return undefined;
      let root: unknown;
      try { root = JSON.parse(trimmed); } catch { return undefined; }
      return evaluate(tree, root) ? root : undefined;
    },
  };
}

export function parseJsonSelector(text: string): readonly Step[] {
  return parseSelector(text);
}
