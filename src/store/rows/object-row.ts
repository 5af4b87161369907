/** An s3_objects (or s3_object_versions) row as both backends read it, and the record it is; the columns beyond the basic ones are written the same way too. */
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
 * What a multipart upload left on its object (the upload's id, a JSON array of its part sizes), the
 * object's tags (a JSON object), and its version: its id (NULL for the `null` version), the sequence
 * that orders a key's versions ('' on rows from before versioning) and whether it is a delete marker.
 */
export interface ObjectExtraColumns {
  upload_id: string | null;
  part_sizes: string | null;
  /** A JSON array of the parts' checksums (base64, the object checksum's algorithm); NULL when not kept. */
  part_checksums: string | null;
  tags: string | null;
  version_id: string | null;
  sequence: string;
  delete_marker: number;
}

/** The record fields those columns hold, only where the row has them (a row from before versioning reads as it did). */
export function extrasOf(row: ObjectExtraColumns): Pick<ObjectRecord, "uploadId" | "partSizes" | "partChecksums" | "tags" | "versionId" | "sequence" | "deleteMarker"> {
  return {
    ...(row.upload_id === null || row.part_sizes === null ? {} : { uploadId: row.upload_id, partSizes: JSON.parse(row.part_sizes) as number[] }),
    ...(row.part_checksums === null ? {} : { partChecksums: JSON.parse(row.part_checksums) as string[] }),
    ...(row.tags === null ? {} : { tags: JSON.parse(row.tags) as Record<string, string> }),
    ...(row.version_id === null ? {} : { versionId: row.version_id }),
    ...(row.sequence === "" ? {} : { sequence: row.sequence }),
    ...(Number(row.delete_marker) === 1 ? { deleteMarker: true } : {}),
  };
}

/** The same columns to write for `record`. */
export function extraColumns(record: ObjectRecord): ObjectExtraColumns {
  const tags = record.tags && Object.keys(record.tags).length > 0 ? JSON.stringify(record.tags) : null;
  return {
    upload_id: record.uploadId ?? null, part_sizes: record.partSizes ? JSON.stringify(record.partSizes) : null,
    part_checksums: record.partChecksums ? JSON.stringify(record.partChecksums) : null, tags,
    version_id: record.versionId ?? null, sequence: record.sequence ?? "", delete_marker: record.deleteMarker ? 1 : 0,
  };
}

/** Every column of an object row, in one order, for statements that copy rows between the current and the noncurrent table. */
export const OBJECT_COLUMNS = "bucket, key, blob, size, etag, last_modified, headers, upload_id, part_sizes, part_checksums, tags, version_id, sequence, delete_marker";
