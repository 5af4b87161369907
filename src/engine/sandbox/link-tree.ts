/**
 * Fills a directory with hard links to everything in another, as `cp -al from/. to` does — files
 * and symlinks linked (the same inodes), directories made anew with their owner, mode and times,
 * `to` itself taking `from`'s — but inside Unkai, on libuv's thread pool: no process to start per
 * pre-started sandbox given a function (that spawn was most of what the linux driver added to a
 * pooled cold start).
 */
import type { BigIntStats } from "node:fs";
import { chmod, chown, link, mkdir, readdir, stat, utimes } from "node:fs/promises";
import { join } from "node:path";

export async function linkTree(from: string, to: string): Promise<void> {
  // Read before the listing, which may itself update the source's access time.
  const source = await stat(from, { bigint: true });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      const source = join(from, entry.name);
      const target = join(to, entry.name);
      if (!entry.isDirectory()) return link(source, target);
      await mkdir(target);
      await linkTree(source, target);
    }),
  );
  // Last: making the entries changed the directory's times.
  await copyAttributes(source, to);
}

/** Owner first (a chown clears set-id bits), then mode, then times, as `cp -a` preserves them. */
async function copyAttributes(source: BigIntStats, to: string): Promise<void> {
  try {
    await chown(to, Number(source.uid), Number(source.gid));
  } catch (error) {
    // As cp -a, an owner only root may give is kept where the process cannot give it.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") throw error;
  }
  await chmod(to, Number(source.mode) & 0o7777);
  // Seconds as a double: whole-second times (a zip's) exact, others to within a microsecond (Node has no nanosecond utimes).
  await utimes(to, Number(source.atimeNs) / 1e9, Number(source.mtimeNs) / 1e9);
}
