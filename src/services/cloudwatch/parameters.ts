/** CloudWatch's words for bad input: the codec's model violations and the service's own checks. */
import { UnkaiError } from "../../core/errors.js";
import { setOwn } from "../../core/own-keys.js";
import type { Violation } from "../../protocol/codecs/input-errors.js";

export const invalidValue = (message: string) => new UnkaiError("InvalidParameterValueException", message);
export const missing = (parameter: string) => new UnkaiError("MissingRequiredParameterException", `The parameter ${parameter} is required.`);
export const combination = (message: string) => new UnkaiError("InvalidParameterCombinationException", message);

/** A model constraint failure as CloudWatch on Query words it: MissingParameter or InvalidParameterValue. */
export function cloudWatchParameterError(violations: readonly Violation[]): UnkaiError {
  const first = violations[0];
  if (!first) return invalidValue("The request is invalid.");
  if (first.kind === "required") return missing(first.member);
  const value = first.value.replace(/^'|'$/g, "");
  return invalidValue(`The value ${value} for parameter ${first.member} is invalid. Reason: ${first.constraint}.`);
}

/** The magnitude range CloudWatch stores (values outside it, other than 0, are refused). */
const SMALLEST = 8.515920e-109;
const LARGEST = 1.174271e108;

/** Refuses NaN, ±Infinity and values CloudWatch cannot store, naming the parameter as AWS does. */
export function checkValue(value: number, parameter: string): void {
  const magnitude = Math.abs(value);
  if (!Number.isFinite(value) || (magnitude !== 0 && (magnitude < SMALLEST || magnitude > LARGEST))) {
    throw invalidValue(`The value ${String(value)} for parameter ${parameter} is invalid.`);
  }
}

/** A dimension list as a name → value record, sorted by name (one metric has one spelling). */
export function dimensionRecord(dimensions: readonly { Name: string; Value: string }[] | undefined, parameter: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of [...(dimensions ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))) {
    if (Object.hasOwn(out, d.Name)) throw invalidValue(`No metric may have duplicate dimension names: ${parameter} names ${d.Name} twice.`);
    setOwn(out, d.Name, d.Value);
  }
  return out;
}

/** The dimension record back as the API's list, in name order. */
export const dimensionList = (dimensions: Readonly<Record<string, string>>) =>
  Object.keys(dimensions).sort().map((name) => ({ Name: name, Value: dimensions[name] ?? "" }));

export const sameDimensions = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
};
