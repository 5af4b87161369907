/** The tokens of DynamoDB's expression languages, with their spans for "Syntax error; token: …, near: …". */
import { UnkaiError } from "../../../core/errors.js";

export type TokenKind = "name" | "alias" | "value" | "integer" | "punct" | "eof";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const PUNCTUATION = ["<>", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-"];
const NAME = /[A-Za-z0-9_]/;

/** Splits an expression into tokens; `kind` names the expression in error messages ("ConditionExpression"). */
export function tokenize(source: string, kind: string): Token[] {
  const tokens: Token[] = [];
  // A malformed token is reported once the token after it is known: DynamoDB's "near" shows both neighbours.
  let bad: number | undefined;
  let i = 0;
  while (i < source.length) {
    const char = source[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const start = i;
    if (char === "#" || char === ":") {
      i++;
      while (i < source.length && NAME.test(source[i] as string)) i++;
      tokens.push({ kind: char === "#" ? "alias" : "value", text: source.slice(start, i), start, end: i });
      if (i === start + 1) bad ??= tokens.length - 1;
      continue;
    }
    if (NAME.test(char)) {
      while (i < source.length && NAME.test(source[i] as string)) i++;
      const text = source.slice(start, i);
      tokens.push({ kind: /^\d+$/.test(text) ? "integer" : "name", text, start, end: i });
      continue;
    }
    const punct = PUNCTUATION.find((p) => source.startsWith(p, i));
    tokens.push({ kind: "punct", text: punct ?? char, start, end: i + (punct ?? char).length });
    if (punct === undefined) bad ??= tokens.length - 1;
    i += (punct ?? char).length;
  }
  tokens.push({ kind: "eof", text: "<EOF>", start: source.length, end: source.length });
  if (bad !== undefined) throw syntaxError(kind, source, tokens, bad);
  return tokens;
}

/**
 * DynamoDB's wording: the offending token, and the source from the token before it through the token
 * after it (`ADD hits : incr` → token ":", near "hits : incr"; at the end, the last token alone).
 */
export function syntaxError(kind: string, source: string, tokens: readonly Token[], index: number): UnkaiError {
  const token = tokens[index] as Token;
  const previous = tokens[Math.max(0, index - 1)] as Token;
  const following = tokens[Math.min(tokens.length - 1, index + 1)] as Token;
  const near = source.slice(previous.start, following.kind === "eof" ? token.end : following.end).trim();
  return new UnkaiError("ValidationException", `Invalid ${kind}: Syntax error; token: "${token.text}", near: "${near}"`);
}
