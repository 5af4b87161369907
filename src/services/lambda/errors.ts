/** Lambda's error table (restJson1). Unkai's own endpoints under /_unkai/ answer with it too. */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "Lambda errors" (a test keeps them in sync). */
export const LAMBDA_ERRORS = {
  ...COMMON_ERRORS,
  ResourceNotFoundException: { status: 404, messageKey: "Message", userType: true },
  ResourceConflictException: { status: 409, messageKey: "message", userType: true },
  InvalidParameterValueException: { status: 400, messageKey: "message", userType: true },
  InvalidRequestContentException: { status: 400, messageKey: "message", userType: true },
  ValidationException: { status: 400, messageKey: "message", userType: false },
  RequestEntityTooLargeException: { status: 413, messageKey: "Message", userType: false },
  UnsupportedMediaTypeException: { status: 415, messageKey: "message", userType: true },
  TooManyRequestsException: { status: 429, messageKey: "message", userType: true },
  PreconditionFailedException: { status: 412, messageKey: "message", userType: true },
  ProvisionedConcurrencyConfigNotFoundException: { status: 404, messageKey: "message", userType: true },
  InvalidZipFileException: { status: 400, messageKey: "Message", userType: true },
  CodeStorageExceededException: { status: 400, messageKey: "message", userType: true },
  // Unkai's data directory is low on free space (asynchronous invokes that would grow the queue)
  ServiceUnavailableException: { status: 503, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    lambda: typeof LAMBDA_ERRORS;
  }
}
