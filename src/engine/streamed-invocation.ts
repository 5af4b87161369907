/** A synchronous invocation answered as a stream: head (content type) first, then chunks, then how it ended. */
import { Readable } from "node:stream";
import type { FunctionResult } from "./platform-log.js";
import type { StreamSink } from "./stream-relay.js";

/** Lambda's content type for a stream whose function set none. */
const DEFAULT_STREAM_CONTENT_TYPE = "application/octet-stream";
/** A buffered (non-streaming) handler's response, sent as one chunk. */
const BUFFERED_CONTENT_TYPE = "application/json";

export interface StreamedInvocation {
  readonly executedVersion: string;
  /** The function's stream content type (`application/vnd.awslambda.http-integration-response` after `HttpResponseStream.from`). */
  readonly contentType: string;
  /** The response bytes as the function writes them; ends when the invocation ends. */
  readonly body: Readable;
  /** Settles after `body` ended: how the invocation finished. Rejects only on a Unkai fault. */
  readonly completion: Promise<StreamCompletion>;
}

export interface StreamCompletion {
  /** Set when the function failed: before the stream began, mid-stream, by timing out or crashing. */
  readonly error: FunctionFailure | undefined;
  /** Base64 of the last 4 KB of log, when asked for. */
  readonly logResult: string | undefined;
}

export interface FunctionFailure {
  readonly errorType: string;
  readonly errorMessage: string;
  /** The error object as Invoke would have returned it. */
  readonly payload: Buffer;
}

/** What the engine's run produced, as far as a stream needs it. */
export interface RunDetail {
  readonly response: { readonly logResult: string | undefined };
  readonly result: FunctionResult;
  readonly streamed: boolean;
}

/**
 * Runs `run` with a sink feeding a Readable. Resolves as soon as the function starts streaming,
 * or when the invocation ends without having streamed (a buffered handler's result becomes the
 * one chunk; a failure becomes the completion's error); rejects when `run` does first (throttles).
 */
export async function streamedInvocation(executedVersion: string, run: (sink: StreamSink) => Promise<RunDetail>): Promise<StreamedInvocation> {
  // A reader that falls behind pauses the function's stream (its writes wait); reading restarts it.
  let pause: (paused: boolean) => void = () => undefined;
  const body = new Readable({ highWaterMark: 1024 * 1024, read: () => pause(false) });
  body.once("close", () => pause(false));
  let contentType: string | undefined;
  /** Whether the caller holds `body` (and so listens for its errors). */
  let handedOut = false;
  let begun: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (begun = resolve));
  const sink: StreamSink = {
    start(type, pauseFunction) {
      contentType = type || DEFAULT_STREAM_CONTENT_TYPE;
      pause = pauseFunction;
      begun();
    },
    chunk(bytes) {
      if (!body.destroyed && !body.push(bytes)) pause(true);
    },
  };
  const detail = run(sink);
  const completion = detail.then(
    ({ response, result, streamed }) => {
      if (!streamed && !result.failed && result.payload.length > 0 && !body.destroyed) body.push(result.payload);
      if (!body.destroyed) body.push(null);
      return { error: result.failed ? failureOf(result) : undefined, logResult: response.logResult };
    },
    (error: unknown) => {
      body.destroy(handedOut ? (error instanceof Error ? error : new Error(String(error))) : undefined);
      throw error;
    },
  );
  // A throttle rejects `detail` before anything streams: the race rethrows it to the caller.
  completion.catch(() => undefined);
  await Promise.race([started, detail]);
  handedOut = true;
  return { executedVersion, contentType: contentType ?? BUFFERED_CONTENT_TYPE, body, completion };
}

function failureOf(result: FunctionResult): FunctionFailure {
  const text = result.payload.toString("utf8");
  let errorMessage = text;
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === "string") errorMessage = parsed.errorMessage;
  } catch {
    // Not JSON (a custom runtime's body): the text is the message.
  }
  return { errorType: result.errorType ?? "Unhandled", errorMessage, payload: result.payload };
}
