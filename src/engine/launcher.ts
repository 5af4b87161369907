/** Starts the sandbox for a new environment: a pre-started process when one fits, else a fresh one. */
import { accessSync, constants, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Account } from "../core/arn.js";
import { RUNTIMES } from "../core/runtimes.js";
import type { ChannelKind } from "./runtime-api/channel.js";
import { canUsePrestarted, functionEnvironment, type CredentialIssuer, type InitializationType } from "./environment-variables.js";
import type { FunctionVersion } from "./function-version.js";
import { RUNTIMES_DIR, SDK_MODULES, type HostRuntimes } from "./host-runtimes.js";
import { PrestartPool } from "./prestart-pool.js";
import { seePath, type Sandbox, type SandboxDriver, type SandboxPaths } from "./sandbox/driver.js";

export interface LauncherOptions {
  readonly driver: SandboxDriver;
  readonly runtimes: HostRuntimes;
  readonly pool: PrestartPool | undefined;
  readonly account: Account;
  /** Unkai's URL once listening; functions' AWS SDKs are pointed at it. */
  readonly endpointUrl: () => string | undefined;
  /** DynamoDB's own endpoint, once open (EnvironmentContext.dynamodbEndpointUrl). */
  readonly dynamodbEndpointUrl?: () => string | undefined;
  readonly nodePath: string;
  /** Parent of every environment's scratch directory. */
  readonly sandboxRoot: string;
  /** Use the HTTP Runtime API for every runtime (debugging, comparisons). */
  readonly forceHttpChannel: boolean;
  /** Each environment's own session credentials (AWS_ACCESS_KEY_ID, …). */
  readonly credentials: CredentialIssuer;
  /**
   * Makes sure the function's code and merged layers are unpacked on this host (a node that has not
   * run this code yet fetches it from the blob store); runs before every cold start.
   */
  readonly prepareCode: (fn: FunctionVersion) => Promise<void>;
}

export class Launcher {
  private readonly linkedCodeRoots = new Set<string>();

  constructor(private readonly options: LauncherOptions) {}

  /** The scratch directory (its /tmp) of environment `id`. */
  tmpDirFor(id: string): string {
    return join(this.options.sandboxRoot, id, "tmp");
  }

  /**
   * Where environment `id`'s HTTP Runtime API listens when the driver gives it a network of its own:
   * a Unix socket beside its scratch directory, which no sandbox mounts.
   */
  privateRuntimeApiFor(id: string): { path: string; address: string } | undefined {
    const address = this.options.driver.runtimeApiAddress;
    return address ? { path: join(this.options.sandboxRoot, id, "runtime-api.sock"), address } : undefined;
  }

  /** Unkai's own bootstraps use the framed fd-3 channel; custom runtimes the HTTP Runtime API. */
  channelFor(fn: FunctionVersion): ChannelKind {
    if (this.options.forceHttpChannel) return "http";
    return RUNTIMES[fn.config.runtime].family === "provided" ? "http" : "framed";
  }

  async launch(fn: FunctionVersion, envId: string, channel: Record<string, string>, logStream: string, initializationType: InitializationType = "on-demand"): Promise<Sandbox> {
    const { driver, runtimes, account, endpointUrl, nodePath, credentials, prepareCode } = this.options;
    await prepareCode(fn);
    const launch = runtimes.launch(fn.config.runtime, fn.codeDir);
    if (launch.family === "provided") checkBootstrap(launch.command);
    const tmpDir = this.tmpDirFor(envId);
    mkdirSync(tmpDir, { recursive: true });
    const host = { taskRoot: fn.codeDir, optDir: fn.optDir, tmpDir, runtimeDir: RUNTIMES_DIR, sdkModules: SDK_MODULES };
    const seen = driver.seenAs(host);
    if (seen.taskRoot === host.taskRoot) this.linkSdk(dirname(fn.codeDir));
    const see = (path: string) => seePath(path, host, seen);
    const env = functionEnvironment(
      { ...fn, codeDir: seen.taskRoot, optDir: seen.optDir },
      {
        account, channel, logStream, tmpDir: seen.tmpDir, family: launch.family, endpointUrl: endpointUrl(), dynamodbEndpointUrl: this.options.dynamodbEndpointUrl?.(), nodePath,
        credentials: credentials.issue(fn.name, envId), sdkModules: seen.sdkModules, initializationType,
      },
    );
    try {
      const sandbox = await this.start(fn, launch, env, channel, host, see, envId);
      void sandbox.exited.then(() => credentials.revoke(envId));
      return sandbox;
    } catch (error) {
      credentials.revoke(envId);
      throw error;
    }
  }

  /**
   * Where the code is not mounted at /var/task, a node_modules beside the code directories makes
   * the SDK reachable from every function's ancestors (ES modules ignore NODE_PATH).
   */
  private linkSdk(codeRoot: string): void {
    if (this.linkedCodeRoots.has(codeRoot)) return;
    this.linkedCodeRoots.add(codeRoot);
    try {
      symlinkSync(SDK_MODULES, join(codeRoot, "node_modules"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }

  private async start(
    fn: FunctionVersion,
    launch: ReturnType<HostRuntimes["launch"]>,
    env: Record<string, string>,
    channel: Record<string, string>,
    host: SandboxPaths,
    see: (path: string) => string,
    envId: string,
  ): Promise<Sandbox> {
    const { driver, pool } = this.options;
    const seen = driver.seenAs(host);
    const channelFd = channel._UNKAI_CHANNEL_FD !== undefined;
    // A pre-started sandbox with a network of its own has no Runtime API relay in it: HTTP needs a fresh one.
    const poolable = launch.family !== "provided" && driver.supportsPrestart && canUsePrestarted(fn) && fn.config.ephemeralStorageMb === PrestartPool.EPHEMERAL_MB
      && (channelFd || !driver.runtimeApiAddress);
    const prestarted = poolable ? pool?.take(launch) : undefined;
    if (prestarted) {
      // Placing the code runs off the event loop (a child process), so other requests go on meanwhile.
      try {
        await prestarted.prepare?.({ codeDir: fn.codeDir, optDir: fn.optDir, memoryMb: fn.config.memoryMb });
      } catch (error) {
        void prestarted.kill(0);
        throw error;
      }
      PrestartPool.specialise(prestarted, env, prestarted.prepare ? seen.taskRoot : fn.codeDir);
      return prestarted;
    }
    return driver.spawn({
      command: see(launch.command),
      args: launch.args.map(see),
      env,
      cwd: fn.codeDir,
      memoryMb: fn.config.memoryMb,
      tmpDir: this.tmpDirFor(envId),
      channelFd,
      host,
      ephemeralMb: fn.config.ephemeralStorageMb,
      runtimeApiSocket: channelFd ? undefined : this.privateRuntimeApiFor(envId)?.path,
    });
  }
}

function checkBootstrap(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]");
  }
}
