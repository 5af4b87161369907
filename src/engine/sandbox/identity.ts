/**
 * Who a sandboxed process is on the host: every environment gets its own unprivileged uid (and a
 * group of the same number), so neighbours cannot signal, trace or read each other's processes
 * even where they could see them, and no file of the host's users is theirs. Code is readable
 * through one shared group, CODE_GID, which owns the (read-only) code and layer directories.
 *
 * The ids come from a range no distribution hands out (1,342,177,280 up, below 2^31 so tools with
 * signed ids cope): 8,191 blocks of 65,536, one block per Unkai process (by its pid), so several
 * Unkais on one host do not share uids; a block holds more environments than one Unkai can run.
 */

const BASE = 0x5000_0000;
const BLOCK = 0x1_0000;
const BLOCKS = 8191;

/** The group that may read function code and layers; no process but a sandbox's has it. */
export const CODE_GID = BASE;

export interface SandboxIdentity {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups. */
  readonly groups: readonly number[];
}

/** Hands out uids of this Unkai's block; one is reused only once its environment is gone. */
export class IdentityPool {
  private readonly first: number;
  private readonly free: number[] = [];
  private next = 0;

  constructor(ownerPid = process.pid) {
    this.first = BASE + BLOCK * (1 + (ownerPid % BLOCKS));
  }

  take(): SandboxIdentity {
    const slot = this.free.pop() ?? this.next++;
    if (slot >= BLOCK) throw new Error(`more than ${BLOCK} sandboxes at once`);
    const uid = this.first + slot;
    return { uid, gid: uid, groups: [CODE_GID] };
  }

  /** Returns a uid once no process of its environment is left. */
  release(identity: SandboxIdentity): void {
    this.free.push(identity.uid - this.first);
  }
}
