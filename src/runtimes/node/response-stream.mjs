// The `responseStream` a streaming handler writes to, and `awslambda.HttpResponseStream`, as AWS's
// managed Node.js runtime provides them (contracts §1.3 "Response streaming", §7.1).
//
// A ResponseStream is a Writable: `write`, `end`, `setContentType` (until the first write), and it
// works with `stream.pipeline`. Non-byte values written are sent as their JSON text, as AWS's
// runtime does. Nothing reaches the Runtime API until the first write or `end()`: the transport is
// opened then with the content type set so far (default `application/octet-stream`).
//
// A transport is what a client's `openStream(requestId, contentType)` returns:
//   { write(bytes, callback(err?)), end() → Promise, fail(errorShape) → Promise }
// over HTTP (chunked POST /response with error trailers) or frames (stream-* frames).
//
// Imports only Node built-ins and siblings: this file runs inside the sandbox.
import { Writable } from 'node:stream';
import { runtimeError } from './errors.mjs';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** Eight NUL bytes end the JSON prelude of an HTTP-integration response. */
const PRELUDE_DELIMITER_LENGTH = 8;

function asBytes(chunk) {
  if (typeof chunk === 'string' || chunk instanceof Uint8Array) return chunk;
  return JSON.stringify(chunk);
}

export class ResponseStream extends Writable {
  /** Set by HttpResponseStream.from: called with a raw write function just before the first write. */
  _onBeforeFirstWrite = undefined;
  #open;
  #transport;
  #contentType = DEFAULT_CONTENT_TYPE;
  #started = false;
  /** Set once the end (or an error) has been handed to the transport. */
  #closed = false;

  /** @param open `(contentType) => transport`, called once, on the first write or end. */
  constructor(open, highWaterMark) {
    super(Number.isInteger(highWaterMark) ? { highWaterMark } : {});
    this.#open = open;
  }

  setContentType(contentType) {
    if (this.#started) throw runtimeError('Runtime.InvalidStreamingOperation', 'Cannot set content-type, too late.');
    this.#contentType = String(contentType);
  }

  write(chunk, encoding, callback) {
    this.#beforeFirstWrite();
    return super.write(asBytes(chunk), encoding, callback);
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') return this.end(undefined, undefined, chunk);
    if (typeof encoding === 'function') return this.end(chunk, undefined, encoding);
    if (chunk !== undefined && chunk !== null && !this.writableEnded) this.write(chunk, encoding);
    // Ending without a body still sends the prelude, so an HTTP status without a body gets through.
    this.#beforeFirstWrite();
    return super.end(callback);
  }

  _write(chunk, _encoding, callback) {
    this.#transportNow().write(chunk, callback);
  }

  _final(callback) {
    if (this.#closed) return callback();
    this.#closed = true;
    this.#transportNow().end().then(() => callback(), callback);
  }

  /**
   * Ends `stream` with an error (the error trailers / an error frame) unless its end was already
   * sent. Chunks written but not yet handed to the transport are dropped.
   */
  static async fail(stream, errorShape) {
    if (stream.#closed) return;
    stream.#closed = true;
    stream.#started = true;
    await stream.#transportNow().fail(errorShape);
  }

  #beforeFirstWrite() {
    if (this.#started) return;
    this.#started = true;
    const hook = this._onBeforeFirstWrite;
    if (typeof hook === 'function') hook((bytes) => super.write(asBytes(bytes)));
  }

  #transportNow() {
    this.#started = true;
    this.#transport ??= this.#open(this.#contentType);
    return this.#transport;
  }
}

/** `awslambda.HttpResponseStream`: a JSON prelude `{statusCode, headers, cookies}` + 8 NUL bytes, then the body. */
export class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    underlyingStream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(new Uint8Array(PRELUDE_DELIMITER_LENGTH));
    };
    return underlyingStream;
  }
}
