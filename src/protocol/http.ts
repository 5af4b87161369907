import type { Readable } from "node:stream";
import type { UnkaiError } from "../core/errors.js";
import type { ActionRequest } from "../core/iam-policy/index.js";

/**
 * Unkai's fetch-style core types. Services are `(UnkaiRequest) => Promise<UnkaiResponse>` with no
 * node:http import; src/server/http-adapter.ts binds them to a socket. (Plain objects rather than
 * WHATWG Request/Response: undici's objects cost more than the whole warm-invoke budget.)
 */
export interface UnkaiRequest {
  readonly method: string;
  /** Path without the query string, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The query string exactly as received, without `?` (the gateway's rawQueryString). */
  readonly rawQuery: string;
  /** Lower-cased header names; repeated headers joined as node:http joins them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Headers as received, `[name, value, name, value, …]`, for services that need repeats (the gateway's multiValueHeaders). */
  readonly rawHeaders: readonly string[];
  /** The whole body, or empty when the service streams it (see `Service.streamsBody`). */
  readonly body: Buffer;
  /** The unread body, only for services whose `streamsBody` claimed this request. */
  readonly bodyStream?: Readable;
  /** The client's address, as the socket reports it. */
  readonly remoteAddress: string;
  /** The id every response carries as x-amzn-RequestId (and Invoke passes to the function). */
  readonly requestId: string;
  readonly caller: Caller;
}

/** Who signed the request: its SigV4 credential scope, verified by the adapter before any service runs. */
export interface Caller {
  readonly accessKeyId: string | undefined;
  readonly region: string;
  readonly service: string | undefined;
  /** Whose key signed it; `anonymous` only on a service's public requests. */
  readonly principal: Principal;
}

/** The identity behind a verified signature. */
export type Principal =
  | { readonly kind: "anonymous" }
  /** An access key from `unkai keys`, UNKAI_ACCESS_KEY_ID, or the loopback default `test`. */
  | { readonly kind: "key"; readonly name: string }
  /** An IAM user's access key (IAM CreateAccessKey). */
  | { readonly kind: "user"; readonly userName: string }
  /**
   * Credentials STS AssumeRole issued: the role's ARN, the session's name and the session policies
   * (inline document, managed policy ARNs) that cap what the role's policies allow; its session tags
   * (`aws:PrincipalTag/<key>`, over the role's own) and which of them pass on to a session it assumes.
   */
  | {
    readonly kind: "role-session"; readonly roleArn: string; readonly sessionName: string; readonly sessionPolicy?: string | undefined; readonly sessionPolicyArns?: readonly string[] | undefined;
    readonly sessionTags?: Readonly<Record<string, string>> | undefined; readonly transitiveTagKeys?: readonly string[] | undefined;
  }
  /** An execution environment's session credentials (AWS_SESSION_TOKEN). */
  | { readonly kind: "function"; readonly functionName: string; readonly environmentId: string }
  /** Unkai itself, for URLs it presigns (GetFunction's Code.Location). */
  | { readonly kind: "unkai" };

/**
 * Why a request was refused before any service saw it; the error's code is the restJson/awsJson type.
 * `foreign-host` and `foreign-origin` are the front door's (src/server/front-door.ts), the rest the signature's.
 */
export type AuthFailureReason =
  | "unsigned" | "malformed" | "unknown-key" | "bad-signature" | "skewed" | "expired-url" | "wrong-scope" | "payload-mismatch"
  | "foreign-host" | "foreign-origin"
  /** Signed by a caller whose IAM policies do not allow the request (src/auth/iam-enforcer.ts). */
  | "not-authorized";

/** A refused request (protocol/sigv4-verify.ts and the front door throw these); `reason` lets a service pick its own code. */
export interface AuthRefusal extends UnkaiError {
  readonly reason: AuthFailureReason;
  /** For `wrong-scope`: the part of the credential scope the endpoint refused, and what it expected. */
  readonly scope?: { readonly part: "region" | "service"; readonly got: string; readonly expected: string } | undefined;
}

export interface UnkaiResponse {
  readonly status: number;
  /** An array value writes the header once per element (Set-Cookie). */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** A Readable is written as it produces (chunked unless the headers carry a Content-Length). */
  readonly body?: Buffer | string | Readable;
}

export type Handler = (request: UnkaiRequest) => Promise<UnkaiResponse>;

/** One AWS service (or Unkai's own endpoints): claims the requests it serves. */
export interface Service {
  readonly name: string;
  matches(request: UnkaiRequest): boolean;
  /**
   * The SigV4 signing names the service answers to (the credential scope's service); a request signed
   * for another is refused. Omitted: any name (only the console omits it: it serves unsigned requests only).
   */
  readonly signingNames?: readonly string[];
  /**
   * A user-configured CORS rule (a Function URL's, an HTTP API's) that lets this cross-site Origin in;
   * without it the front door refuses every Origin that is not Unkai's own or one the operator allowed.
   * Asynchronous: the rule is read from the store.
   */
  allowsOrigin?(request: UnkaiRequest, origin: string): Promise<boolean>;
  /** Claims the request body as a stream instead of a buffer (object uploads); the default buffers it. */
  streamsBody?(request: UnkaiRequest): boolean;
  /** Requests served without a signature (health, the console's files, public gateway traffic); may read the store. */
  public?(request: UnkaiRequest): boolean | Promise<boolean>;
  /**
   * A request no service's `matches` claimed that this service answers anyway: S3 takes unsigned
   * path-style bucket requests, so they are refused in S3's XML as AWS's endpoint refuses them.
   */
  answersUnclaimed?(request: UnkaiRequest): boolean;
  /** Renders a refused signature in the service's own protocol; the default is restJson1. */
  rejectUnauthenticated?(error: AuthRefusal, request: UnkaiRequest): UnkaiResponse;
  handle: Handler;
  /**
   * The IAM permissions this request needs (action, resource ARN, the service's condition keys), from the
   * service's authorization table (CONTRIBUTING.md, "Map a service's operations to IAM actions"). Empty:
   * nothing to authorize (sts:GetCallerIdentity, or a request the service refuses with its own error anyway).
   * Computed before `handle`; must not throw for malformed input (return what can be named, the handler refuses it).
   * Synchronous for every table; a Promise only where the resource must be read first (a Function URL's
   * function, src/services/served-apis/), so the other services' hot path stays without an await.
   */
  authorize?(request: UnkaiRequest): readonly ActionRequest[] | Promise<readonly ActionRequest[]>;
  /** Starts the service's background work (sweeps, pollers); called once, after the listener is bound. */
  start?(): void;
  /**
   * Stops that work and waits for it; idempotent. Called at shutdown after requests and invocations
   * have drained, before the store closes.
   */
  close?(): Promise<void>;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): UnkaiResponse {
  return { status, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(value) };
}

export function empty(status: number, headers: Record<string, string> = {}): UnkaiResponse {
  return { status, headers };
}
