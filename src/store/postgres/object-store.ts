/** PostgreSQL ObjectStore: S3 buckets, object rows and multipart uploads (object rows are written by the unit of work). */
import type { BucketRecord, BucketVersioning, ObjectStore, UploadRecord } from "../ports.js";
import { objectFrom, OBJECT_COLUMNS, type ObjectRow } from "../rows/object-row.js";
import { PART_COLUMNS, PART_UPDATE, partFrom, partValues, type PartRow } from "../rows/part-row.js";
import type { PgDb } from "./database.js";

interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: string;
}

interface BucketRow {
  name: string;
  created_at: number;
  notification: string | null;
  versioning: string | null;
}

const uploadFrom = (row: UploadRow): UploadRecord => ({
  uploadId: row.upload_id, bucket: row.bucket, key: row.key, initiated: row.initiated, headers: JSON.parse(row.headers) as Record<string, string>,
});

const bucketFrom = (row: BucketRow): BucketRecord => ({
  name: row.name, createdAt: row.created_at, notification: row.notification ?? undefined, ...(row.versioning === null ? {} : { versioning: row.versioning as BucketVersioning }),
});

/** One table's versions after the (key, sequence) marker; `latest` says which table it is. */
const versionsOf = (table: string, latest: boolean) =>
  `SELECT ${OBJECT_COLUMNS}, ${latest} AS latest FROM ${table} WHERE bucket = $1 AND starts_with(key, $2) AND (key > $3 OR (key = $3 AND sequence < $4))`;

export function pgObjectStore(db: PgDb): ObjectStore {
  return {
    createBucket: async (name, createdAt) =>
      (await db.query("INSERT INTO s3_buckets (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING", [name, createdAt])).rowCount === 1,
    async bucket(name) {
      const row = (await db.query<BucketRow>("SELECT * FROM s3_buckets WHERE name = $1", [name])).rows[0];
      return row ? bucketFrom(row) : undefined;
    },
    buckets: async () => (await db.query<BucketRow>("SELECT * FROM s3_buckets ORDER BY name")).rows.map(bucketFrom),
    deleteBucket: (name) =>
      db.transaction(async (tx) => {
        // The bucket row's lock keeps a concurrent delete of the same bucket out until this one ends.
        if ((await tx.query("SELECT 1 FROM s3_buckets WHERE name = $1 FOR UPDATE", [name])).rowCount === 0) return "missing" as const;
        if ((await tx.query("SELECT 1 FROM s3_objects WHERE bucket = $1 LIMIT 1", [name])).rowCount !== 0) return "not-empty" as const;
        if ((await tx.query("SELECT 1 FROM s3_object_versions WHERE bucket = $1 LIMIT 1", [name])).rowCount !== 0) return "not-empty" as const;
        const uploads = (await tx.query<{ upload_id: string }>("DELETE FROM s3_uploads WHERE bucket = $1 RETURNING upload_id", [name])).rows.map((r) => r.upload_id);
        await tx.query("DELETE FROM s3_parts WHERE upload_id = ANY($1::text[])", [uploads]);
        await tx.query("DELETE FROM s3_buckets WHERE name = $1", [name]);
        return { uploads };
      }),
    async setNotification(name, notification) {
      await db.query("UPDATE s3_buckets SET notification = $1 WHERE name = $2", [notification ?? null, name]);
    },
    async setVersioning(name, versioning) {
      await db.query("UPDATE s3_buckets SET versioning = $1 WHERE name = $2", [versioning, name]);
    },
    async objectVersion(bucket, key, versionId) {
      const where = "WHERE bucket = $1 AND key = $2 AND version_id IS NOT DISTINCT FROM $3";
      const row = (await db.query<ObjectRow>(`SELECT ${OBJECT_COLUMNS} FROM s3_objects ${where} UNION ALL SELECT ${OBJECT_COLUMNS} FROM s3_object_versions ${where}`, [bucket, key, versionId ?? null])).rows[0];
      return row ? objectFrom(row) : undefined;
    },
    async object(bucket, key) {
      const row = (await db.query<ObjectRow>("SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2", [bucket, key])).rows[0];
      return row ? objectFrom(row) : undefined;
    },
    referencesBlob: async (blob) =>
      ((await db.query("SELECT 1 FROM s3_objects WHERE blob = $1 UNION ALL SELECT 1 FROM s3_object_versions WHERE blob = $1 LIMIT 1", [blob])).rowCount ?? 0) > 0,
    listObjects: async (bucket, prefix, after, limit) =>
      // starts_with on a COLLATE "C" column, keys compared byte by byte: S3's UTF-8 order.
      (
        await db.query<ObjectRow>("SELECT * FROM s3_objects WHERE bucket = $1 AND starts_with(key, $2) AND key > $3 AND delete_marker = 0 ORDER BY key LIMIT $4", [bucket, prefix, after, limit])
      ).rows.map(objectFrom),
    listVersions: async (bucket, prefix, afterKey, afterSequence, limit) =>
      (
        await db.query<ObjectRow & { latest: boolean }>(
          `${versionsOf("s3_objects", true)} UNION ALL ${versionsOf("s3_object_versions", false)} ORDER BY key, sequence DESC LIMIT $5`,
          [bucket, prefix, afterKey, afterSequence, limit],
        )
      ).rows.map((row) => ({ record: objectFrom(row), latest: row.latest })),
    async createUpload(upload) {
      await db.query("INSERT INTO s3_uploads (upload_id, bucket, key, initiated, headers) VALUES ($1, $2, $3, $4, $5)", [
        upload.uploadId, upload.bucket, upload.key, upload.initiated, JSON.stringify(upload.headers),
      ]);
    },
    async upload(uploadId) {
      const row = (await db.query<UploadRow>("SELECT * FROM s3_uploads WHERE upload_id = $1", [uploadId])).rows[0];
      return row ? uploadFrom(row) : undefined;
    },
    uploads: async (bucket, prefix, afterKey, afterUploadId, limit) =>
      (
        await db.query<UploadRow>(
          `SELECT * FROM s3_uploads WHERE bucket = $1 AND starts_with(key, $2) AND (key > $3 OR (key = $3 AND upload_id > $4))
           ORDER BY key, upload_id LIMIT $5`,
          [bucket, prefix, afterKey, afterUploadId, limit],
        )
      ).rows.map(uploadFrom),
    async putPart(part) {
      await db.query(`INSERT INTO s3_parts (${PART_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (upload_id, part_number) DO UPDATE SET ${PART_UPDATE}`, partValues(part));
    },
    parts: async (uploadId, afterPart, limit) =>
      (
        await db.query<PartRow>("SELECT * FROM s3_parts WHERE upload_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3", [uploadId, afterPart, limit])
      ).rows.map(partFrom),
    deleteUpload: (uploadId) =>
      db.transaction(async (tx) => {
        await tx.query("DELETE FROM s3_parts WHERE upload_id = $1", [uploadId]);
        return (await tx.query("DELETE FROM s3_uploads WHERE upload_id = $1", [uploadId])).rowCount === 1;
      }),
  };
}
