/**
 * SNS filter policies on the shared engine. What differs from EventBridge (SNS "Filter policy
 * constraints" and "message filtering" pages, and our reading where they are silent):
 * - Scope `MessageAttributes` (default): a flat policy keyed by attribute name; `String` attributes
 *   are strings, `Number` attributes numbers (so `numeric` and numeric literals apply, and the string
 *   "5" does not match a Number 5), `String.Array` the elements of its JSON array (numbers in it stay
 *   numbers, so `numeric` matches them); `Binary` attributes are never compared (they count as absent).
 *   Custom type suffixes (`String.x`, `Number.x`) take their base type.
 * - Scope `MessageBody`: the body parsed as JSON and matched like an event, nested; a body that is not
 *   a JSON object matches nothing.
 * - Numbers within ±1e9 and five decimals; at most five keys and 150 combinations; no `wildcard`.
 */
import { setOwn } from "../own-keys.js";
import { EventPattern, SNS_MESSAGE_ATTRIBUTES, SNS_MESSAGE_BODY } from "./index.js";
import type { JsonValue } from "./types.js";

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** A message attribute as SNS's Publish carries it. */
export interface SnsMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** Compiles a filter policy for its scope; throws PatternError (wrap with snsFilterPolicyMessage). */
export function compileFilterPolicy(policy: string, scope: FilterPolicyScope = "MessageAttributes"): EventPattern {
  return EventPattern.compile(policy, scope === "MessageBody" ? SNS_MESSAGE_BODY : SNS_MESSAGE_ATTRIBUTES);
}

function attributeValue(attribute: SnsMessageAttribute): JsonValue | undefined {
  const base = attribute.DataType === "String.Array" ? "String.Array" : attribute.DataType.split(".")[0];
  const text = attribute.StringValue;
  if (text === undefined) return undefined;
  if (base === "String") return text;
  if (base === "Number") {
    const value = Number(text);
    return Number.isFinite(value) && text.trim() !== "" ? value : text;
  }
  if (base === "String.Array") {
    try {
      const parsed = JSON.parse(text) as JsonValue;
      return Array.isArray(parsed) ? parsed : text;
    } catch {
      return text;
    }
  }
  return undefined;
}

/** The attributes as the object a `MessageAttributes` policy is matched against. */
export function attributesAsEvent(attributes: Readonly<Record<string, SnsMessageAttribute>>): { [key: string]: JsonValue } {
  const event: { [key: string]: JsonValue } = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = attributeValue(attribute);
    if (value !== undefined) setOwn(event, name, value);
  }
  return event;
}

/** Whether a published message passes a subscription's compiled filter policy. */
export function matchesFilterPolicy(
  policy: EventPattern,
  scope: FilterPolicyScope,
  message: string,
  attributes: Readonly<Record<string, SnsMessageAttribute>>,
): boolean {
  if (scope === "MessageAttributes") return policy.matches(attributesAsEvent(attributes));
  try {
    return policy.matches(JSON.parse(message) as JsonValue);
  } catch {
    return false;
  }
}
