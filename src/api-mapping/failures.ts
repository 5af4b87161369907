/** The answers API Gateway and Function URLs give when the integration fails, by flavour of endpoint. */
import type { HttpResult } from "./responses.js";

export type Flavor = "http-api" | "rest-api" | "function-url";
export type Failure = "no-route" | "function-error" | "malformed" | "throttled" | "timeout" | "too-large";

/** HTTP API and Function URL messages; REST APIs use their own wording and x-amzn-ErrorType. */
const HTTP_API: Record<Failure, [number, string]> = {
  "no-route": [404, "Not Found"],
  "function-error": [502, "Internal Server Error"],
  malformed: [502, "Internal Server Error"],
  throttled: [429, "Too Many Requests"],
  timeout: [504, "Gateway Timeout"],
  "too-large": [413, "Request Entity Too Large"],
};

const REST_API: Record<Failure, [number, string, string]> = {
  "no-route": [403, "Missing Authentication Token", "MissingAuthenticationTokenException"],
  "function-error": [502, "Internal server error", "InternalServerErrorException"],
  malformed: [502, "Internal server error", "InternalServerErrorException"],
  throttled: [429, "Too Many Requests", "ThrottlingException"],
  timeout: [504, "Endpoint request timed out", "IntegrationTimeoutException"],
  "too-large": [413, "Request Too Long", "RequestTooLongException"],
};

export function failureResponse(flavor: Flavor, failure: Failure): HttpResult {
  if (flavor === "rest-api") {
    const [status, message, type] = REST_API[failure];
    return { status, headers: { "content-type": "application/json", "x-amzn-ErrorType": type }, body: Buffer.from(JSON.stringify({ message })) };
  }
  const [status, message] = HTTP_API[failure];
  return { status, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify({ message })) };
}
