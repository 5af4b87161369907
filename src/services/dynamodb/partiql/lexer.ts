/**
 * The tokens of DynamoDB's PartiQL subset: bare and "double-quoted" identifiers, 'single-quoted'
 * strings ('' escapes a quote), numbers, `?` parameters and punctuation (`<<` `>>` bracket sets).
 */
import { UnkaiError } from "../../../core/errors.js";

export type TokenKind = "identifier" | "quoted" | "string" | "number" | "punct" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** An identifier or string without its quotes; a number or punctuation as written. */
  readonly text: string;
}

const PUNCTUATION = ["<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "?", "*", "+", "-", ";"];
const IDENTIFIER_START = /[A-Za-z_$]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;
const NUMBER = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/;

/** DynamoDB's envelope for every statement it cannot parse. */
export function malformed(detail: string): UnkaiError {
  return new UnkaiError("ValidationException", `Statement wasn't well formed, can't be processed: ${detail}`);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i++;
    } else if (source.startsWith("--", i)) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (char === "'" || char === '"') {
      const { text, end } = quoted(source, i, char);
      tokens.push({ kind: char === "'" ? "string" : "quoted", text });
      i = end;
    } else if (IDENTIFIER_START.test(char)) {
      const start = i;
      while (i < source.length && IDENTIFIER_PART.test(source[i] as string)) i++;
      tokens.push({ kind: "identifier", text: source.slice(start, i) });
    } else if (/[\d.]/.test(char) && NUMBER.test(source.slice(i))) {
      const text = (NUMBER.exec(source.slice(i)) as RegExpExecArray)[0];
      tokens.push({ kind: "number", text });
      i += text.length;
    } else {
      const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
      if (punct === undefined) throw malformed(`Unexpected character: ${char}`);
      tokens.push({ kind: "punct", text: punct });
      i += punct.length;
    }
  }
  tokens.push({ kind: "eof", text: "" });
  return tokens;
}

/** A quoted string or identifier starting at `start`; a doubled quote stands for one. */
function quoted(source: string, start: number, quote: string): { text: string; end: number } {
  let text = "";
  let i = start + 1;
  for (;;) {
    if (i >= source.length) throw malformed(quote === "'" ? "Unterminated string literal" : "Unterminated quoted identifier");
    const char = source[i] as string;
    if (char === quote) {
      if (source[i + 1] !== quote) return { text, end: i + 1 };
      i++;
    }
    text += char;
    i++;
  }
}
