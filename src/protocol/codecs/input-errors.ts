/**
 * What a codec finds wrong with a request before any operation runs. model-service.ts turns them into
 * the service's own errors (SerializationException, ValidationException, MissingParameter …).
 */

/** The body is not the protocol's syntax, or a value has the wrong type for its shape. */
export class MalformedInput extends Error {
  override readonly name = "MalformedInput";
}

/** One constraint of the model a value fails (see validate.ts for AWS's wording). */
export interface Violation {
  /** AWS's member path: lower-camel member names, `.N.member` for list elements (1-based), `.<key>.member` for map values. */
  readonly path: string;
  readonly kind: "required" | "enum" | "length" | "range" | "pattern";
  /** The value as AWS quotes it: `null` for a missing member, else `'…'`. */
  readonly value: string;
  /** "Member must not be null", "Member must have length less than or equal to 80" … */
  readonly constraint: string;
  /** The member's name as the client spelled it (for query services' MissingParameter messages). */
  readonly member: string;
}

export class InvalidInput extends Error {
  override readonly name = "InvalidInput";
  constructor(readonly violations: readonly Violation[]) {
    super(validationMessage(violations));
  }
}

/** "1 validation error detected: Value null at 'queueName' failed to satisfy constraint: Member must not be null" (errors joined by "; "). */
export function validationMessage(violations: readonly Violation[]): string {
  const count = `${violations.length} validation error${violations.length === 1 ? "" : "s"} detected: `;
  return count + violations.map((v) => `Value ${v.value} at '${v.path}' failed to satisfy constraint: ${v.constraint}`).join("; ");
}
