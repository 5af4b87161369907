/**
 * The IPC channel between the main process and a DynamoDB endpoint worker (dynamodb-endpoint.ts,
 * dynamodb-worker.ts): the messages each side sends, and the worker's side of asking and telling.
 * Connections travel as handles beside a `connection` message; the rest is structured-cloned (the
 * channel uses v8 serialization, so a forwarded input's bytes and dates cross as they are).
 */
import type { Socket } from "node:net";
import { restoredError, type ForwardedContext, type ForwardedOutcome } from "../protocol/codecs/forwarded-operations.js";
import type { SigningSecret } from "../protocol/sigv4-verify.js";
import type { LogEvent } from "../store/ports.js";
import type { Config } from "./config.js";

export type ToWorker =
  | { readonly kind: "start"; readonly index: number; readonly config: Config; readonly iteratorKey: string }
  | { readonly kind: "connection" }
  | { readonly kind: "session"; readonly id: number; readonly secret: SigningSecret | undefined }
  | { readonly kind: "outcome"; readonly id: number; readonly outcome: ForwardedOutcome }
  | { readonly kind: "forget-tables"; readonly id: number }
  | { readonly kind: "stop" };

export type FromWorker =
  | { readonly kind: "ready" }
  | { readonly kind: "forgotten"; readonly id: number }
  | { readonly kind: "session"; readonly id: number; readonly accessKeyId: string }
  | { readonly kind: "denials"; readonly group: string; readonly stream: string; readonly events: readonly LogEvent[] }
  | { readonly kind: "run"; readonly id: number; readonly service: string; readonly operation: string; readonly input: object; readonly context: ForwardedContext };

/** How long a worker waits for the main process to say whose a session key is; past it the request fails with a 5xx, which clients retry. */
const ASK_TIMEOUT_MS = 2_000;

export interface WorkerChannel {
  /** A running function's session credentials, from the main process (undefined when it knows none by that id). */
  functionSession(accessKeyId: string): Promise<SigningSecret | undefined>;
  appendDenials(group: string, stream: string, events: readonly LogEvent[]): void;
  /** Has the main process run an operation it registered (ForwardedOperations): its output, or the error it threw. */
  run(service: string, operation: string, input: object, context: ForwardedContext): Promise<unknown>;
  onConnection(listener: (socket: Socket) => void): void;
  onStop(listener: () => void): void;
  /** Told that tables changed: `listener` drops the cached definitions, then the main process is answered. */
  onTablesChanged(listener: () => Promise<void>): void;
  ready(): void;
}

export function workerChannel(process: NodeJS.Process): WorkerChannel {
  const send = (message: FromWorker) => {
    if (process.connected) process.send?.(message);
  };
  const waiting = new Map<number, (secret: SigningSecret | undefined) => void>();
  const running = new Map<number, { resolve: (output: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let connectionListener: ((socket: Socket) => void) | undefined;
  let stopListener: (() => void) | undefined;
  let tablesListener: (() => Promise<void>) | undefined;
  process.on("message", (message: ToWorker, handle: unknown) => {
    if (message.kind === "connection" && handle) connectionListener?.(handle as Socket);
    else if (message.kind === "session") {
      waiting.get(message.id)?.(message.secret);
      waiting.delete(message.id);
    } else if (message.kind === "outcome") {
      const run = running.get(message.id);
      running.delete(message.id);
      if (message.outcome.ok) run?.resolve(message.outcome.output);
      else run?.reject(restoredError(message.outcome.error));
    } else if (message.kind === "forget-tables") {
      const id = message.id;
      void (tablesListener?.() ?? Promise.resolve()).finally(() => send({ kind: "forgotten", id }));
    } else if (message.kind === "stop") stopListener?.();
  });
  // The main process is gone: what it was running is lost to this side (a write may or may not have committed).
  process.on("disconnect", () => {
    for (const run of running.values()) run.reject(new Error("the main process went away while running a forwarded operation"));
    running.clear();
  });
  return {
    functionSession(accessKeyId) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`the main process did not say within ${ASK_TIMEOUT_MS} ms whose session key ${accessKeyId} is`));
        }, ASK_TIMEOUT_MS);
        waiting.set(id, (secret) => {
          clearTimeout(timer);
          resolve(secret);
        });
        send({ kind: "session", id, accessKeyId });
      });
    },
    appendDenials: (group, stream, events) => send({ kind: "denials", group, stream, events }),
    run(service, operation, input, context) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        running.set(id, { resolve, reject });
        if (!process.connected) {
          running.delete(id);
          reject(new Error("the main process is gone"));
          return;
        }
        send({ kind: "run", id, service, operation, input, context });
      });
    },
    onConnection: (listener) => void (connectionListener = listener),
    onStop: (listener) => void (stopListener = listener),
    onTablesChanged: (listener) => void (tablesListener = listener),
    ready: () => send({ kind: "ready" }),
  };
}
