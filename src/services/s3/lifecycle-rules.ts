/**
 * What a bucket's lifecycle rules decide for one key's versions and for one unfinished upload, at a
 * given time: pure functions, no store. Times count in `dayMs` days (`--s3-lifecycle-day-ms`) and,
 * as S3 does, an age-based action is due at the start of the day after its age is reached (S3 rounds
 * up to the next midnight UTC; here to the next multiple of `dayMs` since the epoch).
 */
import type { LifecycleFilter, LifecycleRule } from "../../core/s3-bucket-settings.js";
import type { ObjectRecord, UploadRecord } from "../../store/ports.js";

/** When an action `days` days after `sinceMs` falls due. */
export function dueAt(sinceMs: number, days: number, dayMs: number): number {
  return Math.ceil((sinceMs + days * dayMs) / dayMs) * dayMs;
}

/** Whether a version is one the filter selects (tags and sizes are the version's own). */
export function selects(filter: LifecycleFilter, record: ObjectRecord): boolean {
  if (!record.key.startsWith(filter.prefix)) return false;
  const tags = record.tags ?? {};
  if (Object.entries(filter.tags).some(([key, value]) => tags[key] !== value)) return false;
  if (filter.sizeGreaterThan !== undefined && !(record.size > filter.sizeGreaterThan)) return false;
  return filter.sizeLessThan === undefined || record.size < filter.sizeLessThan;
}

/** What to do with one key. */
export interface KeyActions {
  /** Expire the current version (a delete marker on a versioned bucket, the row otherwise). */
  readonly expireCurrent: ObjectRecord | undefined;
  /** Versions to remove for good: noncurrent versions past their time, an expired object delete marker. */
  readonly remove: readonly ObjectRecord[];
}

function currentExpires(rules: readonly LifecycleRule[], current: ObjectRecord, now: number, dayMs: number): boolean {
  return rules.some((rule) => {
    const exp = rule.expiration;
    if (!exp || !selects(rule.filter, current)) return false;
    if (exp.days !== undefined) return dueAt(current.lastModified, exp.days, dayMs) <= now;
    return exp.date !== undefined && Date.parse(exp.date) <= now;
  });
}

/** A delete marker that is the key's only version: ExpiredObjectDeleteMarker removes it. */
function markerExpires(rules: readonly LifecycleRule[], versions: readonly ObjectRecord[]): boolean {
  const [current] = versions;
  if (!current?.deleteMarker || versions.length !== 1) return false;
  return rules.some((rule) => rule.expiration?.expiredObjectDeleteMarker === true && current.key.startsWith(rule.filter.prefix));
}

/**
 * Noncurrent versions past NoncurrentDays (counted from when the next newer version replaced them),
 * keeping the NewerNoncurrentVersions newest noncurrent ones.
 */
function expiredNoncurrent(rules: readonly LifecycleRule[], versions: readonly ObjectRecord[], now: number, dayMs: number): ObjectRecord[] {
  const expired: ObjectRecord[] = [];
  for (let index = 1; index < versions.length; index++) {
    const version = versions[index];
    const successor = versions[index - 1];
    if (!version || !successor) continue;
    const due = rules.some((rule) => {
      const noncurrent = rule.noncurrentExpiration;
      if (!noncurrent || !(version.deleteMarker ? version.key.startsWith(rule.filter.prefix) : selects(rule.filter, version))) return false;
      const kept = noncurrent.newerNoncurrentVersions ?? 0;
      return index - 1 >= kept && dueAt(successor.lastModified, noncurrent.days, dayMs) <= now;
    });
    if (due) expired.push(version);
  }
  return expired;
}

/** The actions enabled `rules` take on one key's versions (newest first, the first current) at `now`. */
export function keyActions(rules: readonly LifecycleRule[], versions: readonly ObjectRecord[], now: number, dayMs: number): KeyActions {
  const [current] = versions;
  if (current === undefined) return { expireCurrent: undefined, remove: [] };
  const expireCurrent = !current.deleteMarker && currentExpires(rules, current, now, dayMs) ? current : undefined;
  const remove = expiredNoncurrent(rules, versions, now, dayMs);
  // The marker goes once it is alone: after the noncurrent versions behind it went (maybe this very sweep).
  const left = versions.filter((v) => !remove.includes(v));
  if (markerExpires(rules, left)) remove.push(current);
  return { expireCurrent, remove };
}

/** Whether AbortIncompleteMultipartUpload ends this upload at `now`. */
export function uploadExpires(rules: readonly LifecycleRule[], upload: UploadRecord, now: number, dayMs: number): boolean {
  return rules.some((rule) => rule.abortIncompleteUploadDays !== undefined && upload.key.startsWith(rule.filter.prefix) && dueAt(upload.initiated, rule.abortIncompleteUploadDays, dayMs) <= now);
}
