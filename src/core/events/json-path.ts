/**
 * The JSONPath subset EventBridge targets use (`InputPath`, `InputPathsMap` values): `$`, then any of
 * `.name`, `['name']` / `["name"]` and `[index]`. Compiled once at PutTargets, applied per event.
 */
import type { JsonValue } from "../event-pattern/index.js";
import { ownValue } from "../own-keys.js";

export type PathStep = string | number;

/** The steps of a path, or undefined when it is not in the subset (PutTargets refuses it). */
export function parseJsonPath(path: string): PathStep[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const steps: PathStep[] = [];
  const step = /\.([A-Za-z0-9_\-$@:]+)|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]/y;
  step.lastIndex = 1;
  while (step.lastIndex < path.length) {
    const at = step.lastIndex;
    const match = step.exec(path);
    if (!match || match.index !== at) return undefined;
    const [, dotted, single, double, index] = match;
    steps.push(index !== undefined ? Number(index) : (dotted ?? single ?? double ?? ""));
  }
  return steps;
}

/** The value at the path, or undefined when the event has nothing there. */
export function readJsonPath(value: JsonValue, steps: readonly PathStep[]): JsonValue | undefined {
  let current: JsonValue | undefined = value;
  for (const step of steps) {
    if (current === null || typeof current !== "object") return undefined;
    if (typeof step === "number") current = Array.isArray(current) ? current[step] : undefined;
    // By own members only: `$.detail.constructor` on an event without one is nothing, not Object's constructor.
    else current = Array.isArray(current) ? undefined : ownValue(current, step);
  }
  return current;
}
