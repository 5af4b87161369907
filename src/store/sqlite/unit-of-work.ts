/**
 * Store.commit on SQLite: the unit's writes run in one transaction, group-committed with the
 * units that arrive in the same turn of the event loop (one fsync for all of them, each in its
 * own savepoint, so one failing unit does not undo the others).
 */
import type { ObjectRecord, Store, WriteUnit, WriteUnitResult } from "../ports.js";
import { asyncEventInserter } from "./async-queue-store.js";
import type { Db } from "./database.js";
import { extraColumns, objectFrom, OBJECT_COLUMNS, type ObjectRow } from "../rows/object-row.js";
import { groupCommit } from "./group-commit.js";

const PARAMETERS = OBJECT_COLUMNS.split(", ").map((column) => `@${column}`).join(", ");

/** The statements that move versions between the current table and the noncurrent one. */
function versionStatements(db: Db) {
  const insertOlder = db.prepare(`INSERT INTO s3_object_versions (${OBJECT_COLUMNS}) VALUES (${PARAMETERS})`);
  return {
    getObject: db.prepare<[string, string], ObjectRow>("SELECT * FROM s3_objects WHERE bucket = ? AND key = ?"),
    upsertObject: db.prepare(
      `INSERT INTO s3_objects (${OBJECT_COLUMNS}) VALUES (${PARAMETERS})
       ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag,
         last_modified = excluded.last_modified, headers = excluded.headers, upload_id = excluded.upload_id, part_sizes = excluded.part_sizes, part_checksums = excluded.part_checksums, tags = excluded.tags,
         version_id = excluded.version_id, sequence = excluded.sequence, delete_marker = excluded.delete_marker`,
    ),
    removeObject: db.prepare("DELETE FROM s3_objects WHERE bucket = ? AND key = ?"),
    keepOlder: (row: ObjectRow) => insertOlder.run(row),
    olderNull: db.prepare<[string, string], ObjectRow>("SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id IS NULL"),
    olderById: db.prepare<[string, string, string | null], ObjectRow>("SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id IS ?"),
    newestOlder: db.prepare<[string, string], ObjectRow>("SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? ORDER BY sequence DESC LIMIT 1"),
    removeOlder: db.prepare("DELETE FROM s3_object_versions WHERE bucket = ? AND key = ? AND sequence = ?"),
  };
}

export function sqliteUnitOfWork(db: Db): Store["commit"] {
  const queueEvents = asyncEventInserter(db);
  const sql = versionStatements(db);
  const removeUpload = db.prepare("DELETE FROM s3_uploads WHERE upload_id = ?");
  const removeParts = db.prepare("DELETE FROM s3_parts WHERE upload_id = ?");
  const storeDelivery = db.prepare("INSERT OR REPLACE INTO s3_deliveries (api_id, record) VALUES (?, ?)");
  const soon = groupCommit(db);

  const rowOf = (record: ObjectRecord) => {
    const { bucket, key, blob, size, etag, lastModified } = record;
    return { bucket, key, blob, size, etag, last_modified: lastModified, headers: JSON.stringify(record.headers), ...extraColumns(record) };
  };

  /** Makes `record` current; the row it follows is kept as noncurrent or, when both are null versions, discarded. */
  const put = (record: ObjectRecord, discarded: ObjectRecord[]): ObjectRecord | undefined => {
    const previous = sql.getObject.get(record.bucket, record.key);
    const inPlace = previous !== undefined && previous.sequence === (record.sequence ?? "");
    if (record.versionId === undefined && !inPlace) {
      const olderNull = sql.olderNull.get(record.bucket, record.key);
      if (olderNull) {
        sql.removeOlder.run(record.bucket, record.key, olderNull.sequence);
        discarded.push(objectFrom(olderNull));
      }
    }
    if (previous && !inPlace) {
      if (previous.version_id === null && record.versionId === undefined) discarded.push(objectFrom(previous));
      else sql.keepOlder(previous);
    }
    sql.upsertObject.run(rowOf(record));
    return previous ? objectFrom(previous) : undefined;
  };

  /** Removes one version for good; removing the current one makes the newest noncurrent one current. */
  const removeVersion = (bucket: string, key: string, versionId: string | undefined): ObjectRecord | undefined => {
    const current = sql.getObject.get(bucket, key);
    if (current && current.version_id === (versionId ?? null)) {
      sql.removeObject.run(bucket, key);
      const next = sql.newestOlder.get(bucket, key);
      if (next) {
        sql.removeOlder.run(bucket, key, next.sequence);
        sql.upsertObject.run(next);
      }
      return objectFrom(current);
    }
    const older = sql.olderById.get(bucket, key, versionId ?? null);
    if (!older) return undefined;
    sql.removeOlder.run(bucket, key, older.sequence);
    return objectFrom(older);
  };

  const run = (unit: WriteUnit): WriteUnitResult => {
    // One connection, one transaction: nothing else writes between this read and the writes below.
    if (unit.check) {
      const bucket = unit.deleteObjects?.bucket ?? "";
      const rows = [
        ...(unit.putObjects ?? []).map((record) => sql.getObject.get(record.bucket, record.key)),
        ...(unit.deleteObjects?.keys ?? []).map((key) => sql.getObject.get(bucket, key)),
      ];
      unit.check(rows.map((row) => (row ? objectFrom(row) : undefined)));
    }
    const discarded: ObjectRecord[] = [];
    const replaced = (unit.putObjects ?? []).map((record) => put(record, discarded));
    const removed: ObjectRecord[] = [];
    for (const key of unit.deleteObjects?.keys ?? []) {
      const bucket = unit.deleteObjects?.bucket ?? "";
      const row = sql.getObject.get(bucket, key);
      if (!row) continue;
      sql.removeObject.run(bucket, key);
      removed.push(objectFrom(row));
    }
    for (const { key, versionId } of unit.deleteVersions?.versions ?? []) {
      const gone = removeVersion(unit.deleteVersions?.bucket ?? "", key, versionId);
      if (gone) removed.push(gone);
    }
    discarded.push(...removed);
    for (const uploadId of unit.endUploads ?? []) {
      removeParts.run(uploadId);
      removeUpload.run(uploadId);
    }
    const events = unit.events?.({ replaced, removed, discarded }) ?? [];
    queueEvents(events);
    const deliveries = unit.deliveries?.({ replaced, removed, discarded }) ?? [];
    for (const delivery of deliveries) storeDelivery.run(delivery.id, JSON.stringify(delivery));
    return { replaced, removed, discarded, events, deliveries };
  };
  return (unit) => soon(() => run(unit));
}
