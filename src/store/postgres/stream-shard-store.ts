/**
 * PostgreSQL StreamShardStore: a rollover locks the stream's counter row (appends update it and hold
 * it until they commit), so the cut it records is the last sequence number committed and no append
 * commits between reading it and recording the new shard.
 */
import type { StreamShardStore } from "../ports.js";
import type { PgDb } from "./database.js";

export function pgStreamShardStore(db: PgDb): StreamShardStore {
  return {
    async rollovers(stream) {
      const { rows } = await db.query<{ shard_index: number; starting_sequence: string; opened_at: string }>(
        "SELECT shard_index, starting_sequence, opened_at FROM dynamodb_stream_shards WHERE stream = $1 ORDER BY shard_index",
        [stream],
      );
      return rows.map((row) => ({ index: Number(row.shard_index), startingSequence: Number(row.starting_sequence), openedAt: Number(row.opened_at) }));
    },
    roll: (stream, table, index, now) =>
      db.transaction(async (tx) => {
        // A stream without a record yet gets its counter row now, so there is a row to lock.
        await tx.query("INSERT INTO dynamodb_stream_sequences (stream, table_name, last) VALUES ($1, $2, 0) ON CONFLICT (stream) DO NOTHING", [stream, table]);
        const { rows } = await tx.query<{ last: string }>("SELECT last FROM dynamodb_stream_sequences WHERE stream = $1 FOR UPDATE", [stream]);
        const inserted = await tx.query(
          `INSERT INTO dynamodb_stream_shards (stream, shard_index, table_name, starting_sequence, opened_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (stream, shard_index) DO NOTHING`,
          [stream, index, table, Number(rows[0]?.last ?? 0) + 1, now],
        );
        return inserted.rowCount === 1;
      }),
    forget: (stream) =>
      db.transaction(async (tx) => {
        for (const table of ["dynamodb_stream_shards", "dynamodb_stream_sequences", "dynamodb_stream_records"]) await tx.query(`DELETE FROM ${table} WHERE stream = $1`, [stream]);
      }),
  };
}
