/** An async_events row as both backends read it, and the event it is. */
import type { AsyncEvent, FailedEventDetail } from "../../core/event-invoke-config.js";

export interface AsyncEventRow {
  id: string;
  function_name: string;
  qualifier: string;
  payload: Buffer;
  enqueued_at: number;
  attempts: number;
  throttles: number;
  status: string;
  failure: string | null;
  lease_token: number;
}

export function asyncEventFrom(row: AsyncEventRow): AsyncEvent {
  return {
    id: row.id,
    functionName: row.function_name,
    qualifier: row.qualifier,
    payload: row.payload,
    enqueuedAt: row.enqueued_at,
    attempts: row.attempts,
    throttles: row.throttles,
    status: row.status === "failed" ? "failed" : "queued",
    failure: row.failure ? (JSON.parse(row.failure) as FailedEventDetail) : undefined,
    leaseToken: row.lease_token,
  };
}
