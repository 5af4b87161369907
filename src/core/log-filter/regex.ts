/**
 * `%regex%` terms, with our own matcher rather than JavaScript's RegExp: CloudWatch's regex subset has no
 * groups, so a pattern is a few alternatives of quantified atoms, which a set-of-states simulation matches
 * in time linear in the event (events × pattern size). A backtracking engine would let one FilterLogEvents
 * call like `%a*a*a*a*b%` over a 256 KB event stall the whole server.
 *
 * Supported: literals, `.`, `[…]` classes (ranges, `^` negation), escapes (`\.`, `\d \w \s` and their
 * negations), `* + ?` and `{m}`, `{m,}`, `{m,n}` (a trailing `?` for laziness changes nothing for a
 * yes/no match), `^` and `$` anchors, `|` alternatives.
 */
import { FilterPatternError } from "./error.js";

export interface TextMatcher {
  test(text: string): boolean;
}

type Pred = (c: string) => boolean;
/** One step of an alternative: an anchor, or an atom that must appear once, may appear once, or any number of times. */
type Item = { readonly kind: "^" | "$" } | { readonly kind: "one" | "opt" | "star"; readonly pred: Pred };

/** Bound on an alternative's expanded size (`{m,n}` repeats its atom), to keep matching cheap. */
const MAX_ITEMS = 1_000;

const CLASS_ESCAPES: Readonly<Record<string, Pred>> = {
  d: (c) => c >= "0" && c <= "9",
  w: (c) => /\w/.test(c),
  s: (c) => /\s/.test(c),
};

function escapePred(c: string): Pred {
  const known = CLASS_ESCAPES[c.toLowerCase()];
  if (known) return c === c.toLowerCase() ? known : (x) => !known(x);
  if (c === "n") return (x) => x === "\n";
  if (c === "t") return (x) => x === "\t";
  return (x) => x === c;
}

class RegexParser {
  private at = 0;
  constructor(private readonly body: string) {}

  alternatives(): Item[][] {
    const out: Item[][] = [this.sequence()];
    while (this.body[this.at] === "|") {
      this.at++;
      out.push(this.sequence());
    }
    return out;
  }

  private sequence(): Item[] {
    const items: Item[] = [];
    while (this.at < this.body.length && this.body[this.at] !== "|") {
      const c = this.body[this.at++] as string;
      if (c === "^" || c === "$") { items.push({ kind: c }); continue; }
      if (c === "*" || c === "+" || c === "?") throw this.error(`Nothing to repeat before '${c}'`);
      const pred = this.atom(c);
      this.quantified(pred, items);
      if (items.length > MAX_ITEMS) throw this.error("Regular expression is too long once its repetitions are expanded");
    }
    return items;
  }

  private atom(c: string): Pred {
    if (c === ".") return (x) => x !== "\n" && x !== "\r" && x !== "\u2028" && x !== "\u2029";
    if (c === "\\") return escapePred(this.escaped());
    if (c === "[") return this.charClass();
    return (x) => x === c;
  }

  private escaped(): string {
    const c = this.body[this.at++];
    if (c === undefined) throw this.error("Trailing '\\'");
    return c;
  }

  private charClass(): Pred {
    const negated = this.body[this.at] === "^";
    if (negated) this.at++;
    const parts: Pred[] = [];
    let first = true;
    while (this.body[this.at] !== "]" || first) {
      first = false;
      let c = this.body[this.at++];
      if (c === undefined) throw this.error("Unterminated '['");
      if (c === "\\") {
        const e = this.escaped();
        if (CLASS_ESCAPES[e.toLowerCase()]) { parts.push(escapePred(e)); continue; }
        c = e === "n" ? "\n" : e === "t" ? "\t" : e;
      }
      if (this.body[this.at] === "-" && this.body[this.at + 1] !== "]" && this.body[this.at + 1] !== undefined) {
        this.at++;
        let hi = this.body[this.at++] as string;
        if (hi === "\\") hi = this.escaped();
        if (hi < c) throw this.error(`Range out of order in character class: ${c}-${hi}`);
        const lo = c;
        parts.push((x) => x >= lo && x <= hi);
      } else {
        const literal = c;
        parts.push((x) => x === literal);
      }
    }
    this.at++;
    return (x) => parts.some((p) => p(x)) !== negated;
  }

  /** Reads `*`, `+`, `?` or `{m,n}` after an atom (if any) and appends the atom's expansion. */
  private quantified(pred: Pred, items: Item[]): void {
    const [min, max] = this.bounds();
    if (max < min) throw this.error("Numbers out of order in {} quantifier");
    if (this.body[this.at] === "?" && (min !== 1 || max !== 1)) this.at++;
    for (let i = 0; i < min; i++) items.push({ kind: "one", pred });
    if (max === Infinity) items.push({ kind: "star", pred });
    else for (let i = min; i < max && items.length <= MAX_ITEMS; i++) items.push({ kind: "opt", pred });
  }

  private bounds(): [number, number] {
    const c = this.body[this.at];
    if (c === "*") { this.at++; return [0, Infinity]; }
    if (c === "+") { this.at++; return [1, Infinity]; }
    if (c === "?") { this.at++; return [0, 1]; }
    const m = c === "{" ? /^\{(\d+)(,(\d*))?\}/.exec(this.body.slice(this.at)) : null;
    if (!m) return [1, 1];
    this.at += m[0].length;
    const min = Number(m[1]);
    return [min, m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3])];
  }

  private error(detail: string): FilterPatternError {
    return new FilterPatternError(`${detail} in regular expression '%${this.body}%'`);
  }
}

/** Whether one alternative occurs anywhere in `text`: the states are positions in `items`, advanced together. */
function occurs(items: readonly Item[], text: string): boolean {
  const end = items.length;
  let states = new Set<number>();
  const close = (set: Set<number>, pos: number) => {
    for (const i of set) {
      const item = items[i];
      if (!item) continue;
      const skip = item.kind === "opt" || item.kind === "star" || (item.kind === "^" && pos === 0) || (item.kind === "$" && pos === text.length);
      if (skip) set.add(i + 1);
    }
    return set;
  };
  for (let pos = 0; ; pos++) {
    states.add(0);
    close(states, pos);
    if (states.has(end)) return true;
    if (pos === text.length) return false;
    const c = text[pos] as string;
    const next = new Set<number>();
    for (const i of states) {
      const item = items[i];
      if (!item || !("pred" in item) || !item.pred(c)) continue;
      next.add(item.kind === "star" ? i : i + 1);
    }
    states = next;
  }
}

/** Parses a regex body (without the `%`s); `test` says whether it occurs anywhere in a text. */
export function parseRegex(body: string): TextMatcher {
  const alternatives = new RegexParser(body).alternatives();
  return { test: (text) => alternatives.some((items) => occurs(items, text)) };
}
