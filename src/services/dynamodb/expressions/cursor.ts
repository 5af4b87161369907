/** A cursor over an expression's tokens, with the pieces every expression language shares: paths and values. */
import { UnkaiError } from "../../../core/errors.js";
import type { Path, PathElement } from "./ast.js";
import type { ExpressionAttributes } from "./expression-attributes.js";
import { isReservedWord } from "./reserved-words.js";
import { syntaxError, tokenize, type Token } from "./tokens.js";

const MAX_PATH_DEPTH = 32;
/** Parentheses and function calls nested deeper than this are refused (a 4 KB expression could otherwise exhaust the stack). */
const MAX_NESTING = 100;
const MAX_EXPRESSION_BYTES = 4096;

export class Cursor {
  private readonly tokens: Token[];
  private position = 0;
  private depth = 0;

  /** `kind` is the parameter's name as DynamoDB's messages say it ("ConditionExpression"). */
  constructor(
    readonly source: string,
    readonly kind: string,
    readonly attributes: ExpressionAttributes,
  ) {
    if (source.trim() === "") throw this.invalid("The expression can not be empty;");
    if (Buffer.byteLength(source, "utf8") > MAX_EXPRESSION_BYTES) {
      throw new UnkaiError("ValidationException", `Invalid ${kind}: Expression size has exceeded the maximum allowed size; expression size: ${Buffer.byteLength(source, "utf8")}`);
    }
    this.tokens = tokenize(source, kind);
  }

  /** Runs `parse` one nesting level deeper (a parenthesis, a function's arguments). */
  nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) throw this.invalid(`The expression is nested too deeply; at most ${MAX_NESTING} levels of parentheses and function calls are supported`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  invalid(message: string): UnkaiError {
    return new UnkaiError("ValidationException", `Invalid ${this.kind}: ${message}`);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (this.position < this.tokens.length - 1) this.position++;
    return token;
  }

  /** The next token when it is the punctuation `text` (or the keyword, case-insensitively). */
  accept(text: string): boolean {
    const token = this.peek();
    const matches = token.kind === "punct" ? token.text === text : token.kind === "name" && token.text.toUpperCase() === text;
    if (matches) this.position++;
    return matches;
  }

  expect(text: string): void {
    if (!this.accept(text)) throw this.syntaxError();
  }

  /** A syntax error at the current token. */
  syntaxError(): UnkaiError {
    return syntaxError(this.kind, this.source, this.tokens, this.position);
  }

  end(): void {
    if (this.peek().kind !== "eof") throw this.syntaxError();
  }

  /** Whether the current token starts a document path. */
  atPath(): boolean {
    const token = this.peek();
    return token.kind === "alias" || (token.kind === "name" && /^[A-Za-z_]/.test(token.text));
  }

  path(): Path {
    const elements: PathElement[] = [{ name: this.pathName() }];
    for (;;) {
      if (this.accept(".")) elements.push({ name: this.pathName() });
      else if (this.peek().text === "[" && this.peek().kind === "punct") {
        this.next();
        const index = this.next();
        if (index.kind !== "integer") {
          this.position--;
          throw this.syntaxError();
        }
        this.expect("]");
        elements.push({ index: Number(index.text) });
      } else break;
    }
    if (elements.length > MAX_PATH_DEPTH) throw this.invalid(`The document path has too many nesting levels; nesting levels: ${elements.length}`);
    return elements;
  }

  private pathName(): string {
    const token = this.peek();
    if (!this.atPath()) throw this.syntaxError();
    this.next();
    if (token.kind === "alias") return this.attributes.name(token.text, this.kind);
    if (isReservedWord(token.text)) throw this.invalid(`Attribute name is a reserved keyword; reserved keyword: ${token.text}`);
    return token.text;
  }
}
