/** `unkai doctor`: what this host can do for Unkai — sandboxing, cgroups, interpreters — and, with `--store`, the cluster's nodes. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { detectCgroups } from "../../engine/sandbox/cgroups/detect.js";
import { linuxUnavailableReason, probeProtections } from "../../engine/sandbox/protections.js";
import { DEFAULT_LOG_POLICY } from "../../store/sqlite/index.js";
import { describeStore, isPostgresUrl } from "../../store/open-store.js";
import { openPostgresStore } from "../../store/postgres/index.js";
import { CliError, printJson, table, type Command } from "../output.js";

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

/** With `--store postgres://…` (or UNKAI_STORE): one check per node of the cluster on that database. */
async function clusterNodes(url: string): Promise<Check[]> {
  if (!isPostgresUrl(url)) throw new CliError("--store takes a PostgreSQL URL such as postgres://unkai@db.example:5432/unkai.", undefined, 2);
  const store = await openPostgresStore({ url, logPolicy: DEFAULT_LOG_POLICY, maxConnections: 1 }, () => undefined).catch((error: unknown) => {
    throw new CliError(`could not open the PostgreSQL store at ${describeStore(url)}: ${(error as Error).message}`, undefined, 2);
  });
  try {
    const cluster = store.cluster;
    if (!cluster) return [];
    const now = Date.now();
    const nodes = await cluster.nodes(now);
    if (nodes.length === 0) return [{ name: "cluster", ok: false, detail: `no node has a heartbeat on ${describeStore(url)}` }];
    return nodes.map((node) => {
      // A node may beat between reading the clock and reading the table: that heartbeat is 0 s old, not negative.
      const ageMs = Math.max(0, now - node.heartbeatAt);
      const alive = ageMs <= cluster.deadAfterMs;
      return {
        name: `node ${node.id}`,
        ok: alive,
        detail: `${node.address}, started ${new Date(node.startedAt).toISOString()}, last heartbeat ${(ageMs / 1000).toFixed(1)} s ago${alive ? "" : " (dead: its leases are freed)"}, ${node.leasesHeld} leases held`,
      };
    });
  } finally {
    await store.close();
  }
}

export const doctor: Command = {
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" }, store: { type: "string" } } });
    const storeUrl = values.store ?? process.env.UNKAI_STORE ?? "";
    const groups = cgroups();
    // Each protection of the linux driver, as a real probe sandbox found it.
    const protections = probeProtections();
    const linux = linuxUnavailableReason(protections);
    const node = version(process.execPath, ["--version"]);
    const python = version("/usr/bin/python3", ["--version"]);
    const checks: Check[] = [
      { name: "bubblewrap", ok: existsSync("/usr/bin/bwrap"), detail: version("/usr/bin/bwrap", ["--version"]) ?? "not installed (apt-get install bubblewrap)" },
      { name: "cgroups", ok: groups.ok, detail: groups.detail },
      ...protections.map((p) => ({ name: `protection ${p.name}`, ok: p.active, detail: `${p.active ? "active" : "NOT active"}: ${p.detail}` })),
      { name: "node", ok: node !== undefined, detail: `${process.execPath} ${node ?? "?"} (nodejs20.x, nodejs22.x)` },
      { name: "python", ok: python !== undefined, detail: python ? `/usr/bin/python3 ${python} (python3.11, python3.12)` : "not found (apt-get install python3)" },
      { name: "driver process", ok: true, detail: "always available; no isolation" },
      { name: "driver linux", ok: linux === undefined, detail: linux === undefined ? "available (the default)" : `refused, a protection is missing: ${linux}` },
      ...(storeUrl === "" ? [] : await clusterNodes(storeUrl)),
    ];
    if (values.json) return printJson(checks);
    console.log(table([["CHECK", "OK", "DETAIL"], ...checks.map((c) => [c.name, c.ok ? "yes" : "no", c.detail])]));
  },
};
