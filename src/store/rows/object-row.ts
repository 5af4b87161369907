/** The columns of an s3_objects row both backends read the same way. */
import type { ObjectRecord } from "../ports.js";

/** What a multipart upload left on its object: the upload's id and a JSON array of its part sizes (NULL on single-part objects). */
export interface MultipartColumns {
  upload_id: string | null;
  part_sizes: string | null;
}

/** The completed upload's id and part sizes, only on rows that have them (single-part objects carry neither field). */
export function multipartOf(row: MultipartColumns): Pick<ObjectRecord, "uploadId" | "partSizes"> {
  if (row.upload_id === null || row.part_sizes === null) return {};
  return { uploadId: row.upload_id, partSizes: JSON.parse(row.part_sizes) as number[] };
}

/** The same two columns to write for `record`. */
export function multipartColumns(record: ObjectRecord): MultipartColumns {
  return { upload_id: record.uploadId ?? null, part_sizes: record.partSizes ? JSON.stringify(record.partSizes) : null };
}
