/**
 * Object bodies on disk under `<dataDir>/objects/`: every write streams into a temp file in the same
 * filesystem, is fsynced and renamed into place, so a body is either whole or absent. Bodies are
 * immutable blobs named by a fresh id; the metadata row that points at one is committed after.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, mkdirSync, rmSync } from "node:fs";
import { open, readdir, rename, rm, stat, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";

export class ObjectFiles {
  private readonly tmp: string;
  private readonly blobs: string;
  private readonly parts: string;
  /** Shard folders known to exist (saves a mkdir per write). */
  private readonly shards = new Set<string>();

  constructor(root: string) {
    this.tmp = join(root, "tmp");
    this.blobs = join(root, "blobs");
    this.parts = join(root, "parts");
    // Temp files belong to uploads that never finished (a crash midway): nobody will claim them.
    rmSync(this.tmp, { recursive: true, force: true });
    for (const dir of [this.tmp, this.blobs, this.parts]) mkdirSync(dir, { recursive: true });
  }

  /** Streams `source` (or several, one after the other) into a new blob; returns its id once renamed into place. */
  async write(sources: Readable | (() => AsyncIterable<Readable>)): Promise<string> {
    const id = randomUUID();
    const dir = join(this.blobs, id.slice(0, 2));
    if (!this.shards.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.shards.add(dir);
    }
    await this.writeAtomically(join(dir, id), sources);
    return id;
  }

  /** Stores one part of a multipart upload (replacing an earlier upload of the same number). */
  async writePart(uploadId: string, partNumber: number, source: Readable): Promise<void> {
    const dir = join(this.parts, uploadId);
    mkdirSync(dir, { recursive: true });
    await this.writeAtomically(join(dir, String(partNumber)), source);
  }

  partReader(uploadId: string, partNumber: number): Readable {
    return createReadStream(join(this.parts, uploadId, String(partNumber)), { highWaterMark: 1024 * 1024 });
  }

  async removeParts(uploadId: string): Promise<void> {
    await rm(join(this.parts, uploadId), { recursive: true, force: true });
  }

  /**
   * A blob's bytes, `start`..`end` inclusive when given. The file is opened before this returns, so
   * an overwrite that deletes the blob afterwards cannot cut the read short; undefined when the blob
   * is already gone (an overwrite won the race: the caller reads the row again).
   */
  async reader(blob: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    const file = await open(this.blobPath(blob), "r").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    return file?.createReadStream({ ...range, highWaterMark: 1024 * 1024 });
  }

  /**
   * Removes what a crash left behind: blobs no row points at (renamed into place, row never
   * committed) and part folders of uploads that no longer exist. Only files older than `before`
   * (this process's start) are considered, so uploads in flight are never touched.
   */
  async sweep(before: number, isReferenced: (blob: string) => Promise<boolean>, uploadExists: (uploadId: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    for (const shard of await readdir(this.blobs)) {
      for (const blob of await readdir(join(this.blobs, shard))) {
        const path = join(this.blobs, shard, blob);
        if ((await stat(path)).mtimeMs < before && !(await isReferenced(blob))) {
          await unlink(path).catch(() => undefined);
          removed++;
        }
      }
    }
    for (const uploadId of await readdir(this.parts)) {
      const path = join(this.parts, uploadId);
      if ((await stat(path)).mtimeMs < before && !(await uploadExists(uploadId))) {
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  /** Deletes a blob no metadata row points at any more (a missing file is fine). */
  async remove(blob: string): Promise<void> {
    await unlink(this.blobPath(blob)).catch(() => undefined);
  }

  private blobPath(blob: string): string {
    return join(this.blobs, blob.slice(0, 2), blob);
  }

  private async writeAtomically(target: string, sources: Readable | (() => AsyncIterable<Readable>)): Promise<void> {
    const temp = join(this.tmp, randomUUID());
    const file = await open(temp, "w", 0o600);
    try {
      const list = typeof sources === "function" ? sources() : [sources];
      for await (const source of list) await copyInto(file, source);
      await file.sync();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
    await file.close();
    await rename(temp, target);
    // The rename itself survives a power loss only once its directory is synced.
    const directory = await open(dirname(target), "r");
    await directory.sync().finally(() => directory.close());
  }
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
