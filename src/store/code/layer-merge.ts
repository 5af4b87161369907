/** Layers merged into one `/opt` directory, later layers winning, without ever following a link. */
import { constants } from "node:fs";
import { chmod, copyFile, lstat, mkdir, readdir, readlink, rm, symlink } from "node:fs/promises";
import { join } from "node:path";
import { invalidParameter } from "../../core/errors.js";
import { PackageTree } from "./package-tree.js";

/**
 * Lays one extracted layer over the merge so far, later layers winning. Never writes through a
 * symlink: whatever an earlier layer left at a path (a link included) is removed before this layer's
 * directory, file or link is made there, and a directory is descended into only when it is a real one.
 */
export async function mergeLayer(source: string, dest: string): Promise<void> {
  for (const name of await readdir(source)) {
    const from = join(source, name);
    const to = join(dest, name);
    const info = await lstat(from);
    const existing = await lstat(to).catch(() => undefined);
    if (info.isDirectory()) {
      if (existing && !existing.isDirectory()) await rm(to, { force: true });
      if (!existing?.isDirectory()) await mkdir(to, { mode: 0o755 });
      await mergeLayer(from, to);
      continue;
    }
    if (existing) await rm(to, { recursive: true, force: true });
    if (info.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (info.isFile()) await copyFile(from, to, constants.COPYFILE_EXCL).then(() => chmod(to, info.mode & 0o111 ? 0o755 : 0o644));
  }
}

/**
 * Each layer's links stay inside that layer, but merged they can combine (`esc -> d/..` from one,
 * `d -> .` from another) into a link out of `/opt`: the merge is checked as one package too.
 */
export async function checkMergedLinks(dir: string): Promise<void> {
  const tree = new PackageTree();
  async function walk(relative: string): Promise<void> {
    for (const name of await readdir(join(dir, relative))) {
      const path = relative === "" ? name : `${relative}/${name}`;
      const info = await lstat(join(dir, path));
      if (info.isSymbolicLink()) tree.add(path, "link", await readlink(join(dir, path)));
      else if (info.isDirectory()) {
        tree.add(path, "dir");
        await walk(path);
      } else tree.add(path, "file");
    }
  }
  await walk("");
  for (const [path, target] of tree.links()) {
    const problem = tree.linkProblem(path, target);
    if (problem) throw invalidParameter(`The function's layers, merged into /opt in order, make an unsafe link: ${problem.replace("the package", "/opt")}.`);
  }
}
