/** Asynchronous invocation settings (EventInvokeConfig) and the async event's lifecycle. */
import { invalidParameter } from "./errors.js";

export const ASYNC_DEFAULTS = {
  maximumRetryAttempts: 2,
  maximumEventAgeSeconds: 21_600,
  /** Async Invoke payload limit. */
  payloadBytes: 1_048_576,
} as const;

export interface EventInvokeConfig {
  readonly functionName: string;
  readonly qualifier: string;
  readonly maximumRetryAttempts: number | undefined;
  readonly maximumEventAgeSeconds: number | undefined;
  readonly onSuccess: string | undefined;
  readonly onFailure: string | undefined;
  /** Epoch seconds (fractional), as the API returns it. */
  readonly lastModified: number;
}

export function validateEventInvokeConfig(config: EventInvokeConfig): void {
  const retries = config.maximumRetryAttempts;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 2)) {
    throw invalidParameter(`MaximumRetryAttempts ${retries} is out of range: it must be 0, 1 or 2.`);
  }
  const age = config.maximumEventAgeSeconds;
  if (age !== undefined && (!Number.isInteger(age) || age < 60 || age > 21_600)) {
    throw invalidParameter(`MaximumEventAgeInSeconds ${age} is out of range: it must be a whole number from 60 to 21600.`);
  }
}

/** Why an asynchronous event ended without success (the destination record's `condition`). */
export type FailureCondition = "RetriesExhausted" | "EventAgeExceeded" | "FunctionDeleted";

/** An asynchronous event as the queue holds it. */
export interface AsyncEvent {
  /** The request id: the same for every attempt, as on Lambda. */
  readonly id: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly payload: Buffer;
  /** Epoch ms when the event was acknowledged. */
  readonly enqueuedAt: number;
  /** Attempts started so far (throttled tries do not count). */
  readonly attempts: number;
  readonly throttles: number;
  readonly status: "queued" | "failed";
  readonly failure: FailedEventDetail | undefined;
  /** The fencing token of the lease this copy was taken under: acknowledgements carry it (AsyncQueueStore). */
  readonly leaseToken: number;
}

export interface FailedEventDetail {
  readonly condition: FailureCondition;
  /** A sentence saying why, e.g. "Sandbox.Timedout after 3 attempts". */
  readonly reason: string;
  readonly failedAt: number;
  /** The last response, when the function ran. */
  readonly lastResponse: LastResponse | undefined;
}

export interface LastResponse {
  /** The version that ran (an alias resolves to one). */
  readonly executedVersion?: string | undefined;
  readonly functionError: string | undefined;
  readonly errorType: string | undefined;
  readonly payload: string;
}
