/**
 * POSTs to http/https subscribers with SNS's headers, retrying on a failed attempt as the delivery
 * policy's healthy retry policy says (default: 3 retries 20 s apart; `minDelayTarget` sets the delay,
 * `numRetries` the count). Retries live in memory: a restart drops the ones still waiting.
 */
import type { Logger } from "pino";

export interface HttpMessage {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Delivery policy JSON (the subscription's, else the topic's), or undefined for SNS's defaults. */
  readonly deliveryPolicy: string | undefined;
  /** Called when every attempt has failed (the subscription's RedrivePolicy). */
  readonly onFailure?: () => Promise<void>;
}

const ATTEMPT_TIMEOUT_MS = 15_000;

function retryPolicy(policy: string | undefined): { retries: number; delayMs: number } {
  let parsed: { healthyRetryPolicy?: { numRetries?: unknown; minDelayTarget?: unknown }; http?: { defaultHealthyRetryPolicy?: { numRetries?: unknown; minDelayTarget?: unknown } } } = {};
  try {
    parsed = policy === undefined ? {} : (JSON.parse(policy) as typeof parsed);
  } catch {
    parsed = {};
  }
  const healthy = parsed.healthyRetryPolicy ?? parsed.http?.defaultHealthyRetryPolicy ?? {};
  const retries = typeof healthy.numRetries === "number" ? Math.min(Math.max(0, healthy.numRetries), 100) : 3;
  const delaySeconds = typeof healthy.minDelayTarget === "number" ? Math.min(Math.max(1, healthy.minDelayTarget), 3600) : 20;
  return { retries, delayMs: delaySeconds * 1000 };
}

export class HttpDelivery {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Aborts the attempts in flight when Unkai stops. */
  private readonly stopping = new AbortController();

  constructor(private readonly logger: Logger) {}

  send(message: HttpMessage): void {
    const { retries, delayMs } = retryPolicy(message.deliveryPolicy);
    void this.attempt(message, 0, retries, delayMs);
  }

  private async attempt(message: HttpMessage, done: number, retries: number, delayMs: number): Promise<void> {
    if (this.closed) return;
    try {
      const response = await fetch(message.url, { method: "POST", headers: message.headers, body: message.body, redirect: "manual", signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return;
      this.logger.info({ url: message.url, status: response.status, attempt: done + 1 }, "an SNS http delivery was refused");
    } catch (error) {
      if (this.closed) return;
      this.logger.info({ url: message.url, err: (error as Error).message, attempt: done + 1 }, "an SNS http delivery failed");
    }
    if (done >= retries) {
      await message.onFailure?.().catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, "an SNS dead-letter delivery failed"));
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(message, done + 1, retries, delayMs);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  close(): void {
    this.closed = true;
    this.stopping.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
