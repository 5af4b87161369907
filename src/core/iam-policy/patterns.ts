/**
 * Wildcards and policy variables: the one pattern language behind Action, Resource, StringLike and
 * ArnLike. `*` and `?` are wildcards; `${key}` (and `${key, 'default'}`) is replaced by the request's
 * value of a condition key; `${*}`, `${?}` and `${$}` are the literal characters. Patterns without
 * variables compile to one cached RegExp; with variables, once per request.
 */
import type { ContextValue } from "./types.js";

type Token =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "star" }
  | { readonly kind: "one" }
  | { readonly kind: "variable"; readonly key: string; readonly fallback: string | undefined };

/** How wildcards behave: anywhere (strings, actions) or within one ARN segment until the resource part. */
export type Wildcards = "string" | "arn";

export interface Pattern {
  /** A ready RegExp when the pattern has no variables. */
  readonly fixed: RegExp | undefined;
  readonly tokens: readonly Token[];
  readonly wildcards: Wildcards;
  readonly ignoreCase: boolean;
}

const VARIABLE = /\$\{([^}]*)\}/y;

function tokenize(source: string, variables: boolean): Token[] {
  const tokens: Token[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") tokens.push({ kind: "text", text });
    text = "";
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? "";
    VARIABLE.lastIndex = i;
    const variable = variables && c === "$" ? VARIABLE.exec(source) : null;
    if (variable) {
      const inner = (variable[1] ?? "").trim();
      i += variable[0].length - 1;
      if (inner === "*" || inner === "?" || inner === "$") text += inner;
      else {
        flush();
        const withDefault = /^(.*?)\s*,\s*'(.*)'$/.exec(inner);
        tokens.push({ kind: "variable", key: (withDefault?.[1] ?? inner).toLowerCase(), fallback: withDefault?.[2] });
      }
    } else if (c === "*" || c === "?") {
      flush();
      tokens.push(c === "*" ? { kind: "star" } : { kind: "one" });
    } else text += c;
  }
  flush();
  return tokens;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function toRegExp(tokens: readonly Token[], wildcards: Wildcards, ignoreCase: boolean, keys?: ReadonlyMap<string, ContextValue>): RegExp | undefined {
  let source = "";
  let colons = 0;
  for (const token of tokens) {
    // In an ARN, wildcards stay inside their segment until the resource part (after the fifth colon).
    const inSegment = wildcards === "arn" && colons < 5;
    if (token.kind === "star") source += inSegment ? "[^:]*" : "[\\s\\S]*";
    else if (token.kind === "one") source += inSegment ? "[^:]" : "[\\s\\S]";
    else if (token.kind === "text") {
      source += escapeRegExp(token.text);
      colons += token.text.split(":").length - 1;
    } else {
      const value = keys?.get(token.key) ?? token.fallback;
      if (typeof value !== "string") return undefined;
      source += escapeRegExp(value);
    }
  }
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "");
}

/** Compiles a pattern; `variables` is false for Version 2008-10-17 documents, where `${…}` is literal text. */
export function compilePattern(source: string, options: { wildcards: Wildcards; ignoreCase?: boolean; variables?: boolean }): Pattern {
  const ignoreCase = options.ignoreCase ?? false;
  const tokens = tokenize(source, options.variables ?? false);
  // `*` on its own (or any pattern with no ARN structure) matches whole ARNs.
  const structured = tokens.some((t) => t.kind === "text" && t.text.includes(":"));
  const wildcards = structured ? options.wildcards : "string";
  const hasVariables = tokens.some((t) => t.kind === "variable");
  return { tokens, wildcards, ignoreCase, fixed: hasVariables ? undefined : toRegExp(tokens, wildcards, ignoreCase) };
}

/** Whether `value` matches; a variable the request has no value for makes the pattern match nothing. */
export function matchPattern(pattern: Pattern, value: string, keys: ReadonlyMap<string, ContextValue>): boolean {
  const regexp = pattern.fixed ?? toRegExp(pattern.tokens, pattern.wildcards, pattern.ignoreCase, keys);
  return regexp !== undefined && regexp.test(value);
}

/** The pattern with its variables replaced, wildcards kept as written; undefined when a variable has no value. */
export function resolveText(source: string, variables: boolean, keys: ReadonlyMap<string, ContextValue>): string | undefined {
  if (!variables || !source.includes("${")) return source;
  let out = "";
  for (const token of tokenize(source, true)) {
    if (token.kind === "text") out += token.text;
    else if (token.kind === "star") out += "*";
    else if (token.kind === "one") out += "?";
    else {
      const value = keys.get(token.key) ?? token.fallback;
      if (typeof value !== "string") return undefined;
      out += value;
    }
  }
  return out;
}
