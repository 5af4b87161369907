/**
 * The command line that starts one linux sandbox, in the order things must happen:
 *  1. /bin/sh (as root) joins the environment's cgroup(s), so everything after is inside them;
 *  2. unshare gives it a private mount namespace, where a fresh ext4 filesystem of the function's
 *     EphemeralStorage size is loop-mounted for /tmp (on disk: not charged to the memory limit;
 *     gone, with its loop device, when the namespace's last process exits);
 *  3. bubblewrap (as root, no user namespace) builds Lambda's filesystem layout in new mount, PID,
 *     IPC, UTS and cgroup namespaces, sets no_new_privs and loads the seccomp filter;
 *  4. setpriv becomes the environment's own unprivileged uid/gid, with every capability set
 *     (inheritable, permitted, effective, bounding, ambient) emptied;
 *  5. a small perl waiter starts the runtime and reports how it ended ("signal 9", "exit 3") on a
 *     status fd: bubblewrap's own init reports a signal as exit status 128+n, which Lambda words
 *     differently ("signal: killed" against "exit status 137").
 * bwrap's own user namespace is not used: run by root it would map the sandbox to host uid 0,
 * which still owns the host's files; an unprivileged host uid owns nothing.
 */
import type { SandboxIdentity } from "./identity.js";

export const BWRAP = "/usr/bin/bwrap";
export const SETPRIV = "/usr/bin/setpriv";
export const UNSHARE = "/usr/bin/unshare";
export const MKFS_EXT4 = "/usr/sbin/mkfs.ext4";
export const PERL = "/usr/bin/perl";

export const LAMBDA_PATHS = { taskRoot: "/var/task", optDir: "/opt", tmpDir: "/tmp", runtimeDir: "/var/runtime", sdkModules: "/var/runtime/node_modules" } as const;

const MB = 1024 * 1024;
/** ext4's own tables take ~3.7% of a small filesystem: the image is that much larger, so df shows about the size asked for. */
const EXT4_OVERHEAD = 1.038;

