/**
 * Blobs as files under one directory (the data directory by default, or a shared volume): every write
 * streams into a temp file on the same filesystem, is fsynced and renamed into place, so a blob is
 * either whole or absent.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { open, readdir, rename, rm, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { checkBlobKey, type BlobInfo, type BlobRange, type BlobSource, type BlobStore } from "./blob-store.js";

const READ_BUFFER_BYTES = 1024 * 1024;
/** Folder handles kept open at most (S3 bodies use 256 folders); beyond, a folder is opened per sync. */
const MAX_KEPT_FOLDERS = 1024;

/** Temp files live here, under the root, so the final rename never crosses filesystems. */
const TEMP_DIR = ".tmp";

/**
 * `staleTempMs`: temp files older than this are an upload that never finished (a crash midway) and
 * are removed at open; 0 removes them all (the root is this process's alone). On a shared volume,
 * give other nodes' slow uploads room.
 */
export async function openLocalBlobs(root: string, staleTempMs: number): Promise<BlobStore> {
  const temp = join(root, TEMP_DIR);
  mkdirSync(temp, { recursive: true, mode: 0o700 });
  const cutoff = Date.now() - staleTempMs;
  for (const name of await readdir(temp)) {
    const path = join(temp, name);
    const info = await stat(path).catch(() => undefined);
    if (info && (staleTempMs === 0 || info.mtimeMs < cutoff)) await rm(path, { force: true });
  }
  return new LocalBlobs(root, temp);
}

class LocalBlobs implements BlobStore {
  /** Folders known to exist (saves a mkdir per write). */
  private readonly folders = new Set<string>();
  /** Open handles of the folders putNew writes into, for their fsyncs. */
  private readonly folderHandles = new Map<string, Promise<FileHandle>>();

  constructor(readonly location: string, private readonly temp: string) {}

  async put(key: string, source: BlobSource): Promise<void> {
    const target = this.path(key);
    const folder = this.folderOf(target);
    const temp = join(this.temp, randomUUID());
    await writeSynced(temp, source);
    await rename(temp, target);
    // The rename itself survives a power loss only once its directory is synced.
    await syncFolder(folder);
  }

  /**
   * Written in place (the key is fresh and unreferenced), so the file's fsync and its folder's (which
   * makes the new name durable) run at once instead of one after the other, and there is no rename.
   */
  async putNew(key: string, source: BlobSource): Promise<void> {
    const target = this.path(key);
    const folder = this.folderOf(target);
    const file = await open(target, "wx", 0o600);
    try {
      await copySources(file, source);
      await Promise.all([file.sync(), this.syncKeptFolder(folder)]);
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(target, { force: true });
      throw error;
    }
    await file.close();
  }

  /**
   * Fsyncs `folder` through a handle kept open (saves an open and a close per write). Safe because this
   * store never removes a folder, so the handle always names the folder a write's path goes through.
   */
  private async syncKeptFolder(folder: string): Promise<void> {
    let handle = this.folderHandles.get(folder);
    if (!handle) {
      if (this.folderHandles.size >= MAX_KEPT_FOLDERS) return syncFolder(folder);
      handle = open(folder, "r");
      this.folderHandles.set(folder, handle);
      handle.catch(() => this.folderHandles.delete(folder));
    }
    await (await handle).sync();
  }

  private folderOf(target: string): string {
    const folder = dirname(target);
    if (!this.folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      this.folders.add(folder);
    }
    return folder;
  }

  /**
   * The file is opened before this returns, so a delete right after (an overwrite of the object)
   * cannot cut the read short.
   */
  async get(key: string, range?: BlobRange): Promise<Readable | undefined> {
    const file = await open(this.path(key), "r").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    // A small range gets a buffer its size: a 1 MiB one per 4 KB read is most of a small GET's garbage.
    const highWaterMark = range ? Math.max(1, Math.min(READ_BUFFER_BYTES, range.end - range.start + 1)) : READ_BUFFER_BYTES;
    return file?.createReadStream({ ...range, highWaterMark });
  }

  async has(key: string): Promise<boolean> {
    return (await stat(this.path(key)).catch(() => undefined))?.isFile() ?? false;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.path(key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    checkBlobKey(prefix, true);
    yield* walk(this.location, prefix.replace(/\/$/, ""));
  }

  async close(): Promise<void> {
    const handles = [...this.folderHandles.values()];
    this.folderHandles.clear();
    await Promise.all(handles.map(async (handle) => (await handle.catch(() => undefined))?.close()));
  }

  private path(key: string): string {
    checkBlobKey(key);
    return join(this.location, key);
  }
}

/** The files under `root/relative`, depth first; a folder that vanishes meanwhile is skipped. */
async function* walk(root: string, relative: string): AsyncIterable<BlobInfo> {
  const names = await readdir(join(root, relative)).catch(() => [] as string[]);
  for (const name of names) {
    const key = `${relative}/${name}`;
    const info = await stat(join(root, key)).catch(() => undefined);
    if (info?.isDirectory()) yield* walk(root, key);
    else if (info?.isFile()) yield { key, modifiedMs: info.mtimeMs };
  }
}

/** Writes `source` into a new file at `path` and fsyncs it; removes the file when anything fails. */
async function writeSynced(path: string, source: BlobSource): Promise<void> {
  const file = await open(path, "w", 0o600);
  try {
    await copySources(file, source);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(path, { force: true });
    throw error;
  }
  await file.close();
}

async function copySources(file: FileHandle, source: BlobSource): Promise<void> {
  const list = typeof source === "function" ? source() : [source];
  for await (const stream of list) await copyInto(file, stream);
}

async function syncFolder(folder: string): Promise<void> {
  const directory = await open(folder, "r");
  await directory.sync().finally(() => directory.close());
}

/** Writes in batches of about 1 MiB (one writev each), reading on while the batch is far from full. */
const BATCH_BYTES = 1024 * 1024;

async function copyInto(file: FileHandle, source: Readable): Promise<void> {
  let batch: Buffer[] = [];
  let size = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    batch.push(chunk);
    size += chunk.length;
    if (size >= BATCH_BYTES) {
      await file.writev(batch);
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) await file.writev(batch);
}
