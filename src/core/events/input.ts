/**
 * What a target receives (PutTargets `Input`, `InputPath`, `InputTransformer`; EventBridge user guide
 * "Transforming target input"): the whole event by default, a constant, one part of the event, or a
 * template filled from named paths.
 */
import type { JsonValue } from "../event-pattern/index.js";
import { ownValue } from "../own-keys.js";
import { parseJsonPath, readJsonPath, type PathStep } from "./json-path.js";

/** A target's input settings as PutTargets carries them. */
export interface TargetInputSpec {
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: { readonly InputPathsMap?: Readonly<Record<string, string>>; readonly InputTemplate: string };
}

/** What a rule's firing knows besides the event, for the `aws.events.*` template variables. */
export interface FiringContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly ingestionTime: string;
}

/** Why PutTargets refuses a target's input settings (its ValidationException message), or undefined. */
export function inputSpecProblem(spec: TargetInputSpec): string | undefined {
  const given = [spec.Input, spec.InputPath, spec.InputTransformer].filter((v) => v !== undefined).length;
  if (given > 1) return "Only one of Input, InputPath, or InputTransformer must be provided.";
  if (spec.Input !== undefined) {
    try {
      JSON.parse(spec.Input);
    } catch {
      return "Parameter Input is not valid: it must be valid JSON text.";
    }
  }
  if (spec.InputPath !== undefined && !parseJsonPath(spec.InputPath)) return `Parameter InputPath is not valid: ${spec.InputPath}`;
  const map = spec.InputTransformer?.InputPathsMap ?? {};
  if (Object.keys(map).length > 100) return "InputPathsMap can have at most 100 entries.";
  for (const [name, path] of Object.entries(map)) {
    if (name.startsWith("aws.events.")) return `InputPathsMap key ${name} is reserved.`;
    if (!parseJsonPath(path)) return `Parameter InputPathsMap is not valid: ${name} has the path ${path}`;
  }
  return undefined;
}

/** Index of each `<name>` placeholder in a template, and whether it sits inside a JSON string. */
function placeholders(template: string): { start: number; end: number; name: string; quoted: boolean }[] {
  const found: { start: number; end: number; name: string; quoted: boolean }[] = [];
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === "\\" && inString) {
      i++;
    } else if (char === '"') {
      inString = !inString;
    } else if (char === "<") {
      const close = template.indexOf(">", i);
      const name = close > i ? template.slice(i + 1, close) : "";
      if (/^[A-Za-z0-9_.-]+$/.test(name)) {
        found.push({ start: i, end: close + 1, name, quoted: inString });
        i = close;
      }
    }
  }
  return found;
}

/** A value as it goes into the template: inside a JSON string raw (escaped), outside as JSON. */
function render(value: JsonValue | undefined, quoted: boolean): string {
  if (quoted) {
    const text = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
    return JSON.stringify(text).slice(1, -1);
  }
  return value === undefined ? "null" : JSON.stringify(value);
}

function fillTemplate(template: string, map: Readonly<Record<string, string>>, event: JsonValue, firing: FiringContext): string {
  const paths = new Map<string, PathStep[]>(Object.entries(map).map(([name, path]) => [name, parseJsonPath(path) ?? []]));
  const builtIn: Record<string, () => JsonValue> = {
    "aws.events.rule-arn": () => firing.ruleArn,
    "aws.events.rule-name": () => firing.ruleName,
    "aws.events.event.ingestion-time": () => firing.ingestionTime,
    "aws.events.event": () => event,
    "aws.events.event.json": () => event,
  };
  let out = "";
  let last = 0;
  for (const placeholder of placeholders(template)) {
    const steps = paths.get(placeholder.name);
    const make = ownValue(builtIn, placeholder.name);
    if (!steps && !make) continue; // not a variable: left as written
    const value = steps ? readJsonPath(event, steps) : make?.();
    out += template.slice(last, placeholder.start) + render(value, placeholder.quoted);
    last = placeholder.end;
  }
  return out + template.slice(last);
}

/** The text a target receives for one event. */
export function targetInput(spec: TargetInputSpec, event: JsonValue, firing: FiringContext): string {
  if (spec.Input !== undefined) return spec.Input;
  if (spec.InputPath !== undefined) {
    const value = readJsonPath(event, parseJsonPath(spec.InputPath) ?? []);
    return value === undefined ? "null" : JSON.stringify(value);
  }
  if (spec.InputTransformer) return fillTemplate(spec.InputTransformer.InputTemplate, spec.InputTransformer.InputPathsMap ?? {}, event, firing);
  return JSON.stringify(event);
}
