/** DynamoDB's error table (awsJson1.0: every client error is a 400, as the service model says; its faults are 500s). */
import { COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

/** docs/errors.md lists these under "DynamoDB errors" (a test keeps them in sync). */
export const DYNAMODB_ERRORS = {
  ...COMMON_ERRORS,
  ValidationException: { status: 400, messageKey: "message", userType: false },
  SerializationException: { status: 400, messageKey: "message", userType: false },
  ResourceNotFoundException: { status: 400, messageKey: "message", userType: false },
  ResourceInUseException: { status: 400, messageKey: "message", userType: false },
  TableNotFoundException: { status: 400, messageKey: "message", userType: false },
  TableAlreadyExistsException: { status: 400, messageKey: "message", userType: false },
  TableInUseException: { status: 400, messageKey: "message", userType: false },
  BackupNotFoundException: { status: 400, messageKey: "message", userType: false },
  PolicyNotFoundException: { status: 400, messageKey: "message", userType: false },
  ConditionalCheckFailedException: { status: 400, messageKey: "message", userType: false },
  TransactionCanceledException: { status: 400, messageKey: "Message", userType: false },
  TransactionConflictException: { status: 400, messageKey: "message", userType: false },
  DuplicateItemException: { status: 400, messageKey: "message", userType: false },
  IdempotentParameterMismatchException: { status: 400, messageKey: "Message", userType: false },
  LimitExceededException: { status: 400, messageKey: "message", userType: false },
  ProvisionedThroughputExceededException: { status: 400, messageKey: "message", userType: false },
  PointInTimeRecoveryUnavailableException: { status: 400, messageKey: "message", userType: false },
  InvalidExportTimeException: { status: 400, messageKey: "message", userType: false },
  ExportConflictException: { status: 400, messageKey: "message", userType: false },
  ExportNotFoundException: { status: 400, messageKey: "message", userType: false },
  ImportConflictException: { status: 400, messageKey: "message", userType: false },
  ImportNotFoundException: { status: 400, messageKey: "message", userType: false },
  InternalServerError: { status: 500, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

/** docs/errors.md lists these under "DynamoDB Streams errors". */
export const DYNAMODB_STREAMS_ERRORS = {
  ...COMMON_ERRORS,
  ValidationException: { status: 400, messageKey: "message", userType: false },
  SerializationException: { status: 400, messageKey: "message", userType: false },
  ResourceNotFoundException: { status: 400, messageKey: "message", userType: false },
  ExpiredIteratorException: { status: 400, messageKey: "message", userType: false },
  TrimmedDataAccessException: { status: 400, messageKey: "message", userType: false },
  LimitExceededException: { status: 400, messageKey: "message", userType: false },
  InternalServerError: { status: 500, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    dynamodb: typeof DYNAMODB_ERRORS;
    dynamodbstreams: typeof DYNAMODB_STREAMS_ERRORS;
  }
}
