/** An s3_objects row as both backends read it, and the record it is; the columns beyond the basic ones are written the same way too. */
import type { ObjectRecord } from "../ports.js";

export interface ObjectRow extends ObjectExtraColumns {
  bucket: string;
  key: string;
  blob: string;
  size: number;
  etag: string;
  last_modified: number;
  headers: string;
}

export const objectFrom = (row: ObjectRow): ObjectRecord => ({
  bucket: row.bucket,
  key: row.key,
  blob: row.blob,
  size: row.size,
  etag: row.etag,
  lastModified: row.last_modified,
  headers: JSON.parse(row.headers) as Record<string, string>,
  ...extrasOf(row),
});

/**
 * What a multipart upload left on its object (the upload's id, a JSON array of its part sizes) and the
 * object's tags (a JSON object); NULL where the object has none.
 */
export interface ObjectExtraColumns {
  upload_id: string | null;
  part_sizes: string | null;
  tags: string | null;
}

/** The record fields those columns hold, only where the row has them. */
export function extrasOf(row: ObjectExtraColumns): Pick<ObjectRecord, "uploadId" | "partSizes" | "tags"> {
  const multipart = row.upload_id === null || row.part_sizes === null ? {} : { uploadId: row.upload_id, partSizes: JSON.parse(row.part_sizes) as number[] };
  return row.tags === null ? multipart : { ...multipart, tags: JSON.parse(row.tags) as Record<string, string> };
}

/** The same columns to write for `record`. */
export function extraColumns(record: ObjectRecord): ObjectExtraColumns {
  const tags = record.tags && Object.keys(record.tags).length > 0 ? JSON.stringify(record.tags) : null;
  return { upload_id: record.uploadId ?? null, part_sizes: record.partSizes ? JSON.stringify(record.partSizes) : null, tags };
}
