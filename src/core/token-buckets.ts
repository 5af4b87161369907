/**
 * Token buckets by name, as API Gateway throttles (a steady `rateLimit` a second with bursts of up to
 * `burstLimit`): each bucket starts full, refills continuously and lets a request through while it holds a
 * whole token. Bounded: past `maxTracked` names the least recently used is forgotten (and starts full again).
 */

export interface RateLimit {
  readonly rateLimit: number;
  /** Absent: one second's worth of the rate (at least 1 while the rate is above 0). */
  readonly burstLimit?: number | undefined;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxTracked = 100_000) {}

  /**
   * Takes a token from `name`'s bucket at `now` (ms); false when it has none (the request is throttled).
   * A rate of 0 refuses every call whatever the burst, as users set it to switch a route off.
   */
  take(name: string, limit: RateLimit, now: number): boolean {
    if (limit.rateLimit <= 0) return false;
    const burst = burstOf(limit);
    let bucket = this.buckets.get(name);
    if (bucket) this.buckets.delete(name);
    else {
      if (this.buckets.size >= this.maxTracked) this.buckets.delete(this.buckets.keys().next().value as string);
      bucket = { tokens: burst, at: now };
    }
    this.buckets.set(name, bucket);
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * limit.rateLimit);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}

export function burstOf(limit: RateLimit): number {
  if (limit.burstLimit !== undefined) return limit.burstLimit;
  return limit.rateLimit > 0 ? Math.max(1, Math.ceil(limit.rateLimit)) : 0;
}
