/**
 * Runs queued asynchronous events through the Invoker: in parallel, out of order, at least once.
 * Failures retry per the function's EventInvokeConfig; an event that ends without success goes to
 * its failure destination or stays in the queue as a failed event, never silently dropped.
 */
import type { Logger } from "pino";
import { ASYNC_DEFAULTS, type AsyncEvent, type EventInvokeConfig, type FailureCondition, type LastResponse } from "../core/event-invoke-config.js";
import { UnkaiError } from "../core/errors.js";
import { ServiceMetrics } from "../core/service-metrics.js";
import type { ConcurrencyLimiter } from "../engine/concurrency.js";
import type { Dispatcher } from "../engine/dispatcher.js";
import type { Invoker } from "../engine/invoker.js";
import { errorTypeOf } from "../engine/platform-log.js";
import type { FunctionRegistry } from "../functions/registry.js";
import type { AsyncQueueStore, EventInvokeConfigStore } from "../store/ports.js";
import type { Destinations } from "./destinations.js";
import { destinationRecord } from "./invocation-record.js";
import { retryDelayMs, throttleDelayMs, type RetryTiming } from "./retry-policy.js";

export interface WorkerOptions {
  /** Events running at once across all functions (each still within its function's concurrency). */
  readonly maxInFlight: number;
  readonly timing: RetryTiming;
  /** How often to look for due retries when nothing else wakes the worker. */
  readonly pollMs: number;
}

/**
 * Events waiting longer than this make the worker start one more environment for their function,
 * at most once per this interval (10 per second): when the host is saturated, waiting events are
 * not a reason to spawn more processes.
 */
const RAMP_AFTER_MS = 100;

/** Longer than any function timeout (900 s): a lease outlives the attempt it covers. */
const LEASE_MS = 960_000;

function maxAgeMsOf(config: EventInvokeConfig | undefined): number {
  return (config?.maximumEventAgeSeconds ?? ASYNC_DEFAULTS.maximumEventAgeSeconds) * 1000;
}

export class AsyncWorker {
  private inFlight = 0;
  private readonly inFlightByFunction = new Map<string, number>();
  private scheduled = false;
  /** The fill in progress (fills never overlap: room is counted from in-flight events), and whether another was asked for meanwhile. */
  private filling: Promise<void> | undefined;
  private fillAgain = false;
  private timer: NodeJS.Timeout | undefined;
  /** Whether `timer` is set and has not fired: the worker is sure to look at the queue within a poll. */
  private pollArmed = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private readonly grownAt = new Map<string, number>();

  constructor(
    private readonly queue: AsyncQueueStore,
    private readonly configs: EventInvokeConfigStore,
    private readonly functions: FunctionRegistry,
    private readonly invoker: Invoker,
    private readonly destinations: Destinations,
    private readonly concurrency: ConcurrencyLimiter,
    private readonly dispatcher: Dispatcher,
    private readonly options: WorkerOptions,
    private readonly logger: Logger,
    /** AWS/Lambda's async figures: AsyncEventAge, AsyncEventsDropped, DeadLetterErrors, DestinationDeliveryFailures. */
    private readonly metrics = new ServiceMetrics(),
  ) {}

  async start(): Promise<void> {
    const freed = await this.queue.clearLeases();
    if (freed > 0) this.logger.info({ events: freed }, "requeued events leased by a previous run");
    this.wake();
  }

  /**
   * New events were committed. Events of a function without free concurrency cannot start now; a
   * look at the queue for them alone would only read the backlog again (at every commit while a
   * burst fills it), so it is skipped while a poll is armed: a finishing invocation or that poll
   * looks again, as for the events already waiting.
   */
  wakeFor(functionNames: Iterable<string>): void {
    if (this.pollArmed) {
      let runnable = false;
      for (const name of functionNames) if (this.concurrency.room(name) > 0) runnable = true;
      if (!runnable) return;
    }
    this.wake();
  }

