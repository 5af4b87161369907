/**
 * SQS's error table. Codes are the model's shape names (what AWS JSON 1.0 answers in `__type`); the
 * codec gives Query clients, and JSON clients through `x-amzn-query-error`, the model's legacy code
 * (`QueueDoesNotExist` → `AWS.SimpleQueueService.NonExistentQueue`). Statuses from the model
 * (`httpStatusCode`), 400 where it gives none.
 */
import { COMMON_ERRORS, QUERY_COMMON_ERRORS, UnkaiError, type ErrorTable } from "../../core/errors.js";
import type { Violation } from "../../protocol/codecs/input-errors.js";
import { queryParameterError } from "../../protocol/codecs/model-service.js";

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
  RequestThrottled: { status: 403, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    sqs: typeof SQS_ERRORS;
  }
}

/** The list members whose elements name queue or message attributes (GetQueueAttributes, ReceiveMessage). */
const ATTRIBUTE_NAME_LISTS = /^(AttributeNames?|MessageSystemAttributeNames?)$/;

/**
 * SQS's answer to a model violation: an attribute name outside the model's enum is `InvalidAttributeName`
 * "Unknown Attribute X." (as SQS answers GetQueueAttributes), the rest MissingParameter / InvalidParameterValue.
 */
export function sqsParameterError(violations: readonly Violation[]): UnkaiError {
  const first = violations[0];
  if (first?.kind === "enum" && ATTRIBUTE_NAME_LISTS.test(first.member)) {
    return new UnkaiError("InvalidAttributeName", `Unknown Attribute ${first.value.replace(/^'|'$/g, "")}.`);
  }
  return queryParameterError(violations);
}
