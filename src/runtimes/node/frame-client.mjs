// Client for Unkai's framed channel (ADR 4): the same interface as RuntimeClient (runtime-client.mjs),
// spoken over an inherited UNIX socket (fd `_UNKAI_CHANNEL_FD`, normally 3) instead of HTTP.
//
// Every frame, both ways: u32 BE header length, u32 BE body length, header (UTF-8 JSON), body.
// Runtime → host headers: {"type":"next"} | {"type":"response",requestId,contentType} |
// {"type":"error",requestId,errorType} | {"type":"init-error",errorType} | a streamed response:
// {"type":"stream-start",requestId,contentType}, {"type":"stream-chunk",requestId} (body = bytes),
// {"type":"stream-end",requestId} or {"type":"stream-error",requestId,errorType}. Host → runtime: one
// event frame per `next`, header {requestId, deadlineMs, invokedFunctionArn, traceId?,
// clientContext?, contentType}, body = the event. The host never answers runtime frames. A result
// and the `next` after it may share one write (postResponse/postError with `thenNext`).
//
// The socket is unref'd except while next() waits for an event, so between an event and its result
// it does not keep the event loop alive: 'beforeExit' still means "the function's own work is done"
// (callbackWaitsForEmptyEventLoop, Runtime.NodeJsExit). A pending write is a libuv request, which
// keeps the loop alive on its own until the frame has reached the kernel.
//
// Imports only Node built-ins and siblings: this file runs inside the sandbox.
import { fstatSync } from 'node:fs';
import net from 'node:net';
import { stdioFlushed } from './logging.mjs';

const PREFIX_LENGTH = 8;
const CHANNEL_FD_DEFAULT = 3;
/** A streamed chunk larger than this travels as several frames. */
const STREAM_CHUNK_BYTES = 1024 * 1024;

/** The channel failed, closed, or carried a frame the runtime cannot continue from. */
export class ChannelError extends Error {
  name = 'ChannelError';
}

/** Error types travel in a JSON header, but are kept to what the HTTP header allows (same semantics). */
function headerSafe(value) {
  return String(value).replace(/[^\t\x20-\x7e]/g, '');
}

/** One frame as bytes. `body` is a string (encoded as UTF-8) or a Buffer. */
export function encodeFrame(header, body) {
  const headerText = JSON.stringify(header);
  const headerLength = Buffer.byteLength(headerText);
  const bodyIsText = typeof body === 'string';
  const bodyLength = bodyIsText ? Buffer.byteLength(body) : body.length;
  const frame = Buffer.allocUnsafe(PREFIX_LENGTH + headerLength + bodyLength);
  frame.writeUInt32BE(headerLength, 0);
  frame.writeUInt32BE(bodyLength, 4);
  frame.write(headerText, PREFIX_LENGTH, 'utf8');
  if (bodyIsText) frame.write(body, PREFIX_LENGTH + headerLength, 'utf8');
  else body.copy(frame, PREFIX_LENGTH + headerLength);
  return frame;
}

const NEXT_FRAME = encodeFrame({ type: 'next' }, '');

/**
 * Incremental frame parser. Chunks are kept as they arrive and joined once per complete frame, so
 * a large event arriving in many chunks is copied once, not once per chunk.
 */
export class FrameDecoder {
  #chunks = [];
  #buffered = 0;
  /** Total length of the frame being read (prefix included), or 0 while its prefix is incomplete. */
  #frameLength = 0;
  #headerLength = 0;

