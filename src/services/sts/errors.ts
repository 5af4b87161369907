/** STS's error table (awsQuery: one XML error shape, so code → status); the model codec renders them. */

/** Every STS error code Unkai answers with; docs/errors.md lists them under "STS errors" (a test keeps them equal). */
export const STS_ERRORS = {
  AccessDenied: 403,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidParameterValue: 400,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  PackedPolicyTooLarge: 400,
  SignatureDoesNotMatch: 403,
  ValidationError: 400,
} as const;

declare module "../../core/errors.js" {
  interface ServiceErrorTables {
    sts: typeof STS_ERRORS;
  }
}
