/**
 * The seam between an environment and its runtime process. Two implementations with one
 * semantics: the standard HTTP Runtime API (any runtime) and a framed pipe on fd 3 (Unkai's own
 * bootstraps, docs/adr/0004-framed-channel.md).
 */
import type { Sandbox } from "../sandbox/driver.js";

/** What the environment hands to a runtime that asked for work. */
export interface RuntimeEvent {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId: string | undefined;
  readonly clientContext: string | undefined;
  readonly payload: Buffer;
}

/** How a runtime ended a response stream with an error. */
export interface StreamError {
  readonly errorType: string | undefined;
  /** The JSON error object, as `/error` would carry it. */
  readonly body: Buffer;
}

/** What a runtime reported back. */
export type RuntimeReport =
  | { readonly kind: "response"; readonly requestId: string; readonly body: Buffer; readonly contentType: string | undefined }
  | { readonly kind: "error"; readonly requestId: string; readonly body: Buffer; readonly errorType: string | undefined }
  | { readonly kind: "too-large"; readonly requestId: string }
  /** A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`) began. */
  | { readonly kind: "stream-start"; readonly requestId: string; readonly contentType: string | undefined }
  | { readonly kind: "stream-chunk"; readonly requestId: string; readonly body: Buffer }
  /** The stream ended; `error` when the runtime ended it with an error (HTTP trailers or an error frame). */
  | { readonly kind: "stream-end"; readonly requestId: string; readonly error: StreamError | undefined }
  | { readonly kind: "init-error"; readonly body: Buffer; readonly errorType: string | undefined };

export interface RuntimeListener {
  /** The runtime asked for work (the first time ends Init). */
  onNext(): void;
  onReport(report: RuntimeReport): void;
}

export type ChannelKind = "http" | "framed";

export interface RuntimeChannel {
  /** Prepares the channel; returns the variables that tell the runtime how to reach it. */
  open(): Promise<Record<string, string>>;
  /** Binds to the started sandbox (the framed channel reads and writes its fd 3). */
  attach(sandbox: Sandbox): void;
  /** Gives an invocation to the runtime: now if it is waiting, else when it asks. */
  deliver(event: RuntimeEvent): void;
  /** Stops (true) or restarts reading a streamed response: backpressure from a slow reader. */
  pauseStream(paused: boolean): void;
  /** Invocation the runtime may still answer; settled ones are dropped on arrival. */
  close(): void;
}
