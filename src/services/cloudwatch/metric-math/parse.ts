/**
 * CloudWatch metric math expressions (GetMetricData's `Expression`) parsed into a tree: numbers, strings,
 * query ids, function calls, arrays `[m1, m2]`, `+ - * / ^`, comparisons (`< <= > >= == !=`) and the
 * logical `AND`/`&&`, `OR`/`||`, `NOT`/`!`. Precedence, lowest first: OR, AND, NOT, comparison, `+ -`,
 * `* /`, `^` (right-associative), unary minus.
 */
export type MathNode =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly MathNode[] }
  | { readonly kind: "array"; readonly items: readonly MathNode[] }
  | { readonly kind: "binary"; readonly op: string; readonly left: MathNode; readonly right: MathNode }
  | { readonly kind: "unary"; readonly op: "-" | "NOT"; readonly operand: MathNode };

export class MathSyntaxError extends Error {}

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|("(?:[^"\\]|\\.)*")|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|==|!=|&&|\|\||[-+*/^()<>,![\]]))/y;

type Token = { readonly type: "number" | "string" | "word" | "op"; readonly text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new MathSyntaxError(`unexpected character '${text.slice(at).trimStart()[0] ?? ""}' at position ${at + 1}`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ type: "number", text: m[1] });
    else if (m[2] !== undefined) tokens.push({ type: "string", text: m[2] });
    else if (m[3] !== undefined) tokens.push({ type: "word", text: m[3] });
    else tokens.push({ type: "op", text: m[4] ?? "" });
  }
  return tokens;
}

const COMPARISONS = new Set(["<", "<=", ">", ">=", "==", "!="]);
/** Longest accepted expression, as CloudWatch's limit on a query's Expression (1,024 characters). */
const MAX_LENGTH = 1024;
const MAX_DEPTH = 64;

export function parseMathExpression(text: string): MathNode {
  if (text.length > MAX_LENGTH) throw new MathSyntaxError(`the expression is longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(text);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const isOp = (...ops: string[]) => {
    const t = peek();
    return t !== undefined && ((t.type === "op" && ops.includes(t.text)) || (t.type === "word" && ops.includes(t.text.toUpperCase())));
  };
  const expect = (op: string) => {
    if (!isOp(op)) throw new MathSyntaxError(`expected '${op}' ${peek() ? `before '${peek()?.text}'` : "at the end"}`);
    pos++;
  };
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_DEPTH) throw new MathSyntaxError(`the expression nests more than ${MAX_DEPTH} levels`);
    try {
      return parse();
    } finally {
      depth--;
    }
  };

  const binaryLevel = (ops: string[], next: () => MathNode, name = (t: string) => t) => (): MathNode => {
    let left = next();
    while (isOp(...ops)) {
      const op = name((tokens[pos++] as Token).text.toUpperCase());
      left = { kind: "binary", op, left, right: next() };
    }
    return left;
  };
  const primary = (): MathNode => {
    const t = peek();
    if (!t) throw new MathSyntaxError("the expression ends too early");
    pos++;
    if (t.type === "number") return { kind: "number", value: Number(t.text) };
    if (t.type === "string") return { kind: "string", value: JSON.parse(t.text) as string };
    if (t.type === "word") {
      if (!isOp("(")) return { kind: "name", name: t.text };
      pos++;
      const args: MathNode[] = [];
      if (!isOp(")")) {
        do args.push(nested(or));
        while (isOp(",") && ++pos);
      }
      expect(")");
      return { kind: "call", name: t.text.toUpperCase(), args };
    }
    if (t.text === "(") {
      const inner = nested(or);
      expect(")");
      return inner;
    }
    if (t.text === "[") {
      const items: MathNode[] = [];
      if (!isOp("]")) {
        do items.push(nested(or));
        while (isOp(",") && ++pos);
      }
      expect("]");
      return { kind: "array", items };
    }
    throw new MathSyntaxError(`unexpected '${t.text}'`);
  };
  const unary = (): MathNode => {
    if (isOp("-")) {
      pos++;
      return { kind: "unary", op: "-", operand: nested(unary) };
    }
    return primary();
  };
  const power = (): MathNode => {
    const base = unary();
    if (!isOp("^")) return base;
    pos++;
    return { kind: "binary", op: "^", left: base, right: nested(power) };
  };
  const product = binaryLevel(["*", "/"], power);
  const sum = binaryLevel(["+", "-"], product);
  const comparison = (): MathNode => {
    const left = sum();
    const t = peek();
    if (t?.type !== "op" || !COMPARISONS.has(t.text)) return left;
    pos++;
    return { kind: "binary", op: t.text, left, right: sum() };
  };
  const not = (): MathNode => {
    if (isOp("NOT", "!")) {
      pos++;
      return { kind: "unary", op: "NOT", operand: nested(not) };
    }
    return comparison();
  };
  const and = binaryLevel(["AND", "&&"], not, () => "AND");
  function or(): MathNode {
    return binaryLevel(["OR", "||"], and, () => "OR")();
  }

  if (tokens.length === 0) throw new MathSyntaxError("the expression is empty");
  const tree = or();
  if (pos < tokens.length) throw new MathSyntaxError(`unexpected '${tokens[pos]?.text}' after a complete expression`);
  return tree;
}
