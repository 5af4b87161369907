/** DeleteObjects: up to 1,000 keys (each with an optional VersionId) in one request, each answered as Deleted (or Error), quiet mode honoured. */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { deleteEntries, type Deleted, type Deletion } from "./object-delete.js";
import { parseVersionId, shownVersion } from "./versions.js";
import { listOf, parseXml, text, xmlResponse } from "./xml.js";

/** How S3 reports one deletion: the version removed, or the delete marker made (or removed). */
function deletedEntry({ deletion, marker, removed }: Deleted): Record<string, unknown> {
  if (marker) return { Key: deletion.key, DeleteMarker: true, DeleteMarkerVersionId: shownVersion(marker) };
  if (deletion.version === undefined) return { Key: deletion.key };
  const versionId = deletion.version.id ?? "null";
  return { Key: deletion.key, VersionId: versionId, ...(removed?.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: versionId } : {}) };
}

export async function deleteObjects(context: S3Context, request: UnkaiRequest, bucketName: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const document = parseXml(request.body, "Delete");
  const objects = listOf(document.Object);
  if (objects.length === 0 || objects.length > 1000 || objects.some((o) => text(o.Key) === "")) {
    throw new S3Error("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: name 1 to 1000 objects, each with a Key.");
  }
  const deletions: Deletion[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const object of objects) {
    const key = text(object.Key);
    if (object.VersionId === undefined) {
      deletions.push({ key });
      continue;
    }
    try {
      deletions.push({ key, version: { id: parseVersionId(text(object.VersionId)) } });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      errors.push({ Key: key, VersionId: text(object.VersionId), Code: error.code, Message: error.message });
    }
  }
  const deleted = deletions.length === 0 ? [] : await deleteEntries(context, request, bucket, deletions);
  const quiet = text(document.Quiet).toLowerCase() === "true";
  // Deleting a key (or version) that does not exist succeeds, as in S3.
  const body: Record<string, unknown> = quiet ? {} : { Deleted: deleted.map(deletedEntry) };
  if (errors.length > 0) body.Error = errors;
  return xmlResponse("DeleteResult", body);
}
