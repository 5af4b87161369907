/**
 * The cgroup backends against the real kernel: a group holds a process and the daemon it detaches,
 * kills them all, reports them, and goes away. v1 and v2 each run where the host has them; on a
 * hybrid host (controllers bound to v1) v2's core files — cgroup.procs, cgroup.kill — still work
 * on the unified mount, so that part of the v2 backend is exercised there too.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { EnvironmentCgroup } from "../src/engine/sandbox/cgroups/cgroup.js";
import { v1Host, v1UnavailableReason } from "../src/engine/sandbox/cgroups/cgroup-v1.js";
import { v2Group, v2Host, v2UnavailableReason } from "../src/engine/sandbox/cgroups/cgroup-v2.js";
import { detectCgroups } from "../src/engine/sandbox/cgroups/detect.js";
import { waitFor } from "./helpers/wait.js";

const MOUNT = "/sys/fs/cgroup";
const V2_MOUNT = existsSync(join(MOUNT, "cgroup.controllers")) ? MOUNT : join(MOUNT, "unified");

/** A shell that joins the group, detaches a `sleep` into its own session, and waits. */
async function populate(group: EnvironmentCgroup): Promise<number[]> {
  const script = 'for dir in $DIRS; do echo $$ > "$dir/cgroup.procs" || exit 125; done; setsid /usr/bin/sleep 300 & exec /usr/bin/sleep 300';
  const child = spawn("/bin/sh", ["-c", script], { env: { DIRS: group.joinDirs.join(" ") }, stdio: "ignore", detached: true });
  child.unref();
  await waitFor("both processes to be in the group", () => (group.pids().length >= 2 ? true : undefined), 5_000);
  return group.pids();
}

async function assertContained(group: EnvironmentCgroup): Promise<void> {
  const pids = await populate(group);
  assert.ok(pids.length >= 2, `the shell and its detached daemon are both in the group: ${pids.join(", ")}`);
  group.killAll();
  await waitFor("every process to be gone", () => (group.pids().length === 0 && pids.every((pid) => !existsSync(`/proc/${pid}`) || isZombie(pid)) ? true : undefined), 5_000);
  await waitFor("the empty group to be removable", () => (group.remove() ? true : undefined), 5_000);
  for (const dir of group.joinDirs) assert.equal(existsSync(dir), false, `${dir} is removed`);
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

describe("cgroup backends", () => {
  it("detects a usable version and says why when there is none", () => {
    const choice = detectCgroups();
    if (choice.version === undefined) assert.match(choice.reason, /cgroup/);
    else assert.ok(choice.version === 1 || choice.version === 2);
  });

  it("v1: limits memory, pids and CPU share, and kills every process of an environment", { skip: v1UnavailableReason(MOUNT) }, async () => {
    const host = v1Host(MOUNT);
    const group = host.create(`env-test-${process.pid}`);
    group.limit(256);
    const [memory, pids, cpu] = group.joinDirs as [string, string, string];
    const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8").trim();
    assert.equal(read(memory, "memory.limit_in_bytes"), String(256 * 1024 * 1024));
    assert.equal(read(pids, "pids.max"), "1024");
    assert.equal(read(cpu, "cpu.shares"), String(Math.round((1024 * 256) / 1769)));
    await assertContained(group);
  });

  it("v2: limits memory, pids and CPU weight, and kills every process of an environment", { skip: v2UnavailableReason(V2_MOUNT) }, async () => {
    const group = v2Host(V2_MOUNT).create(`env-test-${process.pid}`);
    group.limit(256);
    const [dir] = group.joinDirs as [string];
    const read = (file: string) => readFileSync(join(dir, file), "utf8").trim();
    assert.equal(read("memory.max"), String(256 * 1024 * 1024));
    assert.equal(read("pids.max"), "1024");
    assert.equal(read("cpu.weight"), String(Math.round((100 * 256) / 1769)));
    await assertContained(group);
  });

  it("v2 core on the unified mount: join, list, cgroup.kill and remove", { skip: existsSync(join(V2_MOUNT, "cgroup.procs")) ? false : "no cgroup v2 mount" }, async () => {
    const parent = join(V2_MOUNT, `unkai-test-${process.pid}`);
    mkdirSync(join(parent, "env"), { recursive: true });
    try {
      await assertContained(v2Group(join(parent, "env")));
    } finally {
      rmdirSync(parent);
    }
  });

  /**
   * The whole v2 backend (limits included) on a cgroup2 hierarchy this test mounts itself. The
   * kernel has one v2 hierarchy, so a new mount shows the same tree and controllers: a controller
   * bound to a v1 hierarchy (memory, pids and cpu on hybrid hosts such as Debian 12 booted with
   * systemd.unified_cgroup_hierarchy=0) cannot be enabled in v2 until every v1 group of it is gone and
   * its v1 hierarchy unmounted — which would take the controllers from every other cgroup user on the
   * host. There the test says exactly which controllers the mount lacks and skips.
   */
  it("v2 backend on a cgroup2 hierarchy mounted by the test", async (t) => {
    if (process.getuid?.() !== 0) return t.skip("mounting cgroup2 needs root");
    const mount = mkdtempSync(join(tmpdir(), "unkai-cgroup2-"));
    const mounted = spawnSync("/bin/mount", ["-t", "cgroup2", "none", mount], { encoding: "utf8" });
    try {
      assert.equal(mounted.status, 0, `mount -t cgroup2: ${mounted.stderr}`);
      const reason = v2UnavailableReason(mount);
      if (reason) {
        const controllers = readFileSync(join(mount, "cgroup.controllers"), "utf8").trim() || "none";
        const boundToV1 = ["memory", "pids", "cpu"].filter((c) => existsSync(join(MOUNT, c, "cgroup.procs")));
        return t.skip(`cgroup2 mounted at ${mount} offers only [${controllers}]; ${boundToV1.join(", ") || "the needed controllers"} are bound to v1 hierarchies under ${MOUNT} (${reason})`);
      }
      const group = v2Host(mount).create(`env-test-mounted-${process.pid}`);
      group.limit(128);
      const [dir] = group.joinDirs as [string];
      assert.equal(readFileSync(join(dir, "memory.max"), "utf8").trim(), String(128 * 1024 * 1024));
      await assertContained(group);
    } finally {
      if (mounted.status === 0) spawnSync("/bin/umount", [mount]);
      rmdirSync(mount);
    }
  });
});
