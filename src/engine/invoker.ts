/**
 * The synchronous invocation path: admit (concurrency) → place (dispatcher) → run (environment)
 * → log (START/END/REPORT) → record. Everything that calls a function goes through `invoke`, or
 * `invokeStream` for callers that take the response as the function streams it.
 */
import type { Logger } from "pino";
import { billedDuration, type InvocationRecord, type InvocationStatus, type ProvisionedUse } from "../core/invocation.js";
import type { FreeSpace } from "../store/disk-space.js";
import type { InvocationStore, LogEvent, LogStore } from "../store/ports.js";
import type { PendingBookkeeping } from "./bookkeeping.js";
import type { ConcurrencyLimiter } from "./concurrency.js";
import { admitAcrossCluster, throttle } from "./concurrency.js";
import type { Dispatcher, Lease } from "./dispatcher.js";
import type { Environment, InvokeResult } from "./environment.js";
import type { FunctionVersion } from "./function-version.js";
import { droppedLine, endLine, functionResult, initReportLine, logTail, lowDiskLine, reportLine, startLine, type FunctionResult } from "./platform-log.js";
import type { StreamSink } from "./stream-relay.js";
import { streamedInvocation, type StreamedInvocation } from "./streamed-invocation.js";

/** Invocations running on this node as one ends, itself included (AWS/Lambda's ConcurrentExecutions). */
export interface RunningCounts {
  readonly total: number;
  /** Of functions without reserved concurrency (UnreservedConcurrentExecutions). */
  readonly unreserved: number;
  /** Of the same function, any qualifier. */
  readonly function: number;
  /** Invoked by the same ARN (the same alias or version when it is qualified). */
  readonly invokedArn: number;
}

/** Sees each invocation record, the ARN it was invoked by (its qualifier) and what was running then. */
export type InvocationObserver = (record: InvocationRecord, invokedArn: string, running: RunningCounts) => void;

export interface InvokeRequest {
  readonly fn: FunctionVersion;
  readonly requestId: string;
  readonly payload: Buffer;
  readonly invokedArn: string;
  readonly clientContext: string | undefined;
  readonly traceId: string | undefined;
  readonly wantLogTail: boolean;
}

export interface InvokeResponse {
  readonly payload: Buffer;
  readonly functionError: "Unhandled" | undefined;
  /** Base64 of the last 4 KB of log, when asked for. */
  readonly logResult: string | undefined;
  readonly executedVersion: string;
}

/** An invocation's response together with how the function's result ended. */
interface InvokeDetail {
  readonly response: InvokeResponse;
  readonly result: FunctionResult;
  /** True when the response went to a stream sink instead of `response.payload`. */
  readonly streamed: boolean;
}

