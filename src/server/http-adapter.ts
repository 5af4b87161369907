/**
 * Binds the fetch-style service registry to a node:http server; the only node:http use on the API side.
 * Each request passes the front door first (Host, Origin), then its signature is checked from the
 * headers, and only then is a body read, under the limits of body-reader.ts.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { COMMON_ERRORS, UnkaiError } from "../core/errors.js";
import { LIMITS } from "../core/limits.js";
import { restJsonError } from "../protocol/errors.js";
import type { Caller, UnkaiRequest, UnkaiResponse, Service } from "../protocol/http.js";
import { anonymousCaller, claimedCaller } from "../protocol/sigv4.js";
import { AuthenticationError, payloadMismatch, verifyHeaders, type CredentialLookup, type HeaderVerdict } from "../protocol/sigv4-verify.js";
import { BodyBudget, closeAfterAnswer, guardStreamedBody, readBody, type BodyResult } from "./body-reader.js";
import type { FrontDoor } from "./front-door.js";

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
const EMPTY = Buffer.alloc(0);

export interface ApiServerOptions {
  readonly services: readonly Service[];
  readonly defaultRegion: string;
  readonly credentials: CredentialLookup;
  readonly frontDoor: FrontDoor;
  readonly onError: (error: unknown) => void;
}

export function createApiServer({ services, defaultRegion, credentials, frontDoor, onError }: ApiServerOptions): Server {
  const publicBudget = new BodyBudget(PUBLIC_BUDGET_BYTES);
  const unverifiedBudget = new BodyBudget(UNVERIFIED_BUDGET_BYTES);
  // requestTimeout stays off (uploads may take long); headers have their deadline, bodies body-reader.ts's.
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) {
        closeAfterAnswer(req, res);
        res.writeHead(500, { "Content-Type": "application/json" });
      }
      res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = requestHead(req, defaultRegion);
    const service = services.find((s) => s.matches(head));
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
    const bodyExpected = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? "0") > 0;
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
    if (service && streamed && verdict?.kind !== "needs-body") {
      guardStreamedBody(req);
      const caller = verdict?.caller ?? anonymousCaller(defaultRegion);
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
    write(res, head.requestId, await service.handle({ ...head, caller, body: read.body }));
  }

  return server;
}

function requestHead(req: IncomingMessage, defaultRegion: string): UnkaiRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : "");
  const headers = req.headers as Record<string, string | undefined>;
  return {
    method: req.method ?? "GET",
    path: q >= 0 ? url.slice(0, q) : url,
    query,
    rawQuery: q >= 0 ? url.slice(q + 1) : "",
    headers,
    rawHeaders: req.rawHeaders,
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
function answerBody(req: IncomingMessage, res: ServerResponse, requestId: string, kind: "too-large" | "too-slow" | "busy" | "aborted", maxBytes: number): void {
  if (kind === "aborted") return void req.socket.destroy();
  closeAfterAnswer(req, res);
  const error = {
    "too-large": () => new UnkaiError("RequestEntityTooLargeException", `Request must be smaller than ${maxBytes} bytes.`),
    "too-slow": () => new UnkaiError("RequestTimeoutException", "The request body did not arrive in time: Unkai closes a body that sends nothing for 10 s or averages under 16 KiB/s after its first 10 s."),
    busy: () => new UnkaiError("TooManyRequestsException", "Unkai is receiving too many request bodies at once; retry shortly."),
  }[kind]();
  write(res, requestId, restJsonError(error, COMMON_ERRORS));
}

function write(res: ServerResponse, requestId: string, response: UnkaiResponse): void {
  const { body } = response;
  if (body instanceof Readable) {
    res.writeHead(response.status, { ...response.headers, "x-amzn-RequestId": requestId });
    // A client that goes away stops the producer; a producer that fails cuts the response short.
    pipeline(body, res).catch(() => res.destroy());
    return;
  }
  const bytes = body === undefined ? undefined : typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(response.status, {
    ...response.headers,
    "x-amzn-RequestId": requestId,
    "Content-Length": bytes?.length ?? 0,
  });
  res.end(bytes);
}