  /** Looks at the queue soon (coalesced). */
  wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.filling) {
        this.fillAgain = true;
        return;
      }
      this.filling = this.fill()
        .catch((error: unknown) => this.logger.error({ err: error }, "could not take events from the async queue; retrying at the next poll"))
        .finally(() => {
          this.filling = undefined;
          if (this.fillAgain) {
            this.fillAgain = false;
            this.wake();
          }
        });
    });
  }

  inFlightOf(functionName: string): number {
    return this.inFlightByFunction.get(functionName) ?? 0;
  }

  /** Stops taking events and waits for running ones up to `deadlineMs`. */
  async stop(deadlineMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadlineMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Leases only what can run now: never more events of a function than its free concurrency,
   * so a capped function's backlog waits in the queue instead of bouncing off the limit.
   * Waiting events past their maximum age are taken too, to be ended rather than run.
   */
  private async fill(): Promise<void> {
    if (this.stopped) return;
    let room = this.options.maxInFlight - this.inFlight;
    // Set when events already due stay queued (no room for them): the next look is then a poll away.
    let dueLeft = false;
    if (room > 0) {
      const now = Date.now();
      const free = new Map<string, number>();
      const maxAge = new Map<string, number>();
      const chosen: string[] = [];
      const candidates = await this.queue.ready(now, Math.max(room * 4, 256));
      for (const candidate of candidates) {
        if (room === 0) break;
        // Candidates come oldest first, so the first one seen tells how long the function's events wait.
        const left = free.get(candidate.functionName) ?? (await this.room(candidate.functionName, now - candidate.enqueuedAt));
        if (left <= 0) {
          free.set(candidate.functionName, left);
          const key = `${candidate.functionName}\0${candidate.qualifier}`;
          const ageMs = maxAge.get(key) ?? (await this.maxAgeMs(candidate.functionName, candidate.qualifier));
          maxAge.set(key, ageMs);
          if (now - candidate.enqueuedAt <= ageMs) continue;
        } else {
          free.set(candidate.functionName, left - 1);
        }
        chosen.push(candidate.id);
        room--;
      }
      dueLeft = chosen.length < candidates.length;
      // Stopped while choosing: leave the events queued for the next start rather than lease them now.
      if (this.stopped) return;
      const leased = await this.queue.lease(chosen, now, now + LEASE_MS);
      for (const event of leased) void this.run(event);
      // Another claimer (a node sharing the queue) took some first: look again now, not at the next poll.
      if (leased.length < chosen.length) this.fillAgain = true;
    }
    await this.armTimer(dueLeft);
  }

  /**
   * The next look at the queue, at most a poll away. `dueLeft`: events already due are waiting, so
   * that is a poll away; only otherwise does it take a look at when the next event comes due (a
   * scan of the queued events, which a backlog of thousands makes costly to repeat at every commit).
   */
  private async armTimer(dueLeft: boolean): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.pollArmed = false;
    const next = dueLeft ? Date.now() : await this.queue.nextAvailableAt();
    if (next === undefined) return;
    // Events already due were left for lack of room: a finishing invocation wakes the worker, and
    // the poll covers room freed by synchronous invocations.
    const untilDue = next - Date.now();
    const delay = untilDue > 0 ? Math.min(this.options.pollMs, untilDue) : this.options.pollMs;
    this.timer = setTimeout(() => {
      this.pollArmed = false;
      this.wake();
    }, delay);
    this.timer.unref();
    this.pollArmed = true;
  }

  private async run(event: AsyncEvent): Promise<void> {
    this.inFlight++;
    this.inFlightByFunction.set(event.functionName, this.inFlightOf(event.functionName) + 1);
    try {
      await this.attempt(event);
    } catch (error) {
      // Unkai's own failure: put the event back rather than lose it.
      this.logger.error({ err: error, requestId: event.id }, "async event attempt failed inside Unkai; retrying later");
      await this.queue
        .retry(event.id, event.leaseToken, Date.now() + throttleDelayMs(event.throttles, this.options.timing), true)
        .then((held) => this.noteLost(event, held))
        .catch((retryError: unknown) => this.logger.error({ err: retryError, requestId: event.id }, "could not put the event back; its lease ends it"));
    } finally {
      this.inFlight--;
      const left = this.inFlightOf(event.functionName) - 1;
      if (left === 0) this.inFlightByFunction.delete(event.functionName);
      else this.inFlightByFunction.set(event.functionName, left);
      if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      this.wake();
    }
  }

  /**
   * Events of a function that may start now: within its concurrency, and no more than its live
   * environments, plus one cold start at a time when events are really waiting (the oldest for
   * more than RAMP_AFTER_MS). A fast function's backlog is served by the warm environments it has
   * instead of cold-starting one per queued event; a slow one grows an environment at a time, as
   * Lambda's pollers ramp up.
   */
  private async room(functionName: string, oldestWaitMs: number): Promise<number> {
    const limit = this.concurrency.room(functionName);
    const record = await this.functions.find(functionName);
    if (!record || limit <= 0) return limit;
    const { live, starting } = this.dispatcher.environmentsOf(this.functions.runnable(record));
    const now = Date.now();
    const waiting = live === 0 || (oldestWaitMs > RAMP_AFTER_MS && now - (this.grownAt.get(functionName) ?? 0) > RAMP_AFTER_MS);
    const grow = starting === 0 && waiting ? 1 : 0;
    const room = Math.max(0, Math.min(limit, live + grow - this.inFlightOf(functionName)));
    if (grow === 1 && room > 0) this.grownAt.set(functionName, now);
    return room;
  }


  private async maxAgeMs(functionName: string, qualifier: string): Promise<number> {
    return maxAgeMsOf(await this.configs.get(functionName, qualifier));
  }

  private async attempt(event: AsyncEvent): Promise<void> {
    let record;
    try {
      record = await this.functions.resolve(event.functionName, event.qualifier);
    } catch {
      const what = event.qualifier === "$LATEST" ? `function ${event.functionName}` : `${event.functionName}:${event.qualifier}`;
      return this.end(event, "FunctionDeleted", `${what} was deleted while the event waited`, undefined, event.attempts - 1);
    }
    const config = await this.configs.get(event.functionName, event.qualifier);
    const maxAgeMs = maxAgeMsOf(config);
    const maxRetries = config?.maximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts;
    const now = Date.now();
    if (now - event.enqueuedAt > maxAgeMs) {
      return this.end(event, "EventAgeExceeded", `the event was older than its maximum age of ${maxAgeMs / 1000} s`, undefined, event.attempts - 1);
    }
    this.count(event, "AsyncEventAge", now - event.enqueuedAt, "Milliseconds");
    let response;
    try {
      response = await this.invoker.invoke({
        fn: this.functions.runnable(record),
        requestId: event.id,
        payload: event.payload,
        invokedArn: this.functions.arn(event.functionName, event.qualifier === "$LATEST" ? undefined : event.qualifier),
        clientContext: undefined,
        traceId: undefined,
        wantLogTail: false,
      });
    } catch (error) {
      if (error instanceof UnkaiError && error.code === "TooManyRequestsException") {
        const at = now + throttleDelayMs(event.throttles, this.options.timing);
        if (at - event.enqueuedAt > maxAgeMs) {
          return this.end(event, "EventAgeExceeded", "throttled until the event passed its maximum age", undefined, event.attempts - 1);
        }
        this.noteLost(event, await this.queue.retry(event.id, event.leaseToken, at, true));
        return;
      }
      throw error;
    }
    const last: LastResponse = {
      executedVersion: response.executedVersion,
      functionError: response.functionError,
      errorType: response.functionError ? errorTypeOf(response.payload) : undefined,
      payload: response.payload.toString("utf8"),
    };
    if (!response.functionError) {
      const onSuccess = config?.onSuccess;
      if (onSuccess) await this.sendRecord(onSuccess, event, "Success", last, event.attempts).catch((error: unknown) => {
        this.count(event, "DestinationDeliveryFailures");
        this.logger.warn({ err: error, requestId: event.id, destination: onSuccess }, "could not deliver to the success destination");
      });
      this.noteLost(event, await this.queue.complete(event.id, event.leaseToken));
      return;
    }
    const retryAt = Date.now() + retryDelayMs(event.attempts, this.options.timing);
    if (event.attempts <= maxRetries && retryAt - event.enqueuedAt <= maxAgeMs) {
      this.noteLost(event, await this.queue.retry(event.id, event.leaseToken, retryAt, false));
      return;
    }
    const condition: FailureCondition = event.attempts <= maxRetries ? "EventAgeExceeded" : "RetriesExhausted";
    await this.end(event, condition, `${last.errorType ?? "function error"} on attempt ${event.attempts}`, last);
  }

  /** Ends an event without success: failure destination, else kept as a failed event. */
  private async end(event: AsyncEvent, condition: FailureCondition, reason: string, last: LastResponse | undefined, invokeCount = event.attempts): Promise<void> {
    const onFailure = (await this.configs.get(event.functionName, event.qualifier))?.onFailure;
    // AWS counts every event that ends without success, whether or not a destination or DLQ then receives it.
    this.count(event, "AsyncEventsDropped");
    let why = reason;
    if (onFailure) {
      try {
        await this.sendRecord(onFailure, event, condition, last, invokeCount);
        this.noteLost(event, await this.queue.complete(event.id, event.leaseToken));
        return;
      } catch (error) {
        this.count(event, "DestinationDeliveryFailures");
        why = `${reason}; delivery to ${onFailure} failed: ${(error as Error).message}`;
      }
    } else {
      const deadLetter = (await this.functions.find(event.functionName))?.config.deadLetterTargetArn;
      if (deadLetter && this.destinations.canDeliverDeadLetter(deadLetter)) {
        try {
          // The HTTP status of the last invocation, as Lambda sets ErrorCode: 200 when the function itself failed.
          const errorCode = last ? "200" : "500";
          await this.destinations.deliverDeadLetter(deadLetter, event.payload, { RequestID: event.id, ErrorCode: errorCode, ErrorMessage: deadLetterMessage(last, reason) });
          this.noteLost(event, await this.queue.complete(event.id, event.leaseToken));
          return;
        } catch (error) {
          this.count(event, "DeadLetterErrors");
          why = `${reason}; delivery to the dead-letter target ${deadLetter} failed: ${(error as Error).message}`;
        }
      } else if (deadLetter) {
        this.count(event, "DeadLetterErrors");
        why = `${reason}; dead-letter target ${deadLetter} is not available in this Unkai yet`;
      }
    }
    this.noteLost(event, await this.queue.fail(event.id, event.leaseToken, { condition, reason: why, failedAt: Date.now(), lastResponse: last }));
  }

  private count(event: AsyncEvent, metricName: string, value = 1, unit: "Count" | "Milliseconds" = "Count"): void {
    this.metrics.addForFunction(metricName, event.functionName, event.qualifier, value, unit);
  }

  /** An acknowledgement the queue refused: this attempt outlived its lease and the event is someone else's now. */
  private noteLost(event: AsyncEvent, held: boolean): void {
    if (!held) this.logger.warn({ requestId: event.id, attempt: event.attempts }, "the event's lease was lost before this attempt ended; its outcome is not recorded");
  }

  private sendRecord(arn: string, event: AsyncEvent, condition: "Success" | FailureCondition, last: LastResponse | undefined, invokeCount: number): Promise<void> {
    return this.destinations.deliver(
      arn,
      destinationRecord({
        requestId: event.id,
        qualifiedArn: this.functions.arn(event.functionName, event.qualifier),
        condition,
        invokeCount,
        payload: event.payload,
        response: last,
        executedVersion: last?.executedVersion ?? event.qualifier,
      }),
    );
  }
}

/** The ErrorMessage attribute of a dead-lettered event: the function's errorMessage when it returned one. */
function deadLetterMessage(last: LastResponse | undefined, reason: string): string {
  try {
    const parsed = JSON.parse(last?.payload ?? "") as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") return parsed.errorMessage;
  } catch {
    // not JSON: the reason says what happened
  }
  return reason;
}
