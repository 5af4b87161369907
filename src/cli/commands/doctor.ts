/** `unkai doctor`: what this host can do for Unkai — sandboxing, cgroups, interpreters. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { detectCgroups } from "../../engine/sandbox/cgroups/detect.js";
import { linuxUnavailableReason } from "../../engine/sandbox/linux-driver.js";
import { networkUnavailableReason } from "../../engine/sandbox/network-namespace.js";
import { printJson, table, type Command } from "../output.js";

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

function version(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 5_000 });
  if (result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split("\n")[0];
}

/** Both cgroup versions as the host mounts them, and the one the linux driver would use. */
function cgroups(): { ok: boolean; detail: string } {
  const v2Mount = existsSync("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  const v2 = existsSync(`${v2Mount}/cgroup.controllers`) ? readFileSync(`${v2Mount}/cgroup.controllers`, "utf8").trim().split(/\s+/).filter(Boolean) : undefined;
  const v1 = existsSync("/sys/fs/cgroup")
    ? readdirSync("/sys/fs/cgroup").filter((name) => existsSync(`/sys/fs/cgroup/${name}/cgroup.procs`) && name !== "unified" && name !== "systemd" && `/sys/fs/cgroup/${name}` !== v2Mount)
    : [];
  const mounted = [
    ...(v2 ? [`v2 at ${v2Mount} (${v2.join(", ") || "no controllers"})`] : []),
    ...(v1.length > 0 ? [`v1 (${v1.join(", ")})`] : []),
  ].join("; ") || "none mounted";
  const choice = detectCgroups();
  return choice.version === undefined
    ? { ok: false, detail: `${mounted}; unusable: ${choice.reason}` }
    : { ok: true, detail: `${mounted}; Unkai uses v${choice.version}` };
}

function namespacesWork(): { ok: boolean; detail: string } {
  if (!existsSync("/usr/bin/bwrap")) return { ok: false, detail: "bubblewrap missing" };
  const result = spawnSync("/usr/bin/bwrap", ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--ro-bind", "/", "/", "--proc", "/proc", "/bin/true"], { encoding: "utf8", timeout: 5_000 });
  return result.status === 0 ? { ok: true, detail: "mount, PID, IPC and UTS namespaces" } : { ok: false, detail: (result.stderr || "bwrap failed").trim() };
}

/** A network namespace of its own per sandbox, with the helpers that connect it (docs/security.md#network). */
function networkIsolation(): { ok: boolean; detail: string } {
  const missing = networkUnavailableReason();
  if (missing) return { ok: false, detail: missing };
  if (!existsSync("/usr/bin/bwrap")) return { ok: false, detail: "bubblewrap missing" };
  const result = spawnSync("/usr/bin/bwrap", ["--unshare-net", "--ro-bind", "/", "/", "/bin/true"], { encoding: "utf8", timeout: 5_000 });
  if (result.status !== 0) return { ok: false, detail: `no network namespaces: ${(result.stderr || "bwrap failed").trim()}` };
  return { ok: true, detail: "a network namespace per environment: Runtime API at 127.0.0.1:9001, Unkai's port relayed (socat), egress by slirp4netns without the host's loopback" };
}

export const doctor: Command = {
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" } } });
    const groups = cgroups();
    const namespaces = namespacesWork();
    const network = networkIsolation();
    const linux = linuxUnavailableReason();
    const node = version(process.execPath, ["--version"]);
    const python = version("/usr/bin/python3", ["--version"]);
    const checks: Check[] = [
      { name: "bubblewrap", ok: existsSync("/usr/bin/bwrap"), detail: version("/usr/bin/bwrap", ["--version"]) ?? "not installed (apt-get install bubblewrap)" },
      { name: "namespaces", ok: namespaces.ok, detail: namespaces.detail },
      { name: "cgroups", ok: groups.ok, detail: groups.detail },
      { name: "network isolation", ok: network.ok, detail: network.detail },
      { name: "node", ok: node !== undefined, detail: `${process.execPath} ${node ?? "?"} (nodejs20.x, nodejs22.x)` },
      { name: "python", ok: python !== undefined, detail: python ? `/usr/bin/python3 ${python} (python3.11, python3.12)` : "not found (apt-get install python3)" },
      { name: "driver process", ok: true, detail: "always available; no isolation" },
      { name: "driver linux", ok: linux === undefined && namespaces.ok && network.ok, detail: linux ?? (!namespaces.ok ? namespaces.detail : !network.ok ? network.detail : "available (the default)") },
    ];
    if (values.json) return printJson(checks);
    console.log(table([["CHECK", "OK", "DETAIL"], ...checks.map((c) => [c.name, c.ok ? "yes" : "no", c.detail])]));
  },
};
