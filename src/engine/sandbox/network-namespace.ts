/**
 * A private network for each linux sandbox (docs/adr/0005-private-network-per-environment.md).
 * bubblewrap gives the sandbox its own network namespace, whose loopback nobody else shares; three
 * helpers on the host side, started once the namespace exists and before the runtime runs, connect it:
 * - slirp4netns: egress to the world through user-mode NAT. `--disable-host-loopback` keeps the
 *   gateway from reaching the host's 127.0.0.1, so no host-loopback service is reachable through it.
 * - socat at 127.0.0.1:<Unkai's port> inside, relaying to Unkai's Unix socket: AWS_ENDPOINT_URL works
 *   unchanged, and Unkai is the only host-loopback service a function reaches — besides the ports the
 *   operator relays the same way (`--sandbox-host-ports`, e.g. a local database during development).
 * - for the HTTP Runtime API only, socat at 127.0.0.1:9001 inside (as on Lambda), relaying to this
 *   environment's own Runtime API Unix socket, which no sandbox mounts.
 * The relays enter only the network namespace (nsenter), so the function cannot see or signal them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { isExecutable } from "../executable.js";
import { SETPRIV } from "./sandbox-command.js";

const SLIRP4NETNS = "/usr/bin/slirp4netns";
const SOCAT = "/usr/bin/socat";
const NSENTER = "/usr/bin/nsenter";
const SH = "/bin/sh";

/** Where a runtime finds its HTTP Runtime API inside the namespace, as on Lambda. */
export const RUNTIME_API_ADDRESS = { host: "127.0.0.1", port: 9001 } as const;

/** How long the helpers may take to come up before the sandbox is given up. */
const READY_TIMEOUT_MS = 10_000;
/** Connections one relay serves at once (each is a forked socat on the host). */
const RELAY_MAX_CONNECTIONS = 32;

/** A port of the sandbox's own 127.0.0.1 and the host's Unix socket its connections are relayed to (Unkai's API, or a host port the operator allowed). */
export interface RelayedPort {
  readonly port: number;
  readonly socketPath: string;
}

export interface NetworkPlan {
  readonly relays: readonly RelayedPort[];
  /** This environment's HTTP Runtime API socket, relayed to 127.0.0.1:9001 (none for the framed channel). */
  readonly runtimeApiSocket: string | undefined;
}

/** The fds bubblewrap reports its child's pid on and waits on (high, clear of the sandbox's other fds). */
export const NETWORK_FDS = { info: 10, block: 11 } as const;

/** bubblewrap's part: a new network namespace (loopback up), reporting and waiting on NETWORK_FDS. */
export const NETWORK_BWRAP_ARGS = ["--unshare-net", "--info-fd", String(NETWORK_FDS.info), "--block-fd", String(NETWORK_FDS.block)] as const;

/** Why private networks cannot be made here, or undefined when they can. */
export function networkUnavailableReason(): string | undefined {
  const missing = [
    [SLIRP4NETNS, "slirp4netns"],
    [SOCAT, "socat"],
    [NSENTER, "util-linux"],
  ].filter(([path]) => !isExecutable(path ?? ""));
  if (missing.length === 0) return undefined;
  return `network isolation needs ${missing.map(([path, pkg]) => `${path} (Debian package ${pkg})`).join(", ")}`;
}


/** The helpers of one sandbox's network; `close` kills them and settles once each has exited (idempotent). */
export interface PrivateNetwork {
  close(): Promise<void>;
}

/**
 * Reads bubblewrap's info (the namespace's pid) from `info`, connects the namespace as `plan` says,
 * then lets the sandboxed command start by writing to `release`. Rejects when any helper fails.
 */
export async function connectSandboxNetwork(info: Readable, release: Writable, plan: NetworkPlan): Promise<PrivateNetwork> {
  // A sandbox that died early closes these pipes under us; its exit is reported elsewhere.
  release.on("error", () => undefined);
  const pid = await childPid(info);
  // bubblewrap reports the pid before it has set its loopback up; two netlink talkers at once fail.
  await poll(async () => /^\d+\s+lo\s/m.test(await readFile(`/proc/${pid}/net/igmp`, "latin1")), "the sandbox's loopback did not come up");
  const network = startHelpers(pid, plan);
  try {
    await network.ready;
  } catch (error) {
    void network.close();
    throw error;
  }
  release.end("1");
  return network;
}

/** bubblewrap writes `{"child-pid": N, …}` once the namespaces exist. */
function childPid(info: Readable): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = "";
    const done = (error: Error | undefined, pid?: number) => {
      // Keep reading to the end: bubblewrap writes the rest of its info and would die of SIGPIPE.
      info.removeAllListeners("data");
      info.resume();
      if (error) reject(error);
      else resolve(pid ?? 0);
    };
    info.setEncoding("utf8");
    info.on("data", (chunk: string) => {
      text += chunk;
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) done(undefined, Number(match[1]));
      else if (text.length > 4096) done(new Error("bubblewrap's info is not what was expected"));
    });
    info.once("end", () => done(new Error("bubblewrap exited before creating the sandbox's namespaces")));
    info.once("error", (error) => done(error));
  });
}

