// Handler resolution and loading, following the managed Node.js runtime (contracts §7.1).
//
// `_HANDLER` = `path/to/module.export[.nested]`: the directory part is everything before the last
// `/`; the module is the basename up to its FIRST `.`; the rest is a dotted property path into the
// module's exports. Files are tried in the managed runtime's order: extension-less (require),
// `.js` (require, or import() when the nearest package.json says "type": "module"), `.mjs`
// (import()), `.cjs` (require), then Node resolution from the task root and the module's folder.
//
// Imports only Node built-ins and siblings: this file runs inside the sandbox.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeError, safeString } from './errors.mjs';
import { HttpResponseStream } from './response-stream.mjs';

const requireFromRuntime = createRequire(import.meta.url);

/** Marker `awslambda.streamifyResponse` puts on response-streaming handlers. */
export const STREAMING_MARKER = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

function malformed(handler, why) {
  return runtimeError('Runtime.MalformedHandlerName', `Bad handler ${JSON.stringify(handler)}: ${why}`);
}

/** Splits a handler string into `{ dir, moduleName, exportPath }`. */
export function parseHandler(handler) {
  if (typeof handler !== 'string' || handler === '') {
    throw malformed(handler ?? '', 'set _HANDLER to <module>.<export>, e.g. index.handler');
  }
  if (handler.includes('..')) {
    throw malformed(handler, "'..' is not allowed; paths are relative to the task root");
  }
  const slash = handler.lastIndexOf('/');
  const base = handler.slice(slash + 1);
  const dot = base.indexOf('.');
  if (dot <= 0 || dot === base.length - 1) {
    throw malformed(handler, 'expected <module>.<export>, e.g. index.handler');
  }
  return {
    dir: handler.slice(0, slash + 1),
    moduleName: base.slice(0, dot),
    exportPath: base.slice(dot + 1).split('.'),
  };
}

function statOf(file) {
  return statSync(file, { throwIfNoEntry: false });
}

function isFile(file) {
  return statOf(file)?.isFile() === true;
}

/** True when the package.json nearest to `dir` (walking up) declares "type": "module". */
function inModulePackage(dir) {
  for (let current = dir; ; ) {
    let text;
    try {
      text = readFileSync(path.join(current, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        return JSON.parse(text)?.type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

function importFile(file) {
  return import(pathToFileURL(file).href);
}

/** Loads a resolved file by its kind: .mjs / ESM .js via import(), the rest via require. */
async function loadResolved(file) {
  if (file.endsWith('.mjs')) return importFile(file);
  if (file.endsWith('.js') && inModulePackage(path.dirname(file))) return importFile(file);
  try {
    return requireFromRuntime(file);
  } catch (err) {
    if (err?.code === 'ERR_REQUIRE_ESM') return importFile(file);
    throw err;
  }
}

/** Loads the module's exports (CommonJS `module.exports` or the ESM namespace). */
async function loadModule(appRoot, dir, moduleName) {
  const moduleRoot = path.resolve(appRoot, dir);
  const base = path.join(moduleRoot, moduleName);
  if (isFile(base)) return requireFromRuntime(base);
  if (isFile(`${base}.js`)) {
    return inModulePackage(moduleRoot) ? importFile(`${base}.js`) : requireFromRuntime(`${base}.js`);
  }
  if (isFile(`${base}.mjs`)) return importFile(`${base}.mjs`);
  if (isFile(`${base}.cjs`)) return requireFromRuntime(`${base}.cjs`);
  // A folder (index.js / package.json "main"), or a package under node_modules.
  const target = statOf(base)?.isDirectory() ? base : `${dir}${moduleName}`;
  const resolved = requireFromRuntime.resolve(target, { paths: [appRoot, moduleRoot] });
  return loadResolved(resolved);
}

/** Maps loader failures to the managed runtime's error types. */
function classifyLoadError(err) {
  const code = err?.code;
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return runtimeError('Runtime.ImportModuleError', safeString(err), err);
  }
  if (err instanceof SyntaxError) {
    const wrapped = runtimeError('Runtime.UserCodeSyntaxError', safeString(err), err);
    // CommonJS puts `file:line` (then the source line and a caret) before the message; keep the
    // location as the first frame so the trace says where the bad code is.
    const stack = typeof err.stack === 'string' ? err.stack : '';
    const firstLine = stack.slice(0, stack.indexOf('\n'));
    if (/:\d+$/.test(firstLine) && !stack.startsWith(`${err.name}:`)) {
      const header = `${wrapped.name}: ${wrapped.message}`;
      wrapped.stack = `${header}\n    at ${firstLine}${wrapped.stack.slice(header.length)}`;
    }
    return wrapped;
  }
  return err;
}

/**
 * Resolves and loads the handler named by `handlerString` relative to `appRoot`. ESM top-level
 * await completes before this resolves. Resolves `{ handler, streaming, highWaterMark }`; rejects with a
 * `Runtime.*` error (MalformedHandlerName, ImportModuleError, UserCodeSyntaxError,
 * HandlerNotFound) or whatever the module threw while evaluating.
 */
export async function loadHandler(appRoot, handlerString) {
  const { dir, moduleName, exportPath } = parseHandler(handlerString);
  let exports;
  try {
    exports = await loadModule(appRoot, dir, moduleName);
  } catch (err) {
    throw classifyLoadError(err);
  }
  let handler = exports;
  for (const key of exportPath) handler = handler?.[key];
  if (handler === undefined) {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return { handler, streaming: handler[STREAMING_MARKER] === 'response', highWaterMark: handler[HIGH_WATER_MARK] };
}

/**
 * The `awslambda` global user code may reference while loading: `streamifyResponse` marks a
 * handler `async (event, responseStream, context)` (run by invoker.mjs), `HttpResponseStream`
 * writes the HTTP-integration prelude (response-stream.mjs).
 */
export function installAwsLambdaGlobal() {
  globalThis.awslambda = {
    streamifyResponse(handler, options) {
      handler[STREAMING_MARKER] = 'response';
      if (Number.isInteger(options?.highWaterMark)) handler[HIGH_WATER_MARK] = options.highWaterMark;
      return handler;
    },
    HttpResponseStream,
  };
}
