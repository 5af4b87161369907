/**
 * A composite alarm's AlarmRule: `ALARM(name)`, `OK(name)`, `INSUFFICIENT_DATA(name)` (a name or an
 * alarm ARN, quoted or bare), `TRUE`, `FALSE`, combined with `NOT`, `AND`, `OR` (binding in that order)
 * and parentheses.
 */
import type { AlarmState } from "./alarm-model.js";

export type AlarmRule =
  | { readonly kind: "state"; readonly state: AlarmState; readonly alarm: string }
  | { readonly kind: "constant"; readonly value: boolean }
  | { readonly kind: "not"; readonly operand: AlarmRule }
  | { readonly kind: "and" | "or"; readonly left: AlarmRule; readonly right: AlarmRule };

export class AlarmRuleError extends Error {}

const TOKEN = /\s*(?:(ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^()"\s][^()"]*?))\s*\)|(TRUE|FALSE|AND|OR|NOT)\b|([()]))/y;
const MAX_DEPTH = 64;

type Token = { readonly kind: "state"; readonly state: AlarmState; readonly alarm: string } | { readonly kind: "word" | "paren"; readonly text: string };

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < rule.length && !/^\s*$/.test(rule.slice(at))) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(rule);
    if (!m) throw new AlarmRuleError(`unexpected text at position ${at + 1}: ${rule.slice(at).trim().slice(0, 30)}`);
    at = TOKEN.lastIndex;
    if (m[1]) tokens.push({ kind: "state", state: m[1] as AlarmState, alarm: (m[2] ?? m[3] ?? "").trim() });
    else if (m[4]) tokens.push({ kind: "word", text: m[4] });
    else tokens.push({ kind: "paren", text: m[5] ?? "" });
  }
  return tokens;
}

export function parseAlarmRule(rule: string): AlarmRule {
  const tokens = tokenize(rule);
  let pos = 0;
  let depth = 0;
  const isWord = (text: string) => {
    const t = tokens[pos];
    return t !== undefined && t.kind !== "state" && t.text === text;
  };
  const primary = (): AlarmRule => {
    const t = tokens[pos++];
    if (!t) throw new AlarmRuleError("the rule ends too early");
    if (t.kind === "state") {
      if (t.alarm === "") throw new AlarmRuleError(`${t.state}() names no alarm`);
      return t;
    }
    if (t.text === "TRUE" || t.text === "FALSE") return { kind: "constant", value: t.text === "TRUE" };
    if (t.text === "(") {
      if (++depth > MAX_DEPTH) throw new AlarmRuleError(`the rule nests more than ${MAX_DEPTH} levels`);
      const inner = or();
      depth--;
      if (!isWord(")")) throw new AlarmRuleError("a parenthesis is not closed");
      pos++;
      return inner;
    }
    throw new AlarmRuleError(`unexpected ${t.text}`);
  };
  const not = (): AlarmRule => {
    if (!isWord("NOT")) return primary();
    pos++;
    if (++depth > MAX_DEPTH) throw new AlarmRuleError(`the rule nests more than ${MAX_DEPTH} levels`);
    const operand = not();
    depth--;
    return { kind: "not", operand };
  };
  const and = (): AlarmRule => {
    let left = not();
    while (isWord("AND")) {
      pos++;
      left = { kind: "and", left, right: not() };
    }
    return left;
  };
  function or(): AlarmRule {
    let left = and();
    while (isWord("OR")) {
      pos++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  }
  if (tokens.length === 0) throw new AlarmRuleError("the rule is empty");
  const tree = or();
  if (pos < tokens.length) throw new AlarmRuleError("unexpected text after a complete rule");
  return tree;
}

/** Every alarm (name or ARN) the rule names. */
export function ruleAlarms(rule: AlarmRule): string[] {
  switch (rule.kind) {
    case "state": return [rule.alarm];
    case "constant": return [];
    case "not": return ruleAlarms(rule.operand);
    default: return [...ruleAlarms(rule.left), ...ruleAlarms(rule.right)];
  }
}

/** Whether the rule holds, given each named alarm's state (by the name or ARN the rule uses). */
export function ruleHolds(rule: AlarmRule, stateOf: (alarm: string) => AlarmState | undefined): boolean {
  switch (rule.kind) {
    case "state": return stateOf(rule.alarm) === rule.state;
    case "constant": return rule.value;
    case "not": return !ruleHolds(rule.operand, stateOf);
    case "and": return ruleHolds(rule.left, stateOf) && ruleHolds(rule.right, stateOf);
    case "or": return ruleHolds(rule.left, stateOf) || ruleHolds(rule.right, stateOf);
  }
}
