/**
 * The composition root: builds every part from the config, wires them, and owns their lifecycle.
 * Start order: store → engine → services → listener; close runs in reverse, draining invocations first.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "pino";
import { Destinations, lambdaTarget } from "../async/destinations.js";
import { isLoopbackHost } from "../auth/access-keys.js";
import { UnkaiCredentials } from "../auth/unkai-credentials.js";
import { AsyncQueue } from "../async/queue.js";
import { AsyncWorker } from "../async/worker.js";
import { ConcurrencyLimiter } from "../engine/concurrency.js";
import { Dispatcher } from "../engine/dispatcher.js";
import { BOOTSTRAPS, HostRuntimes } from "../engine/host-runtimes.js";
import { Invoker } from "../engine/invoker.js";
import { Launcher } from "../engine/launcher.js";
import { PrestartPool } from "../engine/prestart-pool.js";
import type { SandboxDriver } from "../engine/sandbox/driver.js";
import { CODE_GID } from "../engine/sandbox/identity.js";
import { linuxDriver } from "../engine/sandbox/linux-driver.js";
import type { UnkaiEndpoint } from "../engine/sandbox/network-namespace.js";
import { linuxUnavailableReason } from "../engine/sandbox/protections.js";
import { processDriver } from "../engine/sandbox/process-driver.js";
import { FunctionService } from "../services/lambda/function-service.js";
import { lambdaService } from "../services/lambda/index.js";
import { applyConfig } from "../services/lambda/shapes.js";
import { unkaiService } from "../services/unkai/index.js";
import { consoleService } from "../services/console/index.js";
import { logsService } from "../services/logs/index.js";
import { apiGatewayService } from "../services/apigateway/index.js";
import { apiGatewayV2Service } from "../services/apigatewayv2/index.js";
import { gatewayService } from "../services/gateway/index.js";
import { codeKey, codeStore } from "../store/code/code-store.js";
import { s3Service } from "../services/s3/index.js";
import { S3Notifications } from "../sources/s3-notifications.js";
import { ObjectFiles } from "../store/objects/object-files.js";
import { zipDirectory } from "../store/code/zip-directory.js";
import { openSqliteStore } from "../store/sqlite/index.js";
import { DiskSpace } from "../store/disk-space.js";
import { RetentionSweeper, type RetentionJob } from "../store/retention-sweeper.js";
import type { Config } from "./config.js";
import { FrontDoor } from "./front-door.js";
import { createApiServer } from "./http-adapter.js";

const EXAMPLE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "examples", "hello");
const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "console");

export interface RunningUnkai {
  readonly url: string;
  readonly driver: string;
  /** Why that driver runs (printed at start). */
  readonly driverReason: string;
  /** Drains in-flight invocations (up to the configured deadline), then stops everything. Idempotent. */
  close(): Promise<void>;
}

