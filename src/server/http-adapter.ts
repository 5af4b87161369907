/**
 * Binds the fetch-style service registry to a node:http server (and, on the same port, HTTP/2 with
 * prior knowledge through h2c.ts); the only node:http use on the API side. Each request, whichever
 * protocol brought it, passes the front door first (Host, Origin), then its signature is checked from
 * the headers, and only then is a body read, under the limits of body-reader.ts.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import { Http2ServerResponse, type Http2ServerRequest } from "node:http2";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { COMMON_ERRORS, UnkaiError } from "../core/errors.js";
import type { ActionRequest } from "../core/iam-policy/index.js";
import { LIMITS } from "../core/limits.js";
import { restJsonError } from "../protocol/errors.js";
import type { Caller, UnkaiRequest, UnkaiResponse, Service } from "../protocol/http.js";
import { anonymousCaller, claimedCaller } from "../protocol/sigv4.js";
import { AuthenticationError, payloadMismatch, verifyHeaders, type CredentialLookup, type HeaderVerdict } from "../protocol/sigv4-verify.js";
import { BodyBudget, closeAfterAnswer, guardStreamedBody, readBody, type BodyResult, type WireRequest, type WireResponse } from "./body-reader.js";
import type { FrontDoor } from "./front-door.js";
import { acceptPriorKnowledgeHttp2 } from "./h2c.js";
import { endThisTurn } from "./turn-endings.js";

const MiB = 1024 * 1024;
/** The largest body a signed request may send (CreateFunction with a 50 MB zip, base64). */
const MAX_BODY_BYTES = LIMITS.codeRequestBytes;
/** The largest body of a public request (Function URLs, APIs): what a function can be handed, as on Lambda. */
const PUBLIC_BODY_BYTES = LIMITS.syncPayloadBytes;
/** Public requests' bodies in memory at once, across every connection. */
const PUBLIC_BUDGET_BYTES = 32 * MiB;
/**
 * Bodies of signed requests whose signature needs the body to be checked (no declared hash: botocore's
 * non-S3 calls), at once: one largest CreateFunction plus room for ordinary calls beside it.
 */
const UNVERIFIED_BUDGET_BYTES = 96 * MiB;
/** A client must finish sending its request line and headers within this. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** An idle keep-alive connection (HTTP/1.1) or an HTTP/2 session with no request open is closed after this. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** The largest request head, as node:http's default for HTTP/1.1; HTTP/2 gets the same cap on its header list. */
const MAX_HEADER_BYTES = 16 * 1024;
/** Requests one HTTP/2 connection may have in flight at once. */
const MAX_HTTP2_STREAMS = 100;
/** Headers HTTP/2 forbids in a response (RFC 9113 §8.2.2). */
const CONNECTION_HEADERS = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);
const EMPTY = Buffer.alloc(0);

export interface ApiServerOptions {
  readonly services: readonly Service[];
  readonly defaultRegion: string;
  readonly credentials: CredentialLookup;
  readonly frontDoor: FrontDoor;
  readonly onError: (error: unknown) => void;
  /**
   * IAM enforcement (`--iam enforce`): given the permissions the service says a signed request needs
   * (undefined: the service has no action table; asked only when the caller is not the root), undefined
   * to let it through or AWS's denial sentence, answered as the service's AccessDenied.
   */
  readonly enforce?: (request: UnkaiRequest, needs: () => readonly ActionRequest[] | undefined | Promise<readonly ActionRequest[] | undefined>, serviceName: string) => Promise<string | undefined>;
  /** Hears each answered request: the service that claimed it ("none" if none did) and the status sent (/metrics counts them). */
  readonly onAnswered?: (serviceName: string, status: number) => void;
}

export interface ApiServer {
  /** The listener, HTTP/1.1 and HTTP/2 with prior knowledge on one port. */
  readonly server: Server;
  /** Stops accepting connections; HTTP/2 clients are told (GOAWAY) to open no new requests. In-flight ones go on. */
  close(): void;
  /** Ends every connection, of either protocol. */
  closeAllConnections(): void;
  /** Requests begun and not yet answered (a process handing its connections over waits for none to be left). */
  inFlight(): number;
}

/**
 * Readies `api` to serve connections handed to it (`server.emit("connection", socket)`) without
 * listening itself: node:http enforces the headers timeout and tracks connections for
 * closeAllConnections only once its server has said it is listening.
 */
export function servingHandedConnections(api: ApiServer): ApiServer {
  api.server.emit("listening");
  return api;
}

