/**
 * Reading request bodies into memory without letting a client hold that memory: a cap per request,
 * a shared budget for bodies whose sender is not proven yet, a deadline on progress, and the
 * declared payload hash checked once the whole body is in. The limits are listed in docs/auth.md.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { sha256Hex } from "../core/sha256.js";

/** A request as either protocol's server hands it over (HTTP/1.1, or HTTP/2 through h2c.ts). */
export type WireRequest = IncomingMessage | Http2ServerRequest;
export type WireResponse = ServerResponse | Http2ServerResponse;

/** How long a body may go without a byte, and the slowest average it may keep up after a grace period. */
export const BODY_TIMING = { idleMs: 10_000, graceMs: 10_000, minBytesPerSecond: 16 * 1024, checkEveryMs: 1_000 } as const;
/** After an answer sent before the body was read, how long the client gets to take it before the socket closes. */
const LINGER_MS = 1_000;

/** Bytes held in memory by bodies in flight, shared by every request of one kind; a request over it is turned away. */
export class BodyBudget {
  private used = 0;
  constructor(readonly limitBytes: number) {}

  take(bytes: number): boolean {
    if (this.used + bytes > this.limitBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

export type BodyResult =
  | { readonly kind: "read"; readonly body: Buffer }
  | { readonly kind: "too-large" | "too-slow" | "busy" | "hash-mismatch" | "aborted" };

export interface BodyOptions {
  readonly maxBytes: number;
  /** Unproven senders' bodies count against this budget while they arrive; undefined: no budget (a verified signature). */
  readonly budget: BodyBudget | undefined;
  /** The hex SHA-256 the (already verified) signature declared for the payload. */
  readonly sha256: string | undefined;
}

/** A body being read: when it started, when its last byte came, how much came, and how to stop it. */
interface Watched {
  readonly startedAt: number;
  lastByteAt: number;
  size: number;
  readonly tooSlow: () => void;
}

/**
 * One ticker for every body in flight, started with the first and left running (unref'd: it keeps no
 * process alive), so no request pays for a timer of its own.
 */
const watched = new Set<Watched>();
let ticker: NodeJS.Timeout | undefined;

function watch(body: Watched): void {
  watched.add(body);
  ticker ??= setInterval(() => {
    const now = Date.now();
    for (const b of watched) {
      const elapsedMs = now - b.startedAt;
      const slow = elapsedMs > BODY_TIMING.graceMs && b.size < (BODY_TIMING.minBytesPerSecond * (elapsedMs - BODY_TIMING.graceMs)) / 1000;
      if (now - b.lastByteAt > BODY_TIMING.idleMs || slow) b.tooSlow();
    }
  }, BODY_TIMING.checkEveryMs).unref();
}

function unwatch(body: Watched): void {
  watched.delete(body);
}

/** Reads the whole body under `options`; whatever the outcome, nothing stays reserved once it resolves. */
export function readBody(req: WireRequest, options: BodyOptions): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const now = Date.now();
    const state: Watched = { startedAt: now, lastByteAt: now, size: 0, tooSlow: () => finish({ kind: "too-slow" }) };
    let done = false;
    const finish = (result: BodyResult) => {
      if (done) return;
      done = true;
      unwatch(state);
      options.budget?.give(state.size);
      req.off("data", onData);
      if (result.kind !== "read") req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      state.lastByteAt = Date.now();
      if (state.size + chunk.length > options.maxBytes) return finish({ kind: "too-large" });
      if (options.budget && !options.budget.take(chunk.length)) return finish({ kind: "busy" });
      state.size += chunk.length;
      chunks.push(chunk);
    };
    watch(state);
    req.on("data", onData);
    req.once("end", () => {
      const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, state.size);
      // Hashed whole, once it is all here (one call, no Hash object per request): the body is in memory anyway.
      if (options.sha256 !== undefined && sha256Hex(body) !== options.sha256) return finish({ kind: "hash-mismatch" });
      finish({ kind: "read", body });
    });
    req.once("error", () => finish({ kind: "aborted" }));
    req.once("close", () => finish({ kind: "aborted" }));
  });
}

/**
 * For an answer sent without reading the body (refused, too large, too slow): the connection closes
 * once the answer is out, and whatever the client still sends is discarded, never buffered; a client
 * that neither finishes nor leaves loses the socket after a moment.
 */
export function closeAfterAnswer(req: WireRequest, res: WireResponse): void {
  if (req.complete) return;
  const socket = req.socket;
  // HTTP/2 has no Connection header: the stream alone is reset below, the connection's other requests go on.
  if (req.httpVersionMajor !== 2) {
    if (!res.headersSent) res.setHeader("Connection", "close");
    // node:http closes the connection the moment the answer is out; with the client's body still
    // arriving, that close is a reset, which can reach the client before it has read the answer. Only
    // half-close instead (the client reads the answer, then the end) and keep discarding what it sends.
    socket.destroySoon = () => void socket.end();
  }
  res.once("finish", () => {
    req.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}

/** Streamed bodies (S3 uploads go to disk) must keep moving: a socket silent for the idle limit is closed. */
export function guardStreamedBody(req: WireRequest): void {
  if (req.complete) return;
  req.setTimeout(BODY_TIMING.idleMs, () => req.destroy());
  req.once("end", () => req.setTimeout(0));
}
