/** SQLite ObjectStore: S3 buckets, object rows and multipart uploads (object rows are written by the unit of work, unit-of-work.ts). */
import type { BucketRecord, BucketVersioning, ObjectStore, UploadRecord } from "../ports.js";
import { PART_COLUMNS, PART_UPDATE, partFrom, partValues, type PartRow } from "../rows/part-row.js";
import { objectFrom, OBJECT_COLUMNS, type ObjectRow } from "../rows/object-row.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: string;
}

const uploadFrom = (row: UploadRow): UploadRecord => ({
  uploadId: row.upload_id,
  bucket: row.bucket,
  key: row.key,
  initiated: row.initiated,
  headers: JSON.parse(row.headers) as Record<string, string>,
});

interface BucketRow {
  name: string;
  created_at: number;
  notification: string | null;
  versioning: string | null;
}

const bucketFrom = (row: BucketRow): BucketRecord => ({
  name: row.name, createdAt: row.created_at, notification: row.notification ?? undefined, ...(row.versioning === null ? {} : { versioning: row.versioning as BucketVersioning }),
});

/** The smallest string greater than every string that starts with `prefix` (UTF-8 byte order), if any. */
function prefixEnd(prefix: string): string | undefined {
  return prefix === "" ? undefined : `${prefix}\u{10FFFF}`;
}

/** Sorts after every key (keys are valid UTF-8, which never holds this code point's successor). */
const PAST_EVERY_KEY = "\u{10FFFF}\u{10FFFF}";

