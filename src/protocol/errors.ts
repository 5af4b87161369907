/** Renders UnkaiError (and anything unexpected) in the AWS wire shapes, with the answering service's statuses. */
import { COMMON_ERRORS, UnkaiError, type ErrorSpec, type ErrorTable } from "../core/errors.js";
import type { UnkaiResponse } from "./http.js";

const INTERNAL_MESSAGE = "Unkai hit an internal error; the details are in Unkai's own log.";

/**
 * The error as the service's table has it. A code the table lacks is a bug in Unkai (the service
 * let through an error it does not answer with), so it is answered as the service's own fault.
 */
function specOf(error: UnkaiError, table: ErrorTable): { error: UnkaiError; spec: ErrorSpec } {
  const spec = table[error.code];
  if (spec) return { error, spec };
  return { error: new UnkaiError("ServiceException", INTERNAL_MESSAGE), spec: table.ServiceException ?? COMMON_ERRORS.ServiceException };
}

/** restJson1 (Lambda, API Gateway): x-amzn-ErrorType header plus `Type` and the model-cased message. */
export function restJsonError(thrown: UnkaiError, table: ErrorTable): UnkaiResponse {
  const { error, spec } = specOf(thrown, table);
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
export function awsJsonError(thrown: UnkaiError, table: ErrorTable): UnkaiResponse {
  const { error, spec } = specOf(thrown, table);
  return {
    status: spec.status,
    headers: { "Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** Anything thrown that is not a UnkaiError is Unkai's fault: a ServiceException without internals. */
export function asUnkaiError(error: unknown): UnkaiError {
  if (error instanceof UnkaiError) return error;
  return new UnkaiError("ServiceException", INTERNAL_MESSAGE);
}
