/**
 * Unkai's error codes and the shape of a service's error table. A code's HTTP status belongs to
 * the service that answers with it (`ResourceNotFoundException` is 404 in Lambda, 400 in
 * CloudWatch Logs), so each service owns its table (src/services/<svc>/errors.ts) and renders
 * errors through it; src/services/error-catalogue.ts composes the tables, keyed by service.
 */

export type MessageKey = "message" | "Message";

export interface ErrorSpec {
  readonly status: number;
  /** Member name of the message in the AWS JSON body (the model's casing). */
  readonly messageKey: MessageKey;
  /** Whether the body carries `"Type": "User"` as AWS's recorded responses do. */
  readonly userType: boolean;
}

/** A service's JSON error table: code → status and body shape. */
export type ErrorTable = Readonly<Record<string, ErrorSpec>>;

/**
 * What the shared planes answer for any JSON service: refused signatures (protocol/sigv4-verify.ts),
 * no service or operation at that address, a body over the read limit, and Unkai's own faults.
 * Every JSON service's table starts from these (and may give a code another status).
 */
export const COMMON_ERRORS = {
  InvalidSignatureException: { status: 403, messageKey: "message", userType: false },
  UnrecognizedClientException: { status: 403, messageKey: "message", userType: false },
  MissingAuthenticationTokenException: { status: 403, messageKey: "message", userType: false },
  IncompleteSignatureException: { status: 403, messageKey: "message", userType: false },
  UnknownOperationException: { status: 404, messageKey: "message", userType: false },
  RequestEntityTooLargeException: { status: 413, messageKey: "Message", userType: false },
  // The front door (src/server/front-door.ts, body-reader.ts): foreign Host or Origin, a body too slow to arrive
  AccessDeniedException: { status: 403, messageKey: "Message", userType: false },
  RequestTimeoutException: { status: 408, messageKey: "message", userType: false },
  TooManyRequestsException: { status: 429, messageKey: "message", userType: false },
  ServiceException: { status: 500, messageKey: "Message", userType: false },
} as const satisfies ErrorTable;

/**
 * What the awsQuery codec (src/protocol/codecs/) answers for any Query service: refused signatures in
 * Query's words, a missing or unknown `Action`, the model's validation failures (`ValidationError`, the
 * code IAM, STS, SNS and CloudWatch use) and Unkai's faults. A Query service's table starts from these
 * (SQS, which speaks awsJson too, spreads both these and COMMON_ERRORS).
 */
export const QUERY_COMMON_ERRORS = {
  AccessDenied: { status: 403, messageKey: "message", userType: false },
  IncompleteSignature: { status: 400, messageKey: "message", userType: false },
  InternalFailure: { status: 500, messageKey: "message", userType: false },
  InvalidAction: { status: 400, messageKey: "message", userType: false },
  InvalidClientTokenId: { status: 403, messageKey: "message", userType: false },
  MissingAction: { status: 400, messageKey: "message", userType: false },
  MissingAuthenticationToken: { status: 403, messageKey: "message", userType: false },
  SignatureDoesNotMatch: { status: 403, messageKey: "message", userType: false },
  ValidationError: { status: 400, messageKey: "message", userType: false },
} as const satisfies ErrorTable;

/**
 * The error tables by service. Each service's errors.ts adds its own entry (module augmentation:
 * `declare module "../../core/errors.js" { interface ServiceErrorTables { logs: typeof LOGS_ERRORS } }`),
 * so core names every code without importing any service.
 */
export interface ServiceErrorTables {
  common: typeof COMMON_ERRORS;
}

/** Every code some service's table knows. */
export type ErrorCode = { [S in keyof ServiceErrorTables]: keyof ServiceErrorTables[S] & string }[keyof ServiceErrorTables];

/** The one error base class: a stable code plus a sentence-case message saying what was wrong. */
export class UnkaiError extends Error {
  override readonly name = "UnkaiError";
  /** The JSON body member the message goes in, where it differs from the service's usual one (DynamoDB's `Message` beside a returned `Item`). */
  readonly messageKey?: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the JSON body, e.g. `Reason` on throttles. */
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

// Lambda's domain rules (core, engine, store) throw these; they reach callers through Lambda and
// Unkai's own endpoints, whose tables give them their statuses.
export const notFound = (message: string) => new UnkaiError("ResourceNotFoundException", message);
export const invalidParameter = (message: string) => new UnkaiError("InvalidParameterValueException", message);
export const conflict = (message: string) => new UnkaiError("ResourceConflictException", message);
