/**
 * Issue 12, point 1: functions that try to take over the host from inside the linux sandbox. One
 * function per attack; each asserts the attack fails and that Unkai keeps serving a healthy
 * function alongside. Each attempt reports the errno it met ("ok" would mean it worked).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { zipFiles } from "../src/store/code/zip-directory.js";
import { createFromFixture, invoke, ROLE } from "./helpers/clients.js";
import { unkaiSuite } from "./helpers/suite.js";

/** One module, one handler per attack; each function is created with its own handler. */
const ATTACKS_PY = String.raw`
import ctypes, errno, os, socket, stat, time
libc = ctypes.CDLL(None, use_errno=True)

def attempt(fn):
    try:
        fn()
        return "ok"
    except OSError as error:
        return errno.errorcode.get(error.errno, str(error.errno))

def check(result):
    if result != 0:
        raise OSError(ctypes.get_errno(), "failed")

def status(event, context):
    fields = {}
    for line in open("/proc/self/status"):
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    import pwd
    out = {k: fields.get(k) for k in ["Uid", "Gid", "Groups", "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp"]}
    out["user"] = pwd.getpwuid(os.getuid()).pw_name
    return out

def mount_tmpfs(event, context):
    os.makedirs("/tmp/m", exist_ok=True)
    return {
        "mount": attempt(lambda: check(libc.mount(b"none", b"/tmp/m", b"tmpfs", 0, None))),
        "remountRoot": attempt(lambda: check(libc.mount(None, b"/", None, 0x20 | 0x1000, None))),
        "unshareUser": attempt(lambda: check(libc.unshare(0x10000000))),
        "unshareMount": attempt(lambda: check(libc.unshare(0x20000))),
    }

def mknod_device(event, context):
    return {
        "block": attempt(lambda: os.mknod("/tmp/sda", stat.S_IFBLK | 0o600, os.makedev(8, 0))),
        "char": attempt(lambda: os.mknod("/tmp/mem", stat.S_IFCHR | 0o600, os.makedev(1, 1))),
        "fifo": attempt(lambda: os.mknod("/tmp/fifo", stat.S_IFIFO | 0o600)),
    }

def raw_sockets(event, context):
    return {
        "packet": attempt(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3)).close()),
        "packetDgram": attempt(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, 0).close()),
        "rawIcmp": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()),
        "rawIp6": attempt(lambda: socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW).close()),
        "tcp": attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()),
    }

def proc_sys(event, context):
    def write(path, value):
        with open(path, "w") as f:
            f.write(value)
    return {
        "corePattern": attempt(lambda: write("/proc/sys/kernel/core_pattern", "|/tmp/evil")),
        "sysrq": attempt(lambda: write("/proc/sysrq-trigger", "h")),
        "sysVisible": os.path.exists("/sys/kernel"),
    }

def cgroup_escape(event, context):
    own = open("/proc/self/cgroup").read()
    uid = os.getuid()
    def join(path):
        with open(path, "w") as f:
            f.write(str(os.getpid()))
    os.makedirs("/tmp/cg", exist_ok=True)
    return {
        "ownCgroupView": own.strip().splitlines()[:1],
        "uid": uid,
        "cgroupfsVisible": os.path.exists("/sys/fs/cgroup"),
        "joinParentMemory": attempt(lambda: join("/sys/fs/cgroup/memory/cgroup.procs")),
        "joinRootV2": attempt(lambda: join("/sys/fs/cgroup/cgroup.procs")),
        "mountCgroup": attempt(lambda: check(libc.mount(b"cgroup", b"/tmp/cg", b"cgroup", 0, b"memory"))),
        "mountCgroup2": attempt(lambda: check(libc.mount(b"cgroup2", b"/tmp/cg", b"cgroup2", 0, None))),
    }

def neighbour(event, context):
    pid = event["pid"]
    PTRACE_ATTACH = 16
    def ptrace():
        ctypes.set_errno(0)
        if libc.ptrace(PTRACE_ATTACH, pid, None, None) != 0:
            raise OSError(ctypes.get_errno(), "ptrace")
    return {
        "signal": attempt(lambda: os.kill(pid, 0)),
        "kill": attempt(lambda: os.kill(pid, 9)),
        "ptrace": attempt(ptrace),
        "environ": attempt(lambda: open("/proc/%d/environ" % pid, "rb").read()),
        "ownEnviron": attempt(lambda: open("/proc/self/environ", "rb").read()),
        "visiblePids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
        "uid": os.getuid(),
    }

def read_only(event, context):
    def write(path):
        with open(path, "w") as f:
            f.write("x")
    return {
        "task": attempt(lambda: write("/var/task/evil")),
        "opt": attempt(lambda: write("/opt/evil")),
        "runtime": attempt(lambda: write("/var/runtime/evil")),
        "root": attempt(lambda: write("/evil")),
        "etc": attempt(lambda: write("/etc/evil")),
        "usr": attempt(lambda: write("/usr/evil")),
        "devShm": attempt(lambda: write("/dev/shm/evil")),
        "tmp": attempt(lambda: write("/tmp/fine")),
    }

def sleeper(event, context):
    return {"uid": os.getuid()}
`;

