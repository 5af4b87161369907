/**
 * What the linux driver promises, checked on this host by starting one real sandbox the way the
 * driver does (minus the cgroup, checked on its own) and reading what the process inside is:
 * its uid, capability sets, no_new_privs, seccomp mode and its /tmp. `unkai doctor` prints the
 * list; Unkai does not start the linux driver while a required protection is missing.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { detectCgroups } from "./cgroups/detect.js";
import { IdentityPool } from "./identity.js";
import { filesystemArgs, namespaceArgs, userFiles } from "./linux-driver.js";
import { networkUnavailableReason } from "./network-namespace.js";
import { BWRAP, MKFS_EXT4, PERL, SETPRIV, UNSHARE, sandboxCommand } from "./sandbox-command.js";
import { sandboxFilter } from "./seccomp/policy.js";
import { isExecutable } from "../executable.js";

export interface Protection {
  readonly name: string;
  readonly active: boolean;
  readonly detail: string;
  /** The linux driver refuses to run without it. */
  readonly required: boolean;
}

const TOOLS = [
  [BWRAP, "bubblewrap"],
  [SETPRIV, "util-linux"],
  [UNSHARE, "util-linux"],
  [MKFS_EXT4, "e2fsprogs"],
  [PERL, "perl-base"],
] as const;

/**
 * Every protection, active or not, with the reason. `optional`: also the slower checks (creating a
 * network namespace to find out costs tens of milliseconds at start; doctor does it).
 */
export function probeProtections(optional = true): Protection[] {
  const missing = TOOLS.filter(([path]) => !isExecutable(path)).map(([path, pkg]) => `${path} (Debian package ${pkg})`);
  const cgroups = detectCgroups();
  const cgroup: Protection = {
    name: "cgroup controllers",
    active: cgroups.version !== undefined,
    detail: cgroups.version === undefined ? cgroups.reason : `v${cgroups.version}: memory, pids and CPU share per environment`,
    required: true,
  };
  const others = [cgroup, networkIsolation(optional)];
  if (missing.length > 0) {
    const detail = `not installed: ${missing.join(", ")}`;
    return [...SANDBOX_CHECKS.map((name) => ({ name, active: false, detail, required: true })), ...others];
  }
  return [...probeSandbox(), ...others];
}

/** Why the linux driver cannot run here (the first required protection missing), or undefined. */
export function linuxUnavailableReason(protections: readonly Protection[] = probeProtections(false)): string | undefined {
  const missing = protections.filter((p) => p.required && !p.active);
  if (missing.length === 0) return undefined;
  // Protections missing for one reason (a probe sandbox that could not start) are named together.
  const byReason = new Map<string, string[]>();
  for (const p of missing) byReason.set(p.detail, [...(byReason.get(p.detail) ?? []), p.name]);
  return [...byReason].map(([detail, names]) => `${names.join(", ")} missing (${detail})`).join("; ");
}

const SANDBOX_CHECKS = ["namespaces", "unprivileged uid", "capabilities dropped", "no_new_privs", "seccomp filter", "ephemeral /tmp on disk"] as const;

interface Inside {
  readonly status: Map<string, string>;
  readonly tmp: string;
}

function probeSandbox(): Protection[] {
  const scratch = mkdtempSync(join(tmpdir(), "unkai-probe-"));
  try {
    const inside = runProbe(scratch);
    if (typeof inside === "string") return SANDBOX_CHECKS.map((name) => ({ name, active: false, detail: inside, required: true }));
    const field = (name: string) => inside.status.get(name) ?? "?";
    const uids = field("Uid").split(/\s+/);
    const caps = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"].map((name) => [name, field(name)] as const);
    const capsZero = caps.every(([, value]) => /^0+$/.test(value));
    return [
      { name: "namespaces", active: true, detail: "mount, PID, IPC, UTS and cgroup namespaces (bubblewrap)", required: true },
      { name: "unprivileged uid", active: uids.every((uid) => uid !== "0" && uid !== "?"), detail: `a uid of its own per environment (probe ran as ${uids[0]})`, required: true },
      { name: "capabilities dropped", active: capsZero, detail: caps.map(([name, value]) => `${name} ${value}`).join(", "), required: true },
      { name: "no_new_privs", active: field("NoNewPrivs") === "1", detail: `NoNewPrivs ${field("NoNewPrivs")}`, required: true },
      { name: "seccomp filter", active: field("Seccomp") === "2", detail: `Seccomp ${field("Seccomp")} (2 = filter)`, required: true },
      { name: "ephemeral /tmp on disk", active: inside.tmp === "ext2/ext3", detail: `/tmp is ${inside.tmp || "missing"} (a loop-mounted ext4 of EphemeralStorage's size)`, required: true },
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Starts the driver's command line with a shell that reports on itself; its findings or why it failed. */
function runProbe(scratch: string): Inside | string {
  const host = { taskRoot: join(scratch, "task"), optDir: undefined, tmpDir: join(scratch, "tmp"), runtimeDir: join(scratch, "runtime") };
  for (const dir of [host.taskRoot, host.tmpDir, host.runtimeDir]) mkdirSync(dir, { recursive: true });
  const identity = new IdentityPool().take();
  const command = sandboxCommand({
    identity,
    cgroupDirs: [],
    tmpMountPoint: host.tmpDir,
    tmpTemplateDir: scratch,
    ephemeralMb: 1,
    seccompFd: 0,
    bwrapArgs: [...namespaceArgs(), ...filesystemArgs(host, userFiles(scratch, identity))],
    command: "/bin/sh",
    args: ["-c", "cat /proc/self/status; echo tmp=$(stat -f -c %T /tmp)"],
  });
  // The probe's filter comes in on stdin (the driver uses a separate fd: its stdin is the runtime's).
  const result = spawnSync(command.file, command.args, { input: sandboxFilter(), env: { PATH: "/usr/bin:/bin", ...command.env }, encoding: "utf8", timeout: 10_000 });
  if (result.status !== 0) return `a probe sandbox failed: ${(result.stderr || result.error?.message || `exit ${result.status}`).trim().split("\n").slice(-2).join(" ")}`;
  const status = new Map<string, string>();
  for (const line of result.stdout.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) status.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return { status, tmp: /^tmp=(.*)$/m.exec(result.stdout)?.[1] ?? "" };
}

/** Not the linux driver's yet (shared with the host today): reported for the operator. */
/**
 * Each environment's own network (network-namespace.ts): its helpers must be installed; `tryIt`
 * also creates one namespace to show the kernel allows it (tens of milliseconds: doctor only).
 */
function networkIsolation(tryIt: boolean): Protection {
  const name = "network isolation";
  const missing = networkUnavailableReason();
  if (missing) return { name, active: false, detail: missing, required: true };
  if (tryIt) {
    const result = spawnSync(BWRAP, ["--unshare-net", "--ro-bind", "/", "/", "/bin/true"], { encoding: "utf8", timeout: 5_000 });
    if (result.status !== 0) return { name, active: false, detail: `network namespaces unavailable: ${(result.stderr || "bwrap failed").trim()}`, required: true };
  }
  return { name, active: true, detail: "a network namespace per environment: Runtime API on its own 127.0.0.1:9001, Unkai's port relayed, slirp4netns egress", required: true };
}

