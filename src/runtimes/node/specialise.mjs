// Pooled mode: a runtime process started before any function was assigned (env `_UNKAI_POOLED=1`)
// learns its function from ONE line on stdin: `{"env": {...}, "cwd": "/abs/path"}`.
//
// The line is read with blocking reads outside the event loop: nothing else needs to run while the
// process waits, it wakes up as soon as the line arrives, and stdin never becomes a handle that
// could keep the event loop alive afterwards. Only fd 0's first line is consumed.
//
// Imports only Node built-ins: this file runs inside the sandbox.
import { readSync } from 'node:fs';
import Module from 'node:module';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Reads fd 0 up to the first newline or EOF; returns the text before the newline. */
function readLineSync() {
  const chunk = Buffer.allocUnsafe(64 * 1024);
  const parts = [];
  for (;;) {
    let n;
    try {
      n = readSync(0, chunk, 0, chunk.length, null);
    } catch (err) {
      // A peer may have made the pipe non-blocking; wait for data instead of failing.
      if (err?.code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 1);
        continue;
      }
      if (err?.code !== 'EOF') throw err;
      n = 0;
    }
    if (n === 0) break;
    const read = chunk.subarray(0, n);
    const newline = read.indexOf(10);
    parts.push(Buffer.from(newline === -1 ? read : read.subarray(0, newline)));
    if (newline !== -1) break;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Makes `process.env` exactly `env` (string values). */
function replaceEnv(env) {
  for (const key of Object.keys(process.env)) {
    if (!Object.hasOwn(env, key)) delete process.env[key];
  }
  for (const [key, value] of Object.entries(env)) process.env[key] = String(value);
}

/**
 * Waits for the specialisation line, then replaces the environment and working directory.
 * Throws with a readable message when the line is missing or malformed.
 */
export function specialiseFromStdin() {
  const line = readLineSync();
  let spec;
  try {
    spec = JSON.parse(line);
  } catch (err) {
    const shown = line === '' ? 'nothing (EOF)' : JSON.stringify(line.slice(0, 200));
    throw new Error(`pooled mode expects one JSON line {"env":{...},"cwd":"..."} on stdin, got ${shown}: ${err.message}`, {
      cause: err,
    });
  }
  const env = spec?.env;
  if (env === null || typeof env !== 'object' || Array.isArray(env) || typeof spec.cwd !== 'string') {
    throw new Error('pooled mode expects {"env": {<name>: <string>}, "cwd": "<absolute path>"} on stdin');
  }
  replaceEnv(env);
  process.chdir(spec.cwd);
  // Settings Node reads only at start-up. NODE_PATH feeds the CommonJS global lookup paths, which
  // Module._initPaths (stable for a decade, used by many tools) recomputes. Of NODE_OPTIONS only
  // --enable-source-maps can be applied after start; other flags need a non-pooled start.
  if (process.env.NODE_PATH && typeof Module._initPaths === 'function') Module._initPaths();
  if (/(^|\s)--enable-source-maps(\s|$)/.test(process.env.NODE_OPTIONS ?? '')) {
    process.setSourceMapsEnabled(true);
  }
}
