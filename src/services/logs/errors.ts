/** CloudWatch Logs' error table (awsJson1.1: every client error is a 400, as the service model has no other status). */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "CloudWatch Logs errors" (a test keeps them in sync). */
export const LOGS_ERRORS = {
  ...COMMON_ERRORS,
  InvalidParameterException: { status: 400, messageKey: "message", userType: false },
  // A body that is not JSON, or a member of the wrong type (the model codec, src/protocol/codecs/)
  SerializationException: { status: 400, messageKey: "message", userType: false },
  ResourceNotFoundException: { status: 400, messageKey: "message", userType: false },
  ResourceAlreadyExistsException: { status: 400, messageKey: "message", userType: false },
  // Over a quota: more than 100 metric filters or 2 subscription filters in one log group
  LimitExceededException: { status: 400, messageKey: "message", userType: false },
  // TagResource past 50 tags on one log group (with `resourceName`, the group's ARN)
  TooManyTagsException: { status: 400, messageKey: "message", userType: false },
  // A tagging operation's resourceArn that is no log group ARN, or the `:*` form (`Invalid resourceArn`)
  ValidationException: { status: 400, messageKey: "message", userType: false },
  // Unkai's data directory is low on free space (writes that would grow it)
  ServiceUnavailableException: { status: 503, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    logs: typeof LOGS_ERRORS;
  }
}
