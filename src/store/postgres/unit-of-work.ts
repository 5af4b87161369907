/** Store.commit on PostgreSQL: the unit's writes in one transaction on one connection, committed (durably, synchronous_commit) before it resolves. */
import type { ObjectRecord, Store, WriteUnit, WriteUnitResult } from "../ports.js";
import { insertEvents } from "./async-queue-store.js";
import type { PgDb, PgTx } from "./database.js";
import { extraColumns, objectFrom, OBJECT_COLUMNS, type ObjectRow } from "../rows/object-row.js";

const COLUMN_LIST = OBJECT_COLUMNS.split(", ");
const PLACEHOLDERS = COLUMN_LIST.map((_, i) => `$${i + 1}`).join(", ");
const UPDATES = COLUMN_LIST.filter((c) => c !== "bucket" && c !== "key").map((c) => `${c} = excluded.${c}`).join(", ");

const valuesOf = (row: ObjectRow): unknown[] => COLUMN_LIST.map((column) => row[column as keyof ObjectRow]);

const rowOf = (record: ObjectRecord): ObjectRow => ({
  bucket: record.bucket, key: record.key, blob: record.blob, size: record.size, etag: record.etag, last_modified: record.lastModified,
  headers: JSON.stringify(record.headers), ...extraColumns(record),
});

async function upsertCurrent(tx: PgTx, row: ObjectRow): Promise<void> {
  await tx.query(`INSERT INTO s3_objects (${OBJECT_COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (bucket, key) DO UPDATE SET ${UPDATES}`, valuesOf(row));
}

async function keepOlder(tx: PgTx, row: ObjectRow): Promise<void> {
  await tx.query(`INSERT INTO s3_object_versions (${OBJECT_COLUMNS}) VALUES (${PLACEHOLDERS})`, valuesOf(row));
}

/**
 * The key's current row, locked (FOR UPDATE) so two nodes writing one key each see what they follow.
 * With no row yet, `record` is inserted; when another node's first version landed in between, its row
 * is locked and returned instead (an upsert would overwrite that version without keeping it).
 */
async function lockCurrent(tx: PgTx, record: ObjectRecord): Promise<{ previous: ObjectRow | undefined; inserted: boolean }> {
  for (;;) {
    const previous = (await tx.query<ObjectRow>("SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2 FOR UPDATE", [record.bucket, record.key])).rows[0];
    if (previous) return { previous, inserted: false };
    const row = rowOf(record);
    const insert = await tx.query(`INSERT INTO s3_objects (${OBJECT_COLUMNS}) VALUES (${PLACEHOLDERS}) ON CONFLICT (bucket, key) DO NOTHING`, valuesOf(row));
    if (insert.rowCount === 1) return { previous: undefined, inserted: true };
  }
}

/** Makes `record` current; the row it follows is kept as noncurrent or, when both are null versions, discarded. */
async function put(tx: PgTx, record: ObjectRecord, discarded: ObjectRecord[]): Promise<ObjectRecord | undefined> {
  const { previous, inserted } = await lockCurrent(tx, record);
  const inPlace = previous !== undefined && previous.sequence === (record.sequence ?? "");
  if (record.versionId === undefined && !inPlace) {
    const gone = await tx.query<ObjectRow>("DELETE FROM s3_object_versions WHERE bucket = $1 AND key = $2 AND version_id IS NULL RETURNING *", [record.bucket, record.key]);
    discarded.push(...gone.rows.map(objectFrom));
  }
  if (previous && !inPlace) {
    if (previous.version_id === null && record.versionId === undefined) discarded.push(objectFrom(previous));
    else await keepOlder(tx, previous);
  }
  if (!inserted) await upsertCurrent(tx, rowOf(record));
  return previous ? objectFrom(previous) : undefined;
}

