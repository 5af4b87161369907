/**
 * The composition root: builds every part from the config, wires them, and owns their lifecycle.
 * Start order: store → engine → services → listener; close runs in reverse, draining invocations first.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { availableParallelism, hostname } from "node:os";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { Destinations, lambdaTarget } from "../async/destinations.js";
import { ShardSources } from "../sources/shard-source.js";
import { functionOfArn } from "../sources/s3-notifications.js";
import { isLoopbackHost } from "../auth/access-keys.js";
import { UnkaiCredentials } from "../auth/unkai-credentials.js";
import { AsyncQueue } from "../async/queue.js";
import { AsyncWorker } from "../async/worker.js";
import { afterBookkeeping, PendingBookkeeping } from "../engine/bookkeeping.js";
import { ConcurrencyLimiter } from "../engine/concurrency.js";
import { Dispatcher } from "../engine/dispatcher.js";
import { BOOTSTRAPS, HostRuntimes } from "../engine/host-runtimes.js";
import { Invoker } from "../engine/invoker.js";
import { Launcher } from "../engine/launcher.js";
import { PrestartPool } from "../engine/prestart-pool.js";
import type { SandboxDriver } from "../engine/sandbox/driver.js";
import { CODE_GID } from "../engine/sandbox/identity.js";
import { linuxDriver } from "../engine/sandbox/linux-driver.js";
import type { RelayedPort } from "../engine/sandbox/network-namespace.js";
import { linuxUnavailableReason } from "../engine/sandbox/protections.js";
import { processDriver } from "../engine/sandbox/process-driver.js";
import { FunctionService } from "../functions/function-service.js";
import { hasProvisionedConcurrency, ProvisionedConcurrency } from "../functions/provisioned-concurrency.js";
import { applyConfig } from "../services/lambda/shapes.js";
import { BASIC_EXECUTION_POLICY, ensureLambdaRole } from "../services/iam/lambda-role.js";
import type { Platform } from "../services/module.js";
import type { Account } from "../core/arn.js";
import type { IamStore } from "../store/ports.js";
import type { Service, UnkaiRequest } from "../protocol/http.js";
import { IamChanges, withIamChangeCount } from "../auth/iam-changes.js";
import { iamEnforcement } from "./iam-enforcement.js";
import { openDynamoDbEndpoint, type DynamoDbEndpoint } from "./dynamodb-endpoint.js";
import { clusterIteratorKey } from "../core/shard-iterators.js";
import { ForwardedOperations } from "../protocol/codecs/forwarded-operations.js";
import { TableChanges } from "../services/dynamodb/table-cache.js";
import { ResourceTagChanges, withResourceTagChangeCount } from "../auth/resource-tag-changes.js";
import type { ActionRequest } from "../core/iam-policy/index.js";
import { ServiceMetrics } from "../core/service-metrics.js";
import { SERVICE_MODULES } from "../services/registry.js";
import { openBlobStore } from "../store/blobs/open.js";
import { codeStore } from "../store/code/code-store.js";
import { zipDirectory } from "../store/code/zip-directory.js";
import { openStore } from "../store/open-store.js";
import { withLogIngestion } from "../services/logs/ingestion.js";
import { bearerMatches, PrometheusMetrics } from "./prometheus.js";
import { DiskSpace } from "../store/disk-space.js";
import { ClusterNode } from "./cluster-node.js";
import { RetentionSweeper, type RetentionJob } from "../store/retention-sweeper.js";
import type { Config } from "./config.js";
import { FrontDoor } from "./front-door.js";
import { openHostPortRelays, type HostPortRelays } from "./host-port-relays.js";
import { createApiServer, servingHandedConnections, type ApiServerOptions } from "./http-adapter.js";

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "examples", "hello");
const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "console");

export interface RunningUnkai {
  readonly url: string;
  /** DynamoDB's own endpoint, when `--dynamodb-workers` opened one (dynamodb-endpoint.ts). */
  readonly dynamodb: DynamoDbEndpoint | undefined;
  readonly driver: string;
  /** Why that driver runs (printed at start). */
  readonly driverReason: string;
  /** Each created service's `Service.name`, in claiming order (test/service-registry.test.ts compares them with the modules'). */
  readonly serviceNames: readonly string[];
  /** The created services, for tests that check a seam of every service (test/iam-actions.test.ts: `authorize`). */
  readonly services: readonly Service[];
  /** Drains in-flight invocations (up to the configured deadline), then stops everything. Idempotent. */
  close(): Promise<void>;
}

