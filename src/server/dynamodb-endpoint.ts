/**
 * DynamoDB's own endpoint (`--dynamodb-workers N`, `--dynamodb-port`; docs/dynamodb-endpoint.md): a
 * listener whose connections are handed, in turn, to N worker processes (dynamodb-worker.ts) that
 * serve DynamoDB and DynamoDB Streams over the shared store, so item traffic uses more than one core.
 * The main process keeps the listener: a worker that dies is replaced, and while none is ready its
 * connections are served here, by the main process's own DynamoDB (`serveHere`).
 */
import { fork, type ChildProcess } from "node:child_process";
import { chmodSync } from "node:fs";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import type { ForwardedOperations } from "../protocol/codecs/forwarded-operations.js";
import type { TableChanges } from "../services/dynamodb/table-cache.js";
import type { CredentialLookup } from "../protocol/sigv4-verify.js";
import type { LogStore } from "../store/ports.js";
import type { Config } from "./config.js";
import type { FromWorker, ToWorker } from "./worker-channel.js";

const WORKER_SCRIPT = fileURLToPath(new URL("./dynamodb-worker.js", import.meta.url));
/** A worker that dies is started again after this, doubling while it keeps dying young, up to the cap. */
const RESTART_FIRST_MS = 500;
const RESTART_MAX_MS = 30_000;
/** A worker that lived this long is healthy: its next restart is quick again. */
const HEALTHY_AFTER_MS = 60_000;
/** How long a worker may take to say it dropped its cached tables; one that says nothing by then is not serving. */
const FORGET_TIMEOUT_MS = 1_000;
/** How long a stopping worker may take to finish its requests before it is killed. */
const STOP_GRACE_MS = 5_000;

export interface DynamoDbEndpointDeps {
  readonly config: Config;
  /** The key every process seals shard iterators with (Platform.iteratorKey when workers run). */
  readonly iteratorKey: Buffer;
  /** The main process's credentials: workers ask it for running functions' sessions. */
  readonly credentials: CredentialLookup;
  /** The operations workers forward here to run (the main process's own DynamoDB's). */
  readonly operations: ForwardedOperations;
  /** Announced after each control-plane operation: every worker drops its cached tables, and says so, before that operation answers. */
  readonly tableChanges: TableChanges;
  /** Where workers' IAM denials are appended (the decision log group). */
  readonly logs: Pick<LogStore, "append">;
  /** A Unix socket (mode 0600) taking the same connections, which sandboxes' relays reach (unkai.ts' relayedPorts). */
  readonly sandboxSocket?: string | undefined;
  /** Serves a connection in this process (the main API server) while no worker is ready. */
  readonly serveHere: (socket: Socket) => void;
  readonly logger: Logger;
}

export interface DynamoDbEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

interface Worker {
  readonly index: number;
  /** The process now serving this slot (a replacement after a crash); undefined before the first start. */
  child: ChildProcess | undefined;
  ready: boolean;
  startedAt: number;
  restartMs: number;
}

