// Runs one invocation at a time and decides when and what to post (contracts §7.1 "Handler styles").
//
// An invocation is RUNNING until its first completion signal:
// - the handler's promise settles, or context.succeed/fail/done is called → post now;
// - callback(err, result) → post now when context.callbackWaitsForEmptyEventLoop is false,
//   otherwise DEFERRED until the event loop empties ('beforeExit', see onEventLoopEmpty);
// - the event loop empties while still RUNNING → `null` for a handler that returned no promise,
//   `Runtime.NodeJsExit` for one whose promise never settled.
// Later signals for the same invocation are ignored. A handler that throws synchronously is
// treated as callback(err), as in the managed runtime.
//
// A streaming handler (awslambda.streamifyResponse) gets `(event, responseStream, context)` and
// must return a promise. Its invocation is settled once the promise has resolved AND the stream
// has been ended (its end sent), or as soon as either fails: the handler's error ends the stream
// with the error (trailers / an error frame). Should the event loop empty before then, it fails
// with `Runtime.NodeJsExit`.
//
// Imports only Node built-ins and siblings: this file runs inside the sandbox.
import { NODEJS_EXIT_MESSAGE, runtimeError, safeString, toErrorShape } from './errors.mjs';
import { logFailure, setRequestId } from './logging.mjs';
import { ResponseStream } from './response-stream.mjs';

const RUNNING = 0;
const DEFERRED = 1;
const SETTLED = 2;

const JSON_CONTENT_TYPE = /json/i;

function noop() {}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';
}

/** The event as the handler sees it: parsed JSON (empty body → `{}`), or the raw text otherwise. */
function parseEvent(contentType, body) {
  if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) return body;
  return body === '' ? {} : JSON.parse(body);
}

/** One invocation's state and the completion functions handed to user code. */
class Invocation {
  constructor(invoker, id) {
    this.id = id;
    this.state = RUNNING;
    this.returnedPromise = false;
    this.context = undefined;
    this.deferredError = undefined;
    this.deferredResult = undefined;
    /** A streaming invocation's responseStream, and whether its handler's promise resolved. */
    this.stream = undefined;
    this.handlerResolved = false;
    this.finished = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.callback = (err, result) => invoker.onCallback(this, err, result);
    this.succeed = (result) => {
      if (this.state === RUNNING) invoker.settle(this, undefined, result);
    };
    this.fail = (err) => {
      // A bare context.fail() / promise rejected with nothing still fails the invocation.
      if (this.state === RUNNING) invoker.settle(this, err ?? 'handled', undefined);
    };
    this.done = (err, result) => {
      if (this.state === RUNNING) invoker.settle(this, err, result);
    };
  }
}

/** Drives invocations of one loaded handler against the Runtime API. */
export class Invoker {
  /** Set once the process is going to exit; the main loop must not ask for more events. */
  stopped = false;
  /** The invocation in flight, or the last one (kept so late failures can be attributed). */
  current = undefined;
  #client;
  #handler;
  #streaming;
  #highWaterMark;
  #makeContext;
  #lastPost = Promise.resolve();
  #traceIdSet = true; // unknown at start: the first invoke without a trace id clears it

  constructor({ client, handler, streaming, highWaterMark, makeContext }) {
    this.#client = client;
    this.#handler = handler;
    this.#streaming = streaming;
    this.#highWaterMark = highWaterMark;
    this.#makeContext = makeContext;
  }

  /** Runs one event from /next; resolves once its result or error has been posted. */
  run({ headers, body }) {
    const rec = new Invocation(this, headers['lambda-runtime-aws-request-id']);
    this.current = rec;
    setRequestId(rec.id);
    this.#forwardTraceId(headers['lambda-runtime-trace-id']);

    let event;
    try {
      event = parseEvent(headers['content-type'], body);
    } catch (err) {
      const message = `The event payload is not valid JSON: ${err.message}`;
      this.settle(rec, runtimeError('Runtime.UnmarshalError', message), undefined);
      return rec.finished;
    }
    rec.context = this.#makeContext(headers, rec);
    if (this.#streaming) {
      this.#runStreaming(rec, event);
      return rec.finished;
    }
    let returned;
    try {
      const handler = this.#handler;
      returned = handler(event, rec.context, rec.callback);
    } catch (err) {
      rec.callback(err ?? 'handled');
      return rec.finished;
    }
    if (isThenable(returned)) {
      rec.returnedPromise = true;
      try {
        returned.then(rec.succeed, rec.fail);
      } catch (err) {
        rec.fail(err);
      }
    }
    return rec.finished;
  }

