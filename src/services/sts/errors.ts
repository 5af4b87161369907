/** STS's error table (awsQuery: one XML error shape, so code → status) and its XML rendering. */
import type { AuthRefusal, UnkaiResponse } from "../../protocol/http.js";
import { STS_NAMESPACE, xmlText } from "./xml.js";

/** Every STS error code Unkai answers with; docs/errors.md lists them under "STS errors" (a test keeps them equal). */
export const STS_ERRORS = {
  AccessDenied: 403,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  SignatureDoesNotMatch: 403,
} as const;

export type StsErrorCode = keyof typeof STS_ERRORS;

export class StsError extends Error {
  override readonly name = "StsError";
  constructor(readonly code: StsErrorCode, message: string) {
    super(message);
  }
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`: `Sender` for the caller's faults, `Receiver` for Unkai's. */
export function stsErrorResponse(error: StsError, requestId: string): UnkaiResponse {
  const status = STS_ERRORS[error.code];
  const body =
    `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${status >= 500 ? "Receiver" : "Sender"}</Type>` +
    `<Code>${error.code}</Code><Message>${xmlText(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status, headers: { "Content-Type": "text/xml" }, body };
}

/** A refused signature (or the front door's refusal) in STS's codes and words. */
export function stsAuthRefusal(error: AuthRefusal, request: { readonly requestId: string }): UnkaiResponse {
  const refusal = {
    unsigned: () => new StsError("MissingAuthenticationToken", "Request is missing Authentication Token"),
    malformed: () => new StsError("IncompleteSignature", error.message),
    "unknown-key": () => new StsError("InvalidClientTokenId", "The security token included in the request is invalid."),
    "foreign-host": () => new StsError("AccessDenied", error.message),
    "foreign-origin": () => new StsError("AccessDenied", error.message),
  }[error.reason as string];
  return stsErrorResponse(refusal?.() ?? new StsError("SignatureDoesNotMatch", error.message), request.requestId);
}
