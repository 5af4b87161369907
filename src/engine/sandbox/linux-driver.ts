/**
 * Linux sandboxes: each environment runs as its own unprivileged host uid with no capabilities,
 * no_new_privs and a seccomp filter, in bubblewrap's mount, PID, IPC, UTS and cgroup namespaces
 * with Lambda's layout — code read-only at /var/task, layers at /opt, Unkai's bootstraps at
 * /var/runtime, the host's /usr read-only, a read-only root, nothing of Unkai's data dir, /sys
 * absent — and /tmp its only writable place: an on-disk filesystem of EphemeralStorage's size.
 * A cgroup (v2, or v1 where the controllers are bound there) per environment enforces memory,
 * pids and a CPU share proportional to memory (1,769 MB = one vCPU). Each sandbox has a network
 * namespace of its own (network-namespace.ts): its Runtime API at 127.0.0.1:9001, Unkai's endpoint,
 * and egress to the world, as on Lambda; no other environment's sockets.
 * How the command line is put together: sandbox-command.ts; what is checked at start: protections.ts.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import type { CgroupHost } from "./cgroups/cgroup.js";
import { detectCgroups } from "./cgroups/detect.js";
import { constants } from "node:os";
import type { Readable, Writable } from "node:stream";
import type { ExitInfo, MemoryUsage, Sandbox, SandboxDriver, SandboxPaths, SandboxSpec } from "./driver.js";
import { CODE_GID, IdentityPool, type SandboxIdentity } from "./identity.js";
import { connectSandboxNetwork, NETWORK_BWRAP_ARGS, NETWORK_FDS, RUNTIME_API_ADDRESS, type PrivateNetwork, type RelayedPort } from "./network-namespace.js";
import { LAMBDA_PATHS, parseWaiterStatus, sandboxCommand, tmpArgs } from "./sandbox-command.js";
import { sandboxFilter } from "./seccomp/policy.js";
import { spawnGroup } from "./spawn-group.js";
import { linkTree } from "./link-tree.js";

/** Lambda's default /tmp (EphemeralStorage) when a spec gives none. */
const DEFAULT_EPHEMERAL_MB = 512;

/**
 * `scratchDir`: a root-only directory the driver may keep files in (its /tmp templates).
 * `relayedPorts`: the ports of each sandbox's own 127.0.0.1 relayed to the host: Unkai's API (once it
 * listens) and the host ports the operator allowed.
 */
export function linuxDriver(scratchDir: string, relayedPorts: () => readonly RelayedPort[]): SandboxDriver {
  const cgroups = detectCgroups();
  if (cgroups.version === undefined) throw new Error(`the linux driver cannot run here: ${cgroups.reason}`);
  const host = cgroups.open();
  const identities = new IdentityPool();
  const filter = sandboxFilter();
  return {
    name: "linux",
    description:
      `one unprivileged uid per environment without capabilities, seccomp, bubblewrap namespaces (mount, PID, IPC, UTS, cgroup, network), ` +
      `an on-disk /tmp, and a cgroup v${host.version} per environment (memory, pids, CPU share) under ${host.root}`,
    supportsPrestart: true,
    runtimeApiAddress: `${RUNTIME_API_ADDRESS.host}:${RUNTIME_API_ADDRESS.port}`,
    seenAs: (paths) => ({ ...LAMBDA_PATHS, optDir: paths.optDir ? LAMBDA_PATHS.optDir : undefined, sdkModules: paths.sdkModules ? LAMBDA_PATHS.sdkModules : undefined }),
    spawn: (spec) => spawnLinux(spec, { cgroups: host, identities, filter, scratchDir }, relayedPorts()),
  };
}

export interface UserFiles {
  readonly passwd: string;
  readonly group: string;
}

/**
 * The host's /etc/passwd and /etc/group plus the environment's own user, named as Lambda names its
 * sandbox user (sbx_user1051), so getpwuid() (Node's os.userInfo(), Python's pwd) answers inside.
 */
export function userFiles(dir: string, identity: SandboxIdentity): UserFiles {
  const files = { passwd: join(dir, "passwd"), group: join(dir, "group") };
  writeFileSync(files.passwd, `${hostFile("/etc/passwd")}sbx_user1051:x:${identity.uid}:${identity.gid}::/tmp:/sbin/nologin\n`);
  writeFileSync(files.group, `${hostFile("/etc/group")}sbx_user1051:x:${identity.gid}:\nsbx_code:x:${CODE_GID}:\n`);
  return files;
}

const hostFiles = new Map<string, string>();
function hostFile(path: string): string {
  let text = hostFiles.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch {
      text = "";
    }
    if (text && !text.endsWith("\n")) text += "\n";
    hostFiles.set(path, text);
  }
  return text;
}

