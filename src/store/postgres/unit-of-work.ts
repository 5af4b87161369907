/** Store.commit on PostgreSQL: the unit's writes in one transaction on one connection, committed (durably, synchronous_commit) before it resolves. */
import type { ObjectRecord, Store, WriteUnit, WriteUnitResult } from "../ports.js";
import { insertEvents } from "./async-queue-store.js";
import type { PgDb, PgTx } from "./database.js";
import { extraColumns } from "../rows/object-row.js";
import { objectFrom, type ObjectRow } from "../rows/object-row.js";

export function pgUnitOfWork(db: PgDb): Store["commit"] {
  return (unit) =>
    db.transaction(async (tx): Promise<WriteUnitResult> => {
      if (unit.check) await checkUnder(tx, unit.check, unit);
      const replaced: (ObjectRecord | undefined)[] = [];
      for (const record of unit.putObjects ?? []) {
        // The old row, read under its lock (FOR UPDATE), so two nodes replacing one key each see what they replaced.
        const previous = (await tx.query<ObjectRow>("SELECT * FROM s3_objects WHERE bucket = $1 AND key = $2 FOR UPDATE", [record.bucket, record.key])).rows[0];
        const extra = extraColumns(record);
        await tx.query(
          `INSERT INTO s3_objects (bucket, key, blob, size, etag, last_modified, headers, upload_id, part_sizes, tags) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, size = excluded.size, etag = excluded.etag,
             last_modified = excluded.last_modified, headers = excluded.headers, upload_id = excluded.upload_id, part_sizes = excluded.part_sizes, tags = excluded.tags`,
          [record.bucket, record.key, record.blob, record.size, record.etag, record.lastModified, JSON.stringify(record.headers), extra.upload_id, extra.part_sizes, extra.tags],
        );
        replaced.push(previous ? objectFrom(previous) : undefined);
      }
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
      for (const uploadId of unit.endUploads ?? []) {
        await tx.query("DELETE FROM s3_parts WHERE upload_id = $1", [uploadId]);
        await tx.query("DELETE FROM s3_uploads WHERE upload_id = $1", [uploadId]);
      }
      const events = unit.events?.({ replaced, removed }) ?? [];
      await insertEvents(tx, events);
      return { replaced, removed, events };
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
