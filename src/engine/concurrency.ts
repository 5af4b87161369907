/**
 * Lambda's concurrency rules: in-flight invocations per function and per account.
 * Reserved concurrency is both a guarantee and a cap; the rest of the account limit is shared.
 */
import { UnkaiError } from "../core/errors.js";

export type Release = () => void;

export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private reservedTotal = 0;
  private unreservedInFlight = 0;

  constructor(readonly accountLimit: number) {}

  /** Keeps the limiter in step with PutFunctionConcurrency / DeleteFunctionConcurrency. */
  setReserved(name: string, value: number | undefined): void {
    this.reservedTotal -= this.reserved.get(name) ?? 0;
    if (value === undefined) this.reserved.delete(name);
    else {
      this.reserved.set(name, value);
      this.reservedTotal += value;
    }
  }

  get unreservedLimit(): number {
    return this.accountLimit - this.reservedTotal;
  }

  inFlightOf(name: string): number {
    return this.inFlight.get(name) ?? 0;
  }

  /** How many more invocations of `name` would be admitted right now. */
  room(name: string): number {
    const reserved = this.reserved.get(name);
    if (reserved !== undefined) return Math.max(0, reserved - this.inFlightOf(name));
    return Math.max(0, this.unreservedLimit - this.unreservedInFlight);
  }

  /** Admits one invocation or throws TooManyRequestsException with Lambda's Reason. */
  admit(name: string): Release {
    const current = this.inFlight.get(name) ?? 0;
    const reserved = this.reserved.get(name);
    if (reserved !== undefined) {
      if (current >= reserved) throw throttle("ReservedFunctionConcurrentInvocationLimitExceeded");
    } else {
      if (this.unreservedInFlight >= this.unreservedLimit) throw throttle("ConcurrentInvocationLimitExceeded");
      this.unreservedInFlight++;
    }
    this.inFlight.set(name, current + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = (this.inFlight.get(name) ?? 1) - 1;
      if (now === 0) this.inFlight.delete(name);
      else this.inFlight.set(name, now);
      if (reserved === undefined) this.unreservedInFlight--;
    };
  }
}

export function throttle(reason: string): UnkaiError {
  return new UnkaiError("TooManyRequestsException", "Rate Exceeded.", { Reason: reason });
}
