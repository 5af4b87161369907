/** Picks the cgroup version Unkai uses: v2 where its controllers are there to use, else v1, else none. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CgroupHost } from "./cgroup.js";
import { v1Host, v1UnavailableReason } from "./cgroup-v1.js";
import { v2Host, v2UnavailableReason } from "./cgroup-v2.js";

const MOUNT = "/sys/fs/cgroup";

/** The v2 mount: the whole of /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid ones. */
function v2Mount(): string {
  return existsSync(join(MOUNT, "cgroup.controllers")) ? MOUNT : join(MOUNT, "unified");
}

export type CgroupChoice = { readonly version: 1 | 2; readonly open: () => CgroupHost } | { readonly version: undefined; readonly reason: string };

export function detectCgroups(): CgroupChoice {
  const v2 = v2Mount();
  const v2Reason = v2UnavailableReason(v2);
  if (v2Reason === undefined) return { version: 2, open: () => v2Host(v2) };
  const v1Reason = v1UnavailableReason(MOUNT);
  if (v1Reason === undefined) return { version: 1, open: () => v1Host(MOUNT) };
  return { version: undefined, reason: `${v2Reason}; and ${v1Reason}` };
}
