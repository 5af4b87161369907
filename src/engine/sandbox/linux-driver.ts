/**
 * Linux sandboxes (opt-in while issue 5 completes): bubblewrap gives each environment its own
 * mount, PID, IPC and UTS namespaces with Lambda's layout — code read-only at /var/task, layers at
 * /opt, Kumo's bootstraps at /var/runtime, a private size-limited /tmp, the host's /usr read-only,
 * nothing of Kumo's data dir — and a cgroup (v1) per environment enforces memory, pids and a CPU
 * share proportional to memory (1,769 MB = one vCPU). The network is shared with the host, so
 * environments reach Kumo's endpoints and the outside world as on Lambda.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { MemoryUsage, Sandbox, SandboxDriver, SandboxPaths, SandboxSpec } from "./driver.js";
import { spawnGroup } from "./spawn-group.js";

const BWRAP = "/usr/bin/bwrap";
const CGROUP_ROOT = "/sys/fs/cgroup";
const CONTROLLERS = ["memory", "pids", "cpu"] as const;
const MB = 1024 * 1024;
const PIDS_MAX = 1024;

const LAMBDA_PATHS = { taskRoot: "/var/task", optDir: "/opt", tmpDir: "/tmp", runtimeDir: "/var/runtime", sdkModules: "/var/runtime/node_modules" } as const;

/** Why the linux driver cannot run here, or undefined when it can. */
export function linuxUnavailableReason(): string | undefined {
  try {
    accessSync(BWRAP, constants.X_OK);
  } catch {
    return `bubblewrap is not installed (${BWRAP}; Debian package bubblewrap)`;
  }
  for (const controller of CONTROLLERS) {
    const dir = join(CGROUP_ROOT, controller);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      return `the cgroup v1 ${controller} controller is not writable at ${dir}`;
    }
  }
  return undefined;
}

/** This Kumo's cgroups: kumo/pid-<pid>/ per controller, so several Kumos can share a host. */
const OWNER = `pid-${process.pid}`;

