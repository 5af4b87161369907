/** Zips a directory (file modes kept, so a custom runtime's `bootstrap` stays executable). */
import { readdir, readlink, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import yazl from "yazl";

export interface ZipOptions {
  /** Relative paths (forward slashes) to leave out; a directory excludes its content. */
  readonly exclude?: (relativePath: string) => boolean;
}

export async function zipDirectory(root: string, options: ZipOptions = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(0);
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
        const target = await readlink(full);
        zip.addBuffer(Buffer.from(target), rel, { mode: 0o120777, mtime });
      } else if (entry.isFile()) {
        const info = await stat(full);
        zip.addFile(full, rel, { mode: info.mode, mtime });
      }
    }
  }
  await walk(root);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Zips in-memory files (path → content), e.g. for tests and the built-in example. */
export async function zipFiles(files: Readonly<Record<string, string | Buffer | { content: string | Buffer; mode: number }>>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
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
