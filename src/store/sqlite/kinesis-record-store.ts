/**
 * SQLite KinesisRecordStore: one writer, so a batch takes its numbers from the stream's counter and
 * inserts its records with no other append in between, and numbers commit in order. Appends go
 * through group commit (durable, fsynced off the event loop); trims and forgets commit durably.
 */
import type { KinesisRecordAppend, KinesisRecordRow, KinesisRecordStore } from "../ports.js";
import { dataBuffer, kinesisRecordFrom, type KinesisRecordDbRow } from "../rows/kinesis-record-row.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";
import { groupCommit } from "./group-commit.js";

export function sqliteKinesisRecordStore(db: Db): SyncPort<KinesisRecordStore> {
  // Takes `n` numbers at once: the batch's last comes back, its first is last - n + 1.
  const take = db.prepare<[string, number], { last: number }>(
    `INSERT INTO kinesis_sequences (stream, last) VALUES (?, ?)
     ON CONFLICT (stream) DO UPDATE SET last = last + excluded.last RETURNING last`,
  );
  const insert = db.prepare("INSERT INTO kinesis_records (stream, sequence, shard, partition_key, data, arrived_at) VALUES (?, ?, ?, ?, ?, ?)");
  const page = db.prepare<[string, number, number, number], KinesisRecordDbRow>(
    "SELECT sequence, shard, partition_key, data, arrived_at FROM kinesis_records WHERE stream = ? AND shard = ? AND sequence > ? ORDER BY sequence LIMIT ?",
  );
  const last = db.prepare<[string], { last: number }>("SELECT last FROM kinesis_sequences WHERE stream = ?");
  const oldest = db.prepare<[string, number], { first: number | null }>("SELECT MIN(sequence) AS first FROM kinesis_records WHERE stream = ? AND shard = ?");
  const firstSince = db.prepare<[string, number, number], { sequence: number }>(
    "SELECT sequence FROM kinesis_records WHERE stream = ? AND shard = ? AND arrived_at >= ? ORDER BY sequence LIMIT 1",
  );
  const trim = db.prepare("DELETE FROM kinesis_records WHERE stream = ? AND arrived_at < ?");
  const closedShards = db.prepare<[string], { shard: number }>("SELECT shard FROM kinesis_closed_shards WHERE stream = ?");
  const closeShard = db.prepare("INSERT INTO kinesis_closed_shards (stream, shard, closed_at) VALUES (?, ?, ?)");
  const reopenShard = db.prepare("DELETE FROM kinesis_closed_shards WHERE stream = ? AND shard = ? AND closed_at < ?");
  const closedAt = db.prepare<[string, number, number], { shard: number }>("SELECT shard FROM kinesis_closed_shards WHERE stream = ? AND shard = ? AND closed_at = ?");
  const forgets = ["kinesis_records", "kinesis_sequences", "kinesis_closed_shards"].map((table) => db.prepare(`DELETE FROM ${table} WHERE stream = ?`));
  const soon = groupCommit(db);
  const latest = (stream: string) => last.get(stream)?.last ?? 0;

  // Runs when the group commit applies it, so a shard closed meanwhile is seen here.
  const appendNow = (stream: string, records: readonly KinesisRecordAppend[]): number[] | undefined => {
    const closed = new Set(closedShards.all(stream).map((row) => row.shard));
    if (records.some((record) => closed.has(record.shard))) return undefined;
    const first = (take.get(stream, records.length) as { last: number }).last - records.length + 1;
    return records.map((record, i) => {
      insert.run(stream, first + i, record.shard, record.partitionKey, dataBuffer(record.data), record.arrivedAt);
      return first + i;
    });
  };

  return {
    append: (stream, records) => (records.length === 0 ? [] : soon(() => appendNow(stream, records))),
    read(stream, shard, afterSequence, limit, maxBytes) {
      const rows: KinesisRecordRow[] = [];
      let bytes = 0;
      // Stepping through the page reads no record's data past the one that reaches maxBytes.
      for (const row of page.iterate(stream, shard, afterSequence, Math.max(limit, 0))) {
        if (rows.length > 0 && bytes >= maxBytes) break;
        rows.push(kinesisRecordFrom(row));
        bytes += row.data.length;
      }
      return rows;
    },
    close: durably(db, (stream: string, shards: readonly number[], now: number) => {
      const closed = new Set(closedShards.all(stream).map((row) => row.shard));
      if (shards.some((shard) => closed.has(shard))) return undefined;
      for (const shard of shards) closeShard.run(stream, shard, now);
      return latest(stream);
    }),
    reopen: durably(db, (stream: string, shards: readonly number[], closedBefore?: number) =>
      [...new Set(shards)].filter((shard) => reopenShard.run(stream, shard, closedBefore ?? Number.MAX_SAFE_INTEGER).changes > 0).sort((a, b) => a - b)),
    stillClosed: (stream, shards, at) => shards.every((shard) => closedAt.get(stream, shard, at) !== undefined),
    latest,
    oldest: (stream, shard) => oldest.get(stream, shard)?.first ?? undefined,
    before(stream, shard, time) {
      const first = firstSince.get(stream, shard, time);
      return first === undefined ? latest(stream) : first.sequence - 1;
    },
    trim: durably(db, (stream: string, time: number) => trim.run(stream, time).changes),
    forget: durably(db, (stream: string) => {
      for (const statement of forgets) statement.run(stream);
    }),
  };
}
