/** Carries one invocation's streamed response from the runtime channel to whoever asked for it. */
import { LIMITS } from "../core/limits.js";
import type { StreamError } from "./runtime-api/channel.js";

/** Where a streaming caller receives the response as the function writes it. */
export interface StreamSink {
  /**
   * The stream began (first of the calls below): the function's content type, and `pause` to
   * stop (true) or restart reading from the function while the reader is behind.
   */
  start(contentType: string | undefined, pause: (paused: boolean) => void): void;
  chunk(body: Buffer): void;
}

/** How a relayed stream ended, in the environment's outcome shapes. */
export type RelayEnd =
  | { readonly kind: "streamed"; readonly error: StreamError | undefined }
  | { readonly kind: "response"; readonly body: Buffer }
  | { readonly kind: "error"; readonly body: Buffer; readonly errorType: string | undefined };

/**
 * With a sink (InvokeWithResponseStream, streaming Function URLs) chunks pass straight through,
 * up to the 200 MB streamed-response limit. Without one (a plain Invoke of a streaming handler)
 * they are collected into one buffered response, up to the 6 MB response limit, as Lambda does.
 */
export class StreamRelay {
  private bytes = 0;
  private readonly collected: Buffer[] = [];

  constructor(private readonly sink: StreamSink | undefined) {}

  get limitBytes(): number {
    return this.sink ? LIMITS.streamedResponseBytes : LIMITS.responsePayloadBytes;
  }

  start(contentType: string | undefined, pause: (paused: boolean) => void): void {
    this.sink?.start(contentType, pause);
  }

  /** Passes a chunk on; false once the response has gone over its limit. */
  chunk(body: Buffer): boolean {
    this.bytes += body.length;
    if (this.bytes > this.limitBytes) return false;
    if (this.sink) this.sink.chunk(body);
    else this.collected.push(body);
    return true;
  }

  end(error: StreamError | undefined): RelayEnd {
    if (this.sink) return { kind: "streamed", error };
    if (error) return { kind: "error", body: error.body, errorType: error.errorType };
    return { kind: "response", body: Buffer.concat(this.collected) };
  }
}
