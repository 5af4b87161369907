/** Kinesis Data Streams' error table (awsJson1.1: every client error is a 400, as the service model says). */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "Kinesis errors" (a test keeps them in sync). */
export const KINESIS_ERRORS = {
  ...COMMON_ERRORS,
  ValidationException: { status: 400, messageKey: "message", userType: false },
  SerializationException: { status: 400, messageKey: "message", userType: false },
  InvalidArgumentException: { status: 400, messageKey: "message", userType: false },
  ResourceNotFoundException: { status: 400, messageKey: "message", userType: false },
  ResourceInUseException: { status: 400, messageKey: "message", userType: false },
  LimitExceededException: { status: 400, messageKey: "message", userType: false },
  ExpiredIteratorException: { status: 400, messageKey: "message", userType: false },
  ExpiredNextTokenException: { status: 400, messageKey: "message", userType: false },
  ProvisionedThroughputExceededException: { status: 400, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    kinesis: typeof KINESIS_ERRORS;
  }
}