export async function startUnkai(config: Config, logger: Logger): Promise<RunningUnkai> {
  const codeRoot = join(config.dataDir, "code");
  const sandboxRoot = join(config.dataDir, "sandboxes");
  // With PostgreSQL the data directory holds code and object bodies only (the database is elsewhere).
  const embedded = config.store === "";
  const firstStart = !existsSync(join(config.dataDir, embedded ? "unkai.db" : "code"));
  // Code, objects, the database and every environment's directories: Unkai's user alone may enter
  // (sandboxes get theirs through bind mounts, which need no path through here).
  // An existing directory is tightened only when it is an Unkai data directory (never someone's home).
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (!firstStart || readdirSync(config.dataDir).length === 0) chmodSync(config.dataDir, 0o700);
  mkdirSync(codeRoot, { recursive: true });
  rmSync(sandboxRoot, { recursive: true, force: true });
  mkdirSync(sandboxRoot, { recursive: true });

  const space = new DiskSpace({ dir: config.dataDir, minFreeBytes: config.minFreeDiskBytes });
  const lowAtStart = space.shortfall();
  if (lowAtStart) logger.warn(lowAtStart);
  const blobs = await openBlobStore({
    location: config.blobs, dataDir: config.dataDir, endpoint: config.blobsEndpoint, region: config.blobsRegion,
    accessKeyId: config.blobsAccessKeyId, secretAccessKey: config.blobsSecretAccessKey, sessionToken: config.blobsSessionToken,
  });
  logger.info({ blobs: blobs.store.location }, "blob store open");
  const logPolicy = { defaultRetentionDays: config.logRetentionDays === 0 ? undefined : config.logRetentionDays, groupMaxBytes: config.logGroupMaxBytes };
  const backend = await openStore({ url: config.store, dataDir: config.dataDir, logPolicy, otherProcesses: config.dynamodbWorkers > 0 }, (error) => logger.error({ err: error }, "a background store write failed"));
  // Every log append (PutLogEvents, functions' output, access logs) feeds the group's metric filters and subscription filters.
  const ingestion = withLogIngestion(backend, (error) => logger.error({ err: error }, "metric or subscription filters failed on appended log events"));
  // IAM writes drop the enforcer's cached callers (src/auth/iam-caller-cache.ts).
  const iamChanges = new IamChanges();
  const resourceTagChanges = new ResourceTagChanges();
  // Warm invocations' logs and records are written just after their response; reads of them wait (engine/bookkeeping.ts).
  const bookkeeping = new PendingBookkeeping();
  const store = afterBookkeeping(withResourceTagChangeCount(withIamChangeCount(ingestion.store, iamChanges), resourceTagChanges), bookkeeping);
  const retentionJobs: RetentionJob[] = [
    { name: "log events", deleteExpired: (now, limit) => store.logs.deleteExpired(now, limit) },
    { name: "expired STS sessions", deleteExpired: (now, limit) => store.stsSessions.deleteExpired(now, limit) },
  ];
  if (config.recordRetentionDays > 0) {
    const keepMs = config.recordRetentionDays * 86_400_000;
    retentionJobs.push({ name: "invocation records", deleteExpired: (now, limit) => store.invocations.deleteStartedBefore(now - keepMs, limit) });
  }
  const sweeper = new RetentionSweeper(retentionJobs, { intervalMs: config.logSweepIntervalMs }, logger.child({ part: "retention" }));
  const account = { region: config.region, accountId: config.accountId };
  const credentials = new UnkaiCredentials({
    keys: store.accessKeys,
    configured: config.accessKeyId ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
    loopback: isLoopbackHost(config.host),
    stsSessions: store.stsSessions,
  });
  // Code URLs one node presigns are downloaded through whichever node the balancer picks.
  const sharedKeys = store.cluster;
  if (sharedKeys) await credentials.shareOwnKey((candidate) => sharedKeys.signingKey("code-urls", candidate, Date.now()));
  if (!isLoopbackHost(config.host) && !(await credentials.hasConfiguredKeys())) {
    await store.close();
    await blobs.store.close();
    throw new Error(
      `Unkai refuses to listen on ${config.host} (not a loopback address) without access keys: the default key 'test' works only on loopback. ` +
        `Create one with \`unkai keys create --data-dir ${config.dataDir}\`, or set UNKAI_ACCESS_KEY_ID and UNKAI_SECRET_ACCESS_KEY.`,
    );
  }
  // Sandboxes with a network of their own reach Unkai's API through this socket (docs/security.md#network).
  const unkaiSocket = join(sandboxRoot, "unkai.sock");
  let unkaiPort = 0;
  let hostPorts: HostPortRelays | undefined;
  // DynamoDB's own endpoint (--dynamodb-workers) reaches sandboxes the same way, through a socket of its own.
  const dynamodbSocket = join(sandboxRoot, "dynamodb.sock");
  let dynamodbPort = 0;
  const relayedPorts = () => [
    ...(unkaiPort ? [{ port: unkaiPort, socketPath: unkaiSocket }] : []),
    ...(dynamodbPort ? [{ port: dynamodbPort, socketPath: dynamodbSocket }] : []),
    ...(hostPorts?.relays ?? []),
  ];
  const { driver, why: driverReason } = chooseDriver(config.sandbox, sandboxRoot, relayedPorts);
  // The longest such path: an environment's Runtime API socket (Linux allows 107 bytes).
  const longestSocket = join(sandboxRoot, "0123456789abcdef", "runtime-api.sock");
  if (driver.runtimeApiAddress && Buffer.byteLength(longestSocket) > 107) {
    await store.close();
    await blobs.store.close();
    throw new Error(`The data directory's path is too long for the sandboxes' Unix sockets (${longestSocket} is over 107 bytes): use a shorter --data-dir.`);
  }
  const runtimes = new HostRuntimes({ node: config.nodePath, python: config.pythonPath });
  const basePath = [dirname(config.nodePath), "/usr/local/bin", "/usr/bin", "/bin"].join(":");
  const prestartTargets = [
    { command: config.nodePath, args: [BOOTSTRAPS.node] },
    ...(existsSync(config.pythonPath) ? [{ command: runtimes.launch("python3.12", "").command, args: [BOOTSTRAPS.python] }] : []),
  ];
  const pool = new PrestartPool(driver, prestartTargets, driver.supportsPrestart ? config.prestartPerRuntime : 0, sandboxRoot, basePath, logger.child({ part: "pool" }));
  // Run as root, code belongs to root and the sandboxes' shared group: linux sandboxes read it through that group.
  const code = codeStore(codeRoot, blobs.store, space, process.getuid?.() === 0 ? CODE_GID : undefined);
  let url = "";
  let dynamodb: DynamoDbEndpoint | undefined = undefined;
  const launcher = new Launcher({
    driver, runtimes, pool, account, endpointUrl: () => url || undefined, dynamodbEndpointUrl: () => dynamodb?.url, nodePath: config.nodePath, sandboxRoot, forceHttpChannel: config.runtimeChannel === "http", credentials,
    prepareCode: (fn) => code.prepare(fn.codeSha256, fn.config.layers?.map((layer) => layer.codeSha256) ?? []),
  });
  const dispatcher = new Dispatcher(launcher, {
    maxEnvironments: config.maxEnvironments,
    idleTimeoutMs: config.idleTimeoutMs,
    initTimeoutMs: config.initTimeoutMs,
    killGraceMs: config.killGraceMs,
    memoryPollMs: config.memoryPollMs,
    handoffWaitMs: config.handoffWaitMs,
    saturatedCpuShare: config.handoffCpuPercent / 100,
    cores: availableParallelism(),
  }, logger.child({ part: "dispatcher" }));
  const concurrency = new ConcurrencyLimiter(config.accountConcurrency);
  const { cluster } = store;
  if (cluster) {
    concurrency.slots = { take: (name, limit, now) => cluster.takeSlot(name, limit, now), release: (id) => cluster.releaseSlot(id) };
    concurrency.onSlotError = (error) => logger.warn({ err: error }, "could not give a concurrency slot back; it stops counting when this node stops");
  }
  const invoker = new Invoker(dispatcher, concurrency, store.logs, store.invocations, logger.child({ part: "invoker" }), space, bookkeeping);
  const functions = new FunctionService({ account, functions: store.functions, versions: store.versions, aliases: store.aliases, layers: store.layers, code, runtimes, dispatcher, concurrency });
  const provisioned = new ProvisionedConcurrency({ functions, aliases: store.aliases, dispatcher, logger: logger.child({ part: "provisioned-concurrency" }) });
  const withProvisioned: string[] = [];
  await functions.loadReservations((record) => void (hasProvisionedConcurrency(record) && withProvisioned.push(record.name)));
  const serviceMetrics = new ServiceMetrics();
  const queue = new AsyncQueue(store.asyncQueue, serviceMetrics);
  const nodeName = store.cluster?.nodeId ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  // Other processes write this store too: a cluster's nodes, or DynamoDB's endpoint workers (dynamodb-endpoint.ts).
  const sharedStore = store.cluster !== undefined || config.dynamodbWorkers > 0;
  // Operations DynamoDB's endpoint workers decode and authorize, then have this process run (dynamodb-endpoint.ts).
  const forwardedOperations = new ForwardedOperations();
  // Tables changed by the control plane: the workers drop their cached definitions before it answers.
  const dynamodbTableChanges = new TableChanges();
  // Shard iterators one process gives, another must take.
  const iteratorKey = store.cluster ? clusterIteratorKey(store.cluster) : config.dynamodbWorkers > 0 ? randomBytes(32) : undefined;
  const { enforcer, decisionLog } = iamEnforcement({
    config, store, account, shared: sharedStore, iamChanges, resourceTagChanges, decisions: store.logs, nodeName, logger,
    functionRecord: (name) => functions.find(name),
    forgetCached: store.cluster ? (resource) => { const fn = functionOfArn(resource); return fn !== undefined && functions.forget(fn.name); } : undefined,
  });
  // Under enforcement a service's message (S3, SNS, EventBridge, alarms, Logs) reaches a function, queue, topic or bus
  // only if the target's own policy allows that service for the source, as on AWS: one check for every kind of target.
  const destinations = new Destinations([lambdaTarget(queue, async (name) => (await functions.find(name)) !== undefined)],
    enforcer && ((source, action, resource) => enforcer.serviceMay(source, action, resource)));
  const worker = new AsyncWorker(store.asyncQueue, store.eventInvokeConfigs, functions, invoker, destinations, concurrency, dispatcher, {
    maxInFlight: config.asyncConcurrency,
    timing: { scale: config.asyncRetryScale },
    pollMs: 250,
  }, logger.child({ part: "async" }), serviceMetrics);
  queue.onEnqueued = (functionNames) => worker.wakeFor(functionNames);
  const deadLeaseListeners: (() => void)[] = [];
  const clusterNode = store.cluster && new ClusterNode({
    cluster: store.cluster, address: () => url,
    functionChanged: (name, version) => functions.changedElsewhere(name, version),
    everythingChanged: () => functions.invalidate(),
    freeDeadLeases: async () => {
      const freed = await store.asyncQueue.clearLeases();
      if (freed > 0) worker.wake();
      const timers = await store.scheduleTimers.clearLeases();
      if (timers > 0) for (const wake of deadLeaseListeners) wake();
      return freed + timers;
    },
    logger: logger.child({ part: "cluster" }),
  });

  // Gateway addresses on this listener's port: http://<id>.execute-api.localhost:<port>, http://<id>.lambda-url.<region>.localhost:<port>/
  const hostUrl = (host: string) => url.replace(/^http:\/\/(\[[^\]]*\]|[^:/]+)/, `http://${host}`);
  const prometheus = config.metrics ? new PrometheusMetrics() : undefined;
  if (prometheus) invoker.observe((record) => prometheus.observeInvocation(record));
  const platform: Platform = {
    account, url: () => url, hostUrl, dataDir: config.dataDir, consoleDir: CONSOLE_DIR, gatewayTimeoutMs: config.gatewayTimeoutMs, alarmEvaluationIntervalMs: config.alarmEvaluationIntervalMs, s3LifecycleDayMs: config.s3LifecycleDayMs, s3NotificationDelayMs: config.s3NotificationDelayMs, dynamodbKinesisIntervalMs: config.dynamodbKinesisIntervalMs, streamShardLifetimeMs: config.streamShardLifetimeMs, streamRetentionMs: config.streamRetentionMs, liveTailTimeoutMs: config.liveTailTimeoutMs, liveTailMaxSessions: config.liveTailMaxSessions, kinesisMaxSubscriptions: config.kinesisMaxSubscriptions, sqsPollers: config.sqsPollers, snsHttpTimeoutMs: config.snsHttpTimeoutMs,
    scheduler: { rateScale: config.schedulerRateScale, missedAfterMs: config.schedulerMissedAfterMs },
    store, sharedStore, iteratorKey, forwardedOperations, dynamodbTableChanges, code, blobs, space, credentials, functions, provisioned, maxEnvironments: config.maxEnvironments, invoker, queue, destinations, worker, serviceMetrics, iamEnforcer: enforcer, iamDenials: decisionLog, retryTiming: { scale: config.asyncRetryScale }, shards: new ShardSources(),
    nodeName,
    onDeadLeasesFreed: (listener) => void deadLeaseListeners.push(listener),
    onLogsAppended: (listener) => ingestion.onAppended(listener),
    metrics: prometheus && {
      authorized: (authorization) => bearerMatches(authorization, config.metricsToken),
      render: async () => prometheus.render({ environmentsLive: dispatcher.liveEnvironments, environmentsBusy: invoker.running, queue: await store.asyncQueue.stats() }),
    },
    health: () => ({
      status: "ok", driver: driver.name, environments: dispatcher.liveEnvironments, running: invoker.running,
      ...(clusterNode ? { node: clusterNode.nodeId, nodes: clusterNode.nodes() } : {}),
    }),
    logger: (service) => logger.child({ service }),
  };
  // In the registry's claiming order (src/services/registry.ts).
  const services = SERVICE_MODULES.map((module) => module.create(platform));
  const apiOptions = {
    services, defaultRegion: config.region, credentials,
    ...(enforcer ? { enforce: (request: UnkaiRequest, needs: () => readonly ActionRequest[] | undefined | Promise<readonly ActionRequest[] | undefined>, serviceName: string) => enforcer.check(request, needs, serviceName) } : {}),
    frontDoor: new FrontDoor({ listenHost: config.host, publicHosts: config.publicHost, allowOrigins: config.allowOrigin }),
    onError: (error: unknown) => logger.error({ err: error }, "request failed"),
    ...(prometheus ? { onAnswered: (serviceName: string, status: number) => prometheus.countRequest(serviceName, status) } : {}),
  } satisfies ApiServerOptions;
  const api = createApiServer(apiOptions);
  const { server } = api;
  await listen(server, config.port, config.host);
  const { port } = server.address() as AddressInfo;
  const socketListener = driver.runtimeApiAddress ? await listenForSandboxes(server, unkaiSocket) : undefined;
  if (driver.runtimeApiAddress) hostPorts = await openHostPortRelays(sandboxRoot, config.sandboxHostPorts);
  unkaiPort = port;
  // While no worker is ready, this process serves DynamoDB's port itself: DynamoDB and its streams only, as the workers do.
  const dynamodbHere = config.dynamodbWorkers > 0 ? servingHandedConnections(createApiServer({
    ...apiOptions, services: services.filter((service) => service.name === "dynamodb" || service.name === "dynamodbstreams"),
  })) : undefined;
  try {
    dynamodb = dynamodbHere ? await openDynamoDbEndpoint({
      config, credentials, logs: store.logs, operations: forwardedOperations, tableChanges: dynamodbTableChanges, logger: logger.child({ part: "dynamodb-endpoint" }),
      iteratorKey: Buffer.isBuffer(iteratorKey) ? iteratorKey : await (iteratorKey ?? (() => Promise.resolve(randomBytes(32))))(),
      serveHere: (socket) => void dynamodbHere.server.emit("connection", socket),
      sandboxSocket: driver.runtimeApiAddress ? dynamodbSocket : undefined,
    }) : undefined;
  } catch (error) {
    // Its port is taken (say): nothing may keep listening, so the process can end with the error.
    api.close();
    socketListener?.close();
    await hostPorts?.close();
    await store.close();
    await blobs.store.close();
    throw error;
  }
  if (dynamodb) dynamodbPort = Number(new URL(dynamodb.url).port);
  url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  dispatcher.start();
  pool.start();
  await provisioned.start(withProvisioned, store.cluster ? 30_000 : undefined);
  // Registered before the worker starts: its start frees only leases of nodes not alive.
  await clusterNode?.start();
  await worker.start();
  sweeper.start();
  for (const service of services) service.start?.();

  // A shared database may have been set up by another node already.
  if (firstStart && config.deployExample && (embedded || (await store.functions.count()) === 0)) await deployExample(functions, store.iam, account, logger);

  let closing: Promise<void> | undefined;
  return {
    url,
    dynamodb,
    driver: driver.name,
    driverReason,
    serviceNames: services.map((service) => service.name),
    services,
    close() {
      closing ??= (async () => {
        api.close();
        socketListener?.close();
        await dynamodb?.close();
        dynamodbHere?.close();
        const deadline = Date.now() + config.drainTimeoutMs;
        await worker.stop(config.drainTimeoutMs);
        const drained = await invoker.drain(Math.max(0, deadline - Date.now()));
        await clusterNode?.stop();
        if (!drained) logger.warn({ running: invoker.running }, "drain deadline passed; killing the environments still running");
        provisioned.stop();
        await dispatcher.close();
        await pool.close();
        await sweeper.close();
        // Draining invocations may still use them; the sandboxes are gone now.
        await hostPorts?.close();
        await Promise.all(services.map((service) => service.close?.() ?? Promise.resolve()));
        decisionLog?.close();
        api.closeAllConnections();
        dynamodbHere?.closeAllConnections();
        await store.close();
        await blobs.store.close();
      })();
      return closing;
    },
  };
}

