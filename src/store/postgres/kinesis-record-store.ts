/**
 * PostgreSQL KinesisRecordStore: an append takes its numbers by updating the stream's counter row,
 * which stays locked until it commits, so appends to one stream (on any node) wait for each other
 * and their numbers commit in order: a reader never sees 5 before 4 is visible.
 */
import type { KinesisRecordStore } from "../ports.js";
import { dataBuffer, kinesisRecordFrom, type KinesisRecordDbRow } from "../rows/kinesis-record-row.js";
import type { PgDb } from "./database.js";

/**
 * The shard's page after a sequence number, cut where the data before a record reaches the byte
 * budget (the first record always kept). Sizes are summed before the data is fetched, so records
 * past the cut are never read.
 */
const READ = `
  SELECT r.sequence, r.shard, r.partition_key, r.data, r.arrived_at
  FROM (
    SELECT sequence, ROW_NUMBER() OVER w AS n, SUM(size) OVER w - size AS before_bytes
    FROM (SELECT sequence, octet_length(data) AS size FROM kinesis_records WHERE stream = $1 AND shard = $2 AND sequence > $3 ORDER BY sequence LIMIT $4) page
    WINDOW w AS (ORDER BY sequence)
  ) kept
  JOIN kinesis_records r ON r.stream = $1 AND r.sequence = kept.sequence
  WHERE kept.n = 1 OR kept.before_bytes < $5
  ORDER BY r.sequence`;

/** An append naming a closed shard: its transaction rolls back. */
class ShardClosed extends Error {}

export function pgKinesisRecordStore(db: PgDb): KinesisRecordStore {
  const latest = async (stream: string) => (await db.query<{ last: number }>("SELECT last FROM kinesis_sequences WHERE stream = $1", [stream])).rows[0]?.last ?? 0;
  return {
    append: async (stream, records) =>
      records.length === 0
        ? []
        : db.transaction(async (tx) => {
            // Takes all the batch's numbers at once; the row lock is held until commit.
            const { rows } = await tx.query<{ last: number }>(
              `INSERT INTO kinesis_sequences (stream, last) VALUES ($1, $2)
               ON CONFLICT (stream) DO UPDATE SET last = kinesis_sequences.last + excluded.last RETURNING last`,
              [stream, records.length],
            );
            // Under the counter's lock: a shard closed before this append is refused (nothing committed).
            const closed = await tx.query("SELECT 1 FROM kinesis_closed_shards WHERE stream = $1 AND shard = ANY($2::integer[]) LIMIT 1", [stream, [...new Set(records.map((r) => r.shard))]]);
            if (closed.rows.length > 0) throw new ShardClosed();
            const first = Number(rows[0]?.last) - records.length + 1;
            const sequences = records.map((_, i) => first + i);
            await tx.query(
              `INSERT INTO kinesis_records (stream, sequence, shard, partition_key, data, arrived_at)
               SELECT $1, * FROM unnest($2::bigint[], $3::integer[], $4::text[], $5::bytea[], $6::bigint[])`,
              [stream, sequences, records.map((r) => r.shard), records.map((r) => r.partitionKey), records.map((r) => dataBuffer(r.data)), records.map((r) => r.arrivedAt)],
            );
            return sequences;
          }).catch((error: unknown) => {
            if (error instanceof ShardClosed) return undefined;
            throw error;
          }),
    close: (stream, shards, now) =>
      db.transaction(async (tx) => {
        // Takes the counter's lock, so no append is between reading the last number and closing.
        const { rows } = await tx.query<{ last: number }>(
          `INSERT INTO kinesis_sequences (stream, last) VALUES ($1, 0)
           ON CONFLICT (stream) DO UPDATE SET last = kinesis_sequences.last RETURNING last`,
          [stream],
        );
        const taken = await tx.query("SELECT 1 FROM kinesis_closed_shards WHERE stream = $1 AND shard = ANY($2::integer[]) LIMIT 1", [stream, [...shards]]);
        if (taken.rows.length > 0) return undefined;
        await tx.query("INSERT INTO kinesis_closed_shards (stream, shard, closed_at) SELECT $1, unnest($2::integer[]), $3", [stream, [...shards], now]);
        return Number(rows[0]?.last ?? 0);
      }),
    // A row another caller deleted first is not deleted again (the delete waits on its lock, then finds it gone).
    reopen: async (stream, shards, closedBefore) =>
      (await db.query<{ shard: number }>(
        "DELETE FROM kinesis_closed_shards WHERE stream = $1 AND shard = ANY($2::integer[]) AND ($3::bigint IS NULL OR closed_at < $3::bigint) RETURNING shard",
        [stream, [...shards], closedBefore ?? null],
      )).rows.map((row) => Number(row.shard)).sort((a, b) => a - b),
    async stillClosed(stream, shards, closedAt) {
      const wanted = [...new Set(shards)];
      const { rows } = await db.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM kinesis_closed_shards WHERE stream = $1 AND shard = ANY($2::integer[]) AND closed_at = $3",
        [stream, wanted, closedAt],
      );
      return rows[0]?.n === wanted.length;
    },
    read: async (stream, shard, afterSequence, limit, maxBytes) =>
      (await db.query<KinesisRecordDbRow>(READ, [stream, shard, afterSequence, Math.max(limit, 0), maxBytes])).rows.map(kinesisRecordFrom),
    latest,
    oldest: async (stream, shard) =>
      (await db.query<{ first: number | null }>("SELECT MIN(sequence) AS first FROM kinesis_records WHERE stream = $1 AND shard = $2", [stream, shard])).rows[0]?.first ?? undefined,
    async before(stream, shard, time) {
      const { rows } = await db.query<{ sequence: number }>(
        "SELECT sequence FROM kinesis_records WHERE stream = $1 AND shard = $2 AND arrived_at >= $3 ORDER BY sequence LIMIT 1",
        [stream, shard, time],
      );
      const first = rows[0];
      return first === undefined ? latest(stream) : first.sequence - 1;
    },
    trim: async (stream, time) => (await db.query("DELETE FROM kinesis_records WHERE stream = $1 AND arrived_at < $2", [stream, time])).rowCount ?? 0,
    forget: (stream) =>
      db.transaction(async (tx) => {
        for (const table of ["kinesis_records", "kinesis_sequences", "kinesis_closed_shards"]) await tx.query(`DELETE FROM ${table} WHERE stream = $1`, [stream]);
      }),
  };
}
