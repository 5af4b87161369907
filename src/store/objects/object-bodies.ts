/**
 * S3 object bodies in the blob store (src/store/blobs): each body is an immutable blob named by a
 * fresh id, `objects/blobs/<first two>/<id>`; the metadata row that points at one is committed after
 * it is whole. Multipart parts are blobs of their own, `objects/parts/<upload id>/<part number>`.
 */
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type { BlobRange, BlobSource, BlobStore } from "../blobs/blob-store.js";

const BODIES = "objects/blobs/";
const PARTS = "objects/parts/";

export class ObjectBodies {
  constructor(private readonly blobs: BlobStore) {}

  /** Streams `source` (or several, one after the other) into a new body; returns its id once it is whole. */
  async write(source: BlobSource): Promise<string> {
    const id = randomUUID();
    // A fresh id no row points at yet: the store may skip the temp file and rename.
    await this.blobs.putNew(bodyKey(id), source);
    return id;
  }

  /** Stores one part of a multipart upload (replacing an earlier upload of the same number). */
  async writePart(uploadId: string, partNumber: number, source: Readable): Promise<void> {
    await this.blobs.put(partKey(uploadId, partNumber), source);
  }

  async partReader(uploadId: string, partNumber: number): Promise<Readable> {
    const part = await this.blobs.get(partKey(uploadId, partNumber));
    if (!part) throw new Error(`Part ${partNumber} of upload ${uploadId} is missing from the blob store (${this.blobs.location}).`);
    return part;
  }

  async removeParts(uploadId: string): Promise<void> {
    const keys: string[] = [];
    for await (const part of this.blobs.list(`${PARTS}${uploadId}/`)) keys.push(part.key);
    for (const key of keys) await this.blobs.delete(key);
  }

  /**
   * A body's bytes, `start`..`end` inclusive when given. Undefined when the body is already gone (an
   * overwrite deleted it after the caller read the row: the caller reads the row again).
   */
  reader(blob: string, range?: BlobRange): Promise<Readable | undefined> {
    return this.blobs.get(bodyKey(blob), range);
  }

  /**
   * Removes what a crash left behind: bodies no row points at (stored, row never committed) and parts
   * of uploads that no longer exist. Only blobs written before `before` are considered, so uploads in
   * flight are never touched.
   */
  async sweep(before: number, isReferenced: (blob: string) => Promise<boolean>, uploadExists: (uploadId: string) => Promise<boolean>): Promise<number> {
    let removed = 0;
    for await (const body of this.blobs.list(BODIES)) {
      const id = body.key.slice(body.key.lastIndexOf("/") + 1);
      if (body.modifiedMs < before && !(await isReferenced(id))) {
        await this.blobs.delete(body.key).catch(() => undefined);
        removed++;
      }
    }
    const known = new Map<string, boolean>();
    for await (const part of this.blobs.list(PARTS)) {
      const uploadId = part.key.slice(PARTS.length).split("/")[0] ?? "";
      if (part.modifiedMs >= before) continue;
      if (!known.has(uploadId)) known.set(uploadId, await uploadExists(uploadId));
      if (!known.get(uploadId)) {
        await this.blobs.delete(part.key).catch(() => undefined);
        removed++;
      }
    }
    return removed;
  }

  /** Deletes a body no metadata row points at any more (a missing one is fine). */
  async remove(blob: string): Promise<void> {
    await this.blobs.delete(bodyKey(blob)).catch(() => undefined);
  }
}

const bodyKey = (id: string) => `${BODIES}${id.slice(0, 2)}/${id}`;
const partKey = (uploadId: string, partNumber: number) => `${PARTS}${uploadId}/${partNumber}`;
