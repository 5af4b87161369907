/**
 * Unkai was called Kumo until December 2026. Settings and data under the old names are not read any more;
 * these notices tell a user who still has them what to rename instead of starting silently empty.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** One warning per leftover of the old name: `KUMO_*` variables and a `./.kumo` data directory beside the default one. */
export function renameNotices(env: NodeJS.ProcessEnv, cwd: string, dataDir: string): string[] {
  const notices: string[] = [];
  const oldVariables = Object.keys(env).filter((name) => name.startsWith("KUMO_")).sort();
  if (oldVariables.length > 0) {
    const renamed = oldVariables.map((name) => `UNKAI_${name.slice("KUMO_".length)}`);
    notices.push(`ignoring ${oldVariables.join(", ")}: Kumo is now Unkai; set ${renamed.join(", ")} instead.`);
  }
  const oldDataDir = join(cwd, ".kumo");
  if (resolve(dataDir) === join(cwd, ".unkai") && existsSync(oldDataDir) && !existsSync(dataDir)) {
    notices.push(`found ${oldDataDir} from before the rename to Unkai; stop Unkai and run \`mv .kumo .unkai\` to keep its functions and objects.`);
  }
  return notices;
}