type Attack = "status" | "mount_tmpfs" | "mknod_device" | "raw_sockets" | "proc_sys" | "cgroup_escape" | "neighbour" | "read_only" | "sleeper";

/** Host pids of the processes running as `uid` (each environment has a uid of its own). */
function hostPidsOf(uid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1]) === uid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function hostStatus(pid: number): { uid: number; cgroup: string } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]), cgroup: readFileSync(`/proc/${pid}/cgroup`, "utf8") };
}

describe("hostile functions cannot take over the host (linux driver)", () => {
  const suite = unkaiSuite({ UNKAI_SANDBOX: "linux" });

  async function attack(handler: Attack, event: unknown = {}): Promise<Record<string, unknown>> {
    const name = `attack-${handler.replaceAll("_", "-")}`;
    try {
      await suite.client.send(new CreateFunctionCommand({
        FunctionName: name, Runtime: "python3.12", Handler: `attacks.${handler}`, Role: ROLE, Timeout: 30,
        Code: { ZipFile: await zipFiles({ "attacks.py": ATTACKS_PY }) },
      }));
    } catch (error) {
      if ((error as Error).name !== "ResourceConflictException") throw error;
    }
    // The healthy function is invoked while the attack runs, and again after it.
    const [result, during] = await Promise.all([invoke(suite.client, name, event, false), invoke(suite.client, "healthy", { during: handler }, false)]);
    assert.equal(during.functionError, undefined, during.payload);
    assert.equal(result.functionError, undefined, result.payload);
    const after = await invoke(suite.client, "healthy", { after: handler }, false);
    assert.equal(after.functionError, undefined, after.payload);
    return result.json as Record<string, unknown>;
  }

  before(() => createFromFixture(suite.client, "healthy", "node-cjs"));

  it("runs as an unprivileged uid with no capabilities, no_new_privs and a seccomp filter", async () => {
    const inside = await attack("status");
    const [uid] = String(inside.Uid).split(/\s+/);
    assert.ok(Number(uid) >= 1_000_000, `uid ${String(inside.Uid)}`);
    assert.match(String(inside.Uid), /^(\d+)\s+\1\s+\1\s+\1$/, "real, effective, saved and filesystem uid alike");
    for (const set of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) assert.equal(inside[set], "0000000000000000", set);
    assert.equal(inside.NoNewPrivs, "1");
    assert.equal(inside.Seccomp, "2");
    assert.equal(inside.user, "sbx_user1051", "the uid has a name, as Lambda's sandbox user has");
    assert.match(String(inside.Groups), /^1342177280$/, "its only supplementary group is the code group");
  });

  it("cannot mount a filesystem or make itself a user or mount namespace", async () => {
    assert.deepEqual(await attack("mount_tmpfs"), { mount: "EPERM", remountRoot: "EPERM", unshareUser: "EPERM", unshareMount: "EPERM" });
  });

  it("cannot make a block or character device node (a FIFO is fine)", async () => {
    assert.deepEqual(await attack("mknod_device"), { block: "EPERM", char: "EPERM", fifo: "ok" });
  });

  it("cannot open AF_PACKET or raw IP sockets (TCP is fine)", async () => {
    assert.deepEqual(await attack("raw_sockets"), { packet: "EPERM", packetDgram: "EPERM", rawIcmp: "EPERM", rawIp6: "EPERM", tcp: "ok" });
  });

  it("cannot write /proc/sys/kernel/core_pattern or /proc/sysrq-trigger, and has no /sys", async () => {
    const result = await attack("proc_sys");
    assert.match(String(result.corePattern), /^(EROFS|EACCES)$/);
    assert.match(String(result.sysrq), /^(EROFS|EACCES|ENOENT)$/);
    assert.equal(result.sysVisible, false);
    assert.notEqual(readFileSync("/proc/sys/kernel/core_pattern", "utf8").trim(), "|/tmp/evil");
  });

  it("cannot move itself out of its cgroup: no cgroupfs to write to, none to mount, and the host sees it still inside", async () => {
    const result = await attack("cgroup_escape");
    assert.deepEqual({ ...result, ownCgroupView: undefined, uid: undefined }, {
      ownCgroupView: undefined, uid: undefined, cgroupfsVisible: false, joinParentMemory: "ENOENT", joinRootV2: "ENOENT", mountCgroup: "EPERM", mountCgroup2: "EPERM",
    });
    assert.deepEqual(result.ownCgroupView, [(result.ownCgroupView as string[])[0]]);
    assert.doesNotMatch(String(result.ownCgroupView), /unkai/, "a cgroup namespace hides the host's cgroup paths");
    const pids = hostPidsOf(result.uid as number);
    assert.ok(pids.length > 0, "the environment is still running");
    for (const pid of pids) assert.match(hostStatus(pid).cgroup, /memory:\/unkai\/pid-\d+\/env-|0::\/unkai\/pid-\d+\/env-/, `host pid ${pid} is in its environment's group`);
  });

  it("cannot signal, ptrace or read the environment of a neighbour environment; each runs as its own uid", async () => {
    const victimUid = (await attack("sleeper")).uid as number;
    const [victim] = hostPidsOf(victimUid);
    assert.ok(victim, "the neighbour's environment is running");
    const result = await attack("neighbour", { pid: victim });
    assert.deepEqual({ ...result, visiblePids: undefined, uid: undefined }, { signal: "ESRCH", kill: "ESRCH", ptrace: "EPERM", environ: "ENOENT", ownEnviron: "ok", visiblePids: undefined, uid: undefined });
    assert.ok((result.visiblePids as number[]).every((pid) => pid < 10), `only its own PID namespace: ${String(result.visiblePids)}`);
    const attackerUid = result.uid as number;
    assert.ok(hostPidsOf(attackerUid).length > 0, "the host sees the attacker under the uid it reported");
    assert.equal(hostStatus(victim).uid, victimUid);
    assert.notEqual(victimUid, attackerUid, "environments never share a uid");
    assert.ok(victimUid > 0 && attackerUid > 0);
    const still = await invoke(suite.client, "attack-sleeper", {}, false);
    assert.equal(still.functionError, undefined, "the neighbour is unharmed");
  });

  it("cannot write /var/task, /opt, /var/runtime, /, /etc, /usr or /dev/shm; /tmp is the only writable place", async () => {
    const result = await attack("read_only");
    assert.equal(result.tmp, "ok");
    for (const place of ["task", "opt", "runtime", "root", "etc", "usr", "devShm"]) assert.match(String(result[place]), /^(EROFS|EACCES)$/, `${place}: ${String(result[place])}`);
  });

  it("keeps Unkai's data private: the data directory 0700, zips and the database 0600, code readable only by root and the sandboxes' group", () => {
    const dataDir = suite.unkai.dataDir;
    const mode = (path: string) => statSync(path).mode & 0o777;
    assert.equal(mode(dataDir), 0o700);
    assert.equal(mode(join(dataDir, "unkai.db")), 0o600);
    const codeRoot = join(dataDir, "code");
    const entries = readdirSync(codeRoot);
    const zips = entries.filter((name) => name.endsWith(".zip"));
    assert.ok(zips.length > 0);
    for (const zip of zips) assert.equal(mode(join(codeRoot, zip)), 0o600, zip);
    const dir = join(codeRoot, zips[0]!.replace(/\.zip$/, ""));
    const info = statSync(dir);
    assert.equal(info.mode & 0o777, 0o550);
    assert.deepEqual([info.uid, info.gid], [0, 1342177280]);
    for (const name of readdirSync(dir)) assert.equal(mode(join(dir, name)) & 0o007, 0, `${name} is not world-readable`);
  });
});
