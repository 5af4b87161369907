/**
 * SQS's error table. Codes are the model's shape names (what AWS JSON 1.0 answers in `__type`); the
 * codec gives Query clients, and JSON clients through `x-amzn-query-error`, the model's legacy code
 * (`QueueDoesNotExist` → `AWS.SimpleQueueService.NonExistentQueue`). Statuses from the model
 * (`httpStatusCode`), 400 where it gives none.
 */
import { COMMON_ERRORS, QUERY_COMMON_ERRORS, type ErrorTable } from "../../core/errors.js";

const sender = { status: 400, messageKey: "message", userType: false } as const;

export const SQS_ERRORS = {
  ...COMMON_ERRORS,
  ...QUERY_COMMON_ERRORS,
  QueueDoesNotExist: sender,
  QueueNameExists: sender,
  QueueDeletedRecently: sender,
  InvalidAttributeName: sender,
  InvalidAttributeValue: sender,
  InvalidParameterValue: sender,
  MissingParameter: sender,
  InvalidMessageContents: sender,
  ReceiptHandleIsInvalid: { status: 404, messageKey: "message", userType: false },
  MessageNotInflight: sender,
  EmptyBatchRequest: sender,
  TooManyEntriesInBatchRequest: sender,
  BatchEntryIdsNotDistinct: sender,
  BatchRequestTooLong: sender,
  InvalidBatchEntryId: sender,
  UnsupportedOperation: sender,
  InvalidAddress: { status: 404, messageKey: "message", userType: false },
  ResourceNotFoundException: { status: 404, messageKey: "message", userType: false },
  // The codec's own answers: a JSON body that does not parse or has a value of the wrong type, and a
  // Query value of the wrong type (model constraint failures answer MissingParameter / InvalidParameterValue).
  SerializationException: sender,
  ValidationException: sender,
  PurgeQueueInProgress: { status: 403, messageKey: "message", userType: false },
  OverLimit: { status: 403, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    sqs: typeof SQS_ERRORS;
  }
}