  /** Adds bytes; calls `onFrame(header, body)` for each complete frame. Throws on a malformed header. */
  push(chunk, onFrame) {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#frameLength === 0) {
        if (this.#buffered < PREFIX_LENGTH) return;
        const prefix = this.#chunks[0].length >= PREFIX_LENGTH ? this.#chunks[0] : this.#join();
        this.#headerLength = prefix.readUInt32BE(0);
        this.#frameLength = PREFIX_LENGTH + this.#headerLength + prefix.readUInt32BE(4);
      }
      if (this.#buffered < this.#frameLength) return;
      const all = this.#join();
      const bodyStart = PREFIX_LENGTH + this.#headerLength;
      const headerText = all.toString('utf8', PREFIX_LENGTH, bodyStart);
      const body = all.subarray(bodyStart, this.#frameLength);
      const rest = all.subarray(this.#frameLength);
      this.#chunks = rest.length === 0 ? [] : [rest];
      this.#buffered = rest.length;
      this.#frameLength = 0;
      let header;
      try {
        header = JSON.parse(headerText);
      } catch (err) {
        throw new ChannelError(`frame header is not JSON: ${err.message}`, { cause: err });
      }
      if (header === null || typeof header !== 'object' || Array.isArray(header)) {
        throw new ChannelError('frame header is not a JSON object');
      }
      onFrame(header, body);
    }
  }

  #join() {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#buffered)];
    return this.#chunks[0];
  }
}

function headerText(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * An event frame as RuntimeClient.next() resolves it: `{ status, headers, body }`, headers named
 * and lower-cased like the /next response headers, body decoded as UTF-8.
 */
function toNextResult(header, body) {
  const { requestId } = header;
  if (typeof requestId !== 'string' || requestId === '') {
    throw new ChannelError(`event frame without a requestId: ${JSON.stringify(header).slice(0, 200)}`);
  }
  const headers = { 'lambda-runtime-aws-request-id': requestId };
  if (header.deadlineMs !== undefined) headers['lambda-runtime-deadline-ms'] = String(header.deadlineMs);
  if (header.invokedFunctionArn !== undefined) headers['lambda-runtime-invoked-function-arn'] = header.invokedFunctionArn;
  if (header.contentType !== undefined) headers['content-type'] = header.contentType;
  if (header.traceId !== undefined) headers['lambda-runtime-trace-id'] = header.traceId;
  // Optional, and not in ADR 4's table: accepted so the host can forward them like /next does.
  if (header.clientContext !== undefined) headers['lambda-runtime-client-context'] = headerText(header.clientContext);
  if (header.cognitoIdentity !== undefined) headers['lambda-runtime-cognito-identity'] = headerText(header.cognitoIdentity);
  if (header.tenantId !== undefined) headers['lambda-runtime-aws-tenant-id'] = header.tenantId;
  return { status: 200, headers, body: body.toString('utf8') };
}

/** Client for the framed channel on an inherited file descriptor. */
export class FrameClient {
  #socket;
  #decoder = new FrameDecoder();
  /** `{ resolve, reject }` of the next() waiting for an event, if any. */
  #waiting;
  /** Set once the channel is unusable; every later call rejects with it. */
  #failure;
  /** A `next` frame went out with the last result, and next() has not been called for it yet. */
  #nextSent = false;
  /** The event that answered such a `next` before next() was called. */
  #early;

  /** @param {string | number} fd value of `_UNKAI_CHANNEL_FD` */
  constructor(fd) {
    const number = Number(fd);
    if (!Number.isInteger(number) || number < 0) {
      throw new ChannelError(`_UNKAI_CHANNEL_FD must be a file descriptor number, got ${JSON.stringify(String(fd))}`);
    }
    try {
      this.#socket = new net.Socket({ fd: number, readable: true, writable: true });
    } catch (err) {
      throw new ChannelError(`cannot open the channel on fd ${number}: ${err.message}`, { cause: err });
    }
    this.#socket.unref();
    this.#socket.on('data', (chunk) => this.#onData(chunk));
    this.#socket.on('error', (err) => this.#fail(new ChannelError(`channel failed: ${err.message}`, { cause: err })));
    this.#socket.on('end', () => this.#fail(new ChannelError('the host closed the channel')));
    this.#socket.on('close', () => this.#fail(new ChannelError('the channel was closed')));
  }

  /** Asks for the next event; resolves `{ status, headers, body }` as RuntimeClient.next(). */
  next() {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const early = this.#early;
    if (early !== undefined) {
      this.#early = undefined;
      this.#nextSent = false;
      return Promise.resolve(early);
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.ref();
      if (this.#nextSent) this.#nextSent = false;
      else this.#socket.write(NEXT_FRAME);
    });
  }

  /**
   * Sends the handler's result, already serialised as JSON text. `thenNext`: the caller will ask for
   * the next event right after, so the `next` frame travels in the same write (one syscall and one
   * wake-up of the host instead of two); the next next() call then only waits.
   */
  postResponse(requestId, json, thenNext = false) {
    return this.#post({ type: 'response', requestId, contentType: 'application/json' }, json, thenNext);
  }

  /** Sends a function error `{errorType, errorMessage, trace}` for one invocation; `thenNext` as postResponse. */
  postError(requestId, shape, thenNext = false) {
    const header = { type: 'error', requestId, errorType: undefined };
    if (shape.errorType !== undefined) header.errorType = headerSafe(shape.errorType);
    return this.#post(header, JSON.stringify(shape), thenNext);
  }

  /** Sends an Init failure `{errorType, errorMessage, trace}`. */
  postInitError(shape) {
    const header = { type: 'init-error', errorType: undefined };
    if (shape.errorType !== undefined) header.errorType = headerSafe(shape.errorType);
    return this.#post(header, JSON.stringify(shape));
  }

  /**
   * Opens a streamed response: a `stream-start` frame now, a `stream-chunk` frame (at most
   * 1 MiB each) per write, then `stream-end` or `stream-error`. Returns the transport
   * response-stream.mjs writes to.
   */
  openStream(requestId, contentType) {
    if (this.#failure !== undefined) throw this.#failure;
    this.#socket.write(encodeFrame({ type: 'stream-start', requestId, contentType: headerSafe(contentType) }, ''));
    return {
      write: (bytes, callback) => this.#writeChunk(requestId, bytes, callback),
      end: () => this.#post({ type: 'stream-end', requestId }, ''),
      fail: (shape) => this.#post({ type: 'stream-error', requestId, errorType: headerSafe(shape.errorType) }, JSON.stringify(shape)),
    };
  }

  /** Sends `bytes` as one or more chunk frames; `callback` runs once the last reached the kernel. */
  #writeChunk(requestId, bytes, callback) {
    if (this.#failure !== undefined) return callback(this.#failure);
    if (bytes.length === 0) return callback();
    const header = { type: 'stream-chunk', requestId };
    for (let at = 0; at < bytes.length; at += STREAM_CHUNK_BYTES) {
      const last = at + STREAM_CHUNK_BYTES >= bytes.length;
      const frame = encodeFrame(header, bytes.subarray(at, at + STREAM_CHUNK_BYTES));
      this.#socket.write(frame, last ? (err) => callback(err ? (this.#failure ?? new ChannelError(`channel write failed: ${err.message}`)) : undefined) : undefined);
    }
  }

  /**
   * Writes one frame after the function's stdout/stderr output has reached its pipes (the host
   * closes the invocation's log when the frame arrives). Resolves once the frame has been handed to
   * the kernel, so a caller may exit the process right after.
   */
  async #post(header, body, thenNext = false) {
    await stdioFlushed();
    if (this.#failure !== undefined) throw this.#failure;
    const frame = thenNext ? Buffer.concat([encodeFrame(header, body), NEXT_FRAME]) : encodeFrame(header, body);
    if (thenNext) this.#nextSent = true;
    await new Promise((resolve, reject) => {
      this.#socket.write(frame, (err) => {
        if (err) reject(this.#failure ?? new ChannelError(`channel write failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  #onData(chunk) {
    try {
      this.#decoder.push(chunk, (header, body) => {
        const waiting = this.#waiting;
        if (waiting === undefined) {
          // Asked for with a result (thenNext), before the loop came back to next(): kept until it does.
          if (!this.#nextSent || this.#early !== undefined) throw new ChannelError('the host sent an event that was not asked for');
          this.#early = toNextResult(header, body);
          return;
        }
        const result = toNextResult(header, body);
        this.#waiting = undefined;
        this.#socket.unref();
        waiting.resolve(result);
      });
    } catch (err) {
      this.#fail(err instanceof ChannelError ? err : new ChannelError(String(err?.message ?? err)));
      this.#socket.destroy();
    }
  }

  #fail(err) {
    if (this.#failure !== undefined) return;
    this.#failure = err;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(err);
  }
}

/**
 * True when this process will most likely talk over the framed channel: `_UNKAI_CHANNEL_FD` is set,
 * or (a pre-started process, whose real environment arrives later) fd 3 is an open socket.
 */
export function channelExpected(env) {
  if (env._UNKAI_CHANNEL_FD) return true;
  try {
    return fstatSync(CHANNEL_FD_DEFAULT).isSocket();
  } catch {
    return false;
  }
}

/** Runs the frame codec once on made-up frames, so a pre-started process pays first-use costs early. */
export function warmUpFrames() {
  try {
    const event = encodeFrame(
      { requestId: 'warm-up', deadlineMs: 0, invokedFunctionArn: 'arn', contentType: 'application/json' },
      '{"warm":[1,2.5,null,true,"up"]}',
    );
    new FrameDecoder().push(event, (header, body) => JSON.parse(toNextResult(header, body).body));
    encodeFrame({ type: 'response', requestId: 'warm-up', contentType: 'application/json' }, '{}');
  } catch {
    // Only an optimisation.
  }
}
