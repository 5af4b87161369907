/** An s3_parts row as both backends read it, and the record it is. */
import type { PartRecord } from "../ports.js";

export interface PartRow {
  upload_id: string;
  part_number: number;
  etag: string;
  size: number;
  last_modified: number;
  /** The part's additional checksum (NULL on parts from before checksums were kept). */
  checksum_algorithm: string | null;
  checksum: string | null;
}

export const partFrom = (row: PartRow): PartRecord => ({
  uploadId: row.upload_id,
  partNumber: Number(row.part_number),
  etag: row.etag,
  size: Number(row.size),
  lastModified: Number(row.last_modified),
  ...(row.checksum_algorithm === null || row.checksum === null ? {} : { checksum: { algorithm: row.checksum_algorithm, value: row.checksum } }),
});

/** The values of a part's row, in the order the backends' INSERTs name the columns. */
export const partValues = (part: PartRecord): unknown[] => [
  part.uploadId, part.partNumber, part.etag, part.size, part.lastModified, part.checksum?.algorithm ?? null, part.checksum?.value ?? null,
];

/** The columns partValues fills, and what a repeated UploadPart replaces. */
export const PART_COLUMNS = "upload_id, part_number, etag, size, last_modified, checksum_algorithm, checksum";
export const PART_UPDATE =
  "etag = excluded.etag, size = excluded.size, last_modified = excluded.last_modified, checksum_algorithm = excluded.checksum_algorithm, checksum = excluded.checksum";
