// Error values the runtime reports, and their wire shape (contracts §7.1 "Error serialization").
//
// Imports only Node built-ins: this file runs inside the sandbox.
import { types } from 'node:util';

/** errorMessage of `Runtime.NodeJsExit`: the event loop emptied before the handler finished. */
export const NODEJS_EXIT_MESSAGE = 'Runtime exited without providing a reason';

/** The `    at ...` frames of a stack (with their leading newline), or '' when there are none. */
function framesOf(stack) {
  if (typeof stack !== 'string') return '';
  const at = stack.search(/\n\s+at /);
  return at === -1 ? '' : stack.slice(at);
}

/**
 * An Error named after a Lambda runtime error type (e.g. `Runtime.HandlerNotFound`). When it wraps
 * `cause`, the stack keeps the cause's frames, which point at the user's code.
 */
export function runtimeError(type, message, cause) {
  const err = new Error(message);
  Error.captureStackTrace(err, runtimeError);
  err.name = type;
  let frames = '';
  try {
    frames = framesOf(cause?.stack);
  } catch {
    // A throwing `stack` getter on a user value: fall back to our own frames.
  }
  err.stack = `${type}: ${message}${frames || framesOf(err.stack)}`;
  return err;
}

/** String(value), never throwing (objects without a prototype, throwing toString). */
export function safeString(value) {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * The `{errorType, errorMessage, trace}` body posted to `/error` and `/init/error`. Errors give
 * name/message/stack lines; any other thrown value gives its typeof and String(value).
 */
export function toErrorShape(value) {
  try {
    if (types.isNativeError(value) || value instanceof Error) {
      const { name, message, stack } = value;
      return {
        errorType: typeof name === 'string' ? name : safeString(name),
        errorMessage: typeof message === 'string' ? message : safeString(message),
        trace: typeof stack === 'string' ? stack.split('\n') : [],
      };
    }
    return { errorType: typeof value, errorMessage: safeString(value), trace: [] };
  } catch {
    // A getter on the error threw; report that instead of losing the invocation.
    return {
      errorType: 'Runtime.UnreadableError',
      errorMessage: 'The handler failed with an error whose name, message or stack could not be read',
      trace: [],
    };
  }
}