/**
 * The sandbox driver: `auto` takes linux wherever every one of its protections is active on this
 * host (a real sandbox is started to check) and says why when it cannot; an explicit `linux` with
 * any protection missing is an error at start — never a sandbox that is silently weaker.
 */
function chooseDriver(name: Config["sandbox"], scratchDir: string, relayedPorts: () => readonly RelayedPort[]): { driver: SandboxDriver; why: string } {
  if (name === "process") return { driver: processDriver(), why: "chosen with --sandbox process" };
  const reason = linuxUnavailableReason();
  if (reason === undefined) return { driver: linuxDriver(scratchDir, relayedPorts), why: name === "auto" ? "every sandbox protection is active on this host" : "chosen with --sandbox linux" };
  if (name === "linux") throw new Error(`The linux sandbox driver cannot run here: ${reason}. Use --sandbox process.`);
  return { driver: processDriver(), why: `the linux driver cannot run here: ${reason}` };
}

/** The same API on a Unix socket only Unkai's sandbox relays connect to (mode 0600, owner root). */
async function listenForSandboxes(server: Server, path: string): Promise<NetServer> {
  const listener = createNetServer((socket) => server.emit("connection", socket));
  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return listener;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** `hello`, with a role of its own that only writes its logs (what AWS's console gives a new function). */
async function deployExample(functions: FunctionService, iam: IamStore, account: Account, logger: Logger): Promise<void> {
  try {
    const zip = await zipDirectory(EXAMPLE_DIR);
    const role = await ensureLambdaRole(iam, account, "unkai-example", [BASIC_EXECUTION_POLICY], "Execution role of Unkai's example function hello");
    const config = applyConfig("hello", undefined, {
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: role,
      Description: "Unkai's example function: unkai invoke hello",
    });
    await functions.create("hello", config, zip, { "unkai:example": "true" });
  } catch (error) {
    logger.warn({ err: error }, "could not deploy the example function");
  }
}
