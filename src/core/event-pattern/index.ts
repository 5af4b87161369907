/**
 * The event-pattern engine shared by EventBridge rules and TestEventPattern, SNS filter policies and
 * event-source-mapping filters: compile a pattern once (validating it with AWS's messages), then
 * match many events. See docs/event-patterns.md for the semantics and each dialect's differences.
 */
import { compileTree, type PatternNode } from "./compile.js";
import { matchNode } from "./match.js";
import type { Dialect, JsonValue, PatternError } from "./types.js";

export { EVENTBRIDGE, EVENT_SOURCE_FILTER, SNS_MESSAGE_ATTRIBUTES, SNS_MESSAGE_BODY } from "./dialects.js";
export { PatternError, type Dialect, type JsonValue } from "./types.js";

/** A validated pattern, ready to match events. */
export class EventPattern {
  private constructor(
    private readonly root: PatternNode,
    readonly dialect: Dialect,
  ) {}

  /** Throws PatternError with AWS's reason when the pattern is not valid in this dialect. */
  static compile(source: string | JsonValue, dialect: Dialect): EventPattern {
    return new EventPattern(compileTree(source, dialect), dialect);
  }

  /** Whether an event (a parsed JSON object) matches. Anything that is not an object matches nothing. */
  matches(event: JsonValue): boolean {
    if (typeof event !== "object" || event === null || Array.isArray(event)) return false;
    return matchNode(this.root, event);
  }
}

/** The reason text of a pattern EventBridge refuses (`InvalidEventPatternException`). */
export function eventBridgeMessage(error: PatternError): string {
  return `Event pattern is not valid. Reason: ${error.reason}`;
}

/** The message of an SNS `InvalidParameter` for a refused filter policy. */
export function snsFilterPolicyMessage(error: PatternError): string {
  return `Invalid parameter: FilterPolicy: ${error.reason}`;
}
