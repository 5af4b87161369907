/**
 * The sandbox's seccomp filter: a deny-list on top of an unprivileged uid with no capabilities.
 * Ordinary code (Node, Python, shells, curl, threads, child processes) keeps every call it uses;
 * what is refused is either useless without privileges anyway (defence in depth if a privilege
 * check has a bug) or a common first step of a kernel exploit. Refusals return EPERM, as a
 * missing capability would, so programs that probe fall back as they would on Lambda.
 */
import { and, assemble, jeq, jge, jset, jump, label, load, ret, type Instruction } from "./bpf.js";
import { ARCHITECTURES, DENIED, type Architecture } from "./syscalls.js";

export const SECCOMP_RET_ALLOW = 0x7fff_0000;
const SECCOMP_RET_ERRNO = 0x0005_0000;
export const EPERM = 1;
export const ENOSYS = 38;
export const errno = (code: number) => SECCOMP_RET_ERRNO | code;

/** struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
const NR = 0;
const ARCH = 4;
/** The low 32 bits of an argument (little-endian): the kernel reads int, mode and flag arguments from them. */
const argLow = (index: number) => 16 + 8 * index;

const AF_NETLINK = 16;
const AF_PACKET = 17;
const SOCK_TYPE_MASK = 0xf;
const SOCK_RAW = 3;
const SOCK_PACKET = 10;
const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
/** CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET (clone's low byte is the exit signal). */
const CLONE_NAMESPACES = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000;
/** unshare also takes CLONE_NEWTIME. */
const UNSHARE_NAMESPACES = CLONE_NAMESPACES | 0x80;

/** The filter for every architecture Unkai supports, dispatched on seccomp_data.arch. */
export function sandboxFilterProgram(): Instruction[] {
  return [
    load(ARCH),
    ...ARCHITECTURES.map((arch) => jeq(arch.auditArch, arch.name)),
    // Another ABI (i386 through int 0x80 on x86_64, for instance): its numbers mean other calls.
    ret(errno(ENOSYS)),
    ...ARCHITECTURES.flatMap(architectureSection),
  ];
}

export function sandboxFilter(): Buffer {
  return assemble(sandboxFilterProgram());
}

function architectureSection(arch: Architecture): Instruction[] {
  const n = arch.numbers;
  const at = (name: string) => `${arch.name}:${name}`;
  const denied = DENIED.flatMap((name) => (n[name] === undefined ? [] : [jeq(n[name], at("eperm"))]));
  const checks: [number | undefined, string][] = [
    [n.socket, "socket"], [n.mknod, "mknod"], [n.mknodat, "mknodat"], [n.clone, "clone"], [n.unshare, "unshare"],
  ];
  return [
    label(arch.name),
    load(NR),
    ...(arch.foreignAbiBit === undefined ? [] : [jge(arch.foreignAbiBit, at("enosys"))]),
    ...denied,
    ...(n.clone3 === undefined ? [] : [jeq(n.clone3, at("enosys"))]),
    ...checks.flatMap(([nr, name]) => (nr === undefined ? [] : [jeq(nr, at(name))])),
    ret(SECCOMP_RET_ALLOW),

    // socket(domain, type, protocol): no packet sockets, no raw IP sockets (netlink's raw sockets are how getifaddrs works).
    label(at("socket")),
    load(argLow(0)),
    jeq(AF_PACKET, at("eperm")),
    jeq(AF_NETLINK, at("allow")),
    load(argLow(1)),
    and(SOCK_TYPE_MASK),
    jeq(SOCK_RAW, at("eperm")),
    jeq(SOCK_PACKET, at("eperm")),
    jump(at("allow")),

    // mknod(path, mode, dev) and mknodat(dirfd, path, mode, dev): FIFOs and sockets yes, devices no.
    ...(n.mknod === undefined ? [] : [label(at("mknod")), load(argLow(1)), jump(at("mknod-mode"))]),
    label(at("mknodat")),
    load(argLow(2)),
    label(at("mknod-mode")),
    and(S_IFMT),
    jeq(S_IFCHR, at("eperm")),
    jeq(S_IFBLK, at("eperm")),
    jump(at("allow")),

    // clone(flags, ...) and unshare(flags): threads and processes yes, new namespaces no.
    label(at("clone")),
    load(argLow(0)),
    jset(CLONE_NAMESPACES, at("eperm"), at("allow")),
    label(at("unshare")),
    load(argLow(0)),
    jset(UNSHARE_NAMESPACES, at("eperm"), at("allow")),

    label(at("allow")),
    ret(SECCOMP_RET_ALLOW),
    label(at("eperm")),
    ret(errno(EPERM)),
    label(at("enosys")),
    ret(errno(ENOSYS)),
  ];
}
