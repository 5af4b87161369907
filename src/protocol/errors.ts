/** Renders UnkaiError (and anything unexpected) in the AWS wire shapes. */
import { ERROR_SPECS, UnkaiError } from "../core/errors.js";
import type { UnkaiResponse } from "./http.js";

/** restJson1 (Lambda): x-amzn-ErrorType header plus `Type` and the model-cased message. */
export function restJsonError(error: UnkaiError): UnkaiResponse {
  const spec = ERROR_SPECS[error.code];
  const body: Record<string, string> = { ...error.extra };
  if (spec.userType) body.Type = "User";
  body[spec.messageKey] = error.message;
  return {
    status: spec.status,
    headers: { "Content-Type": "application/json", "x-amzn-ErrorType": error.code },
    body: JSON.stringify(body),
  };
}

/** awsJson1.1 (CloudWatch Logs and friends): `__type` plus `message`. */
export function awsJsonError(error: UnkaiError): UnkaiResponse {
  const spec = ERROR_SPECS[error.code];
  return {
    status: spec.status,
    headers: { "Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** Anything thrown that is not a UnkaiError is Unkai's fault: a ServiceException without internals. */
export function asUnkaiError(error: unknown): UnkaiError {
  if (error instanceof UnkaiError) return error;
  return new UnkaiError("ServiceException", "Unkai hit an internal error; the details are in Unkai's own log.");
}
