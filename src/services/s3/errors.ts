/** S3's own error table (S3 answers in XML, not in Lambda's JSON shapes) and its XML rendering. */
import type { AuthRefusal, UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";

/** Every S3 error code Unkai answers with, and its HTTP status; docs/errors.md lists them under "S3 errors". */
export const S3_ERRORS = {
  AccessControlListNotSupported: 400,
  AccessDenied: 403,
  AccessForbidden: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BadRequest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IllegalVersioningConfigurationException: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketAclWithObjectOwnership: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidTag: 400,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  ConditionalRequestConflict: 409,
  MalformedACLError: 400,
  MalformedPolicy: 400,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceeded: 400,
  InvalidPolicyDocument: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchBucketPolicy: 404,
  NoSuchCORSConfiguration: 404,
  NoSuchKey: 404,
  NoSuchLifecycleConfiguration: 404,
  NoSuchTagSet: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NoSuchWebsiteConfiguration: 404,
  NotImplemented: 501,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof S3_ERRORS;

/** An S3 error: a code from the table, a sentence saying what was wrong, the resource it concerns. */
export class S3Error extends Error {
  override readonly name = "S3Error";
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    readonly resource?: string,
    /** Extra elements of the error document, e.g. `BucketName`, `Key`. */
    readonly extra: Readonly<Record<string, string>> = {},
    /** Response headers the error answers with (a delete marker's `x-amz-delete-marker`, `x-amz-version-id`). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** `<Error><Code/><Message/><Resource/><RequestId/></Error>` with the table's status (HEAD answers carry no body). */
export function s3ErrorResponse(error: S3Error, requestId: string, method: string): UnkaiResponse {
  const status = S3_ERRORS[error.code];
  const fields: [string, string][] = [["Code", error.code], ["Message", error.message], ...Object.entries(error.extra)];
  if (error.resource !== undefined) fields.push(["Resource", error.resource]);
  fields.push(["RequestId", requestId]);
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields.map(([k, v]) => `<${k}>${escape(v)}</${k}>`).join("")}</Error>`;
  const headers = { ...error.headers, "Content-Type": "application/xml", "x-amz-request-id": requestId };
  return method === "HEAD" ? { status, headers } : { status, headers, body };
}

/** A refused signature or front-door refusal (checked before S3 sees the request) as S3's XML error. */
export function s3AuthRefusal(error: AuthRefusal, request: UnkaiRequest): UnkaiResponse {
  const { query } = request;
  const presigned = request.headers.authorization === undefined && (query.has("X-Amz-Signature") || query.has("X-Amz-Credential") || query.has("X-Amz-Algorithm"));
  const malformed: S3ErrorCode = presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
  const codes: Record<AuthRefusal["reason"], S3ErrorCode> = {
    unsigned: "AccessDenied",
    malformed,
    "unknown-key": "InvalidAccessKeyId",
    "bad-signature": "SignatureDoesNotMatch",
    skewed: "RequestTimeTooSkewed",
    "expired-url": "AccessDenied",
    "wrong-scope": malformed,
    "payload-mismatch": "XAmzContentSHA256Mismatch",
    "foreign-host": "AccessDenied",
    "foreign-origin": "AccessDenied",
    "not-authorized": "AccessDenied",
  };
  const { message, extra } = s3RefusalWording(error, presigned);
  return s3ErrorResponse(new S3Error(codes[error.reason], message, undefined, extra), request.requestId, request.method);
}

/** S3 words some refusals its own way (the credential scope names the part of the header that is wrong). */
function s3RefusalWording(error: AuthRefusal, presigned: boolean): { message: string; extra: Record<string, string> } {
  if (error.reason === "expired-url") return { message: "Request has expired", extra: {} };
  const scope = error.scope;
  if (error.reason !== "wrong-scope" || scope === undefined) return { message: error.message, extra: {} };
  const lead = presigned ? "Error parsing the X-Amz-Credential parameter;" : "The authorization header is malformed;";
  if (scope.part === "service") return { message: `${lead} incorrect service '${scope.got}'. This endpoint belongs to '${scope.expected}'.`, extra: {} };
  return { message: `${lead} the region '${scope.got}' is wrong; expecting '${scope.expected}'`, extra: { Region: scope.expected } };
}
