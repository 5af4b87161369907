/**
 * A cursor over a statement's tokens with the pieces every PartiQL statement shares: keywords,
 * document paths, literals (strings, numbers, booleans, null, lists, maps, `<<sets>>`) and `?`
 * parameters bound in order from the request's Parameters.
 */
import { UnkaiError } from "../../../core/errors.js";
import type { Path, PathElement } from "../expressions/ast.js";
import { canonicalNumber, checkValue, typeOf, type AttributeValue } from "../expressions/index.js";
import { malformed, tokenize, type Token } from "./lexer.js";

/** Words that end a path or an operand; a bare attribute with one of these names must be double-quoted. */
const KEYWORDS = new Set([
  "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "MISSING", "NULL", "TRUE", "FALSE",
  "INSERT", "INTO", "VALUE", "UPDATE", "SET", "REMOVE", "DELETE", "RETURNING", "EXISTS", "ORDER", "BY", "ASC", "DESC",
]);
const MAX_NESTING = 32;

export class Reader {
  private readonly tokens: Token[];
  private position = 0;
  private bound = 0;
  private depth = 0;

  constructor(source: string, private readonly parameters: readonly unknown[]) {
    this.tokens = tokenize(source);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  /** Whether the next token is the keyword (case-insensitive) or punctuation `text`. */
  at(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "punct" ? token.text === text : token.kind === "identifier" && token.text.toUpperCase() === text;
  }

  accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.next();
    return true;
  }

  expect(text: string): void {
    if (!this.accept(text)) throw this.unexpected();
  }

  /** DynamoDB's wording for a token where none of its kind may stand. */
  unexpected(): UnkaiError {
    const token = this.peek();
    if (token.kind === "eof") return malformed("Unexpected end of statement");
    if (token.kind === "identifier" && KEYWORDS.has(token.text.toUpperCase())) return malformed(`Unexpected keyword: ${token.text}`);
    return malformed(`Unexpected token: ${token.text}`);
  }

  end(): void {
    this.accept(";");
    if (this.peek().kind !== "eof") throw this.unexpected();
  }

  /** Runs `parse` one nesting level deeper (parentheses, nested literals): a long statement cannot exhaust the stack. */
  nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw malformed("Nesting levels have exceeded supported limits");
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  /** A table or attribute name: a bare identifier that is no keyword, or a "quoted" one. */
  atName(offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "quoted" || (token.kind === "identifier" && !KEYWORDS.has(token.text.toUpperCase()));
  }

  name(): string {
    if (!this.atName()) throw this.unexpected();
    const text = this.next().text;
    if (text === "") throw new UnkaiError("ValidationException", "Path component cannot be an empty string");
    return text;
  }

  path(): Path {
    const elements: PathElement[] = [{ name: this.name() }];
    for (;;) {
      if (this.accept(".")) elements.push({ name: this.name() });
      else if (this.accept("[")) {
        const token = this.next();
        if (token.kind === "number" && /^\d+$/.test(token.text)) elements.push({ index: Number(token.text) });
        else if (token.kind === "string") elements.push({ name: token.text });
        else throw malformed("Unexpected path component");
        this.expect("]");
      } else return elements;
    }
  }

  /** Whether the next token starts a literal or a parameter. */
  atValue(): boolean {
    const token = this.peek();
    if (token.kind === "string" || token.kind === "number") return true;
    if (token.kind === "punct") return ["?", "[", "{", "<<", "-"].includes(token.text);
    return ["TRUE", "FALSE", "NULL"].some((word) => this.at(word));
  }

  value(): AttributeValue {
    const token = this.next();
    if (token.kind === "string") return { S: token.text };
    if (token.kind === "number") return { N: canonicalNumber(token.text) };
    if (token.kind === "punct") {
      switch (token.text) {
        case "-": {
          const number = this.next();
          if (number.kind !== "number") throw malformed(`Unexpected token: ${number.text}`);
          return { N: canonicalNumber(`-${number.text}`) };
        }
        case "?":
          return this.parameter();
        case "[":
          return this.nested(() => ({ L: this.sequence("]") }));
        case "{":
          return this.nested(() => this.map());
        case "<<":
          return this.nested(() => set(this.sequence(">>")));
      }
    }
    const word = token.kind === "identifier" ? token.text.toUpperCase() : "";
    if (word === "TRUE" || word === "FALSE") return { BOOL: word === "TRUE" };
    if (word === "NULL") return { NULL: true };
    if (word === "MISSING") throw new UnkaiError("ValidationException", "MISSING must be compared using IS operator");
    // Report the token itself (next() does not move past the end, so there is nothing to step back over).
    if (token.kind !== "eof") this.position--;
    throw this.unexpected();
  }

  private parameter(): AttributeValue {
    if (this.bound >= this.parameters.length) throw new UnkaiError("ValidationException", "Number of parameters in request and statement don't match.");
    return checkValue(this.parameters[this.bound++]);
  }

  private sequence(close: string): AttributeValue[] {
    const values: AttributeValue[] = [];
    if (this.accept(close)) return values;
    do values.push(this.value());
    while (this.accept(","));
    this.expect(close);
    return values;
  }

  private map(): AttributeValue {
    const members: Record<string, AttributeValue> = {};
    if (this.accept("}")) return { M: members };
    do {
      const key = this.next();
      if (key.kind !== "string") throw malformed(`Tuple keys must be of type String`);
      if (Object.hasOwn(members, key.text)) throw new UnkaiError("ValidationException", `Duplicate keys in tuple. Key: ${key.text}`);
      this.expect(":");
      members[key.text] = this.value();
    } while (this.accept(","));
    this.expect("}");
    return { M: members };
  }
}

/** A `<<bag>>` literal: a string, number or binary set (DynamoDB refuses empty and mixed bags). */
function set(values: AttributeValue[]): AttributeValue {
  if (values.length === 0) throw new UnkaiError("ValidationException", "Empty bags are not supported");
  const types = new Set(values.map(typeOf));
  const type = types.size === 1 ? [...types][0] : undefined;
  if (type === "S") return checkValue({ SS: values.map((v) => v.S) });
  if (type === "N") return checkValue({ NS: values.map((v) => v.N) });
  if (type === "B") return checkValue({ BS: values.map((v) => v.B) });
  throw new UnkaiError("ValidationException", "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
}