export function linuxDriver(): SandboxDriver {
  for (const controller of CONTROLLERS) {
    const parent = join(CGROUP_ROOT, controller, "kumo");
    mkdirSync(join(parent, OWNER), { recursive: true });
    sweepStale(parent);
  }
  return {
    name: "linux",
    description: "bubblewrap namespaces (mount, PID, IPC, UTS) and a cgroup v1 per environment (memory, pids, CPU share)",
    supportsPrestart: true,
    seenAs: (host) => ({ ...LAMBDA_PATHS, optDir: host.optDir ? LAMBDA_PATHS.optDir : undefined, sdkModules: host.sdkModules ? LAMBDA_PATHS.sdkModules : undefined }),
    spawn: spawnLinux,
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
 * /var/runtime holds Kumo's bootstraps and, as on Lambda, the AWS SDK at /var/runtime/node_modules.
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

function writeControl(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch {
    // Optional knobs (e.g. memsw without swap accounting) may be missing.
  }
}

function readNumber(path: string): number {
  try {
    return Number(readFileSync(path, "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

function spawnLinux(spec: SandboxSpec): Sandbox {
  const host = spec.host;
  if (!host) throw new Error("the linux driver needs the environment's host paths");
  const id = `env-${randomBytes(6).toString("hex")}`;
  const dirs = Object.fromEntries(CONTROLLERS.map((c) => [c, join(CGROUP_ROOT, c, "kumo", OWNER, id)])) as Record<(typeof CONTROLLERS)[number], string>;
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const applyLimits = (memoryMb: number) => {
    writeControl(dirs.memory, "memory.limit_in_bytes", String(memoryMb * MB));
    writeControl(dirs.memory, "memory.memsw.limit_in_bytes", String(memoryMb * MB));
    writeControl(dirs.cpu, "cpu.shares", String(Math.max(2, Math.round((1024 * memoryMb) / 1769))));
  };
  writeControl(dirs.pids, "pids.max", String(PIDS_MAX));
  // A pre-started sandbox (memoryMb 0) gets its limits when it is given a function.
  if (spec.memoryMb > 0) applyLimits(spec.memoryMb);

  // The shell joins the cgroups, then becomes bubblewrap: every process of the sandbox starts inside them.
  const join3 = 'echo $$ > "$1/cgroup.procs" && echo $$ > "$2/cgroup.procs" && echo $$ > "$3/cgroup.procs" && shift 3 && exec "$@"';
  const { child, pid, channel, exited, exitInfo } = spawnGroup("/bin/sh", ["-c", join3, "kumo-sandbox", dirs.memory, dirs.pids, dirs.cpu, BWRAP, ...bwrapArgs(spec, host)], spec);

  const killAll = () => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // gone
    }
    // Anything that left the process group (setsid daemons) is still in the cgroup.
    for (const line of readFileSafe(join(dirs.pids, "cgroup.procs")).split("\n")) {
      const target = Number(line);
      if (target > 0) {
        try {
          process.kill(target, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
  };
  /** Removes the cgroups; processes killed a moment ago may still be leaving, so retry briefly. */
  const removeCgroups = (attempt = 0) => {
    for (const dir of Object.values(dirs)) {
      try {
        if (existsSync(dir)) rmdirSync(dir);
      } catch {
        killAll();
      }
    }
    if (attempt < 20 && Object.values(dirs).some((dir) => existsSync(dir))) setTimeout(() => removeCgroups(attempt + 1), 100).unref();
  };
  const checkOom = () => {
    const kills = Number(/^oom_kill (\d+)$/m.exec(readFileSafe(join(dirs.memory, "memory.oom_control")))?.[1] ?? 0);
    return kills > 0 || (readNumber(join(dirs.memory, "memory.failcnt")) > 0 && exitInfo()?.signal === "SIGKILL");
  };
  let oomAtExit: boolean | undefined;
  let memoryAtExit: MemoryUsage | undefined;
  const readMemory = (): MemoryUsage => {
    const stat = readFileSafe(join(dirs.memory, "memory.stat"));
    const rss = Number(/^total_rss (\d+)$/m.exec(stat)?.[1] ?? 0);
    return { currentMb: rss / MB, peakMb: readNumber(join(dirs.memory, "memory.max_usage_in_bytes")) / MB };
  };
  /** Waits (up to 1 s) for the namespace's processes to be gone, then removes the cgroups. */
  const drainAndRemove = async () => {
    for (let i = 0; i < 100 && readFileSafe(join(dirs.pids, "cgroup.procs")).trim() !== ""; i++) {
      killAll();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    removeCgroups();
  };
  void exited.then(() => {
    // Read the verdict and the peak before the cgroup (and its counters) is gone.
    oomAtExit = checkOom();
    memoryAtExit = readMemory();
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
    memory: () => memoryAtExit ?? readMemory(),
    oomKilled: () => oomAtExit ?? checkOom(),
    prepare(fn) {
      // The empty directories are bound into the sandbox; what appears in them shows inside.
      // Hard links make that instant and cost no space (the code store is on the same disk).
      link(fn.codeDir, host.taskRoot);
      if (fn.optDir) link(fn.optDir, host.optDir ?? "");
      applyLimits(fn.memoryMb);
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

/** Removes the cgroups of Kumo processes that are gone, killing anything still in them. */
function sweepStale(parent: string): void {
  for (const owner of readdirSync(parent)) {
    const pid = /^pid-(\d+)$/.exec(owner)?.[1];
    if (!pid || pid === String(process.pid) || existsSync(`/proc/${pid}`)) continue;
    const ownerDir = join(parent, owner);
    for (const name of readdirSync(ownerDir)) {
      if (!name.startsWith("env-")) continue;
      const dir = join(ownerDir, name);
      for (const line of readFileSafe(join(dir, "cgroup.procs")).split("\n")) {
        const target = Number(line);
        if (target > 0) {
          try {
            process.kill(target, "SIGKILL");
          } catch {
            // gone
          }
        }
      }
      try {
        rmdirSync(dir);
      } catch {
        // still busy: a later start sweeps it
      }
    }
    try {
      rmdirSync(ownerDir);
    } catch {
      // not empty yet
    }
  }
}

/** Fills `to` with hard links to everything in `from` (cp -al keeps the tree and its modes). */
function link(from: string, to: string): void {
  const result = spawnSync("/bin/cp", ["-al", `${from}/.`, to]);
  if (result.status !== 0) throw new Error(`could not place the code in the sandbox: ${result.stderr.toString().trim()}`);
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}
