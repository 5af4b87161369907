/**
 * The sandbox's seccomp filter: the assembler's encoding, the policy for both architectures run
 * through a BPF interpreter (so aarch64 is checked on an x86_64 host too), and the real kernel
 * running the filter under bubblewrap as root — where, without the filter, every refused call
 * would have gone through or failed for another reason, so each refusal is the filter's.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { arch } from "node:os";
import { describe, it } from "node:test";
import { assemble, jeq, jump, label, load, ret } from "../src/engine/sandbox/seccomp/bpf.js";
import { ENOSYS, EPERM, SECCOMP_RET_ALLOW, errno, sandboxFilter } from "../src/engine/sandbox/seccomp/policy.js";
import { AARCH64, X86_64, type Architecture, type SyscallName } from "../src/engine/sandbox/seccomp/syscalls.js";
import { runSeccomp } from "./helpers/bpf-interpreter.js";

const filter = sandboxFilter();
const verdict = (a: Architecture, name: SyscallName | number, args: bigint[] = []) =>
  runSeccomp(filter, { arch: a.auditArch, nr: typeof name === "number" ? name : (a.numbers[name] as number), args });

const AF_INET = 2n, AF_INET6 = 10n, AF_UNIX = 1n, AF_NETLINK = 16n, AF_PACKET = 17n;
const SOCK_STREAM = 1n, SOCK_DGRAM = 2n, SOCK_RAW = 3n, SOCK_NONBLOCK = 0o4000n, SOCK_CLOEXEC = 0o2000000n;
const S_IFCHR = 0o020000n, S_IFBLK = 0o060000n, S_IFIFO = 0o010000n, S_IFREG = 0o100000n, S_IFSOCK = 0o140000n;
const CLONE_THREAD_FLAGS = 0x3d0f00n; // what glibc's pthread_create passes
const CLONE_NEWUSER = 0x10000000n, CLONE_NEWNET = 0x40000000n, CLONE_NEWNS = 0x20000n, SIGCHLD = 17n;

describe("seccomp: the BPF assembler", () => {
  it("encodes struct sock_filter little-endian, 8 bytes per instruction, labels as forward offsets", () => {
    const program = assemble([load(4), jeq(0xc000003e, "yes"), ret(0), label("yes"), ret(SECCOMP_RET_ALLOW)]);
    assert.equal(program.length, 4 * 8);
    assert.deepEqual([...program.subarray(0, 8)], [0x20, 0, 0, 0, 4, 0, 0, 0]);
    assert.deepEqual([...program.subarray(8, 16)], [0x15, 0, 1, 0, 0x3e, 0, 0, 0xc0], "u16 code, u8 jt = 1, u8 jf = 0, u32 k");
    assert.deepEqual([...program.subarray(24, 32)], [0x06, 0, 0, 0, 0, 0, 0xff, 0x7f]);
  });

  it("refuses unknown and backward labels and jumps beyond 8 bits", () => {
    assert.throws(() => assemble([jump("nowhere")]), /unknown label 'nowhere'/);
    assert.throws(() => assemble([label("back"), load(0), jeq(1, "back")]), /backwards/);
    const far = [jeq(1, "end"), ...Array.from({ length: 300 }, () => load(0)), label("end"), ret(0)];
    assert.throws(() => assemble(far), /300 instructions away/);
    assert.throws(() => assemble([label("x"), label("x"), ret(0)]), /defined twice/);
  });
});

describe("seccomp: the sandbox policy on each architecture", () => {
  for (const a of [X86_64, AARCH64]) {
    it(`${a.name}: refuses mount, ptrace, keyctl, bpf, perf_event_open, modules, reboot, setns with EPERM`, () => {
      for (const name of ["mount", "umount2", "ptrace", "keyctl", "bpf", "perf_event_open", "init_module", "finit_module", "delete_module", "kexec_load", "reboot", "setns", "open_by_handle_at", "userfaultfd", "io_uring_setup"] as const) {
        assert.equal(verdict(a, name), errno(EPERM), name);
      }
    });

    it(`${a.name}: lets ordinary calls through`, () => {
      const ordinary = a.name === "x86_64" ? [0, 1, 2, 3, 9, 39, 57, 59, 202, 231, 257, 281, 318] : [63, 64, 56, 57, 222, 172, 221, 98, 94, 93, 278, 22];
      for (const nr of ordinary) assert.equal(verdict(a, nr), SECCOMP_RET_ALLOW, `syscall ${nr}`);
    });

    it(`${a.name}: sockets — TCP, UDP, unix and netlink (getifaddrs) yes; packet and raw IP sockets no, whatever the high bits`, () => {
      assert.equal(verdict(a, "socket", [AF_INET, SOCK_STREAM | SOCK_CLOEXEC]), SECCOMP_RET_ALLOW);
      assert.equal(verdict(a, "socket", [AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK]), SECCOMP_RET_ALLOW);
      assert.equal(verdict(a, "socket", [AF_UNIX, SOCK_STREAM]), SECCOMP_RET_ALLOW);
      assert.equal(verdict(a, "socket", [AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC]), SECCOMP_RET_ALLOW);
      assert.equal(verdict(a, "socket", [AF_PACKET, SOCK_RAW]), errno(EPERM));
      assert.equal(verdict(a, "socket", [AF_PACKET, SOCK_DGRAM]), errno(EPERM));
      assert.equal(verdict(a, "socket", [AF_INET, SOCK_RAW | SOCK_CLOEXEC]), errno(EPERM));
      assert.equal(verdict(a, "socket", [AF_INET6, SOCK_RAW]), errno(EPERM));
      // The kernel reads int arguments from the low 32 bits: high bits must not disguise them.
      assert.equal(verdict(a, "socket", [AF_PACKET | (1n << 32n), SOCK_RAW]), errno(EPERM));
      assert.equal(verdict(a, "socket", [AF_INET, SOCK_RAW | (7n << 40n)]), errno(EPERM));
    });

    it(`${a.name}: mknod of FIFOs, sockets and files yes; of character and block devices no`, () => {
      for (const mode of [S_IFIFO | 0o644n, S_IFREG | 0o600n, S_IFSOCK | 0o700n]) assert.equal(verdict(a, "mknodat", [0n, 0n, mode, 0n]), SECCOMP_RET_ALLOW);
      for (const mode of [S_IFCHR | 0o600n, S_IFBLK | 0o600n, S_IFBLK | 0o600n | (1n << 33n)]) assert.equal(verdict(a, "mknodat", [0n, 0n, mode, 0n]), errno(EPERM));
      if (a.numbers.mknod !== undefined) {
        assert.equal(verdict(a, "mknod", [0n, S_IFIFO | 0o644n]), SECCOMP_RET_ALLOW);
        assert.equal(verdict(a, "mknod", [0n, S_IFBLK | 0o644n]), errno(EPERM));
        assert.equal(verdict(a, "mknod", [0n, S_IFCHR]), errno(EPERM));
      }
    });

    it(`${a.name}: threads and processes yes; new namespaces no; clone3 answers ENOSYS so libc falls back to clone`, () => {
      assert.equal(verdict(a, "clone", [CLONE_THREAD_FLAGS]), SECCOMP_RET_ALLOW);
      assert.equal(verdict(a, "clone", [SIGCHLD]), SECCOMP_RET_ALLOW);
      assert.equal(verdict(a, "clone", [CLONE_NEWUSER | SIGCHLD]), errno(EPERM));
      assert.equal(verdict(a, "clone", [CLONE_NEWNET]), errno(EPERM));
      assert.equal(verdict(a, "unshare", [CLONE_NEWUSER]), errno(EPERM));
      assert.equal(verdict(a, "unshare", [CLONE_NEWNS]), errno(EPERM));
      assert.equal(verdict(a, "unshare", [0x80n]), errno(EPERM), "CLONE_NEWTIME");
      assert.equal(verdict(a, "unshare", [0x400n]), SECCOMP_RET_ALLOW, "CLONE_FILES");
      assert.equal(verdict(a, "clone3", [0n, 88n]), errno(ENOSYS));
    });
  }

  it("x86_64: refuses the x32 ABI and any other architecture's calls", () => {
    assert.equal(runSeccomp(filter, { arch: X86_64.auditArch, nr: 0x4000_0000 + 39 }), errno(ENOSYS), "x32 getpid");
    assert.equal(runSeccomp(filter, { arch: X86_64.auditArch, nr: 0x4000_0000 + 165 }), errno(ENOSYS), "x32 mount");
    const I386 = 0x4000_0003;
    assert.equal(runSeccomp(filter, { arch: I386, nr: 20 }), errno(ENOSYS), "i386 getpid through int 0x80");
    assert.equal(runSeccomp(filter, { arch: 0x4000_0028, nr: 1 }), errno(ENOSYS), "32-bit arm");
  });
});

/** Calls each syscall by number as root inside bubblewrap and prints name=errno (0 for success). */
const PROBE = String.raw`
import ctypes, os, sys, json
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
nr = json.loads(sys.argv[1])
def call(name, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr[name]), *[ctypes.c_long(a) for a in args])
    if r >= 0 and name in ("socket", "userfaultfd", "perf_event_open", "bpf", "io_uring_setup"): os.close(r)
    return 0 if r >= 0 else ctypes.get_errno()
out = {}
s = ctypes.c_char_p
out["mount"] = call("mount", ctypes.cast(s(b"none"), ctypes.c_void_p).value, ctypes.cast(s(b"/nonexistent"), ctypes.c_void_p).value, ctypes.cast(s(b"tmpfs"), ctypes.c_void_p).value, 0, 0)
out["umount2"] = call("umount2", ctypes.cast(s(b"/nonexistent"), ctypes.c_void_p).value, 0)
out["mknod_block"] = call("mknodat", -100, ctypes.cast(s(b"/tmp/blk"), ctypes.c_void_p).value, 0o060600, 0x800)
out["mknod_fifo"] = call("mknodat", -100, ctypes.cast(s(b"/tmp/fifo"), ctypes.c_void_p).value, 0o010600, 0)
out["ptrace"] = call("ptrace", 16, 999999, 0, 0)
out["keyctl"] = call("keyctl", 0, -3, 0)
out["bpf"] = call("bpf", 0x7fff, 0, 0)
out["perf_event_open"] = call("perf_event_open", 0, 0, -1, -1, 0)
out["finit_module"] = call("finit_module", -1, 0, 0)
out["delete_module"] = call("delete_module", ctypes.cast(s(b"no_such_module"), ctypes.c_void_p).value, 0)
out["reboot"] = call("reboot", 0, 0, 0, 0)
out["setns"] = call("setns", -1, 0)
out["packet_socket"] = call("socket", 17, 3, 0)
out["packet_socket_high_bits"] = call("socket", 17 | (1 << 32), 3, 0)
out["raw_socket"] = call("socket", 2, 3, 1)
out["tcp_socket"] = call("socket", 2, 1, 0)
out["netlink_socket"] = call("socket", 16, 3, 0)
out["clone3"] = call("clone3", 0, 0)
out["unshare_user"] = call("unshare", 0x10000000)
out["unshare_net"] = call("unshare", 0x40000000)
out["unshare_files"] = call("unshare", 0x400)
pid = os.fork()
if pid == 0: os._exit(7)
out["fork"] = os.waitpid(pid, 0)[1] >> 8
print(json.dumps(out))
`;

