/**
 * HTTP/2 cleartext with prior knowledge on the HTTP/1.1 listener's own port: the SDK v3 Kinesis
 * client speaks it by default (../shared/reference/services.md §2). Each new connection's first
 * bytes are compared with the HTTP/2 connection preface; a match goes to a node:http2 server, any
 * other byte to the HTTP/1.1 server, with the bytes read so far put back. Both servers call the same
 * request handler (http-adapter.ts), so the front door, SigV4, body limits and services are one.
 */
import type { Server } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from "node:http2";
import type { Socket } from "node:net";

/** What every HTTP/2 client sends first (RFC 9113 §3.4). */
const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");
/** Header fields one request may send (node:http2's default, named here because docs/auth.md states it). */
const MAX_HEADER_FIELDS = 128;

export interface H2cOptions {
  /** A connection must have shown which protocol it speaks within this. */
  readonly headersTimeoutMs: number;
  /** A session with no stream open is closed after this (HTTP/1.1's keep-alive timeout). */
  readonly idleTimeoutMs: number;
  /** The largest header list a request may send (names, values, 32 bytes each); a larger one resets its stream. */
  readonly maxHeaderListBytes: number;
  /** Requests one connection may have in flight at once. */
  readonly maxConcurrentStreams: number;
}

export interface H2c {
  /** Tells every client (GOAWAY) to open no new stream; streams in flight finish. */
  goAway(): void;
  /** Ends every HTTP/2 connection now. */
  destroyAll(): void;
}

/**
 * Puts the preface sniffer in front of `http1`'s own connection handling (its listening socket and
 * any socket emitted on it, such as the sandboxes' Unix socket) and serves HTTP/2 with `handler`.
 */
export function acceptPriorKnowledgeHttp2(http1: Server, handler: (req: Http2ServerRequest, res: Http2ServerResponse) => void, options: H2cOptions): H2c {
  const http2 = createHttp2Server({
    maxHeaderListPairs: MAX_HEADER_FIELDS,
    settings: { maxHeaderListSize: options.maxHeaderListBytes, maxConcurrentStreams: options.maxConcurrentStreams },
  }, handler);
  const sessions = new Set<ServerHttp2Session>();
  http2.on("session", (session: ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    closeWhenIdle(session, options.idleTimeoutMs);
  });
  const http1Listeners = http1.listeners("connection") as ((socket: Socket) => void)[];
  http1.removeAllListeners("connection");
  http1.on("connection", (socket: Socket) => {
    sniff(socket, options.headersTimeoutMs, (isHttp2) => {
      if (isHttp2) {
        // The session reads the bytes put back from the socket's buffer itself: no resume here.
        http2.emit("connection", socket);
        return;
      }
      for (const listener of http1Listeners) listener.call(http1, socket);
      socket.resume();
    });
  });
  return {
    goAway: () => sessions.forEach((session) => session.close()),
    destroyAll: () => sessions.forEach((session) => session.destroy()),
  };
}

/**
 * Reads until the bytes either differ from the preface or complete it, puts them back, and says
 * which. A connection that shows neither in time (or closes) is dropped, as HTTP/1.1's headers
 * timeout would drop it.
 */
function sniff(socket: Socket, timeoutMs: number, decide: (isHttp2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => {
    stop();
    socket.destroy();
  }, timeoutMs);
  const stop = () => {
    clearTimeout(timer);
    socket.off("data", onData);
    socket.off("close", stop);
  };
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, PREFACE.length);
    const matches = seen.subarray(0, compared).equals(PREFACE.subarray(0, compared));
    if (matches && compared < PREFACE.length) return;
    stop();
    socket.pause();
    socket.unshift(seen);
    decide(matches);
  };
  socket.on("data", onData);
  socket.once("close", stop);
}

/** Closes a session after `idleMs` without an open stream; a stream in flight, however long, keeps it. */
function closeWhenIdle(session: ServerHttp2Session, idleMs: number): void {
  let open = 0;
  let timer: NodeJS.Timeout | undefined = setTimeout(() => session.close(), idleMs).unref();
  session.on("stream", (stream) => {
    open++;
    clearTimeout(timer);
    timer = undefined;
    stream.once("close", () => {
      open--;
      if (open === 0 && !session.closed) timer = setTimeout(() => session.close(), idleMs).unref();
    });
  });
  session.once("close", () => clearTimeout(timer));
}
