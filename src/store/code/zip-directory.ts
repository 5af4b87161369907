/** Zips a directory (file modes kept, so a custom runtime's `bootstrap` stays executable). */
import { constants } from "node:fs";
import { lstat, open, readdir, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { PassThrough } from "node:stream";
import type yazlModule from "yazl";
import { PackageTree } from "./package-tree.js";

/** yazl is loaded at the first zip: a server that never packages code does not carry it. */
async function newZip(): Promise<yazlModule.ZipFile> {
  const { default: yazl } = await import("yazl");
  return new yazl.ZipFile();
}

export interface ZipOptions {
  /** Relative paths (forward slashes) to leave out; a directory excludes its content. */
  readonly exclude?: (relativePath: string) => boolean;
}

/**
 * Symlinks are stored as symlink entries (as `zip --symlinks` does and Lambda keeps them), never
 * followed: a link never pulls a file from outside the folder into the package. A link whose target,
 * followed through the folder's other links, leaves the folder is refused with an error naming it,
 * since the package would carry a link that Unkai (and any careful unzip) refuses, and that on
 * Lambda would point at nothing of the function's.
 */
export async function zipDirectory(root: string, options: ZipOptions = {}): Promise<Buffer> {
  const tree = new PackageTree();
  const files: { rel: string; full: string; mode: number; size: number }[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const rel = relative(root, full).split(sep).join("/");
      if (options.exclude?.(rel)) continue;
      if (entry.isDirectory()) {
        await walk(full);
      } else if (entry.isSymbolicLink()) {
        tree.add(rel, "link", await readlink(full));
      } else if (entry.isFile()) {
        const info = await lstat(full);
        tree.add(rel, "file");
        files.push({ rel, full, mode: info.mode, size: info.size });
      }
    }
  }
  await walk(root);
  const links = tree.links();
  for (const [path, target] of links) {
    const problem = tree.linkProblem(path, target);
    if (problem) throw new Error(`cannot package '${root}': ${problem}. A package may only hold links that stay inside it: copy the file into the folder, or remove the link.`);
  }
  const zip = await newZip();
  // yazl reports a failed read on the ZipFile; end the output with it rather than crash.
  zip.on("error", (error: Error) => (zip.outputStream as PassThrough).destroy(error));
  const mtime = new Date(0);
  for (const file of files) {
    // Opened when yazl reaches it (not thousands at once), and with O_NOFOLLOW: a file swapped
    // for a link after the listing is refused, not followed.
    zip.addReadStreamLazy(file.rel, { mode: file.mode, mtime, size: file.size }, (done) => {
      open(file.full, constants.O_RDONLY | constants.O_NOFOLLOW).then((handle) => done(null, handle.createReadStream()), (error: Error) => done(error, undefined as never));
    });
  }
  for (const [path, target] of links) zip.addBuffer(Buffer.from(target), path, { mode: 0o120777, mtime });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Zips in-memory files (path → content), e.g. for tests and the built-in example. */
export async function zipFiles(files: Readonly<Record<string, string | Buffer | { content: string | Buffer; mode: number }>>): Promise<Buffer> {
  const zip = await newZip();
  const mtime = new Date(0);
  for (const [path, value] of Object.entries(files)) {
    const { content, mode } = typeof value === "string" || Buffer.isBuffer(value) ? { content: value, mode: 0o100644 } : value;
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), path, { mode, mtime });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