export async function openDynamoDbEndpoint(deps: DynamoDbEndpointDeps): Promise<DynamoDbEndpoint> {
  const { config, logger } = deps;
  let closing = false;
  const workers: Worker[] = [];
  let turn = 0;

  /** Answers `child` only while it still serves its slot: a replacement numbers its questions afresh. */
  const reply = (worker: Worker, child: ChildProcess, message: ToWorker) => {
    if (worker.child === child) send(worker, message);
  };
  const answer = (worker: Worker, child: ChildProcess, message: FromWorker) => {
    if (message.kind === "ready") {
      worker.ready = true;
      logger.info({ worker: worker.index, pid: child.pid }, "DynamoDB worker ready");
    } else if (message.kind === "session") {
      // Only a running function's session: every other key a worker finds in the store itself.
      deps.credentials.find(message.accessKeyId).then(
        (found) => reply(worker, child, { kind: "session", id: message.id, secret: found?.principal.kind === "function" ? found : undefined }),
        () => reply(worker, child, { kind: "session", id: message.id, secret: undefined }),
      ).catch((error: unknown) => logger.error({ err: error }, "could not answer a DynamoDB worker's session question"));
    } else if (message.kind === "run") {
      deps.operations.run(message.service, message.operation, message.input, message.context).then((outcome) => {
        if (!outcome.ok && outcome.error.code === undefined) logger.error({ err: outcome.error, operation: message.operation }, "a DynamoDB worker's forwarded operation failed");
        reply(worker, child, { kind: "outcome", id: message.id, outcome });
      }).catch((error: unknown) => {
        logger.error({ err: error, operation: message.operation }, "could not answer a DynamoDB worker's forwarded operation");
        reply(worker, child, { kind: "outcome", id: message.id, outcome: { ok: false, error: { message: "the main process could not hand the outcome back" } } });
      });
    } else if (message.kind === "denials") {
      deps.logs.append(message.group, message.stream, message.events).catch((error: unknown) => logger.error({ err: error }, "could not record a DynamoDB worker's IAM denial"));
    } else if (message.kind === "forgotten") {
      forgetting.get(message.id)?.();
    }
  };
  /** False when the worker's channel is closed; `sent` hears whether a handed socket reached it. */
  const send = (worker: Worker, message: ToWorker, handle?: Socket, sent?: (error: Error | null) => void) => {
    if (!worker.child?.connected) return false;
    worker.child.send(message, handle, sent);
    return true;
  };
  // Each worker told that tables changed, and its answer awaited (a worker that does not answer in time is restarting or stuck).
  const forgetting = new Map<number, () => void>();
  let nextForget = 1;
  deps.tableChanges.listen(() => Promise.all(workers.map((worker) => new Promise<void>((resolve) => {
    const id = nextForget++;
    const done = () => {
      clearTimeout(timer);
      forgetting.delete(id);
      resolve();
    };
    const timer = setTimeout(done, FORGET_TIMEOUT_MS);
    forgetting.set(id, done);
    if (!send(worker, { kind: "forget-tables", id })) done();
  }))).then(() => undefined));
  const spawn = (worker: Worker) => {
    const child = fork(WORKER_SCRIPT, [], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [], serialization: "advanced" });
    worker.child = child;
    worker.ready = false;
    worker.startedAt = Date.now();
    child.on("message", (message: FromWorker) => answer(worker, child, message));
    child.on("error", (error) => logger.error({ err: error, worker: worker.index }, "DynamoDB worker error"));
    child.on("exit", (code, signal) => {
      worker.ready = false;
      if (closing) return;
      if (Date.now() - worker.startedAt > HEALTHY_AFTER_MS) worker.restartMs = RESTART_FIRST_MS;
      logger.warn({ worker: worker.index, code, signal, restartInMs: worker.restartMs }, "DynamoDB worker exited; starting another");
      const wait = worker.restartMs;
      worker.restartMs = Math.min(RESTART_MAX_MS, worker.restartMs * 2);
      setTimeout(() => {
        if (!closing) spawn(worker);
      }, wait).unref();
    });
    send(worker, { kind: "start", index: worker.index, config, iteratorKey: deps.iteratorKey.toString("base64") });
  };
  const serveHere = (socket: Socket) => {
    deps.serveHere(socket);
    socket.resume();
  };
  const dispatch = (socket: Socket) => {
    for (let tries = 0; tries < workers.length; tries++) {
      const worker = workers[turn++ % workers.length];
      // A worker that died a moment ago may not have been seen to: a connection it could not take is served here.
      if (worker?.ready && send(worker, { kind: "connection" }, socket, (error) => {
        if (error && !socket.destroyed) serveHere(socket);
      })) return;
    }
    serveHere(socket);
  };
  // No Nagle delay on answers, as node:http sets on the main port (the option is on the socket, so it goes with it to the worker).
  const server: Server = createServer({ pauseOnConnect: true, noDelay: true }, dispatch);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.dynamodbPort, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => logger.error({ err: error }, "DynamoDB endpoint listener error"));
  const forSandboxes = deps.sandboxSocket === undefined ? undefined : createServer({ pauseOnConnect: true }, dispatch);
  if (forSandboxes && deps.sandboxSocket) {
    const path = deps.sandboxSocket;
    await new Promise<void>((resolve, reject) => {
      forSandboxes.once("error", (error) => {
        server.close();
        reject(error);
      });
      forSandboxes.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
  }
  // Until they are ready, connections are served here.
  for (let index = 0; index < config.dynamodbWorkers; index++) {
    const worker: Worker = { index, child: undefined, ready: false, startedAt: 0, restartMs: RESTART_FIRST_MS };
    workers.push(worker);
    spawn(worker);
  }
  await untilReady(workers);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    async close() {
      closing = true;
      server.close();
      forSandboxes?.close();
      await Promise.all(workers.map((worker) => (worker.child ? stopWorker(worker.child, () => send(worker, { kind: "stop" })) : Promise.resolve())));
    },
  };
}

/** Waits (up to 20 s) until every worker has said it is ready; a slow one only starts serving later. */
async function untilReady(workers: readonly Worker[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && workers.some((worker) => !worker.ready)) await new Promise((resolve) => setTimeout(resolve, 20));
}

function stopWorker(child: ChildProcess, askToStop: () => boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    if (!askToStop()) child.kill("SIGTERM");
  });
}
