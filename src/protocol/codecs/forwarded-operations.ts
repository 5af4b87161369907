/**
 * Operations run in another process than the one that decoded them: a DynamoDB endpoint worker
 * (src/server/dynamodb-worker.ts) checks a write's signature, IAM and input, then has the main process
 * run it, so one process writes the store. This module is the seam's two halves: the main process's
 * registry of operation tables (`ForwardedOperations`), and the plain forms an operation's context,
 * output and error take to cross a structured-clone IPC channel (v8 serialization: Dates and byte
 * arrays cross as they are; classes lose their prototypes, so RawJson and UnkaiError are unwrapped).
 */
import { UnkaiError, type ErrorCode } from "../../core/errors.js";
import type { Caller } from "../http.js";
import type { Protocol } from "./model.js";
import type { Operation, OperationContext, Operations } from "./model-service.js";
import { RawJson } from "./raw-json.js";

/** What an operation may read of its request, in a form that crosses processes. */
export interface ForwardedContext {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly remoteAddress: string;
  readonly requestId: string;
  readonly caller: Caller;
  readonly protocol: Protocol;
  readonly operation: string;
}

export type ForwardedOutcome =
  | { readonly ok: true; readonly output: unknown }
  | { readonly ok: false; readonly error: { readonly code?: string; readonly message: string; readonly extra?: Readonly<Record<string, unknown>>; readonly messageKey?: string | undefined } };

export function forwardedContext(context: OperationContext): ForwardedContext {
  const { request } = context;
  return {
    method: request.method, path: request.path, rawQuery: request.rawQuery, headers: request.headers, remoteAddress: request.remoteAddress,
    requestId: context.requestId, caller: context.caller, protocol: context.protocol, operation: context.operation,
  };
}

function restoredContext(forwarded: ForwardedContext): OperationContext {
  const request = {
    method: forwarded.method, path: forwarded.path, query: new URLSearchParams(forwarded.rawQuery), rawQuery: forwarded.rawQuery,
    headers: forwarded.headers, rawHeaders: [], body: Buffer.alloc(0), remoteAddress: forwarded.remoteAddress, requestId: forwarded.requestId, caller: forwarded.caller,
  };
  return { request, caller: forwarded.caller, protocol: forwarded.protocol, operation: forwarded.operation, requestId: forwarded.requestId };
}

/** `value` with every RawJson (a stored item's text) parsed: what the codec would have written of it. */
function plain(value: unknown): unknown {
  if (value instanceof RawJson) return value.toJSON();
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object" || value instanceof Date || ArrayBuffer.isView(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) copy[key] = plain(member);
  return copy;
}

/** The error a forwarded operation threw, rebuilt where its request is answered: an UnkaiError keeps its code, message and members. */
export function restoredError(error: Extract<ForwardedOutcome, { ok: false }>["error"]): Error {
  if (error.code === undefined) return new Error(error.message);
  const restored = new UnkaiError(error.code as ErrorCode, error.message, error.extra as Record<string, string>);
  return error.messageKey === undefined ? restored : Object.assign(restored, { messageKey: error.messageKey });
}

/** The main process's operation tables, by service, for the requests workers forward. */
export class ForwardedOperations {
  private readonly tables = new Map<string, { readonly serviceId: string; readonly operations: Operations }>();

  register(service: string, serviceId: string, operations: Operations): void {
    this.tables.set(service, { serviceId, operations });
  }

  /** Runs `operation` of `service` as its own process would, and gives its outcome in a form that crosses back. */
  async run(service: string, operation: string, input: object, context: ForwardedContext): Promise<ForwardedOutcome> {
    try {
      const table = this.tables.get(service);
      const implementation: Operation | undefined = table && Object.hasOwn(table.operations, operation) ? table.operations[operation] : undefined;
      if (!table || !implementation) throw new UnkaiError("UnknownOperationException", `${table?.serviceId ?? service} operation ${operation} is not supported by Unkai.`);
      return { ok: true, output: plain(await implementation(input, restoredContext(context))) };
    } catch (error) {
      if (error instanceof UnkaiError) return { ok: false, error: { code: error.code, message: error.message, extra: plain(error.extra) as Record<string, unknown>, messageKey: error.messageKey } };
      return { ok: false, error: { message: (error as Error).message ?? String(error) } };
    }
  }
}
