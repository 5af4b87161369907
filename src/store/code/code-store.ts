/**
 * Content-addressed code: each package is kept once as `<sha256>.zip` and unpacked once into a
 * read-only `<sha256>/` directory that every environment of that code shares.
 */
import { createHash, randomUUID } from "node:crypto";
import { access, chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { invalidParameter, UnkaiError } from "../../core/errors.js";
import { LIMITS } from "../../core/limits.js";
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
  /** The read-only directory holding the unpacked code. */
  directory(codeSha256: string): string;
  zipPath(codeSha256: string): string;
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

/**
 * `space`: new packages are refused (CodeStorageExceededException) while the data directory is low on space.
 * `readGroup`: the group that may read the code besides its owner (the sandboxes' shared group,
 * docs/security.md); directories are 0550 and files 0440 (0550 when executable), never world-readable.
 */
export function codeStore(root: string, space: FreeSpace = UNLIMITED_SPACE, readGroup?: number): CodeStore {
  /** Drops write permission everywhere under `dir` (symlinks are left alone); only the owner and `readGroup` read it. */
  const makeReadOnly = (dir: string) => setModes(dir, 0o550, 0o440, readGroup);
  const directory = (sha: string) => join(root, codeKey(sha));
  const zipPath = (sha: string) => join(root, `${codeKey(sha)}.zip`);
  // Two uploads of the same package at once share one extraction.
  const inFlight = new Map<string, Promise<StoredCode>>();

  async function store(zip: Buffer, codeSha256: string): Promise<StoredCode> {
    const dir = directory(codeSha256);
    if (await exists(dir)) {
      return { codeSha256, codeSize: zip.length, unzippedSize: await unzippedSizeOf(dir) };
    }
    await mkdir(root, { recursive: true });
    const scratch = join(root, `.tmp-${randomUUID()}`);
    try {
      const unzippedSize = await unzipInto(zip, scratch, { maxUnzippedBytes: LIMITS.unzippedCodeBytes, maxFiles: LIMITS.codeFileCount });
      // The package may hold an entry of this name (even a symlink): replace it, never write through it.
      await rm(join(scratch, ".unkai-unzipped-size"), { recursive: true, force: true });
      await writeFile(join(scratch, ".unkai-unzipped-size"), String(unzippedSize), { flag: "wx" });
      await makeReadOnly(scratch);
      await writeFile(zipPath(codeSha256), zip, { mode: 0o600 });
      await rename(scratch, dir);
      return { codeSha256, codeSize: zip.length, unzippedSize };
    } catch (error) {
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }

  const optPath = (shas: readonly string[]) => join(root, `opt-${createHash("sha256").update(shas.join("\n")).digest("hex")}`);

  return {
    directory,
    zipPath,
    optPath,
    unzippedSize: (sha) => unzippedSizeOf(directory(sha)),
    async optDirectory(shas) {
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
    },
    async put(zip) {
      if (zip.length === 0) throw invalidParameter("The code package is empty: upload a zip file.");
      if (zip.length > LIMITS.zippedCodeBytes) {
        throw invalidParameter(`Zipped size must be smaller than ${LIMITS.zippedCodeBytes} bytes`);
      }
      const shortfall = space.shortfall();
      if (shortfall) throw new UnkaiError("CodeStorageExceededException", shortfall);
      const codeSha256 = createHash("sha256").update(zip).digest("base64");
      const pending = inFlight.get(codeSha256) ?? store(zip, codeSha256);
      inFlight.set(codeSha256, pending);
      try {
        return await pending;
      } finally {
        inFlight.delete(codeSha256);
      }
    },
  };
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
