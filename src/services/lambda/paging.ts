/** MaxItems and Marker of Lambda's list operations, checked once for all of them. */
import { invalidParameter } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
import type { UnkaiRequest } from "../../protocol/http.js";

/** MaxItems: a whole number from 1 to `max` (Lambda's bound for the operation), capped at the page size of 50. */
export function pageSize(request: UnkaiRequest, max = 10_000): number {
  const raw = request.query.get("MaxItems");
  const maxItems = Number(raw ?? LIMITS.listFunctionsPageSize);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > max) {
    throw invalidParameter(`MaxItems ${raw} must be a whole number from 1 to ${max}.`);
  }
  return Math.min(maxItems, LIMITS.listFunctionsPageSize);
}
