import { PatternError } from "./types.js";

/**
 * `wildcard` operands: `*` matches any run of characters, `\*` a literal star and `\\` a backslash.
 * Matching is not a regular expression: a backtracking regex takes time exponential in the stars
 * (`*a*a*a*a*b` against a long run of `a`s), so the matcher finds the literal pieces between stars
 * left to right, leftmost first, which is exact for star-only globs and linear in the text per piece.
 */
export interface WildcardMatcher {
  test(text: string): boolean;
}

/** A star between literal pieces. */
const STAR = Symbol("star");
type Token = string | typeof STAR;

/**
 * Event Ruler refuses a field whose wildcards keep too many matching states alive at once (its
 * "Rule is too complex" check): many stars, or runs of repeated characters after a star. We measure
 * the same thing on our own state machine (see `wildcardComplexity`) with this ceiling.
 */
export const MAX_WILDCARD_STATES = 10;

/** The ceiling for all of one field's wildcard patterns together (see `checkWildcardComplexity`). */
export const MAX_FIELD_STATES = 100;

/**
 * How many position steps the complexity check takes before calling the patterns too complex: a
 * field's handful of wildcards needs a few hundred; this keeps PutRule's check itself within
 * milliseconds whatever it is given.
 */
const MAX_CHECK_STEPS = 50_000;

export const TOO_COMPLEX = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/**
 * The pattern's characters and stars. AWS refuses `**` and any other escape, naming the position
 * counted from the opening quote of the JSON string (Event Ruler parses the quoted value), hence `i + 1`.
 */
function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*") {
      if (pattern[i + 1] === "*") throw new PatternError(`Consecutive wildcard characters at pos ${i + 1}`);
      tokens.push(STAR);
    } else if (char === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") throw new PatternError(`Invalid escape character at pos ${i + 1}`);
      tokens.push(next);
      i++;
    } else {
      tokens.push(char);
    }
  }
  return tokens;
}

/** The literal pieces between stars: `a*b*` is ["a", "b", ""]; a pattern without stars is one piece. */
function pieces(tokens: readonly Token[]): string[] {
  const result = [""];
  for (const token of tokens) {
    if (token === STAR) result.push("");
    else result[result.length - 1] += token;
  }
  return result;
}

export function compileWildcard(pattern: string): WildcardMatcher {
  const parts = pieces(tokenize(pattern));
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (parts.length === 1) return { test: (text) => text === first };
  const middle = parts.slice(1, -1);
  return {
    test(text) {
      if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
      const end = text.length - last.length;
      let at = first.length;
      for (const piece of middle) {
        const found = text.indexOf(piece, at);
        if (found < 0 || found + piece.length > end) return false;
        at = found + piece.length;
      }
      return true;
    },
  };
}

/**
 * The most states a nondeterministic matcher of these patterns (one field's wildcards, ORed) holds
 * at once over any text, stopping as soon as it passes `limit`. A state is a position in a pattern;
 * positions in a shared literal prefix (and its first star) count once, as they are one state in
 * Event Ruler's machine. From a set of live positions only the characters they expect (and one
 * other) lead anywhere different, so the sets reachable over those are all there are.
 */
export function wildcardComplexity(patterns: readonly string[], limit = MAX_WILDCARD_STATES): number {
  const machines = patterns.map(tokenize);
  // Each position's state name, once: a shared prefix's positions are named by the prefix.
  const keys = machines.map((tokens, m) => {
    let prefix = "";
    let stars = 0;
    return Array.from({ length: tokens.length + 1 }, (_, i) => {
      const shared = stars === 0 || (stars === 1 && tokens[i - 1] === STAR);
      const key = shared ? prefix : `${m}:${i}`;
      const token = tokens[i];
      if (token === STAR) stars++;
      prefix += token === STAR ? "\u0000*" : (token ?? "");
      return key;
    });
  });
  const keyOf = (m: number, i: number): string => (keys[m] as string[])[i] as string;
  // A star and the position after it (the star matching nothing) are always live together: they
  // count as one state, the one the matcher arrived at.
  const close = (states: Set<string>, m: number, i: number, into: Map<string, [number, number]>) => {
    states.add(keyOf(m, i));
    for (let j = i; j <= (machines[m] as Token[]).length; j++) {
      into.set(`${m}:${j}`, [m, j]);
      if ((machines[m] as Token[])[j] !== STAR) break;
    }
  };
  const start = new Map<string, [number, number]>();
  const startKeys = new Set<string>();
  machines.forEach((_, m) => close(startKeys, m, 0, start));
  let most = startKeys.size;
  const seen = new Set<string>();
  const pending = [start];
  let steps = 0;
  while (pending.length > 0 && most <= limit) {
    const current = pending.pop() as Map<string, [number, number]>;
    // Only a character some live position expects can advance it; any other one just keeps the stars.
    const expected = new Set<string>(["\u0000"]);
    for (const [m, i] of current.values()) {
      const token = (machines[m] as Token[])[i];
      if (typeof token === "string") expected.add(token);
    }
    for (const char of expected) {
      const next = new Map<string, [number, number]>();
      const keys = new Set<string>();
      for (const [m, i] of current.values()) {
        const token = (machines[m] as Token[])[i];
        if (token === STAR) close(keys, m, i, next);
        else if (token === char) close(keys, m, i + 1, next);
      }
      most = Math.max(most, keys.size);
      const id = [...next.keys()].sort().join(",");
      steps += current.size;
      if (steps > MAX_CHECK_STEPS) return limit + 1;
      if (next.size > 0 && !seen.has(id)) {
        seen.add(id);
        pending.push(next);
      }
    }
  }
  return most;
}

/**
 * Refuses one field's wildcard operands when they are too complex: one pattern that keeps more than
 * MAX_WILDCARD_STATES states live, or patterns that together may keep more than MAX_FIELD_STATES
 * (each measured alone and added up: exploring their union is exponential in their number, and the
 * sum bounds it). Matching stays linear either way; this is AWS's refusal, not our safety net.
 */
export function checkWildcardComplexity(patterns: readonly string[]): void {
  let total = 0;
  for (const pattern of patterns) {
    const states = wildcardComplexity([pattern]);
    total += states;
    if (states > MAX_WILDCARD_STATES || total > MAX_FIELD_STATES) throw new PatternError(TOO_COMPLEX);
  }
}
