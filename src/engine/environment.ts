/**
 * One execution environment: a sandboxed runtime process, its Runtime API, its log stream.
 * Lifecycle: initializing → idle ⇄ busy → dead. One invocation at a time; a failed or timed-out
 * environment is never reused.
 */
import { randomBytes } from "node:crypto";
import { LIMITS } from "../core/limits.js";
import type { LogEvent } from "../store/ports.js";
import type { ExitInfo, Sandbox } from "./sandbox/driver.js";
import { afterPendingIo, LineCapture } from "./log-capture.js";
import type { ChannelKind, RuntimeChannel, RuntimeEvent, RuntimeListener, RuntimeReport, StreamError } from "./runtime-api/channel.js";
import { FramedChannel } from "./runtime-api/framed-channel.js";
import { RuntimeApiServer } from "./runtime-api/server.js";
import { StreamRelay, type StreamSink } from "./stream-relay.js";

export type EnvironmentState = "initializing" | "idle" | "busy" | "dead";

export const isReusable = (state: EnvironmentState) => state === "idle";

/** How an Init ended when it did not end with the runtime asking for work. */
export type InitFailure =
  | { readonly kind: "init-error"; readonly body: Buffer; readonly errorType: string | undefined }
  | { readonly kind: "exit"; readonly exit: ExitInfo }
  | { readonly kind: "init-timeout"; readonly afterMs: number }
  | { readonly kind: "no-entrypoint"; readonly message: string };

/** How one invocation ended. */
export type InvokeOutcome =
  | { readonly kind: "response"; readonly body: Buffer }
  | { readonly kind: "error"; readonly body: Buffer; readonly errorType: string | undefined }
  /** A streamed response that went to a sink; `error` when the function ended it with one. */
  | { readonly kind: "streamed"; readonly error: StreamError | undefined }
  | { readonly kind: "too-large"; readonly limitBytes: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "oom"; readonly limitMb: number }
  | { readonly kind: "exit"; readonly exit: ExitInfo }
  | { readonly kind: "init-failed"; readonly failure: InitFailure };

export interface InvokeResult {
  readonly outcome: InvokeOutcome;
  /** When the runtime got the event and when it answered (epoch ms, fractional). */
  readonly startedAt: number;
  readonly durationMs: number;
  readonly lines: LogEvent[];
  readonly droppedBytes: number;
  readonly maxMemoryUsedMb: number;
}

export interface EnvironmentOptions {
  readonly memoryMb: number;
  readonly timeoutMs: number;
  readonly initTimeoutMs: number;
  readonly killGraceMs: number;
  readonly memoryPollMs: number;
}

