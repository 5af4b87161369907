/**
 * Safe zip extraction: every entry's path, type and size is checked before anything is written,
 * and sizes are counted as bytes are inflated, so a lying header or a zip bomb stops at the limit.
 */
import { createWriteStream } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, posix, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import yauzl from "yauzl";
import { invalidParameter } from "../../core/errors.js";

export interface UnzipLimits {
  readonly maxUnzippedBytes: number;
  readonly maxFiles: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

function openZip(buffer: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, zip) => {
      if (error) reject(unzipError(error.message));
      else resolve(zip);
    });
  });
}

function unzipError(detail: string) {
  return invalidParameter(`Could not unzip uploaded file. Please check your file, then try to upload again. (${detail})`);
}

/** Checks an entry name is a plain relative path inside the package. */
export function safeEntryPath(name: string): string {
  if (name.includes("\\") || name.includes("\0")) throw unzipError(`entry '${name}' has a backslash or NUL in its name`);
  if (isAbsolute(name) || posix.isAbsolute(name)) throw unzipError(`entry '${name}' has an absolute path`);
  const parts = name.split("/");
  if (parts.includes("..")) throw unzipError(`entry '${name}' climbs out of the package with '..'`);
  return normalize(name);
}

/** A symlink may only point inside the package. */
function checkSymlinkTarget(entryPath: string, target: string): void {
  if (isAbsolute(target)) throw unzipError(`symlink '${entryPath}' points to absolute path '${target}'`);
  const resolved = normalize(join(dirname(entryPath), target));
  if (resolved === ".." || resolved.startsWith(`..${sep}`)) {
    throw unzipError(`symlink '${entryPath}' points outside the package ('${target}')`);
  }
}

/** Extracts `buffer` into `dest` (which must not exist yet). Returns the unzipped byte count. */
export async function unzipInto(buffer: Buffer, dest: string, limits: UnzipLimits): Promise<number> {
  const zip = await openZip(buffer);
  let totalBytes = 0;
  let files = 0;
  await mkdir(dest, { recursive: true });
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      files++;
      if (files > limits.maxFiles) throw unzipError(`the package has more than ${limits.maxFiles} entries`);
      const relative = safeEntryPath(entry.fileName);
      const target = join(dest, relative);
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      const type = mode & S_IFMT;
      if (entry.fileName.endsWith("/") || type === S_IFDIR) {
        await mkdir(target, { recursive: true });
        continue;
      }
      if (entry.uncompressedSize + totalBytes > limits.maxUnzippedBytes) throw tooBig(limits);
      await mkdir(dirname(target), { recursive: true });
      const stream = await openEntry(zip, entry);
      if (type === S_IFLNK) {
        const linkTarget = (await readAll(stream, 4096)).toString("utf8");
        checkSymlinkTarget(relative, linkTarget);
        await symlink(linkTarget, target);
        continue;
      }
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          totalBytes += chunk.length;
          if (totalBytes > limits.maxUnzippedBytes) done(tooBig(limits));
          else done(null, chunk);
        },
      });
      const executable = (mode & 0o111) !== 0;
      await pipeline(stream, counter, createWriteStream(target, { mode: executable ? 0o755 : 0o644, flags: "wx" }));
    }
  } finally {
    zip.close();
  }
  return totalBytes;
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

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) reject(unzipError(error.message));
      else resolve(stream);
    });
  });
}

async function readAll(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw unzipError("a symlink target is too long");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
