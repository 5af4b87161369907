/**
 * Safe zip extraction. Every entry's name, type and declared size is read and checked first, as a
 * whole package (package-tree.ts); only then is anything written: directories and regular files
 * first, symlinks last. So no write ever passes through a symlink — not one from the zip (a link
 * is never the parent of another entry, and none exists yet while files are written), and not one
 * planted by anyone else (files are created with O_EXCL, which refuses an existing link). Sizes are
 * counted again as bytes are inflated, so a lying header or a zip bomb stops at the limit.
 */
import { createWriteStream } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform, type Readable } from "node:stream";
import type yauzl from "yauzl";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { readWhole } from "../read-whole.js";
import { PackageTree } from "./package-tree.js";

export interface UnzipLimits {
  readonly maxUnzippedBytes: number;
  readonly maxFiles: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const MAX_LINK_TARGET_BYTES = 4096;

interface PlannedEntry {
  readonly entry: yauzl.Entry;
  readonly path: string;
  readonly executable: boolean;
}

interface Plan {
  readonly dirs: string[];
  readonly files: PlannedEntry[];
  readonly links: [string, string][];
}

/** yauzl is loaded at the first upload: a server that is sent no code does not carry it. */
async function openZip(buffer: Buffer): Promise<yauzl.ZipFile> {
  const { fromBuffer } = (await import("yauzl")).default;
  return new Promise((resolve, reject) => {
    fromBuffer(buffer, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, zip) => {
      if (error) reject(unzipError(error.message));
      else resolve(zip);
    });
  });
}

function unzipError(detail: string) {
  return invalidParameter(`Could not unzip uploaded file. Please check your file, then try to upload again. (${detail})`);
}

/** An entry name as a plain relative path inside the package ('/'-separated, no '.', '..' or empty parts). */
export function safeEntryPath(name: string): string {
  if (name.includes("\\") || name.includes("\0")) throw unzipError(`entry '${name}' has a backslash or NUL in its name`);
  if (name.startsWith("/")) throw unzipError(`entry '${name}' has an absolute path`);
  const parts = name.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) throw unzipError(`entry '${name}' climbs out of the package with '..'`);
  // Linux's NAME_MAX and (with room for the data directory) PATH_MAX: refused here, not as a failed write.
  if (parts.some((part) => Buffer.byteLength(part) > 255)) throw unzipError(`entry '${name.slice(0, 300)}' has a name part longer than 255 bytes`);
  if (Buffer.byteLength(name) > 3_072) throw unzipError(`entry '${name.slice(0, 300)}…' is longer than 3072 bytes`);
  return parts.join("/");
}

/** Extracts `buffer` into `dest` (which must not exist yet). Returns the unzipped byte count. */
export async function unzipInto(buffer: Buffer, dest: string, limits: UnzipLimits): Promise<number> {
  const zip = await openZip(buffer);
  try {
    const plan = await planExtraction(zip, limits);
    await mkdir(dest, { recursive: true });
    for (const dir of plan.dirs) await mkdir(join(dest, dir), { recursive: true });
    let totalBytes = 0;
    for (const file of plan.files) {
      await mkdir(join(dest, dirname(file.path)), { recursive: true });
      totalBytes += await writeEntry(zip, file, join(dest, file.path), limits.maxUnzippedBytes - totalBytes, limits);
    }
    // Last, so no file or directory is ever written through one of them.
    for (const [path, target] of plan.links) {
      // The tree guarantees no symlink lies on this parent path, so mkdir walks real directories only.
      await mkdir(join(dest, dirname(path)), { recursive: true });
      await symlink(target, join(dest, path));
    }
    return totalBytes;
  } finally {
    zip.close();
  }
}

/** Reads every entry's header (and each symlink's target) and checks the package as a whole. */
async function planExtraction(zip: yauzl.ZipFile, limits: UnzipLimits): Promise<Plan> {
  const tree = new PackageTree();
  const plan: Plan = { dirs: [], files: [], links: [] };
  let declaredBytes = 0;
  let count = 0;
  for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
    if (++count > limits.maxFiles) throw unzipError(`the package has more than ${limits.maxFiles} entries`);
    const path = safeEntryPath(entry.fileName);
    const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
    const type = mode & S_IFMT;
    if (entry.fileName.endsWith("/") || type === S_IFDIR) {
      if (path !== "") place(tree.add(path, "dir"), () => plan.dirs.push(path));
      continue;
    }
    if (path === "") throw unzipError(`entry '${entry.fileName}' has no name`);
    if (type === S_IFLNK) {
      const target = (await readWhole(await openEntry(zip, entry), MAX_LINK_TARGET_BYTES, () => unzipError("a symlink target is too long"))).toString("utf8");
      place(tree.add(path, "link", target), () => plan.links.push([path, target]));
      continue;
    }
    declaredBytes += entry.uncompressedSize;
    if (declaredBytes > limits.maxUnzippedBytes) throw tooBig(limits);
    place(tree.add(path, "file"), () => plan.files.push({ entry, path, executable: (mode & 0o111) !== 0 }));
  }
  for (const [path, target] of plan.links) {
    const problem = tree.linkProblem(path, target);
    if (problem) throw unzipError(problem);
  }
  return plan;
}

function place(problem: string | undefined, accept: () => void): void {
  if (problem) throw unzipError(problem);
  accept();
}

/** Inflates one regular file into a new file (O_EXCL: never an existing file or link), counting bytes. */
async function writeEntry(zip: yauzl.ZipFile, file: PlannedEntry, target: string, budgetBytes: number, limits: UnzipLimits): Promise<number> {
  let written = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length;
      if (written > budgetBytes) done(tooBig(limits));
      else done(null, chunk);
    },
  });
  const out = createWriteStream(target, { mode: file.executable ? 0o755 : 0o644, flags: "wx" });
  try {
    await pipeline(await openEntry(zip, file.entry), counter, out);
  } catch (error) {
    // Inflate and size-check failures are the zip's fault; filesystem errors (they name a syscall) are ours.
    if (error instanceof UnkaiError || (error as NodeJS.ErrnoException).syscall !== undefined) throw error;
    throw unzipError(`entry '${file.path}': ${(error as Error).message}`);
  }
  return written;
}

function tooBig(limits: UnzipLimits) {
  return invalidParameter(`Unzipped size must be smaller than ${limits.maxUnzippedBytes} bytes`);
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: yauzl.Entry) => {
      cleanup();
      resolve(entry);
    };
    const onEnd = () => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(unzipError(error.message));
    };
    const cleanup = () => {
      zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
    };
    zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) reject(unzipError(error.message));
      else resolve(stream);
    });
  });
}