export function createApiServer({ services, defaultRegion, credentials, frontDoor, onError, enforce, onAnswered }: ApiServerOptions): ApiServer {
  const publicBudget = new BodyBudget(PUBLIC_BUDGET_BYTES);
  const unverifiedBudget = new BodyBudget(UNVERIFIED_BUDGET_BYTES);
  let inFlight = 0;
  const onRequest = (req: WireRequest, res: WireResponse) => {
    inFlight++;
    res.once("close", () => inFlight--);
    handle(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) {
        closeAfterAnswer(req, res);
        res.writeHead(500, { "Content-Type": "application/json" });
      }
      res.end();
    });
  };
  // requestTimeout stays off (uploads may take long); headers have their deadline, bodies body-reader.ts's.
  const server = createServer({
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000, maxHeaderSize: MAX_HEADER_BYTES,
  }, onRequest);
  // `Expect: 100-continue` is answered only once the request has been authenticated (below), and an
  // empty or unknown expectation is ignored, as S3 does, instead of node:http's automatic 417.
  server.on("checkContinue", onRequest);
  server.on("checkExpectation", onRequest);
  const http2 = acceptPriorKnowledgeHttp2(server, onRequest, {
    headersTimeoutMs: HEADERS_TIMEOUT_MS, idleTimeoutMs: KEEP_ALIVE_TIMEOUT_MS, maxHeaderListBytes: MAX_HEADER_BYTES, maxConcurrentStreams: MAX_HTTP2_STREAMS,
  });

  async function handle(req: WireRequest, res: WireResponse): Promise<void> {
    const head = requestHead(req, defaultRegion);
    const service = services.find((s) => s.matches(head)) ?? services.find((s) => s.answersUnclaimed?.(head) === true);
    if (onAnswered) res.once("finish", () => onAnswered(service?.name ?? "none", res.statusCode));
    const refuse = (error: AuthenticationError) => {
      closeAfterAnswer(req, res);
      write(res, head.requestId, service?.rejectUnauthenticated?.(error, head) ?? restJsonError(error, COMMON_ERRORS));
    };
    // A service's CORS rule is read from the store (asynchronously): asked only for an origin the front door refuses otherwise.
    let refusal = frontDoor.check(head.headers.host, head.headers.origin, () => false);
    if (refusal?.reason === "foreign-origin" && service?.allowsOrigin && (await service.allowsOrigin(head, head.headers.origin ?? ""))) refusal = undefined;
    if (refusal) return refuse(new AuthenticationError("AccessDeniedException", refusal.message, refusal.reason));
    const open = service?.public ? (await service.public(head)) === true : false;
    const streamed = service?.streamsBody?.(head) === true;
    const bodyExpected = expectsBody(req);
    let verdict: HeaderVerdict | undefined;
    if (!open) {
      try {
        verdict = await verifyHeaders({ ...head, bodyExpected, streamed }, credentials, Date.now(), { services: service?.signingNames, defaultRegion });
        if (verdict.kind === "verified") permitted(verdict.caller, head);
      } catch (error) {
        if (error instanceof AuthenticationError) return refuse(error);
        throw error;
      }
    }
    continueIfAsked(req, res);
    /** The denial sentence when IAM refuses this request (only signed requests are evaluated); no promise without enforcement. */
    const denial = (service: Service, request: UnkaiRequest): Promise<string | undefined> | undefined => {
      if (!enforce || open) return undefined;
      // Asked lazily: the root's requests are allowed everything, and working out the needs decodes the input.
      return enforce(request, () => service.authorize?.(request), service.name);
    };
    if (service && streamed && verdict?.kind !== "needs-body") {
      guardStreamedBody(req);
      const caller = verdict?.caller ?? anonymousCaller(defaultRegion);
      if (verdict) credentials.used?.(caller);
      const refused = await denial(service, { ...head, caller, body: EMPTY });
      if (refused !== undefined) return refuse(new AuthenticationError("AccessDeniedException", refused, "not-authorized"));
      return write(res, head.requestId, await service.handle({ ...head, caller, bodyStream: req }));
    }
    const maxBytes = open ? PUBLIC_BODY_BYTES : MAX_BODY_BYTES;
    if (Number(req.headers["content-length"] ?? "0") > maxBytes) return answerBody(req, res, head.requestId, "too-large", maxBytes);
    const read: BodyResult = !bodyExpected
      ? { kind: "read", body: EMPTY }
      : await readBody(req, {
        maxBytes,
        budget: open ? publicBudget : verdict?.kind === "needs-body" ? unverifiedBudget : undefined,
        sha256: verdict?.kind === "verified" ? verdict.payloadSha256 : undefined,
      });
    if (read.kind === "hash-mismatch") return refuse(payloadMismatch());
    if (read.kind !== "read") return answerBody(req, res, head.requestId, read.kind, maxBytes);
    let caller: Caller;
    try {
      caller = verdict === undefined ? anonymousCaller(defaultRegion) : verdict.kind === "verified" ? verdict.caller : permitted(await verdict.finish(read.body), head);
    } catch (error) {
      if (error instanceof AuthenticationError) return refuse(error);
      throw error;
    }
    if (!service) return write(res, head.requestId, restJsonError(new UnkaiError("UnknownOperationException", `No Unkai service serves ${head.method} ${head.path}.`), COMMON_ERRORS));
    if (verdict) credentials.used?.(caller);
    const request: UnkaiRequest = { ...head, caller, body: read.body };
    const asked = denial(service, request);
    const refused = asked === undefined ? undefined : await asked;
    if (refused !== undefined) return refuse(new AuthenticationError("AccessDeniedException", refused, "not-authorized"));
    write(res, head.requestId, await service.handle(request));
  }

  return {
    server,
    close: () => {
      server.close();
      http2.goAway();
    },
    closeAllConnections: () => {
      server.closeAllConnections();
      http2.destroyAll();
    },
    inFlight: () => inFlight,
  };
}