/** New namespaces for everything but the network (spawnLinux adds it: network-namespace.ts) and users (see sandbox-command.ts). */
export function namespaceArgs(): string[] {
  return ["--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"];
}

/**
 * Lambda's filesystem: the host's system directories, the function's own ones, and a read-only root.
 * `users` replaces /etc/passwd and /etc/group (see userFiles).
 */
export function filesystemArgs(host: SandboxPaths, users?: UserFiles): string[] {
  const system = ["/usr", "/lib", "/lib64", "/bin", "/sbin"].flatMap((dir) => ["--ro-bind-try", dir, dir]);
  const etc = ["/etc/ssl", "/etc/ca-certificates", "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/localtime"]
    .flatMap((path) => ["--ro-bind-try", path, path]);
  const accounts = users
    ? ["--ro-bind", users.passwd, "/etc/passwd", "--ro-bind", users.group, "/etc/group"]
    : ["--ro-bind-try", "/etc/passwd", "/etc/passwd", "--ro-bind-try", "/etc/group", "/etc/group"];
  // Run as root, bubblewrap makes missing parent directories 0700: the sandbox's uid could not enter them.
  const parents = ["/etc", "/var", LAMBDA_PATHS.runtimeDir].flatMap((dir) => ["--perms", "0755", "--dir", dir]);
  return [
    ...parents,
    ...system,
    ...etc,
    ...accounts,
    // bubblewrap's /proc keeps /proc/sys, sysrq-trigger, irq and bus read-only; /sys is not mounted at all.
    "--proc", "/proc",
    "--dev", "/dev",
    ...tmpArgs(host.tmpDir),
    "--ro-bind", host.taskRoot, LAMBDA_PATHS.taskRoot,
    ...runtimeBinds(host),
    // /opt exists on Lambda with or without layers: empty (and read-only, as / is) when there are none.
    ...(host.optDir ? ["--ro-bind", host.optDir, LAMBDA_PATHS.optDir] : ["--perms", "0755", "--dir", LAMBDA_PATHS.optDir]),
    "--remount-ro", "/dev",
    "--remount-ro", "/",
    "--chdir", LAMBDA_PATHS.taskRoot,
  ];
}

/**
 * /var/runtime holds Unkai's bootstraps and, as on Lambda, the AWS SDK at /var/runtime/node_modules.
 * /var/node_modules points there too: ES modules ignore NODE_PATH and find packages only in the
 * node_modules of /var/task's ancestors (a function's own copy in /var/task/node_modules still wins).
 */
function runtimeBinds(host: SandboxPaths): string[] {
  const entries = runtimeEntries(host.runtimeDir).flatMap((name) => ["--ro-bind", join(host.runtimeDir, name), `${LAMBDA_PATHS.runtimeDir}/${name}`]);
  if (!host.sdkModules) return entries;
  return [...entries, "--ro-bind", host.sdkModules, LAMBDA_PATHS.sdkModules, "--symlink", LAMBDA_PATHS.sdkModules, "/var/node_modules"];
}

const runtimeDirCache = new Map<string, string[]>();
function runtimeEntries(dir: string): string[] {
  let names = runtimeDirCache.get(dir);
  if (!names) {
    names = readdirSync(dir).filter((name) => name !== "node_modules");
    runtimeDirCache.set(dir, names);
  }
  return names;
}

interface DriverState {
  readonly cgroups: CgroupHost;
  readonly identities: IdentityPool;
  readonly filter: Buffer;
  readonly scratchDir: string;
}

