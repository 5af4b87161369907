/**
 * The Lambda Runtime API (2018-06-01) over HTTP for one execution environment: on its own port of the
 * host's loopback, or (sandboxes with a network of their own) on a Unix socket that the sandbox's
 * driver relays to 127.0.0.1:9001 inside it (docs/adr/0005-private-network-per-environment.md).
 * The standard HTTP contract, so any runtime works: our bootstraps, aws-lambda-ric, a curl script.
 * Uses node:http directly: this is the hot path of every invocation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { chmodSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { LIMITS } from "../../core/limits.js";
import type { RuntimeChannel, RuntimeEvent, RuntimeListener } from "./channel.js";

const PREFIX = "/2018-06-01/runtime/";
const OK = JSON.stringify({ status: "OK" });

export class RuntimeApiServer implements RuntimeChannel {
  private readonly server: Server;
  private parked: ServerResponse | undefined;
  private pending: RuntimeEvent | undefined;
  /** Request id the runtime may answer; cleared once answered. */
  private inFlight: string | undefined;
  private initDone = false;
  /** The streamed response being received, if any. */
  private streaming: IncomingMessage | undefined;

  /** `privateSocket`: listen there, for a runtime that reaches it at `address` through its driver's relay. */
  constructor(
    private readonly listener: RuntimeListener,
    private readonly privateSocket?: { readonly path: string; readonly address: string },
  ) {
    this.server = createServer({ keepAliveTimeout: 0, requestTimeout: 0 }, (req, res) => this.route(req, res));
    this.server.headersTimeout = 0;
  }

  /** Listens (on 127.0.0.1 or the private socket) and returns `AWS_LAMBDA_RUNTIME_API=host:port`. */
  async open(): Promise<Record<string, string>> {
    const socket = this.privateSocket;
    if (socket) mkdirSync(dirname(socket.path), { recursive: true, mode: 0o700 });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      if (socket) this.server.listen(socket.path, () => resolve());
      else this.server.listen(0, "127.0.0.1", () => resolve());
    });
    if (socket) {
      chmodSync(socket.path, 0o600);
      return { AWS_LAMBDA_RUNTIME_API: socket.address };
    }
    const { port } = this.server.address() as AddressInfo;
    return { AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` };
  }

  attach(): void {
    // The runtime finds this server through AWS_LAMBDA_RUNTIME_API.
  }

  /** Gives an invocation to the runtime: now if it is waiting on /next, else when it asks. */
  deliver(event: RuntimeEvent): void {
    this.inFlight = event.requestId;
    const parked = this.parked;
    if (parked) {
      this.parked = undefined;
      sendEvent(parked, event);
    } else {
      this.pending = event;
    }
  }

  pauseStream(paused: boolean): void {
    if (paused) this.streaming?.pause();
    else this.streaming?.resume();
  }

  close(): void {
    this.parked?.destroy();
    this.parked = undefined;
    this.server.closeAllConnections();
    this.server.close();
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "";
    if (!url.startsWith(PREFIX)) {
      if (req.method === "GET" && url === "/2018-06-01/ping") return send(res, 200, "pong");
      return sendError(res, 404, "NotFound", `Unknown Runtime API path ${url}.`);
    }
    const rest = url.slice(PREFIX.length);
    if (req.method === "GET" && rest === "invocation/next") return this.next(res);
    if (req.method === "POST" && rest === "init/error") return this.initError(req, res);
    if (req.method === "POST" && rest.startsWith("invocation/")) {
      const slash = rest.indexOf("/", "invocation/".length);
      const requestId = decodeRequestId(rest.slice("invocation/".length, slash));
      const verb = rest.slice(slash + 1);
      if (slash > 0 && requestId !== undefined && (verb === "response" || verb === "error")) return this.result(req, res, requestId, verb);
    }
    sendError(res, 404, "NotFound", `Unknown Runtime API path ${url}.`);
  }

  private next(res: ServerResponse): void {
    if (this.parked) {
      // A runtime polls /next once at a time; a second poll replaces the first.
      this.parked.destroy();
    }
    this.initDone = true;
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      sendEvent(res, pending);
    } else {
      this.parked = res;
      res.on("close", () => {
        if (this.parked === res) this.parked = undefined;
      });
    }
    this.listener.onNext();
  }

  private result(req: IncomingMessage, res: ServerResponse, requestId: string, verb: "response" | "error"): void {
    if (requestId !== this.inFlight) {
      drain(req);
      return sendError(res, 400, "InvalidRequestID", "Invalid request ID");
    }
    const mode = req.headers["lambda-runtime-function-response-mode"];
    if (mode !== undefined && mode !== "streaming") {
      drain(req);
      return sendError(res, 400, "InvalidFunctionResponseMode", "Invalid function response mode");
    }
    if (mode === "streaming" && verb === "response") return this.streamed(req, res, requestId);
    readBody(req, LIMITS.responsePayloadBytes, (body) => {
      if (this.inFlight !== requestId) return sendError(res, 400, "InvalidRequestID", "Invalid request ID");
      this.inFlight = undefined;
      if (body === undefined) {
        sendError(res, 413, "RequestEntityTooLarge", `Exceeded maximum allowed payload size (${LIMITS.responsePayloadBytes} bytes).`);
        this.listener.onReport({ kind: "too-large", requestId });
        return;
      }
      send(res, 202, OK);
      if (verb === "response") {
        this.listener.onReport({ kind: "response", requestId, body, contentType: req.headers["content-type"] });
      } else {
        const errorType = header(req, "lambda-runtime-function-error-type");
        this.listener.onReport({ kind: "error", requestId, body, errorType });
      }
    });
  }

  /** A streamed response: chunks are reported as they arrive; an error comes in the trailers. */
  private streamed(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    this.inFlight = undefined;
    this.streaming = req;
    req.once("close", () => {
      if (this.streaming === req) this.streaming = undefined;
    });
    this.listener.onReport({ kind: "stream-start", requestId, contentType: req.headers["content-type"] });
    req.on("data", (body: Buffer) => this.listener.onReport({ kind: "stream-chunk", requestId, body }));
    req.once("end", () => {
      send(res, 202, OK);
      const errorType = req.trailers["lambda-runtime-function-error-type"];
      const errorBody = req.trailers["lambda-runtime-function-error-body"];
      const error = errorType === undefined && errorBody === undefined
        ? undefined
        : { errorType, body: errorBody === undefined ? Buffer.from(JSON.stringify({ errorType, errorMessage: "" })) : Buffer.from(errorBody, "base64") };
      this.listener.onReport({ kind: "stream-end", requestId, error });
    });
  }

  private initError(req: IncomingMessage, res: ServerResponse): void {
    if (this.initDone) {
      drain(req);
      return sendError(res, 403, "InvalidStateTransition", "State transition from Ready to InitError failed for runtime.");
    }
    readBody(req, LIMITS.responsePayloadBytes, (body) => {
      send(res, 202, OK);
      const errorType = header(req, "lambda-runtime-function-error-type");
      this.listener.onReport({ kind: "init-error", body: body ?? Buffer.alloc(0), errorType });
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendEvent(res: ServerResponse, event: RuntimeEvent): void {
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": event.payload.length,
    "Lambda-Runtime-Aws-Request-Id": event.requestId,
    "Lambda-Runtime-Deadline-Ms": event.deadlineMs,
    "Lambda-Runtime-Invoked-Function-Arn": event.invokedFunctionArn,
  };
  if (event.traceId) headers["Lambda-Runtime-Trace-Id"] = event.traceId;
  if (event.clientContext) headers["Lambda-Runtime-Client-Context"] = event.clientContext;
  res.writeHead(200, headers);
  res.end(event.payload);
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, errorType: string, errorMessage: string): void {
  send(res, status, JSON.stringify({ errorMessage, errorType }));
}

function drain(req: IncomingMessage): void {
  req.resume();
}

/** Reads the body up to `limit` bytes; calls back with undefined when it is larger. */
function readBody(req: IncomingMessage, limit: number, done: (body: Buffer | undefined) => void): void {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) {
    req.resume();
    req.once("end", () => done(undefined));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) over = true;
    else chunks.push(chunk);
  });
  req.once("end", () => done(over ? undefined : chunks.length === 1 ? (chunks[0]) : Buffer.concat(chunks)));
}

/** A request id from the path; undefined when its percent-encoding is not UTF-8 (answered 404, never thrown). */
function decodeRequestId(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined;
  }
}