export function sqliteObjectStore(db: Db): SyncPort<ObjectStore> {
  const getObject = db.prepare<[string, string], ObjectRow>("SELECT * FROM s3_objects WHERE bucket = ? AND key = ?");
  const list = db.prepare<[string, string, string, string, number], ObjectRow>(
    "SELECT * FROM s3_objects WHERE bucket = ? AND key >= ? AND key < ? AND key > ? AND delete_marker = 0 ORDER BY key LIMIT ?",
  );
  const listAll = db.prepare<[string, string, string, number], ObjectRow>(
    "SELECT * FROM s3_objects WHERE bucket = ? AND key >= ? AND key > ? AND delete_marker = 0 ORDER BY key LIMIT ?",
  );
  // Both tables, keys in order and each key's versions newest first, after the (key, sequence) marker.
  const versionsOf = (table: string, latest: number) =>
    `SELECT ${OBJECT_COLUMNS}, ${latest} AS latest FROM ${table} WHERE bucket = @bucket AND key >= @prefix AND key < @end AND (key > @afterKey OR (key = @afterKey AND sequence < @afterSequence))`;
  const listVersions = db.prepare<[{ bucket: string; prefix: string; end: string; afterKey: string; afterSequence: string; limit: number }], ObjectRow & { latest: number }>(
    `${versionsOf("s3_objects", 1)} UNION ALL ${versionsOf("s3_object_versions", 0)} ORDER BY key, sequence DESC LIMIT @limit`,
  );
  const currentVersion = db.prepare<[string, string, string | null], ObjectRow>("SELECT * FROM s3_objects WHERE bucket = ? AND key = ? AND version_id IS ?");
  const olderVersion = db.prepare<[string, string, string | null], ObjectRow>("SELECT * FROM s3_object_versions WHERE bucket = ? AND key = ? AND version_id IS ?");
  const getUpload = db.prepare<[string], UploadRow>("SELECT * FROM s3_uploads WHERE upload_id = ?");
  const removeUpload = db.prepare("DELETE FROM s3_uploads WHERE upload_id = ?");
  const removeParts = db.prepare("DELETE FROM s3_parts WHERE upload_id = ?");
  // Every S3 request reads its bucket: prepared once, not per call.
  const getBucket = db.prepare<[string], BucketRow>("SELECT * FROM s3_buckets WHERE name = ?");

  return {
    createBucket: (name, createdAt) => db.prepare("INSERT OR IGNORE INTO s3_buckets (name, created_at) VALUES (?, ?)").run(name, createdAt).changes === 1,
    bucket(name) {
      const row = getBucket.get(name);
      return row ? bucketFrom(row) : undefined;
    },
    buckets: () => db.prepare<[], BucketRow>("SELECT * FROM s3_buckets ORDER BY name").all().map(bucketFrom),
    deleteBucket: durably(db, (name: string) => {
      if (!db.prepare("SELECT 1 FROM s3_buckets WHERE name = ?").get(name)) return "missing" as const;
      if (db.prepare("SELECT 1 FROM s3_objects WHERE bucket = ? LIMIT 1").get(name)) return "not-empty" as const;
      if (db.prepare("SELECT 1 FROM s3_object_versions WHERE bucket = ? LIMIT 1").get(name)) return "not-empty" as const;
      const uploads = db.prepare<[string], { upload_id: string }>("SELECT upload_id FROM s3_uploads WHERE bucket = ?").all(name).map((r) => r.upload_id);
      for (const id of uploads) {
        removeParts.run(id);
        removeUpload.run(id);
      }
      db.prepare("DELETE FROM s3_buckets WHERE name = ?").run(name);
      return { uploads };
    }),
    setNotification: durably(db, (name: string, notification: string | undefined) => {
      db.prepare("UPDATE s3_buckets SET notification = ? WHERE name = ?").run(notification ?? null, name);
    }),
    setVersioning: durably(db, (name: string, versioning: BucketVersioning) => {
      db.prepare("UPDATE s3_buckets SET versioning = ? WHERE name = ?").run(versioning, name);
    }),
    object(bucket, key) {
      const row = getObject.get(bucket, key);
      return row ? objectFrom(row) : undefined;
    },
    objectVersion(bucket, key, versionId) {
      const row = currentVersion.get(bucket, key, versionId ?? null) ?? olderVersion.get(bucket, key, versionId ?? null);
      return row ? objectFrom(row) : undefined;
    },
    referencesBlob: (blob) =>
      db.prepare("SELECT 1 FROM s3_objects WHERE blob = ? LIMIT 1").get(blob) !== undefined || db.prepare("SELECT 1 FROM s3_object_versions WHERE blob = ? LIMIT 1").get(blob) !== undefined,
    listObjects(bucket, prefix, after, limit) {
      const end = prefixEnd(prefix);
      const rows = end === undefined ? listAll.all(bucket, prefix, after, limit) : list.all(bucket, prefix, end, after, limit);
      return rows.map(objectFrom);
    },
    listVersions(bucket, prefix, afterKey, afterSequence, limit) {
      const rows = listVersions.all({ bucket, prefix, end: prefixEnd(prefix) ?? PAST_EVERY_KEY, afterKey, afterSequence, limit });
      return rows.map((row) => ({ record: objectFrom(row), latest: row.latest === 1 }));
    },
    createUpload(upload) {
      db.prepare("INSERT INTO s3_uploads (upload_id, bucket, key, initiated, headers) VALUES (?, ?, ?, ?, ?)").run(
        upload.uploadId,
        upload.bucket,
        upload.key,
        upload.initiated,
        JSON.stringify(upload.headers),
      );
    },
    upload(uploadId) {
      const row = getUpload.get(uploadId);
      return row ? uploadFrom(row) : undefined;
    },
    uploads(bucket, prefix, afterKey, afterUploadId, limit) {
      return db
        .prepare<[string, string, string, string, string, string, number], UploadRow>(
          `SELECT * FROM s3_uploads WHERE bucket = ? AND substr(key, 1, length(?)) = ? AND (key > ? OR (key = ? AND upload_id > ?))
           ORDER BY key, upload_id LIMIT ?`,
        )
        .all(bucket, prefix, prefix, afterKey, afterKey, afterUploadId, limit)
        .map(uploadFrom);
    },
    putPart(part) {
      db.prepare(`INSERT INTO s3_parts (${PART_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (upload_id, part_number) DO UPDATE SET ${PART_UPDATE}`).run(
        ...partValues(part),
      );
    },
    parts(uploadId, afterPart, limit) {
      return db
        .prepare<[string, number, number], PartRow>("SELECT * FROM s3_parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?")
        .all(uploadId, afterPart, limit)
        .map(partFrom);
    },
    deleteUpload: durably(db, (uploadId: string) => {
      removeParts.run(uploadId);
      return removeUpload.run(uploadId).changes === 1;
    }),
  };
}
