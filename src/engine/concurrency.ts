/**
 * Lambda's concurrency rules: in-flight invocations per function and per account.
 * Reserved concurrency is both a guarantee and a cap; the rest of the account limit is shared.
 */
import { UnkaiError } from "../core/errors.js";

export type Release = () => void;

/**
 * Concurrency counted across a cluster (ClusterStore's slots): reserved functions each under their
 * own name, every other function in the shared unreserved pool. Absent on one node.
 */
export interface ClusterSlots {
  take(functionName: string, limit: number, now: number): Promise<string | undefined>;
  release(id: string): Promise<void>;
}

/**
 * The slot name of the account's unreserved pool: not a valid function name (no parentheses), so it
 * cannot collide with a function's own slots.
 */
export const UNRESERVED_POOL = "(unreserved)";

export class ConcurrencyLimiter {
  /** Set on a shared store: reserved concurrency and the account limit then hold across every node. */
  slots: ClusterSlots | undefined;
  /** Hears about slots that could not be given back (they stop counting when this node's heartbeat does). */
  onSlotError: (error: unknown) => void = () => undefined;

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

  /** Invocations of functions without reserved concurrency running on this node (AWS/Lambda's UnreservedConcurrentExecutions). */
  get unreservedRunning(): number {
    return this.unreservedInFlight;
  }

  reservedOf(name: string): number | undefined {
    return this.reserved.get(name);
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

/**
 * Admits one invocation counting the whole cluster: this node's limits first (no round trip for a
 * throttle this node can see), then a slot row — the function's own for reserved concurrency, the
 * account's unreserved pool otherwise. On one node (no slots) it is `admit` itself, with no await:
 * the SQLite path stays as it was.
 */
export function admitAcrossCluster(limiter: ConcurrencyLimiter, name: string): Release | Promise<Release> {
  const local = limiter.admit(name);
  const slots = limiter.slots;
  if (!slots) return local;
  const reserved = limiter.reservedOf(name);
  const [pool, limit, reason] = reserved === undefined
    ? [UNRESERVED_POOL, limiter.unreservedLimit, "ConcurrentInvocationLimitExceeded"]
    : [name, reserved, "ReservedFunctionConcurrentInvocationLimitExceeded"];
  return slots.take(pool, limit, Date.now()).then(
    (id) => {
      if (id === undefined) {
        local();
        throw throttle(reason);
      }
      return () => {
        local();
        slots.release(id).catch(limiter.onSlotError);
      };
    },
    (error: unknown) => {
      local();
      throw error;
    },
  );
}

export function throttle(reason: string): UnkaiError {
  return new UnkaiError("TooManyRequestsException", "Rate Exceeded.", { Reason: reason });
}
