/** IAM's error table (awsQuery: one XML error shape, so code → status); the model codec renders them. */

/** Every IAM error code Unkai answers with; docs/errors.md lists them under "IAM errors" (a test keeps them equal). */
export const IAM_ERRORS = {
  AccessDenied: 403,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidInput: 400,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  NoSuchEntity: 404,
  SignatureDoesNotMatch: 403,
  ValidationError: 400,
} as const;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    iam: typeof IAM_ERRORS;
  }
}
