// Function log records, as the managed Node.js runtime writes them (contracts §5.3).
//
// Every record is written synchronously to stdout (fd 1) before the call returns. The host
// attributes stdout lines to the invocation in flight and closes that invocation's log right after
// the runtime posts its result, so a record still sitting in a userland buffer when the POST goes
// out would land in the wrong invocation (or nowhere).
//
// Imports only Node built-ins: this file runs inside the sandbox.
import { writeSync } from 'node:fs';
import { format, types } from 'node:util';

/** Log levels from least to most severe; `AWS_LAMBDA_LOG_LEVEL` hides the ones below it. */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Request id of the current (or last) invocation; `undefined` during Init. */
let requestId;
let jsonFormat = false;
let minLevel = 0;

/** Sets the request id stamped on the following records. */
export function setRequestId(id) {
  requestId = id;
}

/**
 * Writes all of `text` to `fd` before returning. A pipe whose peer made it non-blocking answers
 * EAGAIN when full; we wait 1 ms and retry rather than drop or reorder the record. Any other
 * error (EPIPE: the host has gone) drops the record: logging must never throw into user code.
 */
export function writeFully(fd, text) {
  const buf = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buf.length) {
    try {
      offset += writeSync(fd, buf, offset, buf.length - offset);
    } catch (err) {
      if (err?.code !== 'EAGAIN') return;
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }
}

/**
 * Waits until output the function wrote with process.stdout/stderr.write has reached the pipe:
 * writes to a pipe are asynchronous in Node, and the host closes an invocation's log when the
 * result arrives, so a result must never overtake the output that came before it.
 */
export function stdioFlushed() {
  const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
  if (pending.length === 0) return undefined;
  return Promise.all(pending.map((stream) => new Promise((resolve) => stream.write('', resolve))));
}

/** Writes one runtime diagnostic line to stderr (not a function log record). */
export function warn(message) {
  writeFully(2, `unkai-node-runtime: ${message}\n`);
}

function isError(value) {
  return types.isNativeError(value) || value instanceof Error;
}

function textRecord(level, message) {
  const oneLine = message.includes('\n') ? message.replaceAll('\n', '\r') : message;
  return `${new Date().toISOString()}\t${requestId}\t${level}\t${oneLine}\n`;
}

function jsonRecord(level, args) {
  const record = { timestamp: new Date().toISOString(), level, requestId, message: undefined };
  const first = args[0];
  const type = typeof first;
  const keepValue =
    args.length === 1 &&
    !isError(first) &&
    (type === 'string' || type === 'number' || type === 'boolean' || type === 'object');
  if (keepValue) {
    record.message = first;
    try {
      return JSON.stringify(record) + '\n';
    } catch {
      // Cycles, BigInt inside objects, throwing toJSON: fall back to the formatted text.
    }
  }
  record.message = format(...args);
  const error = args.find(isError);
  if (error !== undefined) {
    record.errorType = String(error.name);
    record.errorMessage = String(error.message);
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record) + '\n';
}

function emit(level, args) {
  writeFully(1, jsonFormat ? jsonRecord(level, args) : textRecord(level, format(...args)));
}

function noop() {}

function methodFor(level) {
  if (LEVELS.indexOf(level) < minLevel) return noop;
  return (...args) => emit(level, args);
}

/** Runs the record formatters once (util.format/inspect load lazily) without writing anything. */
export function warmUpLogging() {
  textRecord('INFO', format('%s %d %j %o', 'warm', 1, { a: [1] }, { b: 'c' }));
  jsonRecord('INFO', [{ a: 1 }]);
}

/**
 * Replaces console.log/info/warn/error/debug/trace (and adds console.fatal) with writers of
 * Lambda-style records. Reads `AWS_LAMBDA_LOG_FORMAT` (`JSON` | text) and `AWS_LAMBDA_LOG_LEVEL`
 * from `env`; call it again to apply a changed env.
 */
export function installConsole(env) {
  jsonFormat = (env.AWS_LAMBDA_LOG_FORMAT ?? '').toUpperCase() === 'JSON';
  minLevel = Math.max(0, LEVELS.indexOf((env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()));
  console.trace = methodFor('TRACE');
  console.debug = methodFor('DEBUG');
  console.info = methodFor('INFO');
  console.log = methodFor('INFO');
  console.warn = methodFor('WARN');
  console.error = methodFor('ERROR');
  console.fatal = methodFor('FATAL');
}

/**
 * Logs a failure the runtime reports (`Invoke Error`, `Uncaught Exception`, ...) as one ERROR
 * record. Text: `<label> \t{"errorType","errorMessage","stack"}`; JSON: the record carries
 * `errorType`, `errorMessage` and `stackTrace`.
 */
export function logFailure(label, shape) {
  if (LEVELS.indexOf('ERROR') < minLevel) return;
  if (!jsonFormat) {
    const detail = { errorType: shape.errorType, errorMessage: shape.errorMessage, stack: shape.trace };
    writeFully(1, textRecord('ERROR', `${label} \t${JSON.stringify(detail)}`));
    return;
  }
  const record = {
    timestamp: new Date().toISOString(),
    level: 'ERROR',
    requestId,
    message: label,
    errorType: shape.errorType,
    errorMessage: shape.errorMessage,
    stackTrace: shape.trace,
  };
  writeFully(1, JSON.stringify(record) + '\n');
}
