import { PatternError } from "./types.js";

/**
 * Compiles a `wildcard` operand: `*` matches any run of characters, `\*` a literal star and `\\` a
 * backslash. AWS refuses `**` and any other escape, naming the position counted from the opening
 * quote of the JSON string (Event Ruler parses the quoted value), hence `i + 1`.
 */
export function compileWildcard(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*") {
      if (pattern[i + 1] === "*") throw new PatternError(`Consecutive wildcard characters at pos ${i + 1}`);
      source += "[\\s\\S]*";
    } else if (char === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") throw new PatternError(`Invalid escape character at pos ${i + 1}`);
      source += next === "*" ? "\\*" : "\\\\";
      i++;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`, "u");
}
