/**
 * The system calls the sandbox refuses, by number on each architecture Unkai runs on
 * (x86_64: arch/x86/entry/syscalls/syscall_64.tbl; aarch64: include/uapi/asm-generic/unistd.h).
 */

/** Refused outright with EPERM: nothing a Lambda function needs, each a way to reach the host's kernel state. */
export const DENIED = [
  // mounting: the sandbox's filesystem view is fixed
  "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
  // other processes' memory
  "ptrace", "process_vm_readv", "process_vm_writev",
  // kernel keyrings, eBPF, perf counters
  "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
  // kernel modules, kexec, reboot, swap, accounting, the kernel log, quotas
  "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
  "swapon", "swapoff", "acct", "syslog", "quotactl", "vhangup", "lookup_dcookie", "nfsservctl",
  // the host's clock
  "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
  // joining namespaces; handles that bypass path checks; a favourite of kernel exploits
  "setns", "open_by_handle_at", "name_to_handle_at", "userfaultfd",
  // io_uring: a large kernel surface (libuv falls back to its thread pool)
  "io_uring_setup", "io_uring_enter", "io_uring_register",
  // x86 port I/O and obsolete calls
  "iopl", "ioperm", "uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module",
] as const;

/** Allowed, but only with the arguments the policy checks. */
export const CHECKED = ["socket", "mknod", "mknodat", "clone", "unshare"] as const;

/** Refused with ENOSYS so that libc falls back to `clone`, whose flags can be checked (clone3's are behind a pointer). */
export const UNSUPPORTED = ["clone3"] as const;

export type SyscallName = (typeof DENIED)[number] | (typeof CHECKED)[number] | (typeof UNSUPPORTED)[number];

export interface Architecture {
  readonly name: "x86_64" | "aarch64";
  /** AUDIT_ARCH_* as seccomp_data.arch carries it. */
  readonly auditArch: number;
  /** Numbers with this bit set belong to another ABI on the same architecture (x86's x32); refused. */
  readonly foreignAbiBit: number | undefined;
  /** Calls this architecture lacks (aarch64 has only the *at forms) are absent. */
  readonly numbers: Partial<Record<SyscallName, number>>;
}

const AUDIT_ARCH_64BIT_LE = 0x8000_0000 | 0x4000_0000;

export const X86_64: Architecture = {
  name: "x86_64",
  auditArch: (62 | AUDIT_ARCH_64BIT_LE) >>> 0,
  foreignAbiBit: 0x4000_0000,
  numbers: {
    mount: 165, umount2: 166, pivot_root: 155, chroot: 161, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, move_mount: 429, open_tree: 428, mount_setattr: 442,
    ptrace: 101, process_vm_readv: 310, process_vm_writev: 311,
    keyctl: 250, add_key: 248, request_key: 249, bpf: 321, perf_event_open: 298,
    init_module: 175, finit_module: 313, delete_module: 176, kexec_load: 246, kexec_file_load: 320, reboot: 169,
    swapon: 167, swapoff: 168, acct: 163, syslog: 103, quotactl: 179, vhangup: 153, lookup_dcookie: 212, nfsservctl: 180,
    settimeofday: 164, clock_settime: 227, clock_adjtime: 305, adjtimex: 159,
    setns: 308, open_by_handle_at: 304, name_to_handle_at: 303, userfaultfd: 323,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    iopl: 172, ioperm: 173, uselib: 134, _sysctl: 156, create_module: 174, get_kernel_syms: 177, query_module: 178,
    socket: 41, mknod: 133, mknodat: 259, clone: 56, unshare: 272, clone3: 435,
  },
};

export const AARCH64: Architecture = {
  name: "aarch64",
  auditArch: (183 | AUDIT_ARCH_64BIT_LE) >>> 0,
  foreignAbiBit: undefined,
  numbers: {
    mount: 40, umount2: 39, pivot_root: 41, chroot: 51, fsopen: 430, fsconfig: 431, fsmount: 432, fspick: 433, move_mount: 429, open_tree: 428, mount_setattr: 442,
    ptrace: 117, process_vm_readv: 270, process_vm_writev: 271,
    keyctl: 219, add_key: 217, request_key: 218, bpf: 280, perf_event_open: 241,
    init_module: 105, finit_module: 273, delete_module: 106, kexec_load: 104, kexec_file_load: 294, reboot: 142,
    swapon: 224, swapoff: 225, acct: 89, syslog: 116, quotactl: 60, vhangup: 58, lookup_dcookie: 18, nfsservctl: 42,
    settimeofday: 170, clock_settime: 112, clock_adjtime: 266, adjtimex: 171,
    setns: 268, open_by_handle_at: 265, name_to_handle_at: 264, userfaultfd: 282,
    io_uring_setup: 425, io_uring_enter: 426, io_uring_register: 427,
    socket: 198, mknodat: 33, clone: 220, unshare: 97, clone3: 435,
  },
};

export const ARCHITECTURES = [X86_64, AARCH64] as const;