export interface SandboxCommandSpec {
  readonly identity: SandboxIdentity;
  /** Directories whose cgroup.procs the sandbox joins first. */
  readonly cgroupDirs: readonly string[];
  /** Host directory the /tmp filesystem is mounted on (and its image made beside). */
  readonly tmpMountPoint: string;
  /** Where the empty filesystem templates are kept, one per size (root-only). */
  readonly tmpTemplateDir: string;
  readonly ephemeralMb: number;
  /** The fd bubblewrap reads the compiled seccomp filter from. */
  readonly seccompFd: number;
  /** The fd the waiter reports the runtime's end on; without one the runtime is exec'd directly. */
  readonly statusFd?: number | undefined;
  /** bubblewrap's filesystem and namespace arguments (before `--`). */
  readonly bwrapArgs: readonly string[];
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * Joins the cgroups, then makes the namespace private and mounts /tmp, then runs the rest. The
 * filesystem is a sparse copy of a template made once per size (copying ~300 KB of metadata is
 * faster than mkfs); the copy is unlinked once mounted.
 */
const SCRIPT = [
  'for dir in $UNKAI_CGROUPS; do echo $$ > "$dir/cgroup.procs" || exit 125; done',
  `exec ${UNSHARE} --mount --propagation private /bin/sh -c '
tpl="$UNKAI_TMP_TEMPLATES/tmp-$UNKAI_TMP_BYTES.ext4"
if [ ! -f "$tpl" ]; then
  /usr/bin/truncate -s "$UNKAI_TMP_BYTES" "$tpl.$$" &&
  ${MKFS_EXT4} -q -F -m 0 -O ^has_journal -E lazy_itable_init=1,nodiscard "$tpl.$$" &&
  /bin/mv -f "$tpl.$$" "$tpl" || exit 125
fi
img="$UNKAI_TMP.img"
/bin/cp --sparse=always "$tpl" "$img" && /bin/mount -o loop,nosuid,nodev "$img" "$UNKAI_TMP" || exit 125
/bin/rm -f "$img"; /bin/rmdir "$UNKAI_TMP/lost+found"; /bin/chown "$UNKAI_TMP_OWNER" "$UNKAI_TMP" || exit 125
unset UNKAI_CGROUPS UNKAI_TMP UNKAI_TMP_BYTES UNKAI_TMP_OWNER UNKAI_TMP_TEMPLATES
exec "$@"' unkai-tmp "$@"`,
].join("\n");

/** The program, its arguments and the extra environment that start the sandbox. */
export function sandboxCommand(spec: SandboxCommandSpec): { file: string; args: string[]; env: Record<string, string> } {
  const { uid, gid } = spec.identity;
  return {
    file: "/bin/sh",
    args: [
      "-c", SCRIPT, "unkai-sandbox",
      BWRAP, ...securityArgs(spec.seccompFd), ...spec.bwrapArgs, "--",
      ...dropPrivileges(spec.identity),
      ...(spec.statusFd === undefined ? [] : [PERL, "-e", WAITER, String(spec.statusFd)]),
      spec.command, ...spec.args,
    ],
    env: {
      UNKAI_CGROUPS: spec.cgroupDirs.join(" "),
      UNKAI_TMP: spec.tmpMountPoint,
      UNKAI_TMP_BYTES: String(Math.max(1, Math.floor(spec.ephemeralMb * EXT4_OVERHEAD)) * MB),
      UNKAI_TMP_OWNER: `${uid}:${gid}`,
      UNKAI_TMP_TEMPLATES: spec.tmpTemplateDir,
    },
  };
}

/**
 * Runs the command as its child and writes how it ended to the status fd (which the runtime does
 * not inherit). It ignores SIGTERM/SIGINT/SIGHUP so the runtime, not the waiter, decides how to
 * end on Unkai's SIGTERM; the runtime gets the default dispositions back.
 */
const WAITER = `use POSIX ();
my $fd = shift @ARGV;
open(my $status, ">&=", $fd) or exit 125;
my @signals = qw(TERM INT HUP);
$SIG{$_} = "IGNORE" for @signals;
my $pid = fork;
exit 125 unless defined $pid;
if ($pid == 0) { $SIG{$_} = "DEFAULT" for @signals; POSIX::close($fd); exec { $ARGV[0] } @ARGV; exit 127; }
waitpid($pid, 0);
my $end = $?;
syswrite($status, ($end & 127) ? "signal " . ($end & 127) : "exit " . ($end >> 8));
exit(($end & 127) ? 128 + ($end & 127) : $end >> 8);`;

/** Reads the waiter's report: the runtime's true end, or undefined when there is none. */
export function parseWaiterStatus(text: string): { code: number | null; signal: number | null } | undefined {
  const match = /^(exit|signal) (\d+)$/.exec(text.trim());
  if (!match) return undefined;
  return match[1] === "signal" ? { code: null, signal: Number(match[2]) } : { code: Number(match[2]), signal: null };
}

/** bubblewrap sets no_new_privs itself; the filter is applied just before it execs setpriv. */
function securityArgs(seccompFd: number): string[] {
  return ["--seccomp", String(seccompFd)];
}

/** setpriv drops the bounding set while still root, then changes ids (which empties the other sets). */
function dropPrivileges(identity: SandboxIdentity): string[] {
  return [
    SETPRIV,
    "--reuid", String(identity.uid),
    "--regid", String(identity.gid),
    "--groups", identity.groups.join(","),
    "--inh-caps", "-all",
    "--ambient-caps", "-all",
    "--bounding-set", "-all",
    "--no-new-privs",
    "--",
  ];
}

/** /tmp: the filesystem the script mounted on the host directory. */
export function tmpArgs(tmpMountPoint: string): string[] {
  return ["--bind", tmpMountPoint, LAMBDA_PATHS.tmpDir];
}
