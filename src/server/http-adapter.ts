/** Binds the fetch-style service registry to a node:http server. The only node:http use on the API side. */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { COMMON_ERRORS, UnkaiError } from "../core/errors.js";
import { LIMITS } from "../core/limits.js";
import { restJsonError } from "../protocol/errors.js";
import type { Caller, UnkaiRequest, UnkaiResponse, Service } from "../protocol/http.js";
import { anonymousCaller, claimedCaller } from "../protocol/sigv4.js";
import { AuthenticationError, verifySignature, type CredentialLookup } from "../protocol/sigv4-verify.js";

/** The largest request body Unkai reads (CreateFunction with a 50 MB zip, base64). */
const MAX_BODY_BYTES = LIMITS.codeRequestBytes;
const EMPTY = Buffer.alloc(0);

export function createApiServer(services: readonly Service[], defaultRegion: string, credentials: CredentialLookup, onError: (error: unknown) => void): Server {
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
      }
      res.end();
    });
  });
  server.headersTimeout = 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : "");
    const headers = req.headers as Record<string, string | undefined>;
    const head: UnkaiRequest = {
      method: req.method ?? "GET",
      path: q >= 0 ? url.slice(0, q) : url,
      query,
      rawQuery: q >= 0 ? url.slice(q + 1) : "",
      headers,
      rawHeaders: req.rawHeaders,
      body: EMPTY,
      remoteAddress: req.socket.remoteAddress ?? "127.0.0.1",
      requestId,
      caller: claimedCaller(headers, query, defaultRegion),
    };
    const service = services.find((s) => s.matches(head));
    const open = service?.public?.(head) === true;
    /** Verifies the signature (every request but a service's public ones); undefined when refused (and answered). */
    const authenticate = async (body: Buffer | undefined): Promise<Caller | undefined> => {
      if (open) return anonymousCaller(defaultRegion);
      try {
        const caller = await verifySignature({ ...head, body }, credentials, Date.now());
        // Unkai's own key only presigns code downloads.
        if (caller.principal.kind === "unkai" && !(head.method === "GET" && head.path.startsWith("/_unkai/code/"))) {
          throw new AuthenticationError("UnrecognizedClientException", "The security token included in the request is invalid.", "unknown-key");
        }
        return caller;
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        req.resume();
        write(res, requestId, service?.rejectUnauthenticated?.(error, head) ?? restJsonError(error, COMMON_ERRORS));
        return undefined;
      }
    };
    if (service?.streamsBody?.(head)) {
      const caller = await authenticate(undefined);
      if (caller) write(res, requestId, await service.handle({ ...head, caller, bodyStream: req }));
      return;
    }
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      return write(res, requestId, tooLarge());
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return write(res, requestId, tooLarge());
    const caller = await authenticate(body);
    if (!caller) return;
    if (!service) return write(res, requestId, restJsonError(new UnkaiError("UnknownOperationException", `No Unkai service serves ${head.method} ${head.path}.`), COMMON_ERRORS));
    write(res, requestId, await service.handle({ ...head, caller, body }));
  }

  return server;
}

function tooLarge(): UnkaiResponse {
  return restJsonError(new UnkaiError("RequestEntityTooLargeException", `Request must be smaller than ${MAX_BODY_BYTES} bytes.`), COMMON_ERRORS);
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.once("end", () => resolve(size > limit ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once("error", reject);
  });
}