/** Tells a client waiting on `Expect: 100-continue` to send its body, once the request may go on. */
function continueIfAsked(req: WireRequest, res: WireResponse): void {
  if (isHttp2(req) || res.headersSent || req.headers.expect?.toLowerCase() !== "100-continue") return;
  (res as ServerResponse).writeContinue();
}

/** Whether a body follows the head: declared by Content-Length or chunking (HTTP/1.1), or a stream not ended with its headers (HTTP/2). */
function expectsBody(req: WireRequest): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return isHttp2(req) ? !req.stream.endAfterHeaders : req.headers["transfer-encoding"] !== undefined;
}

function isHttp2(req: WireRequest): req is Http2ServerRequest {
  return req.httpVersionMajor === 2;
}

/**
 * HTTP/2's pseudo-headers (`:method`, `:path` …) are not headers of the request: they are dropped,
 * and `:authority` stands for Host when the client sent none (RFC 9113 §8.3.1).
 */
function plainHeaders(req: WireRequest): { headers: Record<string, string | undefined>; rawHeaders: string[] } {
  if (!isHttp2(req)) return { headers: req.headers as Record<string, string | undefined>, rawHeaders: req.rawHeaders };
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!name.startsWith(":")) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  const rawHeaders: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (!req.rawHeaders[i]?.startsWith(":")) rawHeaders.push(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const authority = req.headers[":authority"];
  if (headers.host === undefined && typeof authority === "string") {
    headers.host = authority;
    rawHeaders.push("host", authority);
  }
  return { headers, rawHeaders };
}

function requestHead(req: WireRequest, defaultRegion: string): UnkaiRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : "");
  const { headers, rawHeaders } = plainHeaders(req);
  return {
    method: req.method ?? "GET",
    path: q >= 0 ? url.slice(0, q) : url,
    query,
    rawQuery: q >= 0 ? url.slice(q + 1) : "",
    headers,
    rawHeaders,
    body: EMPTY,
    remoteAddress: req.socket.remoteAddress ?? "127.0.0.1",
    requestId: randomUUID(),
    caller: claimedCaller(headers, query, defaultRegion),
  };
}

/** Unkai's own key only presigns code downloads. */
function permitted(caller: Caller, head: UnkaiRequest): Caller {
  if (caller.principal.kind === "unkai" && !(head.method === "GET" && head.path.startsWith("/_unkai/code/"))) {
    throw new AuthenticationError("UnrecognizedClientException", "The security token included in the request is invalid.", "unknown-key");
  }
  return caller;
}

/** The answer for a body Unkai stopped reading; the connection closes after it. */
function answerBody(req: WireRequest, res: WireResponse, requestId: string, kind: "too-large" | "too-slow" | "busy" | "aborted", maxBytes: number): void {
  if (kind === "aborted") return void req.socket.destroy();
  closeAfterAnswer(req, res);
  const error = {
    "too-large": () => new UnkaiError("RequestEntityTooLargeException", `Request must be smaller than ${maxBytes} bytes.`),
    "too-slow": () => new UnkaiError("RequestTimeoutException", "The request body did not arrive in time: Unkai closes a body that sends nothing for 10 s or averages under 16 KiB/s after its first 10 s."),
    busy: () => new UnkaiError("TooManyRequestsException", "Unkai is receiving too many request bodies at once; retry shortly."),
  }[kind]();
  write(res, requestId, restJsonError(error, COMMON_ERRORS));
}

function write(res: WireResponse, requestId: string, response: UnkaiResponse): void {
  const { body } = response;
  const headers = res instanceof Http2ServerResponse ? withoutConnectionHeaders(response.headers) : response.headers;
  if (body instanceof Readable) {
    res.writeHead(response.status, { ...headers, "x-amzn-RequestId": requestId });
    // A client that goes away stops the producer; a producer that fails cuts the response short.
    pipeline(body, res).catch(() => res.destroy());
    return;
  }
  // A text body is handed over as text: node:http then sends it in the head's own write (one syscall
  // instead of a writev of two buffers), with no copy into a Buffer first.
  res.writeHead(response.status, {
    ...headers,
    "x-amzn-RequestId": requestId,
    "Content-Length": body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.length,
  });
  endThisTurn(res, body);
}

/** A response's headers without those HTTP/2 forbids (node:http2 throws on them). */
function withoutConnectionHeaders(headers: UnkaiResponse["headers"]): UnkaiResponse["headers"] {
  if (headers === undefined) return undefined;
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !CONNECTION_HEADERS.has(name.toLowerCase())));
}
