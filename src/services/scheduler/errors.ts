/** EventBridge Scheduler's error table (restJson1: the type in `x-amzn-ErrorType`, the text in `Message`). */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "EventBridge Scheduler errors" (a test keeps them in sync). */
export const SCHEDULER_ERRORS = {
  ...COMMON_ERRORS,
  // A model constraint failure, a bad expression, time zone, window, date or target
  ValidationException: { status: 400, messageKey: "Message", userType: false },
  // A body that is not JSON, or a member of the wrong type (src/protocol/codecs/rest-json.ts)
  SerializationException: { status: 400, messageKey: "Message", userType: false },
  // No such schedule, schedule group or tagged resource
  ResourceNotFoundException: { status: 404, messageKey: "Message", userType: false },
  // A schedule or group that already exists
  ConflictException: { status: 409, messageKey: "Message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    scheduler: typeof SCHEDULER_ERRORS;
  }
}