/** Removes one version for good; removing the current one makes the newest noncurrent one current. */
async function removeVersion(tx: PgTx, bucket: string, key: string, versionId: string | undefined): Promise<ObjectRecord | undefined> {
  const current = (await tx.query<ObjectRow>("SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2 FOR UPDATE", [bucket, key])).rows[0];
  if (current && current.version_id === (versionId ?? null)) {
    await tx.query("DELETE FROM s3_objects WHERE bucket = $1 AND key = $2", [bucket, key]);
    const next = (
      await tx.query<ObjectRow>(
        `DELETE FROM s3_object_versions WHERE (bucket, key, sequence) IN
           (SELECT bucket, key, sequence FROM s3_object_versions WHERE bucket = $1 AND key = $2 ORDER BY sequence DESC LIMIT 1) RETURNING *`,
        [bucket, key],
      )
    ).rows[0];
    if (next) await upsertCurrent(tx, next);
    return objectFrom(current);
  }
  const older = (await tx.query<ObjectRow>("DELETE FROM s3_object_versions WHERE bucket = $1 AND key = $2 AND version_id IS NOT DISTINCT FROM $3 RETURNING *", [bucket, key, versionId ?? null])).rows[0];
  return older ? objectFrom(older) : undefined;
}

export function pgUnitOfWork(db: PgDb): Store["commit"] {
  return (unit) =>
    db.transaction(async (tx): Promise<WriteUnitResult> => {
      if (unit.check) await checkUnder(tx, unit.check, unit);
      const discarded: ObjectRecord[] = [];
      const replaced: (ObjectRecord | undefined)[] = [];
      for (const record of unit.putObjects ?? []) replaced.push(await put(tx, record, discarded));
      const removed: ObjectRecord[] = [];
      if (unit.deleteObjects && unit.deleteObjects.keys.length > 0) {
        const { bucket, keys } = unit.deleteObjects;
        const rows = (await tx.query<ObjectRow>("DELETE FROM s3_objects WHERE bucket = $1 AND key = ANY($2::text[]) RETURNING *", [bucket, [...keys]])).rows;
        const byKey = new Map(rows.map((row) => [row.key, row]));
        for (const key of new Set(keys)) {
          const row = byKey.get(key);
          if (row) removed.push(objectFrom(row));
        }
      }
      for (const { key, versionId } of unit.deleteVersions?.versions ?? []) {
        const gone = await removeVersion(tx, unit.deleteVersions?.bucket ?? "", key, versionId);
        if (gone) removed.push(gone);
      }
      discarded.push(...removed);
      for (const uploadId of unit.endUploads ?? []) {
        await tx.query("DELETE FROM s3_parts WHERE upload_id = $1", [uploadId]);
        await tx.query("DELETE FROM s3_uploads WHERE upload_id = $1", [uploadId]);
      }
      const events = unit.events?.({ replaced, removed, discarded }) ?? [];
      await insertEvents(tx, events);
      const deliveries = unit.deliveries?.({ replaced, removed, discarded }) ?? [];
      for (const delivery of deliveries) {
        await tx.query("INSERT INTO s3_deliveries (api_id, record) VALUES ($1, $2) ON CONFLICT (api_id) DO UPDATE SET record = excluded.record", [delivery.id, JSON.stringify(delivery)]);
      }
      return { replaced, removed, discarded, events, deliveries };
    });
}

/**
 * Runs a unit's precondition on the current rows, each key locked first for the rest of the
 * transaction: a row lock cannot cover a key that has no row yet (If-None-Match), so the lock is
 * a transaction-scoped advisory lock on the key's hash, taken in a fixed order (no deadlocks).
 */
async function checkUnder(tx: PgTx, check: NonNullable<WriteUnit["check"]>, unit: WriteUnit): Promise<void> {
  const keys: [string, string][] = [
    ...(unit.putObjects ?? []).map((record): [string, string] => [record.bucket, record.key]),
    ...(unit.deleteObjects?.keys ?? []).map((key): [string, string] => [unit.deleteObjects?.bucket ?? "", key]),
  ];
  const names = [...new Set(keys.map(([bucket, key]) => `s3:${bucket}/${key}`))].sort();
  for (const name of names) await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [name]);
  const current: (ObjectRecord | undefined)[] = [];
  for (const [bucket, key] of keys) {
    const row = (await tx.query<ObjectRow>("SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2", [bucket, key])).rows[0];
    current.push(row ? objectFrom(row) : undefined);
  }
  check(current);
}
