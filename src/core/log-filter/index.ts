/**
 * CloudWatch Logs' filter pattern language, compiled once and used by FilterLogEvents, TestMetricFilter,
 * metric filters and subscription filters. Three kinds (AWS's "Filter pattern syntax" page):
 *   - unstructured terms, phrases and `%regex%` (terms.ts)
 *   - JSON patterns `{ … }` (json.ts)
 *   - space-delimited patterns `[ … ]` (delimited.ts)
 * An empty pattern matches every event. A bad pattern throws FilterPatternError.
 */
import { compileDelimited } from "./delimited.js";
import { compileJson, parseJsonSelector, select } from "./json.js";
import { compileTerms } from "./terms.js";
import { FilterPatternError } from "./values.js";

export { FilterPatternError } from "./values.js";

export type FilterPatternKind = "all" | "terms" | "json" | "delimited";

export interface FilterMatch {
  /** The values a metric or TestMetricFilter can show: `$name` for delimited fields, `$.path` for JSON selectors. */
  readonly extracted: Readonly<Record<string, string>>;
  /** A metric value's source (`$.latency`, `$bytes`) read from this event; undefined when the event has none. */
  readonly value: (selector: string) => string | undefined;
}

export interface FilterPattern {
  readonly kind: FilterPatternKind;
  readonly text: string;
  /** How this event matches, or undefined if it does not. */
  readonly match: (message: string) => FilterMatch | undefined;
  /** Whether `$…` names something this pattern can extract (metric values and dimensions must). */
  readonly canExtract: (selector: string) => boolean;
}

const NONE: FilterMatch = { extracted: {}, value: () => undefined };

function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function jsonPattern(text: string): FilterPattern {
  const compiled = compileJson(text);
  const valueOf = (root: unknown, selector: string): string | undefined => {
    try {
      return scalar(select(root, parseJsonSelector(selector))[0]);
    } catch {
      return undefined;
    }
  };
  return {
    kind: "json",
    text,
    canExtract: (selector) => {
      try { parseJsonSelector(selector); return true; } catch { return false; }
    },
    match(message) {
      const root = compiled.match(message);
      if (root === undefined) return undefined;
      const extracted: Record<string, string> = {};
      for (const s of compiled.selectors) {
        const v = valueOf(root, s);
        if (v !== undefined) extracted[s] = v;
      }
      return { extracted, value: (selector) => valueOf(root, selector) };
    },
  };
}

function delimitedPattern(text: string): FilterPattern {
  const { names, match } = compileDelimited(text);
  return {
    kind: "delimited",
    text,
    canExtract: (selector) => selector.startsWith("$") && names.has(selector.slice(1)),
    match(message) {
      const fields = match(message);
      if (!fields) return undefined;
      const extracted = Object.fromEntries([...fields].map(([k, v]) => [`$${k}`, v]));
      return { extracted, value: (selector) => (selector.startsWith("$") ? fields.get(selector.slice(1)) : undefined) };
    },
  };
}

/** Compiles a filter pattern as CloudWatch Logs reads it; throws FilterPatternError when CloudWatch would refuse it. */
export function compileFilterPattern(pattern: string | undefined): FilterPattern {
  const text = (pattern ?? "").trim();
  if (text === "") return { kind: "all", text, match: () => NONE, canExtract: () => false };
  if (text.startsWith("{")) return jsonPattern(text);
  if (text.startsWith("[")) return delimitedPattern(text);
  if (text.endsWith("}")) throw new FilterPatternError("If a filter pattern ends with '}' it must start with '{'");
  const matches = compileTerms(text);
  return { kind: "terms", text, match: (message) => (matches(message) ? NONE : undefined), canExtract: () => false };
}
