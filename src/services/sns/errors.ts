/** SNS's error table (awsQuery: one XML error shape, so code → status); the model codec renders them. */

/** Every SNS error code Unkai answers with; docs/errors.md lists them under "SNS errors" (a test keeps them equal). */
export const SNS_ERRORS = {
  AccessDenied: 403,
  AuthorizationError: 403,
  BatchEntryIdsNotDistinct: 400,
  BatchRequestTooLong: 400,
  EmptyBatchRequest: 400,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidBatchEntryId: 400,
  InvalidClientTokenId: 403,
  InvalidParameter: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  NotFound: 404,
  ResourceNotFound: 404,
  ParameterValueInvalid: 400,
  SignatureDoesNotMatch: 403,
  TooManyEntriesInBatchRequest: 400,
  ValidationError: 400,
} as const;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    sns: typeof SNS_ERRORS;
  }
}
