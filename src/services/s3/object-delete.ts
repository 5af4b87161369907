/**
 * DeleteObject and the deletions DeleteObjects makes, as S3 makes them: on a bucket that never had
 * versioning the key's row goes; on a versioned (or suspended) bucket a delete without a version id
 * adds a delete marker, and one with a version id removes that version for good.
 */
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import type { BucketRecord, ObjectRecord } from "../../store/ports.js";
import type { ObjectChange } from "../../sources/s3-notifications.js";
import { announce, deliverableNotification, deliveriesFor, eventsFor, requireBucket, type S3Context } from "./context.js";
import { deleteMarker, requestedVersion, shownVersion } from "./versions.js";
import { checkWriteCondition, writeConditionOf, type WriteCondition } from "./write-conditions.js";

/** One deletion: a key, and the version it names (`{ id: undefined }`: the `null` version). */
export interface Deletion {
  readonly key: string;
  readonly version?: { readonly id: string | undefined };
}

/** What one deletion did: the delete marker it added, or the version it removed (none when there was nothing). */
export interface Deleted {
  readonly deletion: Deletion;
  readonly marker?: ObjectRecord;
  readonly removed?: ObjectRecord;
}

/** The change a notification announces for a marker added or a row removed. */
function changeOf(bucket: BucketRecord, row: ObjectRecord, markerCreated: boolean): ObjectChange {
  const eventName = markerCreated ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete";
  return { eventName, key: row.key, ...(bucket.versioning !== undefined || row.versionId !== undefined ? { versionId: shownVersion(row) } : {}) };
}

/** Commits the deletions in one unit with their events, then deletes the bodies no version holds any more. */
export async function deleteEntries(context: S3Context, request: UnkaiRequest, bucket: BucketRecord, deletions: readonly Deletion[], condition?: WriteCondition): Promise<Deleted[]> {
  // A bucket that never had versioning holds only null versions: deleting one is deleting the key's row.
  const never = bucket.versioning === undefined;
  const plainKeys = never ? deletions.filter((d) => d.version === undefined || d.version.id === undefined).map((d) => d.key) : [];
  const markers = never ? [] : deletions.filter((d) => d.version === undefined).map((d) => deleteMarker(bucket, d.key));
  const byVersion = never ? [] : deletions.flatMap((d) => (d.version === undefined ? [] : [{ key: d.key, versionId: d.version.id }]));
  let changes: ObjectChange[] = [];
  const config = await deliverableNotification(context, bucket);
  const done = await context.commit({
    putObjects: markers,
    deleteObjects: { bucket: bucket.name, keys: plainKeys },
    deleteVersions: { bucket: bucket.name, versions: byVersion },
    // A condition (If-Match on DeleteObject) holds against the key's current version.
    check: condition && byVersion.length === 0 ? ([current]) => checkWriteCondition(condition, current, bucket.name, deletions[0]?.key ?? "") : undefined,
    events: ({ removed }) => {
      changes = [...markers.map((m) => changeOf(bucket, m, true)), ...removed.map((r) => changeOf(bucket, r, false))];
      return changes.flatMap((change) => eventsFor(context, bucket, config, change, request));
    },
    deliveries: () => changes.flatMap((change) => deliveriesFor(context, bucket, config, change, request)),
  });
  await announce(context, done);
  for (const gone of done.discarded) if (gone.blob !== "") await context.bodies.remove(gone.blob);
  const markerOf = new Map(markers.map((m) => [m.key, m]));
  return deletions.map((deletion) => {
    const removed = done.removed.find((r) => r.key === deletion.key && (deletion.version === undefined || r.versionId === deletion.version.id));
    return { deletion, marker: deletion.version === undefined ? markerOf.get(deletion.key) : undefined, removed };
  });
}

export async function deleteObject(context: S3Context, request: UnkaiRequest, bucketName: string, key: string): Promise<UnkaiResponse> {
  const bucket = await requireBucket(context, bucketName);
  const version = requestedVersion(request.query);
  const condition = writeConditionOf(request);
  const run = async () => answerOf((await deleteEntries(context, request, bucket, [{ key, version }], condition))[0]);
  return condition ? context.conditionalWrites.run(bucketName, key, run) : run();
}

function answerOf(deleted: Deleted | undefined): UnkaiResponse {
  if (deleted?.marker) return { status: 204, headers: { "x-amz-delete-marker": "true", "x-amz-version-id": shownVersion(deleted.marker) } };
  const version = deleted?.deletion.version;
  if (version === undefined) return { status: 204 };
  const headers: Record<string, string> = { "x-amz-version-id": version.id ?? "null" };
  if (deleted?.removed?.deleteMarker) headers["x-amz-delete-marker"] = "true";
  return { status: 204, headers };
}
