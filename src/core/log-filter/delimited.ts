/**
 * Space-delimited patterns: `[ip, user, ..., status = 4* || status = 5*, bytes > 1000]`.
 *
 * The event is split at spaces; text in double quotes or in square brackets is one field (without its
 * quotes or brackets). Each slot names a field and may test it (`= != < > <= >=`, `*` wildcards,
 * `%regex%`), several tests of the same field joined by `&&` / `||`. `...` stands for any number of
 * fields; without one, the event must have exactly as many fields as the pattern has slots.
 */
import { lex } from "./json.js";
import { checkOperator, compare, FilterPatternError, MAX_REGEX_PER_PATTERN, OPERATORS, parseLiteral, type Literal, type Operator } from "./values.js";

interface Condition {
  readonly op: Operator;
  readonly literal: Literal;
}
type Slot = { readonly kind: "ellipsis" } | { readonly kind: "field"; readonly name: string; readonly anyOf: readonly (readonly Condition[])[] };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits the pattern's slots at commas outside quotes and `%regex%`. */
function slotTexts(body: string): string[] {
  const out: string[] = [];
  let current = "";
  let inside: string | undefined;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (inside === '"' && c === "\\") { current += c + (body[++i] ?? ""); continue; }
    if (inside === undefined && (c === '"' || c === "%")) inside = c;
    else if (inside === c) inside = undefined;
    if (inside === undefined && c === ",") { out.push(current.trim()); current = ""; } else current += c;
  }
  out.push(current.trim());
  return out;
}

function parseSlot(text: string, regexes: { count: number }): Slot {
  if (text === "...") return { kind: "ellipsis" };
  const toks = lex(text);
  const name = toks[0] ?? "";
  if (!NAME.test(name)) throw new FilterPatternError(`Invalid field '${text}'`);
  const anyOf: Condition[][] = [[]];
  let i = 1;
  while (i < toks.length) {
    if (i > 1) {
      const join = toks[i++];
      if (join !== "&&" && join !== "||") throw new FilterPatternError(`Invalid field '${text}'`);
      if (toks[i++] !== name) throw new FilterPatternError(`Conditions in one field must test that field: '${text}'`);
      if (join === "||") anyOf.push([]);
    }
    const [op, value] = [toks[i++], toks[i++]];
    if (!op || !(OPERATORS as readonly string[]).includes(op) || value === undefined) throw new FilterPatternError(`Invalid field '${text}'`);
    const literal = parseLiteral(value);
    checkOperator(op as Operator, literal);
    if (literal.kind === "regex" && ++regexes.count > MAX_REGEX_PER_PATTERN) {
      throw new FilterPatternError(`A filter pattern may contain at most ${MAX_REGEX_PER_PATTERN} regular expressions`);
    }
    (anyOf.at(-1) as Condition[]).push({ op: op as Operator, literal });
  }
  return { kind: "field", name, anyOf: anyOf[0]?.length === 0 ? [] : anyOf };
}

/** The event's fields, split as CloudWatch splits them. */
export function splitFields(message: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < message.length) {
    if (message[i] === " " || message[i] === "\t") { i++; continue; }
    const close = message[i] === '"' ? '"' : message[i] === "[" ? "]" : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end !== -1) { out.push(message.slice(i + 1, end)); i = end + 1; continue; }
    }
    let end = i;
    while (end < message.length && message[end] !== " " && message[end] !== "\t") end++;
    out.push(message.slice(i, end));
    i = end;
  }
  return out;
}

function fieldMatches(slot: Slot & { kind: "field" }, value: string): boolean {
  return slot.anyOf.length === 0 || slot.anyOf.some((all) => all.every((c) => compare(value, c.op, c.literal)));
}

/**
 * Assigns fields to slots; `...` takes as many fields as it can. A table of "slots s.. can take fields
 * f.." filled from the end makes this slots × fields steps whatever the number of `...` (a recursive
 * search would be exponential in them, and as deep as the event has fields).
 */
function assign(slots: readonly Slot[], fields: readonly string[]): Map<string, string> | undefined {
  const S = slots.length;
  const F = fields.length;
  if (!slots.some((slot) => slot.kind === "ellipsis") && S !== F) return undefined;
  const width = F + 1;
  const ok = new Uint8Array((S + 1) * width);
  ok[S * width + F] = 1;
  for (let s = S - 1; s >= 0; s--) {
    const slot = slots[s] as Slot;
    for (let f = F; f >= 0; f--) {
      const here = s * width + f;
      if (slot.kind === "ellipsis") ok[here] = ok[here + width] || (f < F ? ok[here + 1] : 0) ? 1 : 0;
      else ok[here] = f < F && ok[here + width + 1] && fieldMatches(slot, fields[f] as string) ? 1 : 0;
    }
  }
  if (!ok[0]) return undefined;
  const out = new Map<string, string>();
  for (let s = 0, f = 0; s < S; ) {
    const slot = slots[s] as Slot;
    if (slot.kind === "ellipsis") {
      if (f < F && ok[s * width + f + 1]) f++;
      else s++;
    } else {
      out.set(slot.name, fields[f] as string);
      s++;
      f++;
    }
  }
  return out;
}

/** Compiles `[ … ]` (the brackets included); the matcher returns the named fields (`$name` → text) or undefined. */
export function compileDelimited(pattern: string): { readonly names: ReadonlySet<string>; readonly match: (message: string) => Map<string, string> | undefined } {
  if (!pattern.endsWith("]")) throw new FilterPatternError("If a filter pattern starts with '[' it must end with ']'");
  const body = pattern.slice(1, -1).trim();
  if (body === "") throw new FilterPatternError("Empty space-delimited pattern");
  const regexes = { count: 0 };
  const slots = slotTexts(body).map((t) => parseSlot(t, regexes));
  const names = slots.flatMap((s) => (s.kind === "field" ? [s.name] : []));
  if (new Set(names).size !== names.length) throw new FilterPatternError("Field names in a space-delimited pattern must be unique");
  return {
    names: new Set(names),
    match: (message) => assign(slots, splitFields(message)),
  };
}
