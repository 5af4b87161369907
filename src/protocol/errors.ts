/** Renders KumoError (and anything unexpected) in the AWS wire shapes. */
import { ERROR_SPECS, KumoError } from "../core/errors.js";
import type { KumoResponse } from "./http.js";

/** restJson1 (Lambda): x-amzn-ErrorType header plus `Type` and the model-cased message. */
export function restJsonError(error: KumoError): KumoResponse {
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
export function awsJsonError(error: KumoError): KumoResponse {
  const spec = ERROR_SPECS[error.code];
  return {
    status: spec.status,
    headers: { "Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** Anything thrown that is not a KumoError is Kumo's fault: a ServiceException without internals. */
export function asKumoError(error: unknown): KumoError {
  if (error instanceof KumoError) return error;
  return new KumoError("ServiceException", "Kumo hit an internal error; the details are in Kumo's own log.");
}
