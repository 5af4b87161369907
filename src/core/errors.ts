/** Every error Unkai answers with, mapped once to its HTTP status and AWS error type. */

export type MessageKey = "message" | "Message";

interface ErrorSpec {
  readonly status: number;
  /** Member name of the message in the AWS JSON body (the model's casing). */
  readonly messageKey: MessageKey;
  /** Whether the body carries `"Type": "User"` as AWS's recorded responses do. */
  readonly userType: boolean;
}

/** The table behind every error response; docs/errors.md mirrors it (a test keeps them in sync). */
export const ERROR_SPECS = {
  ResourceNotFoundException: { status: 404, messageKey: "Message", userType: true },
  ResourceConflictException: { status: 409, messageKey: "message", userType: true },
  InvalidParameterValueException: { status: 400, messageKey: "message", userType: true },
  InvalidRequestContentException: { status: 400, messageKey: "message", userType: true },
  ValidationException: { status: 400, messageKey: "message", userType: false },
  RequestEntityTooLargeException: { status: 413, messageKey: "Message", userType: false },
  UnsupportedMediaTypeException: { status: 415, messageKey: "message", userType: true },
  TooManyRequestsException: { status: 429, messageKey: "message", userType: true },
  PreconditionFailedException: { status: 412, messageKey: "message", userType: true },
  InvalidZipFileException: { status: 400, messageKey: "Message", userType: true },
  CodeStorageExceededException: { status: 400, messageKey: "message", userType: true },
  ServiceException: { status: 500, messageKey: "Message", userType: false },
  UnknownOperationException: { status: 404, messageKey: "message", userType: false },
  // CloudWatch Logs (awsJson1.1)
  InvalidParameterException: { status: 400, messageKey: "message", userType: false },
  // SigV4 authentication (every API; S3 renders its own XML codes)
  InvalidSignatureException: { status: 403, messageKey: "message", userType: false },
  UnrecognizedClientException: { status: 403, messageKey: "message", userType: false },
  MissingAuthenticationTokenException: { status: 403, messageKey: "message", userType: false },
  IncompleteSignatureException: { status: 403, messageKey: "message", userType: false },
  // The front door (src/server/front-door.ts, body-reader.ts): foreign Host or Origin, a body too slow to arrive
  AccessDeniedException: { status: 403, messageKey: "Message", userType: false },
  RequestTimeoutException: { status: 408, messageKey: "message", userType: false },
  // API Gateway management APIs (apigateway, apigatewayv2)
  BadRequestException: { status: 400, messageKey: "message", userType: false },
  NotFoundException: { status: 404, messageKey: "message", userType: false },
  ConflictException: { status: 409, messageKey: "message", userType: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_SPECS;

/** The one error base class: a stable code plus a sentence-case message saying what was wrong. */
export class UnkaiError extends Error {
  override readonly name = "UnkaiError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra members for the JSON body, e.g. `Reason` on throttles. */
    readonly extra: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_SPECS[this.code].status;
  }
}

export const notFound = (message: string) => new UnkaiError("ResourceNotFoundException", message);
export const invalidParameter = (message: string) => new UnkaiError("InvalidParameterValueException", message);
export const conflict = (message: string) => new UnkaiError("ResourceConflictException", message);
