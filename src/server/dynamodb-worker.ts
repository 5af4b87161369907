/**
 * One process of DynamoDB's own endpoint (`--dynamodb-workers`, docs/dynamodb-endpoint.md), forked by
 * dynamodb-endpoint.ts. It opens the same store as the main process and serves DynamoDB and DynamoDB
 * Streams over it with the same services, signature check and IAM enforcement, on the connections
 * the main process hands it. It reads and writes items itself, as a node of a cluster does; every other
 * operation, once its input is decoded and its caller authorized here, runs in the main process
 * (DynamoDbDeps.runElsewhere), which runs the background work too (TTL, streams' mappings, exports).
 * What only the main process knows it asks over the IPC channel (worker-channel.ts): running functions'
 * sessions. Denials it records are appended there.
 */
import { hostname } from "node:os";
import type { Socket } from "node:net";
import { pino } from "pino";
import { isLoopbackHost } from "../auth/access-keys.js";
import { IamChanges, withIamChangeCount } from "../auth/iam-changes.js";
import { ResourceTagChanges, withResourceTagChangeCount } from "../auth/resource-tag-changes.js";
import { UnkaiCredentials } from "../auth/unkai-credentials.js";
import { ServiceMetrics } from "../core/service-metrics.js";
import type { ActionRequest } from "../core/iam-policy/index.js";
import { forwardedContext } from "../protocol/codecs/forwarded-operations.js";
import type { UnkaiRequest } from "../protocol/http.js";
import type { CredentialLookup, SigningSecret } from "../protocol/sigv4-verify.js";
import { ServiceMetricMinutes } from "../services/cloudwatch/service-metric-minutes.js";
import { dynamoDbService, dynamoDbStreamsService } from "../services/dynamodb/index.js";
import { TableChanges } from "../services/dynamodb/table-cache.js";
import { DiskSpace } from "../store/disk-space.js";
import { openStore } from "../store/open-store.js";
import type { Config } from "./config.js";
import { FrontDoor } from "./front-door.js";
import { createApiServer, servingHandedConnections } from "./http-adapter.js";
import { iamEnforcement } from "./iam-enforcement.js";
import { workerChannel, type ToWorker } from "./worker-channel.js";

/** How often this process's AWS/DynamoDB metrics are written for CloudWatch to read. */
const METRICS_FLUSH_MS = 5_000;
/** How long a stopping worker lets its in-flight requests finish (the main process kills it after 5 s). */
const STOP_GRACE_MS = 4_000;

async function runWorker(start: Extract<ToWorker, { kind: "start" }>): Promise<void> {
  const config: Config = start.config;
  const logger = pino({ level: config.logLevel, base: { worker: start.index } }, pino.destination(2));
  const channel = workerChannel(process);
  const nodeName = `${hostname()}-${process.pid}-dynamodb-${start.index}`;
  const logPolicy = { defaultRetentionDays: config.logRetentionDays === 0 ? undefined : config.logRetentionDays, groupMaxBytes: config.logGroupMaxBytes };
  const backend = await openStore({ url: config.store, dataDir: config.dataDir, logPolicy, otherProcesses: true }, (error) => logger.error({ err: error }, "a background store write failed"));
  const iamChanges = new IamChanges();
  const resourceTagChanges = new ResourceTagChanges();
  const store = withResourceTagChangeCount(withIamChangeCount(backend, iamChanges), resourceTagChanges);
  const account = { region: config.region, accountId: config.accountId };
  const own = new UnkaiCredentials({
    keys: store.accessKeys, stsSessions: store.stsSessions, loopback: isLoopbackHost(config.host),
    configured: config.accessKeyId ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
  });
  // A running function's credentials live in the main process only (they end with its environment): asked for each request.
  const credentials: CredentialLookup = {
    find(accessKeyId: string): Promise<SigningSecret | undefined> {
      if (!accessKeyId.startsWith("ASIA")) return own.find(accessKeyId);
      return own.find(accessKeyId).then((found) => found ?? channel.functionSession(accessKeyId));
    },
    used: (caller) => own.used(caller),
  };
  const { enforcer } = iamEnforcement({
    config, store, account, shared: true, iamChanges, resourceTagChanges, nodeName, logger,
    functionRecord: (name) => store.functions.get(name),
    decisions: { append: (group, stream, events) => Promise.resolve(channel.appendDenials(group, stream, events)) },
  });
  // The main process says when the control plane changed tables; this process's service then drops what it cached.
  const tableChanges = new TableChanges();
  channel.onTablesChanged(() => tableChanges.announce());
  const metrics = new ServiceMetrics();
  const minutes = new ServiceMetricMinutes(store.metricData);
  metrics.attach(minutes.sink);
  const flushMetrics = () => minutes.flush().catch((error: unknown) => logger.error({ err: error }, "could not write DynamoDB's metrics"));
  const flushing = setInterval(() => void flushMetrics(), METRICS_FLUSH_MS);
  flushing.unref();
  const deps = {
    store: store.dynamodb, streamShards: store.streamShards, shardLifetimeMs: config.streamShardLifetimeMs, streamRetentionMs: config.streamRetentionMs,
    account, metrics, sharedStore: true, iteratorKey: Buffer.from(start.iteratorKey, "base64"), tableChanges,
    space: new DiskSpace({ dir: config.dataDir, minFreeBytes: config.minFreeDiskBytes }),
  };
  // Never started: their sweeps and pollers run in the main process.
  const services = [
    dynamoDbService({ ...deps, logger: logger.child({ service: "dynamodb" }), runElsewhere: (operation, input, context) => channel.run("dynamodb", operation, input, forwardedContext(context)) }),
    dynamoDbStreamsService({ ...deps, logger: logger.child({ service: "dynamodbstreams" }) }),
  ];
  const api = servingHandedConnections(createApiServer({
    services, defaultRegion: config.region, credentials,
    ...(enforcer ? { enforce: (request: UnkaiRequest, needs: () => readonly ActionRequest[] | undefined | Promise<readonly ActionRequest[] | undefined>, serviceName: string) => enforcer.check(request, needs, serviceName) } : {}),
    frontDoor: new FrontDoor({ listenHost: config.host, publicHosts: config.publicHost, allowOrigins: config.allowOrigin }),
    onError: (error) => logger.error({ err: error }, "request failed"),
  }));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // In-flight requests finish (a write is answered once committed); whatever is still open after the grace is cut.
      api.close();
      const deadline = Date.now() + STOP_GRACE_MS;
      while (api.inFlight() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      api.closeAllConnections();
      clearInterval(flushing);
      await flushMetrics();
      await Promise.all(services.map((service) => service.close?.() ?? Promise.resolve()));
      await store.close();
      process.exit(0);
    })();
    return stopping;
  };
  channel.onConnection((socket: Socket) => api.server.emit("connection", socket));
  channel.onStop(() => void stop());
  // The main process is gone (killed): its listener with it. Nothing is left to serve.
  process.on("disconnect", () => void stop());
  channel.ready();
}

// Ctrl-C reaches the whole process group: the main process decides when workers stop.
process.on("SIGINT", () => undefined);
let serving = false;
// Told to stop before it serves (the main process is stopping while this one starts): nothing to finish.
process.on("message", (message: ToWorker) => {
  if (message.kind === "stop" && !serving) process.exit(0);
});
process.once("message", (message: ToWorker) => {
  if (message.kind !== "start") return;
  runWorker(message).then(() => void (serving = true), (error: unknown) => {
    console.error(`unkai: DynamoDB worker ${message.index} could not start: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
});
