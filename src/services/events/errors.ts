/** EventBridge's error table (awsJson1.1: every client error is a 400, as the service model has no other status). */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "EventBridge errors" (a test keeps them in sync). */
export const EVENTS_ERRORS = {
  ...COMMON_ERRORS,
  // A model constraint failure (the model codec), and EventBridge's own parameter checks
  ValidationException: { status: 400, messageKey: "message", userType: false },
  // A body that is not JSON, or a member of the wrong type (the model codec, src/protocol/codecs/)
  SerializationException: { status: 400, messageKey: "message", userType: false },
  ResourceNotFoundException: { status: 400, messageKey: "message", userType: false },
  ResourceAlreadyExistsException: { status: 400, messageKey: "message", userType: false },
  // A pattern the engine refuses: "Event pattern is not valid. Reason: …" (src/core/event-pattern/)
  InvalidEventPatternException: { status: 400, messageKey: "message", userType: false },
  // More than 5 targets on a rule; an 11th active replay
  LimitExceededException: { status: 400, messageKey: "message", userType: false },
  // CancelReplay on a replay that is no longer STARTING or RUNNING
  IllegalStatusException: { status: 400, messageKey: "message", userType: false },
  // PutPermission past the bus policy's 10 KB (bus-policy.ts)
  PolicyLengthExceededException: { status: 400, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    events: typeof EVENTS_ERRORS;
  }
}
