/** Types shared by the event-pattern engine (EventBridge rules, SNS filter policies, ESM filters). */

/** A JSON value as JSON.parse returns it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A leaf value of an event: what a pattern's alternatives are tested against. */
export type Scalar = string | number | boolean | null;

/**
 * A pattern the engine refuses. `reason` is the text AWS puts after its own prefix (EventBridge:
 * "Event pattern is not valid. Reason: …", SNS: "Invalid parameter: FilterPolicy: …"), so each
 * service wraps it in its own error type; see `eventBridgeMessage` and `snsFilterPolicyMessage`.
 */
export class PatternError extends Error {
  override readonly name = "PatternError";
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Forms `anything-but` may take an object of. */
export type AnythingButForm = "prefix" | "suffix" | "equals-ignore-case" | "wildcard";

/** The match operators a pattern may use inside a leaf's array. */
export type OperatorName =
  | "exact"
  | "prefix"
  | "suffix"
  | "equals-ignore-case"
  | "anything-but"
  | "numeric"
  | "exists"
  | "cidr"
  | "wildcard";

/** What differs between the services that speak the pattern language. */
export interface Dialect {
  readonly name: string;
  readonly operators: ReadonlySet<OperatorName>;
  readonly anythingButForms: ReadonlySet<AnythingButForm>;
  /** Whether `prefix`/`suffix` accept `{"equals-ignore-case": "…"}`. */
  readonly affixIgnoreCase: boolean;
  readonly orAllowed: boolean;
  /** Whether a key may hold an object (nested pattern); SNS attribute policies are flat. */
  readonly nested: boolean;
  /** Numbers a `numeric` condition may name, and the decimal places compared. */
  readonly numericLimit: number;
  readonly numericDecimals: number;
  /** Leaf keys (SNS: "a filter policy can have a maximum of five keys"). */
  readonly maxKeys?: number;
  /** Product of the alternatives' counts over the keys (SNS: 150). */
  readonly maxCombinations?: number;
}