interface Helpers extends PrivateNetwork {
  readonly ready: Promise<void>;
}

function startHelpers(pid: number, plan: NetworkPlan): Helpers {
  // Opened here, by Unkai (which may look into its sandbox), and handed to each helper as fd 3.
  const nsFd = openSync(`/proc/${pid}/ns/net`, "r");
  const processes: ChildProcess[] = [];
  const slirp = spawn(
    SLIRP4NETNS,
    ["--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp", "--ready-fd=4", "--exit-fd=5", "--netns-type=path", "/proc/self/fd/3", "tap0"],
    { stdio: ["ignore", "ignore", "pipe", nsFd, "pipe", "pipe"], detached: true },
  );
  processes.push(slirp);
  const listeners: number[] = [];
  for (const { port, socketPath } of plan.relays) {
    processes.push(relay(nsFd, port, socketPath));
    listeners.push(port);
  }
  if (plan.runtimeApiSocket) {
    processes.push(relay(nsFd, RUNTIME_API_ADDRESS.port, plan.runtimeApiSocket));
    listeners.push(RUNTIME_API_ADDRESS.port);
  }
  closeSync(nsFd);
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= stopAll(processes));
  const ready = withTimeout(Promise.all([slirpReady(slirp), listening(pid, listeners, processes)]), READY_TIMEOUT_MS);
  return { ready, close };
}

/** SIGKILLs every helper's process group; settles once every helper has exited. */
function stopAll(processes: readonly ChildProcess[]): Promise<void> {
  const gone = processes.map((child) =>
    child.exitCode !== null || child.signalCode !== null || child.pid === undefined ? Promise.resolve() : new Promise<void>((resolve) => child.once("exit", () => resolve())));
  for (const child of processes) {
    child.stdio.forEach((stream) => (stream as { destroy?: () => void } | null)?.destroy?.());
    // Each helper leads its own process group: a relay's forked connection handlers go with it.
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
  return Promise.all(gone).then(() => undefined);
}

/**
 * nsenter's arguments for a relay (namespace fd 3): socat listening on 127.0.0.1:`port`, each connection
 * to the Unix socket `target`. setpriv --pdeathsig makes it die with Unkai even when Unkai is SIGKILLed
 * (slirp4netns has its exit fd for that); the signal only comes from a parent alive when setpriv set it,
 * so the shell it runs gives up unless its parent is still `parentPid` (Unkai killed while it spawned).
 * nsenter and setpriv exec, so that parent is whoever spawned nsenter.
 */
export function relayArguments(port: number, target: string, parentPid: number): string[] {
  return [
    "--net=/proc/self/fd/3", "--", SETPRIV, "--pdeathsig", "KILL", "--", SH, "-c", 'test "$PPID" = "$0" && exec "$@"', String(parentPid),
    SOCAT, `TCP4-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,max-children=${RELAY_MAX_CONNECTIONS}`, `UNIX-CONNECT:${target}`,
  ];
}

/** Listens on 127.0.0.1:`port` inside the namespace; each connection goes to the Unix socket `target`. */
function relay(nsFd: number, port: number, target: string): ChildProcess {
  const child = spawn(NSENTER, relayArguments(port, target, process.pid), { stdio: ["ignore", "ignore", "pipe", nsFd], detached: true });
  // socat reports each failed connection on stderr: drain it so a full pipe never stalls it.
  child.stderr?.resume();
  child.on("error", () => undefined);
  return child;
}

/** slirp4netns writes to its ready fd once the tap device is configured. */
function slirpReady(slirp: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = "";
    // Kept for the error message only: the last few lines.
    slirp.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2048)));
    (slirp.stdio[4] as Readable).once("data", () => resolve());
    slirp.once("exit", (code) => reject(new Error(`slirp4netns exited (${code}) before the network was ready: ${stderr.trim()}`)));
    slirp.once("error", reject);
  });
}

/** Waits until every relay listens inside the namespace (its socket table is /proc/<pid>/net/tcp). */
function listening(pid: number, ports: readonly number[], processes: readonly ChildProcess[]): Promise<void> {
  const wanted = ports.map((port) => `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")} 00000000:0000 0A`);
  return poll(async () => {
    const dead = processes.find((child) => child.exitCode !== null || child.signalCode !== null || child.pid === undefined);
    if (dead) throw new Error(`a network helper of the sandbox exited (${dead.spawnfile}, ${dead.exitCode ?? dead.signalCode})`);
    const table = await readFile(`/proc/${pid}/net/tcp`, "latin1");
    return wanted.every((line) => table.includes(line));
  }, "the sandbox's relays did not start listening");
}

/**
 * Checks `done` every millisecond (it reads /proc: there is no event to wait on) until true or timed
 * out; the reads are asynchronous, so starting environments keeps them off the event loop.
 */
async function poll(done: () => Promise<boolean>, timeoutMessage: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${timeoutMessage} in ${READY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the sandbox's network was not ready in ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).then(
    () => clearTimeout(timer),
    (error: unknown) => {
      clearTimeout(timer);
      throw error;
    },
  );
}
