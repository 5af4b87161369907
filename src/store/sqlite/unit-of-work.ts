/**
 * Store.commit on SQLite: the unit's writes run in one transaction, group-committed with the
 * units that arrive in the same turn of the event loop (one fsync for all of them, each in its
 * own savepoint, so one failing unit does not undo the others).
 */
import type { ObjectRecord, Store, WriteUnit, WriteUnitResult } from "../ports.js";
import { asyncEventInserter } from "./async-queue-store.js";
import type { Db } from "./database.js";
import { extraColumns } from "../rows/object-row.js";
import { groupCommit } from "./group-commit.js";
import { objectFrom, type ObjectRow } from "../rows/object-row.js";

export function sqliteUnitOfWork(db: Db): Store["commit"] {
  const queueEvents = asyncEventInserter(db);
  const getObject = db.prepare<[string, string], ObjectRow>("SELECT * FROM s3_objects WHERE bucket = ? AND key = ?");
  const upsertObject = db.prepare(
    `INSERT INTO s3_objects (bucket, key, blob, size, etag, last_modified, headers, upload_id, part_sizes, tags)
     VALUES (@bucket, @key, @blob, @size, @etag, @lastModified, @headers, @upload_id, @part_sizes, @tags)
     ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag,
       last_modified = excluded.last_modified, headers = excluded.headers, upload_id = excluded.upload_id, part_sizes = excluded.part_sizes, tags = excluded.tags`,
  );
  const removeObject = db.prepare("DELETE FROM s3_objects WHERE bucket = ? AND key = ?");
  const removeUpload = db.prepare("DELETE FROM s3_uploads WHERE upload_id = ?");
  const removeParts = db.prepare("DELETE FROM s3_parts WHERE upload_id = ?");
  const soon = groupCommit(db);

  const run = (unit: WriteUnit): WriteUnitResult => {
    // One connection, one transaction: nothing else writes between this read and the writes below.
    if (unit.check) {
      const bucket = unit.deleteObjects?.bucket ?? "";
      const rows = [
        ...(unit.putObjects ?? []).map((record) => getObject.get(record.bucket, record.key)),
        ...(unit.deleteObjects?.keys ?? []).map((key) => getObject.get(bucket, key)),
      ];
      unit.check(rows.map((row) => (row ? objectFrom(row) : undefined)));
    }
    const replaced = (unit.putObjects ?? []).map((record) => {
      const previous = getObject.get(record.bucket, record.key);
      const { bucket, key, blob, size, etag, lastModified } = record;
      upsertObject.run({ bucket, key, blob, size, etag, lastModified, headers: JSON.stringify(record.headers), ...extraColumns(record) });
      return previous ? objectFrom(previous) : undefined;
    });
    const removed: ObjectRecord[] = [];
    for (const key of unit.deleteObjects?.keys ?? []) {
      const bucket = unit.deleteObjects?.bucket ?? "";
      const row = getObject.get(bucket, key);
      if (!row) continue;
      removeObject.run(bucket, key);
      removed.push(objectFrom(row));
    }
    for (const uploadId of unit.endUploads ?? []) {
      removeParts.run(uploadId);
      removeUpload.run(uploadId);
    }
    const events = unit.events?.({ replaced, removed }) ?? [];
    queueEvents(events);
    return { replaced, removed, events };
  };
  return (unit) => soon(() => run(unit));
}
