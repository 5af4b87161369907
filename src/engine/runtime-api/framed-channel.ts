/** The fd-3 framed channel for Unkai's own bootstraps: same semantics as the HTTP Runtime API. */
import type { Duplex } from "node:stream";
import { LIMITS } from "../../core/limits.js";
import type { Sandbox } from "../sandbox/driver.js";
import type { RuntimeChannel, RuntimeEvent, RuntimeListener } from "./channel.js";
import { encodeFrame, FrameReader, FrameTooLarge, type Frame } from "./frames.js";

/** A frame may carry a result up to the response limit plus its header. */
const MAX_FRAME_BYTES = LIMITS.responsePayloadBytes + 64 * 1024;

export class FramedChannel implements RuntimeChannel {
  private stream: Duplex | undefined;
  private waiting = false;
  private pending: RuntimeEvent | undefined;
  private inFlight: string | undefined;
  /** Request id whose response is being streamed, between stream-start and stream-end/-error. */
  private streaming: string | undefined;
  private readonly reader = new FrameReader(MAX_FRAME_BYTES);

  constructor(private readonly listener: RuntimeListener) {}

  async open(): Promise<Record<string, string>> {
    return { _UNKAI_CHANNEL_FD: "3" };
  }

  attach(sandbox: Sandbox): void {
    const stream = sandbox.channel;
    if (!stream) throw new Error("the sandbox was started without the fd 3 channel");
    this.stream = stream;
    stream.on("error", () => undefined);
    stream.on("data", (chunk: Buffer) => this.read(chunk));
  }

  deliver(event: RuntimeEvent): void {
    this.inFlight = event.requestId;
    if (this.waiting) this.send(event);
    else this.pending = event;
  }

  pauseStream(paused: boolean): void {
    if (paused) this.stream?.pause();
    else this.stream?.resume();
  }

  close(): void {
    this.stream?.destroy();
    this.stream = undefined;
  }

  private send(event: RuntimeEvent): void {
    this.waiting = false;
    const header: Record<string, unknown> = {
      requestId: event.requestId,
      deadlineMs: event.deadlineMs,
      invokedFunctionArn: event.invokedFunctionArn,
      contentType: "application/json",
    };
    if (event.traceId) header.traceId = event.traceId;
    if (event.clientContext) header.clientContext = event.clientContext;
    this.stream?.write(encodeFrame(header, event.payload));
  }

  private read(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (error) {
      // An oversized result is Function.ResponseSizeTooLarge; anything else breaks the channel.
      if (error instanceof FrameTooLarge && this.inFlight) {
        const requestId = this.inFlight;
        this.inFlight = undefined;
        this.listener.onReport({ kind: "too-large", requestId });
      }
      this.close();
      return;
    }
    for (const frame of frames) this.handle(frame);
  }

  private handle({ header, body }: Frame): void {
    const requestId = typeof header.requestId === "string" ? header.requestId : undefined;
    const errorType = typeof header.errorType === "string" ? header.errorType : undefined;
    switch (header.type) {
      case "next": {
        const pending = this.pending;
        this.waiting = true;
        if (pending) {
          this.pending = undefined;
          this.send(pending);
        }
        this.listener.onNext();
        return;
      }
      case "init-error":
        this.listener.onReport({ kind: "init-error", body, errorType });
        return;
      case "response":
      case "error": {
        if (requestId === undefined || requestId !== this.inFlight) return;
        this.inFlight = undefined;
        if (body.length > LIMITS.responsePayloadBytes) this.listener.onReport({ kind: "too-large", requestId });
        else if (header.type === "response") {
          const contentType = typeof header.contentType === "string" ? header.contentType : undefined;
          this.listener.onReport({ kind: "response", requestId, body, contentType });
        } else this.listener.onReport({ kind: "error", requestId, body, errorType });
        return;
      }
      case "stream-start":
        if (requestId === undefined || requestId !== this.inFlight) return;
        this.inFlight = undefined;
        this.streaming = requestId;
        this.listener.onReport({ kind: "stream-start", requestId, contentType: typeof header.contentType === "string" ? header.contentType : undefined });
        return;
      case "stream-chunk":
        if (requestId !== undefined && requestId === this.streaming) this.listener.onReport({ kind: "stream-chunk", requestId, body });
        return;
      case "stream-end":
      case "stream-error":
        if (requestId === undefined || requestId !== this.streaming) return;
        this.streaming = undefined;
        this.listener.onReport({ kind: "stream-end", requestId, error: header.type === "stream-error" ? { errorType, body } : undefined });
        return;
      default:
        this.close();
    }
  }
}
