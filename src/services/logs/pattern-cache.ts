/**
 * The one cache of compiled filter patterns, shared by metric filters and subscription filters at
 * ingestion: a pattern is compiled once per process however many appends run it. Compiling is pure,
 * so sharing it is safe; it is bounded so a stream of distinct patterns cannot grow it forever.
 */
import { compileFilterPattern, type FilterPattern } from "../../core/log-filter/index.js";

const MAX_PATTERNS = 10_000;
const compiled = new Map<string, FilterPattern>();

/** The compiled pattern of `text`; throws FilterPatternError (never cached) for one that does not parse. */
export function compiledPattern(text: string): FilterPattern {
  let pattern = compiled.get(text);
  if (!pattern) {
    pattern = compileFilterPattern(text);
    if (compiled.size >= MAX_PATTERNS) compiled.clear();
    compiled.set(text, pattern);
  }
  return pattern;
}
