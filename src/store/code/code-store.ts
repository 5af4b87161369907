/**
 * Content-addressed code: each package is kept once in the blob store as `code/<sha256>.zip`, and
 * unpacked once per node into a read-only `<root>/<sha256>/` directory (a local cache) that every
 * environment of that code shares. A node that has not got a package yet fetches it from the blob
 * store, checks its digest, and unpacks it before the first environment starts.
 */
import { createHash, randomUUID } from "node:crypto";
import { access, chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
import type { BlobStore } from "../blobs/blob-store.js";
import { readWhole } from "../read-whole.js";
import { UNLIMITED_SPACE, type FreeSpace } from "../disk-space.js";
import { checkMergedLinks, mergeLayer } from "./layer-merge.js";
import { unzipInto } from "./unzip.js";

export interface StoredCode {
  /** Base64 SHA-256 of the zip, as Lambda reports CodeSha256. */
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly unzippedSize: number;
}

export interface CodeStore {
  put(zip: Buffer): Promise<StoredCode>;
  /** The read-only directory holding the unpacked code (no I/O: `prepare` makes sure it is there). */
  directory(codeSha256: string): string;
  /** Unpacks the code and merges the layers on this node when it has not got them yet (fetched from the blob store). */
  prepare(codeSha256: string, layerShas: readonly string[]): Promise<void>;
  /** The zip as uploaded; undefined when the blob store has no such package. */
  zip(codeSha256: string): Promise<Readable | undefined>;
  unzippedSize(codeSha256: string): Promise<number>;
  /** The read-only directory holding these layers merged in order (later files win), made once. */
  optDirectory(layerShas: readonly string[]): Promise<string>;
  /** Where `optDirectory` puts that merge (no I/O). */
  optPath(layerShas: readonly string[]): string;
}

/** Hex form for file names; base64 contains '/'. */
export function codeKey(codeSha256: string): string {
  return Buffer.from(codeSha256, "base64").toString("hex");
}

/** The package's key in the blob store (`<dataDir>/code/<hex>.zip` with the default local store). */
const zipKey = (codeSha256: string) => `code/${codeKey(codeSha256)}.zip`;

/**
 * `root`: the local directory packages are unpacked into. `space`: new packages are refused
 * (CodeStorageExceededException) while the data directory is low on space.
 * `readGroup`: the group that may read the code besides its owner (the sandboxes' shared group,
 * docs/security.md); directories are 0550 and files 0440 (0550 when executable), never world-readable.
 */
export function codeStore(root: string, blobs: BlobStore, space: FreeSpace = UNLIMITED_SPACE, readGroup?: number): CodeStore {
  /** Drops write permission everywhere under `dir` (symlinks are left alone); only the owner and `readGroup` read it. */
  const makeReadOnly = (dir: string) => setModes(dir, 0o550, 0o440, readGroup);
  const directory = (sha: string) => join(root, codeKey(sha));
  // Packages known to be unpacked here: a cold start then costs no filesystem call.
  const unpacked = new Set<string>();
  // Two uploads (or fetches) of the same package at once share one extraction.
  const inFlight = new Map<string, Promise<number>>();

  /** Unpacks `zip` into the package's directory unless it is there; returns the unzipped size. */
  async function unpack(zip: Buffer, codeSha256: string): Promise<number> {
    const dir = directory(codeSha256);
    if (await exists(dir)) return unzippedSizeOf(dir);
    await mkdir(root, { recursive: true });
    const scratch = join(root, `.tmp-${randomUUID()}`);
    try {
      const unzippedSize = await unzipInto(zip, scratch, { maxUnzippedBytes: LIMITS.unzippedCodeBytes, maxFiles: LIMITS.codeFileCount });
      // The package may hold an entry of this name (even a symlink): replace it, never write through it.
      await rm(join(scratch, ".unkai-unzipped-size"), { recursive: true, force: true });
      await writeFile(join(scratch, ".unkai-unzipped-size"), String(unzippedSize), { flag: "wx" });
      await makeReadOnly(scratch);
      await rename(scratch, dir);
      return unzippedSize;
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  function once(codeSha256: string, work: () => Promise<number>): Promise<number> {
    const pending = inFlight.get(codeSha256) ?? work().finally(() => inFlight.delete(codeSha256));
    inFlight.set(codeSha256, pending);
    return pending;
  }

  /** Makes sure the package is unpacked here, fetching it from the blob store when it is not. */
  async function ensureLocal(codeSha256: string): Promise<void> {
    if (unpacked.has(codeSha256)) return;
    if (!(await exists(directory(codeSha256)))) await once(codeSha256, async () => unpack(await fetchZip(blobs, codeSha256), codeSha256));
    unpacked.add(codeSha256);
  }

  const optPath = (shas: readonly string[]) => join(root, `opt-${createHash("sha256").update(shas.join("\n")).digest("hex")}`);

  async function optDirectory(shas: readonly string[]): Promise<string> {
    for (const sha of shas) await ensureLocal(sha);
    const dir = optPath(shas);
    if (await exists(dir)) return dir;
    const scratch = join(root, `.tmp-${randomUUID()}`);
    try {
      await mkdir(scratch, { recursive: true });
      for (const sha of shas) await mergeLayer(directory(sha), scratch);
      await checkMergedLinks(scratch);
      await rm(join(scratch, ".unkai-unzipped-size"), { force: true });
      await makeReadOnly(scratch);
      await rename(scratch, dir);
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      if (await exists(dir)) return dir;
      throw error;
    }
    return dir;
  }

  return {
    directory,
    optPath,
    optDirectory,
    zip: (sha) => blobs.get(zipKey(sha)),
    async prepare(sha, layerShas) {
      await ensureLocal(sha);
      if (layerShas.length > 0) await optDirectory(layerShas);
    },
    async unzippedSize(sha) {
      await ensureLocal(sha);
      return unzippedSizeOf(directory(sha));
    },
    async put(zip) {
      if (zip.length === 0) throw invalidParameter("The code package is empty: upload a zip file.");
      if (zip.length > LIMITS.zippedCodeBytes) {
        throw invalidParameter(`Zipped size must be smaller than ${LIMITS.zippedCodeBytes} bytes`);
      }
      const shortfall = space.shortfall();
      if (shortfall) throw new UnkaiError("CodeStorageExceededException", shortfall);
      const codeSha256 = createHash("sha256").update(zip).digest("base64");
      // Unpacked first (a bad package is refused before anything is stored), then stored in the blob
      // store before the call returns: the function row that names it is committed only after.
      const unzippedSize = await once(codeSha256, () => unpack(zip, codeSha256));
      if (!(await blobs.has(zipKey(codeSha256)))) await blobs.put(zipKey(codeSha256), Readable.from([zip]));
      unpacked.add(codeSha256);
      return { codeSha256, codeSize: zip.length, unzippedSize };
    },
  };
}

/** The package from the blob store, whole (packages are at most 50 MB), checked against its digest. */
async function fetchZip(blobs: BlobStore, codeSha256: string): Promise<Buffer> {
  const stream = await blobs.get(zipKey(codeSha256));
  if (!stream) throw new Error(`Code package ${codeKey(codeSha256)} is missing from the blob store (${blobs.location}).`);
  const zip = await readWhole(stream, LIMITS.zippedCodeBytes, () => new Error(`Code package ${codeKey(codeSha256)} in the blob store is larger than any package Unkai stores.`));
  // The blob store is outside Unkai's control: never run bytes other than those the function was created with.
  if (createHash("sha256").update(zip).digest("base64") !== codeSha256) {
    throw new Error(`Code package ${codeKey(codeSha256)} in the blob store does not match its SHA-256: refusing to run it.`);
  }
  return zip;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function unzippedSizeOf(dir: string): Promise<number> {
  return Number(await readFile(join(dir, ".unkai-unzipped-size"), "utf8"));
}

/** Sets directories to `dirMode` and files to `fileMode` (executables get x for owner and group), owned by root:`group` when given. */
async function setModes(dir: string, dirMode: number, fileMode: number, group?: number): Promise<void> {
  await chmod(dir, dirMode | 0o200);
  if (group !== undefined) await chown(dir, 0, group);
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) continue;
    if (info.isDirectory()) await setModes(path, dirMode, fileMode, group);
    else {
      if (group !== undefined) await chown(path, 0, group);
      await chmod(path, info.mode & 0o100 ? fileMode | 0o110 : fileMode);
    }
  }
  await chmod(dir, dirMode);
}
