/**
 * A backup's items as a blob: one stored item's JSON a line (the store's own text, written as read, so
 * binaries stay base64 and nothing is encoded twice). The items are read from the store's snapshot of
 * the table a page at a time and streamed into the blob; restoring streams them back a batch at a time.
 * Neither holds a whole table in memory, and the event loop turns between pages. The blob is written
 * whole before its backup record is stored (backups.ts), so a crash mid-backup leaves only a blob no
 * record names, which the sweep removes (`sweepBackupBlobs`).
 */
import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import type { BlobStore } from "../../store/blobs/blob-store.js";
import type { DynamoDbStore, DynamoTableRecord } from "../../store/ports.js";
import type { DynamoContext } from "./context.js";
import type { AttributeMap } from "./expressions/index.js";
import { itemOf } from "./keys.js";

/** Where backups' item blobs live in the blob store. */
export const BACKUP_BLOBS = "dynamodb-backups/";

/** Rows read from the snapshot per page, and items restored per store transaction. */
const PAGE_ROWS = 100;

export interface WrittenItems {
  readonly table: DynamoTableRecord;
  readonly itemCount: number;
  readonly sizeBytes: number;
}

/**
 * Streams the table's items as of one moment into the blob `key`; undefined when there is no such table
 * (the blob is then removed). The blob is whole and durable once this resolves.
 */
export async function writeBackupItems(store: DynamoDbStore, blobs: BlobStore, tableName: string, key: string): Promise<WrittenItems | undefined> {
  const body = new PassThrough();
  // Its errors reach us through `stored` and the writes' waits; an 'error' event with no listener would end the process.
  body.on("error", () => undefined);
  // A failed upload ends the stream with its error, so a writer waiting for room stops waiting.
  const stored = blobs.putNew(key, body).catch((error: unknown) => {
    body.destroy(error instanceof Error ? error : new Error(String(error)));
    throw error;
  });
  let itemCount = 0;
  let sizeBytes = 0;
  let table: DynamoTableRecord | undefined;
  try {
    table = await store.snapshot(tableName, PAGE_ROWS, async (rows) => {
      const text = rows.map((row) => `${row.item}\n`).join("");
      itemCount += rows.length;
      for (const row of rows) sizeBytes += row.size;
      if (!body.write(text)) await once(body, "drain");
    });
    body.end();
  } catch (error) {
    body.destroy(error instanceof Error ? error : new Error(String(error)));
    await stored.catch(() => undefined);
    await blobs.delete(key).catch(() => undefined);
    throw error;
  }
  await stored;
  if (table === undefined) {
    await blobs.delete(key);
    return undefined;
  }
  return { table, itemCount, sizeBytes };
}

/** A backup's items, a batch at a time; rejects when the blob is gone (the backup was deleted meanwhile). */
export async function* readBackupItems(blobs: BlobStore, key: string): AsyncGenerator<AttributeMap[]> {
  const stream = await blobs.get(key);
  if (stream === undefined) throw new Error(`the items of a DynamoDB backup are missing from the blob store (${key})`);
  let batch: AttributeMap[] = [];
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    if (line.length === 0) continue;
    batch.push(itemOf({ table: "", partitionKey: Buffer.alloc(0), sortKey: Buffer.alloc(0), item: line, size: 0 }) as AttributeMap);
    if (batch.length >= PAGE_ROWS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Removes item blobs no backup record names, older than `before` (epoch ms): left by a crash mid-backup,
 * or by a DeleteBackup that removed its record and died before its blob. A writer names its blob in
 * `writing` before the blob exists and takes it out only after its record is stored, so a blob that is
 * not in `writing` when it is looked at either has its record stored by then, or is an orphan: the
 * records are read again after that look before anything is deleted (a blob's modification time is no
 * guide on one node: file systems stamp it from a coarse clock, milliseconds behind Date.now()). A
 * cluster's other nodes write where this set cannot see: the grace (`before`) covers them.
 */
export async function sweepBackupBlobs(backups: NonNullable<DynamoContext["backups"]>, before: number): Promise<number> {
  const named = async () => new Set((await backups.records.list()).map((record) => record.blob));
  let kept: Set<string> | undefined;
  let removed = 0;
  for await (const blob of backups.blobs.list(BACKUP_BLOBS)) {
    if (blob.modifiedMs >= before || backups.writing.has(blob.key)) continue;
    kept ??= await named();
    if (kept.has(blob.key)) continue;
    // Read after the look at `writing` above: a backup that finished since the first read is named now.
    kept = await named();
    if (kept.has(blob.key)) continue;
    await backups.blobs.delete(blob.key);
    removed++;
  }
  return removed;
}