export async function startUnkai(config: Config, logger: Logger): Promise<RunningUnkai> {
  const codeRoot = join(config.dataDir, "code");
  const sandboxRoot = join(config.dataDir, "sandboxes");
  const firstStart = !existsSync(join(config.dataDir, "unkai.db"));
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
  const store = openSqliteStore(join(config.dataDir, "unkai.db"), (error) => logger.error({ err: error }, "a background store write failed"), {
    defaultRetentionDays: config.logRetentionDays === 0 ? undefined : config.logRetentionDays,
    groupMaxBytes: config.logGroupMaxBytes,
  });
  const retentionJobs: RetentionJob[] = [{ name: "log events", deleteExpired: (now, limit) => store.logs.deleteExpired(now, limit) }];
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
  });
  if (!isLoopbackHost(config.host) && !(await credentials.hasConfiguredKeys())) {
    await store.close();
    throw new Error(
      `Unkai refuses to listen on ${config.host} (not a loopback address) without access keys: the default key 'test' works only on loopback. ` +
        `Create one with \`unkai keys create --data-dir ${config.dataDir}\`, or set UNKAI_ACCESS_KEY_ID and UNKAI_SECRET_ACCESS_KEY.`,
    );
  }
  // Sandboxes with a network of their own reach Unkai's API through this socket (docs/security.md#network).
  const unkaiSocket = join(sandboxRoot, "unkai.sock");
  let unkaiPort = 0;
  const { driver, why: driverReason } = chooseDriver(config.sandbox, sandboxRoot, () => (unkaiPort ? { port: unkaiPort, socketPath: unkaiSocket } : undefined));
  // The longest such path: an environment's Runtime API socket (Linux allows 107 bytes).
  const longestSocket = join(sandboxRoot, "0123456789abcdef", "runtime-api.sock");
  if (driver.runtimeApiAddress && Buffer.byteLength(longestSocket) > 107) {
    await store.close();
    throw new Error(`The data directory's path is too long for the sandboxes' Unix sockets (${longestSocket} is over 107 bytes): use a shorter --data-dir.`);
  }
  const runtimes = new HostRuntimes({ node: config.nodePath, python: config.pythonPath });
  const basePath = [dirname(config.nodePath), "/usr/local/bin", "/usr/bin", "/bin"].join(":");
  const prestartTargets = [
    { command: config.nodePath, args: [BOOTSTRAPS.node] },
    ...(existsSync(config.pythonPath) ? [{ command: runtimes.launch("python3.12", "").command, args: [BOOTSTRAPS.python] }] : []),
  ];
  const pool = new PrestartPool(driver, prestartTargets, driver.supportsPrestart ? config.prestartPerRuntime : 0, sandboxRoot, basePath, logger.child({ part: "pool" }));
  let url = "";
  const launcher = new Launcher({ driver, runtimes, pool, account, endpointUrl: () => url || undefined, nodePath: config.nodePath, sandboxRoot, forceHttpChannel: config.runtimeChannel === "http", credentials });
  const dispatcher = new Dispatcher(launcher, {
    maxEnvironments: config.maxEnvironments,
    idleTimeoutMs: config.idleTimeoutMs,
    initTimeoutMs: config.initTimeoutMs,
    killGraceMs: config.killGraceMs,
    memoryPollMs: config.memoryPollMs,
  }, logger.child({ part: "dispatcher" }));
  const concurrency = new ConcurrencyLimiter(config.accountConcurrency);
  const invoker = new Invoker(dispatcher, concurrency, store.logs, store.invocations, logger.child({ part: "invoker" }), space);
  // Run as root, code belongs to root and the sandboxes' shared group: linux sandboxes read it through that group.
  const code = codeStore(codeRoot, space, process.getuid?.() === 0 ? CODE_GID : undefined);
  const functions = new FunctionService({ account, functions: store.functions, versions: store.versions, aliases: store.aliases, layers: store.layers, code, runtimes, dispatcher, concurrency });
  await functions.loadReservations();
  const queue = new AsyncQueue(store.asyncQueue);
  const destinations = new Destinations([lambdaTarget(queue, async (name) => (await functions.find(name)) !== undefined)]);
  const worker = new AsyncWorker(store.asyncQueue, store.eventInvokeConfigs, functions, invoker, destinations, concurrency, dispatcher, {
    maxInFlight: config.asyncConcurrency,
    timing: { scale: config.asyncRetryScale },
    pollMs: 250,
  }, logger.child({ part: "async" }));
  queue.onEnqueued = () => worker.wake();

  const objectFiles = new ObjectFiles(join(config.dataDir, "objects"));
  const s3 = s3Service({
    store: store.objects, files: objectFiles, notifications: new S3Notifications(config.region, config.accountId, () => worker.wake()),
    functionExists: async (name) => (await functions.find(name)) !== undefined, accountId: config.accountId, credentials, logger: logger.child({ service: "s3" }), space,
  });
  // Gateway addresses on this listener's port: http://<id>.execute-api.localhost:<port>, http://<id>.lambda-url.<region>.localhost:<port>/
  const hostUrl = (host: string) => url.replace(/^http:\/\/(\[[^\]]*\]|[^:/]+)/, `http://${host}`);
  const services = [
    gatewayService({
      functions, invoker, account, httpApis: store.httpApis, restApis: store.restApis, functionUrls: store.functionUrls, logs: store.logs,
      functionUrlTimeoutMs: config.gatewayTimeoutMs, logger: logger.child({ service: "gateway" }),
    }),
    apiGatewayV2Service({ apis: store.httpApis, endpointOf: (id) => hostUrl(`${id}.execute-api.localhost`), defaultTimeoutMs: config.gatewayTimeoutMs, logger: logger.child({ service: "apigatewayv2" }) }),
    apiGatewayService({ apis: store.restApis, defaultTimeoutMs: config.gatewayTimeoutMs, logger: logger.child({ service: "apigateway" }) }),
    s3,
    unkaiService({ codeRoot, invocations: store.invocations, queue: store.asyncQueue, worker, health: () => ({ status: "ok", driver: driver.name, environments: dispatcher.liveEnvironments, running: invoker.running }),
      testEvents: store.testEvents, functionExists: async (name) => (await functions.find(name)) !== undefined }),
    lambdaService({
      functions, invoker, queue, destinations, eventConfigs: store.eventInvokeConfigs, aliases: store.aliases, layers: store.layers, code,
      codeLocation: (codeSha256) => credentials.presignUrl(url, `/_unkai/code/${codeKey(codeSha256)}.zip`, config.region), logger: logger.child({ service: "lambda" }),
      functionUrls: store.functionUrls, functionUrlOf: (id) => `${hostUrl(`${id}.lambda-url.${config.region}.localhost`)}/`, space,
    }),
    logsService({ logs: store.logs, account, space, logger: logger.child({ service: "logs" }) }),
    consoleService(CONSOLE_DIR, config.region),
  ];
  const server = createApiServer({
    services, defaultRegion: config.region, credentials,
    frontDoor: new FrontDoor({ listenHost: config.host, publicHosts: config.publicHost, allowOrigins: config.allowOrigin }),
    onError: (error) => logger.error({ err: error }, "request failed"),
  });
  await listen(server, config.port, config.host);
  const { port } = server.address() as AddressInfo;
  const socketListener = driver.runtimeApiAddress ? await listenForSandboxes(server, unkaiSocket) : undefined;
  unkaiPort = port;
  url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  dispatcher.start();
  pool.start();
  await worker.start();
  sweeper.start();
  objectFiles.sweep(Date.now(), (blob) => store.objects.referencesBlob(blob), async (id) => (await store.objects.upload(id)) !== undefined).then(
    (removed) => removed > 0 && logger.info({ removed }, "removed S3 files a crash left behind"),
    (error: unknown) => logger.warn({ err: error }, "could not sweep S3 files a crash left behind"),
  );

  if (firstStart && config.deployExample) await deployExample(functions, logger);

  let closing: Promise<void> | undefined;
  return {
    url,
    driver: driver.name,
    driverReason,
    close() {
      closing ??= (async () => {
        server.close();
        socketListener?.close();
        const deadline = Date.now() + config.drainTimeoutMs;
        await worker.stop(config.drainTimeoutMs);
        const drained = await invoker.drain(Math.max(0, deadline - Date.now()));
        if (!drained) logger.warn({ running: invoker.running }, "drain deadline passed; killing the environments still running");
        await dispatcher.close();
        await pool.close();
        await sweeper.close();
        server.closeAllConnections();
        await store.close();
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
function chooseDriver(name: Config["sandbox"], scratchDir: string, unkaiEndpoint: () => UnkaiEndpoint | undefined): { driver: SandboxDriver; why: string } {
  if (name === "process") return { driver: processDriver(), why: "chosen with --sandbox process" };
  const reason = linuxUnavailableReason();
  if (reason === undefined) return { driver: linuxDriver(scratchDir, unkaiEndpoint), why: name === "auto" ? "every sandbox protection is active on this host" : "chosen with --sandbox linux" };
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

async function deployExample(functions: FunctionService, logger: Logger): Promise<void> {
  try {
    const zip = await zipDirectory(EXAMPLE_DIR);
    const config = applyConfig("hello", undefined, {
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: "arn:aws:iam::000000000000:role/unkai-example",
      Description: "Unkai's example function: unkai invoke hello",
    });
    await functions.create("hello", config, zip, { "unkai:example": "true" });
  } catch (error) {
    logger.warn({ err: error }, "could not deploy the example function");
  }
}