/** Lambda's log stream name: `YYYY/MM/DD/[version]<32 hex>`. */
export function logStreamName(version: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${version}]${randomBytes(16).toString("hex")}`;
}

interface Active {
  readonly requestId: string;
  readonly settle: (outcome: InvokeOutcome) => void;
  /** Set once the runtime started streaming its response. */
  relay: StreamRelay | undefined;
}

export class Environment {
  state: EnvironmentState = "initializing";
  /** Set once Init succeeded; reported on (and cleared by) the first invocation. */
  private pendingInitDurationMs: number | undefined;
  private initTaken = false;
  private initLines: LogEvent[] = [];
  private active: Active | undefined;
  private initSettle: ((failure: InitFailure | undefined) => void) | undefined;
  private readonly capture = new LineCapture(LIMITS.logBytesPerInvocation);
  lastUsedAt = Date.now();
  /** Kept initialised by provisioned concurrency: never reaped while idle, replaced when it dies. */
  provisioned = false;
  /** Called once when the environment dies, whatever the cause. */
  onDestroyed: (() => void) | undefined;

  private constructor(
    readonly id: string,
    readonly logStream: string,
    private readonly channel: RuntimeChannel,
    private readonly options: EnvironmentOptions,
  ) {}

  private sandbox: Sandbox | undefined;
  /** The current invocation's stream sink, if its caller streams. */
  private sink: StreamSink | undefined;

  /**
   * Starts Init: `launch` receives the variables that point the runtime at its channel and
   * returns the running sandbox (freshly spawned, or a pre-started one it has just specialised).
   */
  static async create(
    id: string,
    logStream: string,
    options: EnvironmentOptions,
    kind: ChannelKind,
    launch: (channelVariables: Record<string, string>) => Sandbox | Promise<Sandbox>,
    /** Where the HTTP Runtime API listens when the sandbox has a network of its own (see RuntimeApiServer). */
    privateRuntimeApi?: { readonly path: string; readonly address: string },
  ): Promise<{ environment: Environment; failure: InitFailure | undefined }> {
    let environment: Environment | undefined = undefined;
    const listener: RuntimeListener = {
      onNext: () => environment?.onNext(),
      onReport: (report) => environment?.onReport(report),
    };
    const channel = kind === "framed" ? new FramedChannel(listener) : new RuntimeApiServer(listener, privateRuntimeApi);
    environment = new Environment(id, logStream, channel, options);
    const failure = await environment.init(launch);
    return { environment, failure };
  }

  get pid(): number | undefined {
    return this.sandbox?.pid;
  }

  private async init(launch: (channelVariables: Record<string, string>) => Sandbox | Promise<Sandbox>): Promise<InitFailure | undefined> {
    const variables = await this.channel.open();
    const started = performance.now();
    const settled = new Promise<InitFailure | undefined>((resolve) => (this.initSettle = resolve));
    try {
      this.sandbox = await launch(variables);
      this.channel.attach(this.sandbox);
    } catch (error) {
      this.initSettle?.({ kind: "no-entrypoint", message: (error as Error).message });
    }
    const sandbox = this.sandbox;
    if (sandbox) {
      this.capture.follow(sandbox.stdout);
      this.capture.follow(sandbox.stderr);
      void sandbox.exited.then((exit) => this.onExit(exit));
    }
    const timer = setTimeout(() => this.initSettle?.({ kind: "init-timeout", afterMs: this.options.initTimeoutMs }), this.options.initTimeoutMs);
    const failure = await settled;
    clearTimeout(timer);
    this.initSettle = undefined;
    if (failure) {
      await afterPendingIo();
      this.initLines = this.capture.take().lines;
      await this.destroy();
      return failure;
    }
    this.pendingInitDurationMs = performance.now() - started;
    this.initLines = this.capture.take().lines;
    this.state = "idle";
    return undefined;
  }

  /** Log lines written during Init; handed out once. */
  takeInitLines(): LogEvent[] {
    const lines = this.initLines;
    this.initLines = [];
    return lines;
  }

  /** Whether no invocation has taken the Init duration yet (the first one writes the log stream). */
  get firstInvocation(): boolean {
    return !this.initTaken;
  }

  /** The Init duration, on the first invocation only (never after initRanAhead). */
  takeInitDuration(): number | undefined {
    const value = this.pendingInitDurationMs;
    this.pendingInitDurationMs = undefined;
    this.initTaken = true;
    return value;
  }

  /** Init ran ahead of any request (provisioned concurrency): no invocation reports its duration. */
  initRanAhead(): void {
    this.pendingInitDurationMs = undefined;
  }

  /**
   * Runs one invocation. The caller must have taken this environment while idle. A streamed
   * response goes to `sink` as it arrives; without a sink it is collected into one response.
   */
  async invoke(event: Omit<RuntimeEvent, "deadlineMs">, sink?: StreamSink): Promise<InvokeResult> {
    this.state = "busy";
    const startedAt = Date.now();
    const started = performance.now();
    this.sink = sink;
    const outcomePromise = new Promise<InvokeOutcome>((settle) => (this.active = { requestId: event.requestId, settle, relay: undefined }));
    const timer = setTimeout(() => this.settle({ kind: "timeout" }), this.options.timeoutMs);
    // Where the kernel enforces the limit, usage cannot pass it: no timer and no reads per invocation.
    const memoryWatch = this.sandbox?.enforcesMemory ? undefined : setInterval(() => this.checkMemory(), this.options.memoryPollMs);
    this.channel.deliver({ ...event, deadlineMs: startedAt + this.options.timeoutMs });

    const outcome = await outcomePromise;
    // libuv's timer may fire a fraction of a millisecond before performance.now() reaches the
    // timeout; a timed-out invocation ran for the whole timeout.
    const elapsedMs = performance.now() - started;
    const durationMs = outcome.kind === "timeout" ? Math.max(elapsedMs, this.options.timeoutMs) : elapsedMs;
    clearTimeout(timer);
    clearInterval(memoryWatch);
    this.active = undefined;
    this.sink = undefined;
    this.channel.pauseStream(false);
    // One reading of the peak as the invocation ends (a held descriptor under the linux driver).
    const maxMemoryUsedMb = Math.ceil(this.sandbox?.peakMemoryMb() ?? 0);
    if (outcome.kind === "response" || outcome.kind === "error" || outcome.kind === "streamed") {
      await afterPendingIo();
      this.state = "idle";
    } else {
      // The environment is reset: kill it and collect whatever it wrote before dying.
      await this.destroy();
      await this.capture.closed(200);
    }
    this.lastUsedAt = Date.now();
    const { lines, droppedBytes } = this.capture.take();
    return { outcome, startedAt, durationMs, lines, droppedBytes, maxMemoryUsedMb };
  }

  /** Kills the process tree and frees the port. Idempotent. */
  async destroy(graceMs = 0): Promise<void> {
    if (this.state === "dead") return;
    this.state = "dead";
    this.channel.close();
    // The slot is free from now on; the process finishes dying in the background.
    this.onDestroyed?.();
    await this.sandbox?.kill(graceMs);
  }

  private settle(outcome: InvokeOutcome): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    active.settle(outcome);
  }

  private checkMemory(): void {
    const usage = this.sandbox?.memory();
    if (usage && usage.currentMb > this.options.memoryMb) {
      this.settle({ kind: "oom", limitMb: this.options.memoryMb });
    }
  }

  private onNext(): void {
    this.initSettle?.(undefined);
  }

  private onReport(report: RuntimeReport): void {
    if (report.kind === "init-error") {
      this.initSettle?.({ kind: "init-error", body: report.body, errorType: report.errorType });
      return;
    }
    const active = this.active;
    if (report.requestId !== active?.requestId) return;
    switch (report.kind) {
      case "response":
        return this.settle({ kind: "response", body: report.body });
      case "error":
        return this.settle({ kind: "error", body: report.body, errorType: report.errorType });
      case "too-large":
        return this.settle({ kind: "too-large", limitBytes: LIMITS.responsePayloadBytes });
      case "stream-start":
        active.relay = new StreamRelay(this.sink);
        return active.relay.start(report.contentType, (paused) => {
          if (this.active === active) this.channel.pauseStream(paused);
        });
      case "stream-chunk":
        if (active.relay && !active.relay.chunk(report.body)) this.settle({ kind: "too-large", limitBytes: active.relay.limitBytes });
        return;
      case "stream-end":
        if (active.relay) this.settle(active.relay.end(report.error));
    }
  }

  private onExit(exit: ExitInfo): void {
    this.initSettle?.({ kind: "exit", exit });
    // A kernel-enforced memory limit kills without asking; report it as what it was.
    this.settle(this.sandbox?.oomKilled?.() ? { kind: "oom", limitMb: this.options.memoryMb } : { kind: "exit", exit });
    if (this.state === "idle") void this.destroy();
  }
}
