/**
 * One lifecycle sweep of one bucket: walks every version of every key and every unfinished upload,
 * and does what the bucket's enabled rules say is due (lifecycle-rules.ts). Each expiration commits
 * on its own with its notification events (`LifecycleExpiration:Delete`,
 * `LifecycleExpiration:DeleteMarkerCreated`, made by `s3.amazonaws.com` as S3's are); expiring a
 * current version re-checks inside the commit that it is still current, so a write that replaced it
 * meanwhile wins. Transitions are stored only: there is one storage class here.
 */
import { randomBytes } from "node:crypto";
import { bucketSettingId, type LifecycleRule } from "../../core/s3-bucket-settings.js";
import type { ChangeContext, ObjectChange } from "../../sources/s3-notifications.js";
import type { BucketRecord, ObjectRecord, WriteUnit } from "../../store/ports.js";
import { deliverableNotification, type S3Context } from "./context.js";
import { keyActions, uploadExpires } from "./lifecycle-rules.js";
import { deleteMarker, shownVersion } from "./versions.js";

const PAGE = 1000;

/** Thrown inside a commit whose object changed since the sweep looked: nothing is written. */
class Superseded extends Error {}

/** What one sweep did. */
export interface SweepCounts {
  expired: number;
  removed: number;
  aborted: number;
}

function lifecycleContext(): ChangeContext {
  return { requestId: randomBytes(8).toString("hex").toUpperCase(), sourceIp: "s3.amazonaws.com", accessKeyId: undefined, principalId: "s3.amazonaws.com" };
}

/** The bucket's enabled rules; none when it has no lifecycle configuration. */
export async function enabledRules(context: S3Context, bucket: string): Promise<LifecycleRule[]> {
  const setting = await context.settings.get(bucketSettingId(bucket, "lifecycle"));
  return setting?.kind === "lifecycle" ? setting.rules.filter((rule) => rule.enabled) : [];
}

/** Commits one change with its events, announces it, and deletes the bodies it discarded. */
async function commitChange(context: S3Context, bucket: BucketRecord, unit: WriteUnit, change: (removed: readonly ObjectRecord[]) => ObjectChange | undefined): Promise<boolean> {
  const changeContext = lifecycleContext();
  const config = await deliverableNotification(context, bucket);
  let made: ObjectChange | undefined;
  try {
    const done = await context.commit({
      ...unit,
      events: ({ removed }) => {
        made = change(removed);
        return made ? context.notifications.eventsFor(bucket.name, config, made, changeContext) : [];
      },
      deliveries: () => (made ? context.notifications.deliveriesFor(bucket.name, config, made, changeContext) : []),
    });
    await context.notifications.announce(done.events, done.deliveries);
    for (const gone of done.discarded) if (gone.blob !== "") await context.bodies.remove(gone.blob);
    return made !== undefined;
  } catch (error) {
    if (error instanceof Superseded) return false;
    throw error;
  }
}

const versionOf = (bucket: BucketRecord, row: ObjectRecord) => (bucket.versioning !== undefined || row.versionId !== undefined ? { versionId: shownVersion(row) } : {});

/** Expiration of a current version: the row goes on a bucket that never had versioning, else a delete marker hides it. */
function expireCurrent(context: S3Context, bucket: BucketRecord, row: ObjectRecord): Promise<boolean> {
  const stillCurrent = ([current]: readonly (ObjectRecord | undefined)[]) => {
    if (!current || current.sequence !== row.sequence || current.etag !== row.etag || current.deleteMarker === true) throw new Superseded();
  };
  if (bucket.versioning === undefined) {
    return commitChange(context, bucket, { deleteObjects: { bucket: bucket.name, keys: [row.key] }, check: stillCurrent }, (removed) =>
      removed.length > 0 ? { eventName: "LifecycleExpiration:Delete", key: row.key, ...versionOf(bucket, row) } : undefined);
  }
  const marker = deleteMarker(bucket, row.key);
  return commitChange(context, bucket, { putObjects: [marker], check: stillCurrent }, () => ({ eventName: "LifecycleExpiration:DeleteMarkerCreated", key: row.key, versionId: shownVersion(marker) }));
}

/** A version removed for good (a noncurrent version, an expired object delete marker). */
function removeVersion(context: S3Context, bucket: BucketRecord, row: ObjectRecord): Promise<boolean> {
  const unit: WriteUnit = { deleteVersions: { bucket: bucket.name, versions: [{ key: row.key, versionId: row.versionId }] } };
  return commitChange(context, bucket, unit, (removed) => (removed.length > 0 ? { eventName: "LifecycleExpiration:Delete", key: row.key, versionId: shownVersion(row) } : undefined));
}

/** Every key's versions (newest first), one key at a time. */
async function* keyVersions(context: S3Context, bucket: string): AsyncGenerator<ObjectRecord[]> {
  let cursor = { key: "", sequence: "" };
  let group: ObjectRecord[] = [];
  for (;;) {
    const rows = await context.store.listVersions(bucket, "", cursor.key, cursor.sequence, PAGE);
    for (const { record } of rows) {
      if (group.length > 0 && group[0]?.key !== record.key) {
        yield group;
        group = [];
      }
      group.push(record);
      cursor = { key: record.key, sequence: record.sequence ?? "" };
    }
    if (rows.length < PAGE) break;
  }
  if (group.length > 0) yield group;
}

async function sweepObjects(context: S3Context, bucket: BucketRecord, rules: readonly LifecycleRule[], now: number, dayMs: number, counts: SweepCounts): Promise<void> {
  for await (const versions of keyVersions(context, bucket.name)) {
    const actions = keyActions(rules, versions, now, dayMs);
    for (const row of actions.remove) if (await removeVersion(context, bucket, row)) counts.removed++;
    if (actions.expireCurrent && !actions.remove.includes(actions.expireCurrent) && (await expireCurrent(context, bucket, actions.expireCurrent))) counts.expired++;
  }
}

async function sweepUploads(context: S3Context, bucket: string, rules: readonly LifecycleRule[], now: number, dayMs: number, counts: SweepCounts): Promise<void> {
  if (!rules.some((rule) => rule.abortIncompleteUploadDays !== undefined)) return;
  let after = { key: "", uploadId: "" };
  for (;;) {
    const uploads = await context.store.uploads(bucket, "", after.key, after.uploadId, PAGE);
    for (const upload of uploads) {
      if (!uploadExpires(rules, upload, now, dayMs)) continue;
      if (await context.store.deleteUpload(upload.uploadId)) {
        await context.bodies.removeParts(upload.uploadId);
        counts.aborted++;
      }
    }
    const last = uploads.at(-1);
    if (!last || uploads.length < PAGE) return;
    after = { key: last.key, uploadId: last.uploadId };
  }
}

/** Applies the bucket's lifecycle rules at `now`; nothing when the bucket or its rules are gone. */
export async function sweepBucket(context: S3Context, bucketName: string, now: number, dayMs: number): Promise<SweepCounts> {
  const counts: SweepCounts = { expired: 0, removed: 0, aborted: 0 };
  const bucket = await context.store.bucket(bucketName);
  const rules = bucket ? await enabledRules(context, bucketName) : [];
  if (!bucket || rules.length === 0) return counts;
  await sweepObjects(context, bucket, rules, now, dayMs, counts);
  await sweepUploads(context, bucketName, rules, now, dayMs, counts);
  return counts;
}