  /** callback(err, result): post now, or once the event loop is empty (the default). */
  onCallback(rec, err, result) {
    if (rec.state !== RUNNING) return;
    if (!rec.context.callbackWaitsForEmptyEventLoop) {
      this.settle(rec, err, result);
      return;
    }
    rec.state = DEFERRED;
    rec.deferredError = err;
    rec.deferredResult = result;
  }

  /** Called on 'beforeExit': the function has no pending work left. */
  onEventLoopEmpty() {
    const rec = this.current;
    if (rec === undefined) return;
    if (rec.state === DEFERRED) {
      this.settle(rec, rec.deferredError, rec.deferredResult);
    } else if (rec.state === RUNNING && rec.stream !== undefined) {
      this.#failStream(rec, runtimeError('Runtime.NodeJsExit', NODEJS_EXIT_MESSAGE), 'Invoke Error');
    } else if (rec.state === RUNNING) {
      const error = rec.returnedPromise ? runtimeError('Runtime.NodeJsExit', NODEJS_EXIT_MESSAGE) : undefined;
      this.settle(rec, error, null);
    }
  }

  /**
   * Fails the invocation in flight with `err` (logged under `label`) unless it already settled,
   * and stops the loop. Resolves once the last post has completed, so the caller can exit.
   */
  abort(err, label) {
    this.stopped = true;
    const rec = this.current;
    if (rec !== undefined && rec.state !== SETTLED) {
      if (rec.stream !== undefined) this.#failStream(rec, err, label);
      else this.#postError(rec, err, label);
    } else {
      logFailure(label, toErrorShape(err));
    }
    return this.#lastPost.then(noop, noop);
  }

  /** Posts the outcome: an error when `err` is neither undefined nor null, else `result`. */
  settle(rec, err, result) {
    if (err !== undefined && err !== null) {
      this.#postError(rec, err, 'Invoke Error');
      return;
    }
    rec.state = SETTLED;
    let json;
    try {
      json = JSON.stringify(result === undefined ? null : result);
    } catch (cause) {
      const message = `Unable to stringify response body as JSON: ${safeString(cause?.message ?? cause)}`;
      this.#postError(rec, runtimeError('Runtime.MarshalError', message), 'Invoke Error');
      return;
    }
    // JSON.stringify gives undefined for a bare function or symbol.
    this.#track(rec, this.#client.postResponse(rec.id, json ?? 'null', !this.stopped));
  }

  #runStreaming(rec, event) {
    const stream = new ResponseStream((contentType) => this.#client.openStream(rec.id, contentType), this.#highWaterMark);
    rec.stream = stream;
    stream.on('error', (err) => this.#failStream(rec, err, 'Invoke Error'));
    stream.on('finish', () => this.#streamSettled(rec));
    let returned;
    try {
      const handler = this.#handler;
      returned = handler(event, stream, rec.context);
    } catch (err) {
      this.#failStream(rec, err ?? 'handled', 'Invoke Error');
      return;
    }
    if (!isThenable(returned)) {
      this.#failStream(rec, new Error('Streaming does not support non-async handlers.'), 'Invoke Error');
      return;
    }
    returned.then(
      (result) => {
        if (result !== undefined) console.warn('Streaming handlers ignore return values.');
        rec.handlerResolved = true;
        this.#streamSettled(rec);
      },
      (err) => this.#failStream(rec, err ?? 'handled', 'Invoke Error'),
    );
  }

  /** Settles a streaming invocation once its handler resolved and its stream's end was sent. */
  #streamSettled(rec) {
    if (rec.state !== RUNNING || !rec.handlerResolved || !rec.stream.writableFinished) return;
    rec.state = SETTLED;
    rec.resolve();
  }

  /** Ends a streaming invocation with an error, unless it already settled. */
  #failStream(rec, err, label) {
    if (rec.state === SETTLED) return;
    rec.state = SETTLED;
    const shape = toErrorShape(err);
    logFailure(label, shape);
    this.#track(rec, ResponseStream.fail(rec.stream, shape));
  }

  #postError(rec, err, label) {
    rec.state = SETTLED;
    const shape = toErrorShape(err);
    logFailure(label, shape); // written synchronously, so it is in the log before the POST
    this.#track(rec, this.#client.postError(rec.id, shape, !this.stopped));
  }

  #track(rec, post) {
    this.#lastPost = post;
    post.then(rec.resolve, rec.reject);
  }

  /** Copies the X-Ray header into `_X_AMZN_TRACE_ID` for this invocation, or clears it. */
  #forwardTraceId(traceId) {
    if (traceId !== undefined && traceId !== '') {
      process.env._X_AMZN_TRACE_ID = traceId;
      this.#traceIdSet = true;
    } else if (this.#traceIdSet) {
      delete process.env._X_AMZN_TRACE_ID;
      this.#traceIdSet = false;
    }
  }
}
