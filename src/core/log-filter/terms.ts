/**
 * Unstructured patterns: `ERROR Exception` (all terms), `?ERROR ?WARN` (any), `ERROR -Exiting` (exclusion),
 * `"quoted phrases"` and `%regex%` terms.
 *
 * A bare term matches a whole word: it must not be glued to a letter or digit on either side, so `ERROR`
 * matches `[ERROR]` and `ERROR:` but not `ERRORS` or `MYERROR` (CloudWatch tokenises the event). A quoted
 * phrase is matched as written, anywhere. Everything is case-sensitive.
 */
import type { TextMatcher } from "./regex.js";
import { compileRegex, FilterPatternError } from "./values.js";

type Term = { readonly kind: "word" | "phrase"; readonly text: string } | { readonly kind: "regex"; readonly regex: TextMatcher };
interface Terms {
  readonly all: readonly Term[];
  readonly any: readonly Term[];
  readonly none: readonly Term[];
}

// Characters a term may hold unquoted; anything else needs double quotes, as CloudWatch says.
const BARE = /^[\p{L}\p{N}_.:/-]+$/u;
const ALNUM = /[\p{L}\p{N}]/u;

/** Splits at whitespace outside double quotes; a quote may be escaped inside a phrase with `\"`. */
function tokens(pattern: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (quoted && c === "\\" && i + 1 < pattern.length) {
      current += c + (pattern[++i] as string);
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (!quoted && /\s/.test(c)) {
      if (current) out.push(current);
      current = "";
    } else current += c;
  }
  if (quoted) throw new FilterPatternError(`Unterminated quote in '${pattern}'`);
  if (current) out.push(current);
  return out;
}

function term(raw: string): Term {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    const text = raw.slice(1, -1).replace(/\\(["\\])/g, "$1");
    if (text === "") throw new FilterPatternError(`Invalid character(s) in term '${raw}'`);
    return { kind: "phrase", text };
  }
  if (raw.length >= 2 && raw.startsWith("%") && raw.endsWith("%")) return { kind: "regex", regex: compileRegex(raw.slice(1, -1)) };
  if (!BARE.test(raw)) throw new FilterPatternError(`Invalid character(s) in term '${raw}'`);
  return { kind: "word", text: raw };
}

function parseTerms(pattern: string): Terms {
  const all: Term[] = [];
  const any: Term[] = [];
  const none: Term[] = [];
  for (const raw of tokens(pattern)) {
    if (raw.startsWith("?")) any.push(term(raw.slice(1)));
    else if (raw.startsWith("-") && raw.length > 1 && !/^-\d/.test(raw)) none.push(term(raw.slice(1)));
    else all.push(term(raw));
  }
  return { all, any, none };
}

function wordAt(message: string, word: string, at: number): boolean {
  const before = message[at - 1];
  const after = message[at + word.length];
  const gluedBefore = before !== undefined && ALNUM.test(before) && ALNUM.test(word[0] as string);
  const gluedAfter = after !== undefined && ALNUM.test(after) && ALNUM.test(word.at(-1) as string);
  return !gluedBefore && !gluedAfter;
}

function hasWord(message: string, word: string): boolean {
  for (let at = message.indexOf(word); at !== -1; at = message.indexOf(word, at + 1)) {
    if (wordAt(message, word, at)) return true;
  }
  return false;
}

function termMatches(t: Term, message: string): boolean {
  if (t.kind === "regex") return t.regex.test(message);
  return t.kind === "phrase" ? message.includes(t.text) : hasWord(message, t.text);
}

/** A matcher for an unstructured pattern: every plain term, at least one `?` term if any, and no `-` term. */
export function compileTerms(pattern: string): (message: string) => boolean {
  const { all, any, none } = parseTerms(pattern);
  return (message) =>
    all.every((t) => termMatches(t, message)) &&
    (any.length === 0 || any.some((t) => termMatches(t, message))) &&
    !none.some((t) => termMatches(t, message));
}
