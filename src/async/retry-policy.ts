/** Lambda's asynchronous retry timing, scaled by configuration so tests need not wait minutes. */

export interface RetryTiming {
  /** Multiplies every delay: 1 is Lambda's timing, 0.01 turns a minute into 0.6 s. */
  readonly scale: number;
}

/** Delay before the next attempt after `attempts` failed ones: about 1 minute, then 2. */
export function retryDelayMs(attempts: number, timing: RetryTiming): number {
  return attempts * 60_000 * timing.scale;
}

/** Throttled events wait 1 s, doubling up to 5 minutes, for as long as their maximum age allows. */
export function throttleDelayMs(throttles: number, timing: RetryTiming): number {
  return Math.min(300_000, 1_000 * 2 ** Math.min(throttles, 9)) * timing.scale;
}