function spawnLinux(spec: SandboxSpec, { cgroups, identities, filter, scratchDir }: DriverState, relays: readonly RelayedPort[]): Sandbox {
  const host = spec.host;
  if (!host) throw new Error("the linux driver needs the environment's host paths");
  const group = cgroups.create(`env-${randomBytes(6).toString("hex")}`);
  // A pre-started sandbox (memoryMb 0) gets its limits when it is given a function.
  let memoryEnforced = spec.memoryMb > 0 && group.limit(spec.memoryMb);
  const identity = identities.take();
  const users = userFiles(dirname(host.tmpDir), identity);

  // The filter travels on the first fd after the runtime channel (fd 3, when there is one); the waiter's status on the next.
  const seccompFd = spec.channelFd ? 4 : 3;
  const statusFd = seccompFd + 1;
  const command = sandboxCommand({
    identity,
    cgroupDirs: group.joinDirs,
    tmpMountPoint: host.tmpDir,
    tmpTemplateDir: scratchDir,
    ephemeralMb: spec.ephemeralMb ?? DEFAULT_EPHEMERAL_MB,
    seccompFd,
    statusFd,
    bwrapArgs: [...namespaceArgs(), ...NETWORK_BWRAP_ARGS, ...filesystemArgs(host, users)],
    command: spec.command,
    args: spec.args,
  });
  const spawned = spawnGroup(command.file, command.args, { ...spec, env: { ...spec.env, ...command.env } }, [filter], 1, [NETWORK_FDS.info, NETWORK_FDS.block]);
  const { child, pid, channel, exitInfo } = spawned;
  const exited = runtimeExit(spawned.exited, spawned.outputs[0]);

  const killAll = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
    // Anything that left the process group (setsid daemons) is still in the cgroup.
    group.killAll();
  };
  /** Waits (up to 1 s) for the group's processes to be gone, then removes the group, retrying briefly. */
  const drainAndRemove = async () => {
    for (let i = 0; i < 100 && group.pids().length > 0; i++) {
      killAll();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let attempt = 0; attempt < 20 && !group.remove(); attempt++) {
      killAll();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  /** Once every process is gone: its uid may be reused, and the (now empty) /tmp mount point goes. */
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    // A uid is handed out again only when provably nothing runs as it any more.
    if (group.pids().length === 0) identities.release(identity);
    for (const path of [host.tmpDir, users.passwd, users.group]) rmSync(path, { recursive: true, force: true });
  };
  // The runtime starts only once its network is connected; without one it is not started at all.
  let network: PrivateNetwork | undefined;
  const stdio = child.stdio as unknown as (Readable & Writable)[];
  const networkReady = connectSandboxNetwork(stdio[NETWORK_FDS.info] as Readable, stdio[NETWORK_FDS.block] as Writable, { relays, runtimeApiSocket: spec.runtimeApiSocket });
  networkReady.then(
    (connected) => {
      network = connected;
      if (exitInfo()) void network.close();
    },
    (error: unknown) => {
      if (!exitInfo()) process.emitWarning(`a sandbox was stopped: its network could not be connected: ${(error as Error).message}`);
      killAll();
    },
  );
  let oomAtExit: boolean | undefined;
  let memoryAtExit: MemoryUsage | undefined;
  void exited.then(() => {
    void network?.close();
    // Read the verdict and the peak before the group (and its counters) is gone.
    oomAtExit = group.oomKilled();
    memoryAtExit = group.memory();
    killAll();
    void drainAndRemove().then(release);
  });

  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    channel,
    exited,
    get hasExited() {
      return exitInfo() !== undefined;
    },
    memory: () => memoryAtExit ?? group.memory(),
    peakMemoryMb: () => memoryAtExit?.peakMb ?? group.peakMb(),
    oomKilled: () => oomAtExit ?? group.oomKilled(),
    get enforcesMemory() {
      return memoryEnforced;
    },
    async prepare(fn) {
      // The empty directories are bound into the sandbox; what appears in them shows inside.
      // Hard links make that instant and cost no space (the code store is on the same disk).
      await Promise.all([link(fn.codeDir, host.taskRoot), fn.optDir ? link(fn.optDir, host.optDir ?? "") : undefined]);
      memoryEnforced = group.limit(fn.memoryMb);
    },
    async kill(graceMs) {
      if (!exitInfo() && graceMs > 0) {
        try {
          process.kill(-pid, "SIGTERM");
        } catch {
          // gone
        }
        const timer = setTimeout(killAll, graceMs);
        await exited;
        clearTimeout(timer);
      }
      killAll();
      const info = await exited;
      await drainAndRemove();
      // The environment is gone only once its network helpers are too.
      await networkReady.then((connected) => connected.close(), () => undefined);
      release();
      return info;
    },
  };
}

/**
 * The runtime's own end as the waiter saw it (bubblewrap turns "killed by signal n" into exit
 * status 128+n); bubblewrap's when the waiter said nothing (it was killed itself, or never ran).
 */
function runtimeExit(leaderExit: Promise<ExitInfo>, status: Readable | undefined): Promise<ExitInfo> {
  let text = "";
  const ended = new Promise<void>((resolve) => {
    if (!status) return resolve();
    status.setEncoding("utf8");
    status.on("data", (chunk: string) => (text += chunk.slice(0, 64)));
    status.once("end", resolve).once("close", resolve).once("error", () => resolve());
  });
  return leaderExit.then(async (leader) => {
    // Every holder of the status pipe is gone once the leader is; the pipe ends right after.
    await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 200))]);
    const reported = parseWaiterStatus(text);
    if (!reported) return leader;
    const signal = reported.signal === null ? null : (SIGNAL_NAMES.get(reported.signal) ?? null);
    return signal ? { code: null, signal } : { code: reported.code ?? leader.code, signal: null };
  });
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

/** Fills `to` with hard links to everything in `from` (link-tree.ts), off the event loop. */
function link(from: string, to: string): Promise<void> {
  return linkTree(from, to).catch((error: unknown) => {
    throw new Error(`could not place the code in the sandbox: ${(error as Error).message}`);
  });
}