export class Invoker {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly concurrency: ConcurrencyLimiter,
    private readonly logs: LogStore,
    private readonly invocations: InvocationStore,
    private readonly logger: Logger,
    /** While the data directory is low on space, the function's own lines are dropped (not the invocation). */
    private readonly space: FreeSpace,
    /**
     * Warm invocations' logs and records, written after the response; the store's reads wait for them
     * (bookkeeping.ts).
     */
    private readonly bookkeeping: PendingBookkeeping,
  ) {}

  private inFlight = 0;
  /** In-flight invocations per invoked ARN: per alias and version counts for ConcurrentExecutions. */
  private readonly inFlightByArn = new Map<string, number>();
  private drainWaiters: (() => void)[] = [];
  private readonly observers: InvocationObserver[] = [];

  /**
   * Calls `observer` with each invocation record as it is written (CloudWatch's AWS/Lambda metrics).
   * It runs just after the invocation's response is out (afterResponse), on the thread that serves
   * requests: it must be cheap and synchronous, and never throw.
   */
  observe(observer: InvocationObserver): void {
    this.observers.push(observer);
  }

  /** Invocations running now (for draining at shutdown). */
  get running(): number {
    return this.inFlight;
  }

  async invoke(request: InvokeRequest): Promise<InvokeResponse> {
    return (await this.invokeWith(request, undefined)).response;
  }

  /**
   * The same synchronous path, answering with the response as the function streams it
   * (InvokeWithResponseStream, RESPONSE_STREAM Function URLs). Resolves once the stream has
   * begun or the invocation has ended; throws as `invoke` does (throttles) before that.
   */
  invokeStream(request: InvokeRequest): Promise<StreamedInvocation> {
    return streamedInvocation(request.fn.version, (sink) => this.invokeWith(request, sink));
  }

  /** Admit → place → run, with an optional sink that receives a streamed response as it arrives. */
  private async invokeWith(request: InvokeRequest, sink: StreamSink | undefined): Promise<InvokeDetail> {
    const { fn } = request;
    const acceptedAt = Date.now();
    let release;
    try {
      const admitted = admitAcrossCluster(this.concurrency, fn.name);
      release = admitted instanceof Promise ? await admitted : admitted;
    } catch (error) {
      await this.record(request, acceptedAt, { status: "throttled", durationMs: 0, initDurationMs: undefined, maxMemoryUsedMb: 0, errorType: undefined, logStream: undefined });
      throw error;
    }
    this.inFlight++;
    const arn = request.invokedArn;
    this.inFlightByArn.set(arn, (this.inFlightByArn.get(arn) ?? 0) + 1);
    try {
      const lease = await this.place(request);
      return lease.kind === "ready" ? await this.run(request, lease.environment, acceptedAt, sink) : await this.initFailed(request, lease, acceptedAt);
    } finally {
      release();
      const byArn = (this.inFlightByArn.get(arn) ?? 1) - 1;
      if (byArn === 0) this.inFlightByArn.delete(arn);
      else this.inFlightByArn.set(arn, byArn);
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.drainWaiters.splice(0)) wake();
    }
  }

  /**
   * Resolves when no invocation is running, or after `deadlineMs`, and once the logs and records of
   * those that ended are written (afterResponse).
   */
  async drain(deadlineMs: number): Promise<boolean> {
    const idle =
      this.inFlight === 0 ||
      (await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), deadlineMs);
        this.drainWaiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      }));
    await this.bookkeeping.settled();
    return idle;
  }

  /**
   * Writes a warm invocation's bookkeeping (its record, metrics and log events) once its response is
   * out. The response leaves at the end of the turn that finished it (server/turn-endings.ts, a
   * setImmediate queued after this one), so the work waits one turn more: two setImmediates. Until it
   * is written, reads of logs and records wait for it (PendingBookkeeping), so a request that follows
   * the response still finds it.
   */
  private afterResponse(work: () => Promise<void>): void {
    this.bookkeeping.track(
      new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)))
        .then(work)
        .catch((error: unknown) => this.logger.error({ err: error }, "could not write an invocation's logs and record")),
    );
  }

  /** Waits for an environment no longer than the function's timeout; past that the host is saturated. */
  private async place(request: InvokeRequest): Promise<Lease> {
    const { lease, cancel } = this.dispatcher.acquire(request.fn);
    const waitMs = request.fn.config.timeoutSeconds * 1000 + 10_000;
    let timer: NodeJS.Timeout | undefined;
    const saturated = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        cancel();
        reject(throttle("ConcurrentInvocationLimitExceeded"));
      }, waitMs);
    });
    try {
      return await Promise.race([lease, saturated]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(request: InvokeRequest, environment: Environment, acceptedAt: number, sink: StreamSink | undefined): Promise<InvokeDetail> {
    const { fn, requestId } = request;
    const initLines = environment.takeInitLines();
    const first = environment.firstInvocation;
    const initDurationMs = environment.takeInitDuration();
    // Which concurrency ran it, where the version has provisioned concurrency (AWS/Lambda's ProvisionedConcurrency* metrics).
    const use = this.dispatcher.provisionedUse(fn);
    const provisioned: ProvisionedUse | undefined = use && { onProvisioned: environment.provisioned, ...use };
    let result: InvokeResult;
    try {
      result = await environment.invoke({
        requestId,
        invokedFunctionArn: request.invokedArn,
        traceId: request.traceId,
        clientContext: request.clientContext,
        payload: request.payload,
      }, sink);
    } finally {
      this.dispatcher.release(fn, environment);
    }
    const outcome = functionResult(result.outcome, requestId, fn.config.timeoutSeconds);
    const billed = billedDuration(result.durationMs);
    const endedAt = result.startedAt + result.durationMs;
    const events: LogEvent[] = [{ timestamp: result.startedAt, message: startLine(requestId, fn.version) }];
    const shortfall = this.space.shortfall();
    if (shortfall) {
      events.push({ timestamp: endedAt, message: lowDiskLine([...initLines, ...result.lines], shortfall) });
    } else {
      events.unshift(...initLines);
      // A line is stamped when Unkai reads it from the runtime's pipe, which on a busy host can be a
      // moment after the response ended the invocation; it was written before, so it never sorts after END.
      for (const line of result.lines) events.push(line.timestamp > endedAt ? { ...line, timestamp: endedAt } : line);
      if (result.droppedBytes > 0) events.push({ timestamp: endedAt, message: droppedLine(result.droppedBytes) });
    }
    if (result.outcome.kind === "timeout") {
      events.push({ timestamp: endedAt, message: `${new Date(endedAt).toISOString()} ${requestId} Task timed out after ${fn.config.timeoutSeconds.toFixed(2)} seconds` });
    }
    events.push({ timestamp: endedAt, message: endLine(requestId) });
    events.push({
      timestamp: endedAt,
      message: reportLine({
        requestId,
        durationMs: result.durationMs,
        billedDurationMs: billed,
        memorySizeMb: fn.config.memoryMb,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        initDurationMs,
        status: outcome.resetStatus,
        errorType: outcome.resetStatus ? outcome.errorType : undefined,
      }),
    });
    const { logStream } = environment;
    const summary = {
      status: statusOf(result.outcome.kind, outcome.failed),
      durationMs: result.durationMs,
      initDurationMs,
      maxMemoryUsedMb: result.maxMemoryUsedMb,
      errorType: outcome.failed ? outcome.errorType : undefined,
      logStream,
      provisioned,
    };
    const running = this.runningFor(request);
    const writeDown = async () => {
      try {
        await this.logs.append(fn.config.logging.logGroup, logStream, events);
      } finally {
        await this.record(request, acceptedAt, summary, running);
      }
    };
    // An environment's first invocation creates its log stream (and maybe the group), a durable write:
    // that one is awaited, so a function's log group and stream exist once its first response is out.
    if (first) await writeDown();
    else this.afterResponse(writeDown);
    const response: InvokeResponse = {
      payload: outcome.payload,
      functionError: outcome.failed ? "Unhandled" : undefined,
      logResult: request.wantLogTail ? logTail(events) : undefined,
      executedVersion: fn.version,
    };
    return { response, result: outcome, streamed: result.outcome.kind === "streamed" };
  }

  private async initFailed(request: InvokeRequest, lease: Lease & { kind: "init-failed" }, acceptedAt: number): Promise<InvokeDetail> {
    const { fn, requestId } = request;
    const outcome = functionResult({ kind: "init-failed", failure: lease.failure }, requestId, fn.config.timeoutSeconds);
    const now = Date.now();
    const shortfall = this.space.shortfall();
    const events: LogEvent[] = [
      ...(shortfall ? [{ timestamp: now, message: lowDiskLine(lease.lines, shortfall) }] : lease.lines),
      { timestamp: now, message: initReportLine(lease.initDurationMs, outcome.resetStatus ?? "error", outcome.errorType) },
      { timestamp: now, message: startLine(requestId, fn.version) },
      { timestamp: now, message: endLine(requestId) },
      {
        timestamp: now,
        message: reportLine({
          requestId,
          durationMs: lease.initDurationMs,
          billedDurationMs: billedDuration(lease.initDurationMs),
          memorySizeMb: fn.config.memoryMb,
          maxMemoryUsedMb: 0,
          initDurationMs: undefined,
          status: outcome.resetStatus,
          errorType: outcome.errorType,
        }),
      },
    ];
    await this.logs.append(fn.config.logging.logGroup, lease.logStream, events);
    await this.record(request, acceptedAt, {
      status: "error",
      durationMs: lease.initDurationMs,
      initDurationMs: lease.initDurationMs,
      maxMemoryUsedMb: 0,
      errorType: outcome.errorType,
      logStream: lease.logStream,
    });
    const response: InvokeResponse = { payload: outcome.payload, functionError: "Unhandled", logResult: request.wantLogTail ? logTail(events) : undefined, executedVersion: fn.version };
    return { response, result: outcome, streamed: false };
  }

  /** Invocations running as `request` ends (itself included): its ConcurrentExecutions figures. */
  private runningFor(request: InvokeRequest): RunningCounts {
    return {
      total: this.inFlight,
      unreserved: this.concurrency.unreservedRunning,
      function: this.concurrency.inFlightOf(request.fn.name),
      invokedArn: this.inFlightByArn.get(request.invokedArn) ?? 0,
    };
  }

  private async record(
    request: InvokeRequest,
    acceptedAt: number,
    r: { status: InvocationStatus; durationMs: number; initDurationMs: number | undefined; maxMemoryUsedMb: number; errorType: string | undefined; logStream: string | undefined; provisioned?: ProvisionedUse | undefined },
    running: RunningCounts = this.runningFor(request),
  ): Promise<void> {
    const { fn } = request;
    const record: InvocationRecord = {
      requestId: request.requestId,
      functionName: fn.name,
      version: fn.version,
      startedAt: acceptedAt,
      durationMs: r.durationMs,
      billedDurationMs: r.status === "throttled" ? 0 : billedDuration(r.durationMs),
      initDurationMs: r.initDurationMs,
      coldStart: r.initDurationMs !== undefined,
      memorySizeMb: fn.config.memoryMb,
      maxMemoryUsedMb: r.maxMemoryUsedMb,
      status: r.status,
      errorType: r.errorType,
      logStream: r.logStream,
      ...(r.provisioned !== undefined ? { provisioned: r.provisioned } : {}),
    };
    for (const observer of this.observers) {
      try {
        observer(record, request.invokedArn, running);
      } catch (error) {
        this.logger.error({ err: error }, "an invocation observer failed");
      }
    }
    try {
      await this.invocations.add(record);
    } catch (error) {
      this.logger.error({ err: error, requestId: request.requestId }, "could not record invocation");
    }
  }
}

function statusOf(kind: InvokeResult["outcome"]["kind"], failed: boolean): InvocationStatus {
  if (kind === "response") return "success";
  if (kind === "streamed") return failed ? "error" : "success";
  if (kind === "timeout") return "timeout";
  if (kind === "error") return "error";
  return "crashed";
}