const canRunKernelTest = (): string | false => {
  if (!existsSync("/usr/bin/bwrap")) return "bubblewrap is not installed";
  if (process.getuid?.() !== 0) return "needs root (the calls must be refused by the filter, not by missing privileges)";
  if (arch() !== "x64" && arch() !== "arm64") return `no syscall table for ${arch()}`;
  return false;
};

function probe(withFilter: boolean): Record<string, number> {
  const numbers = arch() === "x64" ? X86_64.numbers : AARCH64.numbers;
  const bwrap = [
    "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc",
    "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--die-with-parent",
    ...(withFilter ? ["--seccomp", "0"] : []),
    "/usr/bin/python3", "-c", PROBE, JSON.stringify(numbers),
  ];
  const result = spawnSync("/usr/bin/bwrap", bwrap, { input: withFilter ? filter : "", encoding: "utf8", timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, number>;
}

describe("seccomp: the filter in the kernel", { skip: canRunKernelTest() }, () => {
  const PERM = 1;
  it("as root with every capability, the filter alone refuses each call that would otherwise run", () => {
    const without = probe(false);
    const withFilter = probe(true);
    // Without the filter, root gets through or fails for the arguments' sake — never EPERM.
    for (const name of ["mount", "umount2", "mknod_block", "keyctl", "packet_socket", "raw_socket", "unshare_user", "unshare_net", "setns", "ptrace", "bpf", "delete_module", "reboot"]) {
      assert.notEqual(without[name], PERM, `${name} without the filter: errno ${without[name]}`);
      assert.equal(withFilter[name], PERM, `${name} under the filter: errno ${withFilter[name]}`);
    }
    assert.equal(withFilter.packet_socket_high_bits, PERM);
    assert.equal(withFilter.perf_event_open, PERM);
    assert.equal(withFilter.finit_module, PERM);
    assert.equal(withFilter.clone3, 38, "ENOSYS");
    for (const name of ["mknod_fifo", "tcp_socket", "netlink_socket", "unshare_files"]) assert.equal(withFilter[name], 0, `${name} still works`);
    assert.equal(withFilter.fork, 7, "fork (clone without namespace flags) still works");
  });
});
