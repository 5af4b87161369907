/**
 * Linux sandboxes: bubblewrap gives each environment its own mount, PID, IPC and UTS namespaces
 * with Lambda's layout — code read-only at /var/task, layers at /opt, Unkai's bootstraps at
 * /var/runtime, a private size-limited /tmp, the host's /usr read-only, nothing of Unkai's data dir —
 * and a cgroup (v2, or v1 where the controllers are bound there) per environment enforces memory,
 * pids and a CPU share proportional to memory (1,769 MB = one vCPU). Each sandbox has a network namespace
 * of its own (network-namespace.ts): its Runtime API at 127.0.0.1:9001, Unkai's endpoint, and egress to
 * the world, as on Lambda; no other environment's sockets.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { randomBytes } from "node:crypto";
import { MB, type CgroupHost } from "./cgroups/cgroup.js";
import { detectCgroups } from "./cgroups/detect.js";
import type { MemoryUsage, Sandbox, SandboxDriver, SandboxPaths, SandboxSpec } from "./driver.js";
import { connectSandboxNetwork, NETWORK_BWRAP_ARGS, NETWORK_FDS, networkUnavailableReason, RUNTIME_API_ADDRESS, type PrivateNetwork, type UnkaiEndpoint } from "./network-namespace.js";
import { spawnGroup } from "./spawn-group.js";

const BWRAP = "/usr/bin/bwrap";

const LAMBDA_PATHS = { taskRoot: "/var/task", optDir: "/opt", tmpDir: "/tmp", runtimeDir: "/var/runtime", sdkModules: "/var/runtime/node_modules" } as const;

/** Why the linux driver cannot run here, or undefined when it can. */
export function linuxUnavailableReason(): string | undefined {
  try {
    accessSync(BWRAP, constants.X_OK);
  } catch {
    return `bubblewrap is not installed (${BWRAP}; Debian package bubblewrap)`;
  }
  const cgroups = detectCgroups();
  return cgroups.version === undefined ? cgroups.reason : networkUnavailableReason();
}

/** `unkaiEndpoint`: where sandboxes reach Unkai's API (undefined until it listens). */
export function linuxDriver(unkaiEndpoint: () => UnkaiEndpoint | undefined): SandboxDriver {
  const cgroups = detectCgroups();
  if (cgroups.version === undefined) throw new Error(`the linux driver cannot run here: ${cgroups.reason}`);
  const host = cgroups.open();
  return {
    name: "linux",
    description: `bubblewrap namespaces (mount, PID, IPC, UTS, network) and a cgroup v${host.version} per environment (memory, pids, CPU share) under ${host.root}`,
    supportsPrestart: true,
    runtimeApiAddress: `${RUNTIME_API_ADDRESS.host}:${RUNTIME_API_ADDRESS.port}`,
    seenAs: (paths) => ({ ...LAMBDA_PATHS, optDir: paths.optDir ? LAMBDA_PATHS.optDir : undefined, sdkModules: paths.sdkModules ? LAMBDA_PATHS.sdkModules : undefined }),
    spawn: (spec) => spawnLinux(spec, host, unkaiEndpoint()),
  };
}

function bwrapArgs(spec: SandboxSpec, host: SandboxPaths): string[] {
  const system = ["/usr", "/lib", "/lib64", "/bin", "/sbin"].flatMap((dir) => ["--ro-bind-try", dir, dir]);
  const etc = ["/etc/ssl", "/etc/ca-certificates", "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/localtime"]
    .flatMap((path) => ["--ro-bind-try", path, path]);
  return [
    "--die-with-parent",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    ...NETWORK_BWRAP_ARGS,
    "--hostname", "sandbox",
    ...system,
    ...etc,
    "--proc", "/proc",
    "--dev", "/dev",
    "--size", String((spec.ephemeralMb ?? 512) * MB),
    "--tmpfs", "/tmp",
    "--ro-bind", host.taskRoot, LAMBDA_PATHS.taskRoot,
    ...runtimeBinds(host),
    ...(host.optDir ? ["--ro-bind", host.optDir, LAMBDA_PATHS.optDir] : []),
    "--chdir", LAMBDA_PATHS.taskRoot,
    "--",
    spec.command,
    ...spec.args,
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

function spawnLinux(spec: SandboxSpec, cgroups: CgroupHost, unkai: UnkaiEndpoint | undefined): Sandbox {
  const host = spec.host;
  if (!host) throw new Error("the linux driver needs the environment's host paths");
  const group = cgroups.create(`env-${randomBytes(6).toString("hex")}`);
  // A pre-started sandbox (memoryMb 0) gets its limits when it is given a function.
  if (spec.memoryMb > 0) group.limit(spec.memoryMb);

  // The shell joins the cgroup(s), then becomes bubblewrap: every process of the sandbox starts inside.
  const joinAll = 'for dir in $UNKAI_CGROUPS; do echo $$ > "$dir/cgroup.procs" || exit 125; done; unset UNKAI_CGROUPS; exec "$@"';
  const { child, pid, channel, exited, exitInfo } = spawnGroup(
    "/bin/sh",
    ["-c", joinAll, "unkai-sandbox", BWRAP, ...bwrapArgs(spec, host)],
    { ...spec, env: { ...spec.env, UNKAI_CGROUPS: group.joinDirs.join(" ") } },
    [NETWORK_FDS.info, NETWORK_FDS.block],
  );

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
  // The runtime starts only once its network is connected; without one it is not started at all.
  let network: PrivateNetwork | undefined;
  const stdio = child.stdio as unknown as (Readable & Writable)[];
  connectSandboxNetwork(stdio[NETWORK_FDS.info] as Readable, stdio[NETWORK_FDS.block] as Writable, { unkai, runtimeApiSocket: spec.runtimeApiSocket }).then(
    (connected) => {
      network = connected;
      if (exitInfo()) network.close();
    },
    (error: unknown) => {
      if (!exitInfo()) process.emitWarning(`a sandbox was stopped: its network could not be connected: ${(error as Error).message}`);
      killAll();
    },
  );
  let oomAtExit: boolean | undefined;
  let memoryAtExit: MemoryUsage | undefined;
  void exited.then(() => {
    network?.close();
    // Read the verdict and the peak before the group (and its counters) is gone.
    oomAtExit = group.oomKilled();
    memoryAtExit = group.memory();
    killAll();
    void drainAndRemove();
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
    oomKilled: () => oomAtExit ?? group.oomKilled(),
    prepare(fn) {
      // The empty directories are bound into the sandbox; what appears in them shows inside.
      // Hard links make that instant and cost no space (the code store is on the same disk).
      link(fn.codeDir, host.taskRoot);
      if (fn.optDir) link(fn.optDir, host.optDir ?? "");
      group.limit(fn.memoryMb);
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
      return info;
    },
  };
}

/** Fills `to` with hard links to everything in `from` (cp -al keeps the tree and its modes). */
function link(from: string, to: string): void {
  const result = spawnSync("/bin/cp", ["-al", `${from}/.`, to]);
  if (result.status !== 0) throw new Error(`could not place the code in the sandbox: ${result.stderr.toString().trim()}`);
}
