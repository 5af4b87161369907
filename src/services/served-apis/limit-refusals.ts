/** A REST API's answers to a call its limits refuse: a missing or unusable API key, a throttle, a used-up quota. */
import type { HttpResult } from "../../api-mapping/responses.js";

export type LimitRefusal = "forbidden" | "throttled" | "over-quota";

/** 403 Forbidden, or 429 for a throttle (`Too Many Requests`) or a usage plan's quota (`Limit Exceeded`), with API Gateway's error types. */
export function limitRefusal(kind: LimitRefusal): HttpResult {
  const [status, message, type] = kind === "forbidden" ? [403, "Forbidden", "ForbiddenException"] : kind === "throttled" ? [429, "Too Many Requests", "TooManyRequestsException"] : [429, "Limit Exceeded", "LimitExceededException"];
  return { status, headers: { "content-type": "application/json", "x-amzn-ErrorType": type }, body: Buffer.from(JSON.stringify({ message })) };
}
