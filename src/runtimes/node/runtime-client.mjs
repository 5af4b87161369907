// HTTP client for the Lambda Runtime API (contracts §1): one keep-alive connection, reused for
// every call. Idle sockets in a Node Agent's free pool are unref'd, so between a POST and the next
// GET the connection does not keep the event loop alive; that is what lets 'beforeExit' signal
// "the function's own work is done" (callbackWaitsForEmptyEventLoop, Runtime.NodeJsExit).
//
// Imports only Node built-ins and siblings: this file runs inside the sandbox.
import http from 'node:http';
import { stdioFlushed, warn } from './logging.mjs';

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

// Created at import time so a pooled (pre-started) process has it ready before it is assigned.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });

/** The Runtime API failed or answered in a way the runtime cannot continue from. */
export class RuntimeApiError extends Error {
  name = 'RuntimeApiError';
}

/** `host:port` (IPv6 as `[::1]:9001`) → `{ host, port }`. */
function parseAddress(address) {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new RuntimeApiError(`AWS_LAMBDA_RUNTIME_API must be host:port, got ${JSON.stringify(address)}`);
  }
  return { host, port };
}

/** Header values must be visible ASCII; error names are user-controlled. */
function headerSafe(value) {
  return String(value).replace(/[^\t\x20-\x7e]/g, '');
}

/** Reads the whole body as UTF-8 text. */
function readBody(res, onBody) {
  const chunks = [];
  res.on('data', (chunk) => chunks.push(chunk));
  res.on('end', () => {
    onBody(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
  });
}

/** Client for one Runtime API endpoint. */
export class RuntimeClient {
  #host;
  #port;
  #nextOptions;

  /** @param {string} address value of AWS_LAMBDA_RUNTIME_API (`host:port`, no scheme) */
  constructor(address) {
    const { host, port } = parseAddress(address);
    this.#host = host;
    this.#port = port;
    // Reused for every /next call: ClientRequest reads these options without keeping or changing them.
    this.#nextOptions = { agent, host, port, method: 'GET', path: `${BASE}/invocation/next` };
  }

  /**
   * Sends one request; resolves `{ status, headers, body }`. No client timeout: /next long-polls.
   * A keep-alive socket the server closed while idle fails with ECONNRESET on reuse; that single
   * case is retried once on a fresh connection.
   */
  #send(options, body, retried = false) {
    return new Promise((resolve, reject) => {
      const req = http.request(options, (res) => {
        readBody(res, (text) => resolve({ status: res.statusCode, headers: res.headers, body: text }));
        res.on('error', reject);
      });
      req.on('error', (err) => {
        if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
          this.#send(options, body, true).then(resolve, reject);
        } else {
          reject(new RuntimeApiError(`Runtime API request ${options.method} ${options.path} failed: ${err.message}`));
        }
      });
      req.end(body);
    });
  }

  /** Long-polls for the next event; resolves `{ headers, body }` (headers lower-cased). */
  async next() {
    const res = await this.#send(this.#nextOptions, undefined);
    if (res.status !== 200) {
      throw new RuntimeApiError(`GET ${this.#nextOptions.path} answered ${res.status}: ${res.body}`);
    }
    return res;
  }

  /**
   * POSTs a JSON body. 5xx means the platform wants the runtime gone (contracts §1.3) and rejects;
   * other non-2xx answers (stale request id, 413 payload too large) are logged to stderr and the
   * runtime carries on with the next event, as the platform has already settled the invocation.
   */
  async #post(path, json, errorType) {
    await stdioFlushed();
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) };
    if (errorType !== undefined) headers['Lambda-Runtime-Function-Error-Type'] = headerSafe(errorType);
    const options = { agent, host: this.#host, port: this.#port, method: 'POST', path, headers };
    const res = await this.#send(options, json);
    if (res.status >= 500) throw new RuntimeApiError(`POST ${path} answered ${res.status}: ${res.body}`);
    if (res.status >= 300) warn(`POST ${path} answered ${res.status}: ${res.body}`);
    return res.status;
  }

  /** Posts the handler's result, already serialised as JSON text. */
  postResponse(requestId, json) {
    return this.#post(`${BASE}/invocation/${encodeURIComponent(requestId)}/response`, json, undefined);
  }

  /** Posts a function error `{errorType, errorMessage, trace}` for one invocation. */
  postError(requestId, shape) {
    const path = `${BASE}/invocation/${encodeURIComponent(requestId)}/error`;
    return this.#post(path, JSON.stringify(shape), shape.errorType);
  }

  /** Posts an Init failure `{errorType, errorMessage, trace}`. */
  postInitError(shape) {
    return this.#post(`${BASE}/init/error`, JSON.stringify(shape), shape.errorType);
  }

  /**
   * Opens a streamed response: a chunked POST /response with
   * `Lambda-Runtime-Function-Response-Mode: streaming`; a failure ends it with the error trailers.
   * Returns the transport response-stream.mjs writes to.
   */
  openStream(requestId, contentType) {
    const path = `${BASE}/invocation/${encodeURIComponent(requestId)}/response`;
    const headers = {
      'Content-Type': headerSafe(contentType),
      'Lambda-Runtime-Function-Response-Mode': 'streaming',
      'Transfer-Encoding': 'chunked',
      Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
    };
    const req = http.request({ agent, host: this.#host, port: this.#port, method: 'POST', path, headers });
    const answered = new Promise((resolve, reject) => {
      req.on('response', (res) => readBody(res, (text) => resolve({ status: res.statusCode, body: text })));
      req.on('error', (err) => reject(new RuntimeApiError(`Runtime API request POST ${path} failed: ${err.message}`)));
    });
    answered.catch(() => undefined); // observed by end() / fail()
    const finish = async (trailers) => {
      await stdioFlushed();
      if (trailers !== undefined) req.addTrailers(trailers);
      req.end();
      const res = await answered;
      if (res.status >= 500) throw new RuntimeApiError(`POST ${path} answered ${res.status}: ${res.body}`);
      if (res.status >= 300) warn(`POST ${path} answered ${res.status}: ${res.body}`);
    };
    return {
      write: (bytes, callback) => {
        req.write(bytes, (err) => callback(err ?? undefined));
      },
      end: () => finish(undefined),
      fail: (shape) =>
        finish({
          [ERROR_TYPE_TRAILER]: headerSafe(shape.errorType),
          [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(shape)).toString('base64'),
        }),
    };
  }
}

/**
 * Runs one GET and one POST against a throwaway loopback server, so that a pooled process pays
 * Node's first-request costs (measured: first /next 7–11 ms cold vs ~2 ms warmed) before it is
 * assigned a function instead of after. Failures are ignored: this is only an optimisation.
 */
export async function warmUpHttp() {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const client = new RuntimeClient(`127.0.0.1:${server.address().port}`);
    await client.next();
    await client.postResponse('warm-up', '{}');
  } catch {
    // No loopback in this sandbox, or similar: the first real request simply starts cold.
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
