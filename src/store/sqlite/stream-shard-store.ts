/**
 * SQLite StreamShardStore: one writer, so a rollover (one statement) reads the stream's counter and
 * records the cut with no append in between.
 */
import type { StreamShardStart, StreamShardStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface Row {
  shard_index: number;
  starting_sequence: number;
  opened_at: number;
}

export function sqliteStreamShardStore(db: Db): SyncPort<StreamShardStore> {
  const select = db.prepare<[string], Row>("SELECT shard_index, starting_sequence, opened_at FROM dynamodb_stream_shards WHERE stream = ? ORDER BY shard_index");
  const insert = db.prepare(
    `INSERT INTO dynamodb_stream_shards (stream, shard_index, table_name, starting_sequence, opened_at)
     SELECT @stream, @index, @table, COALESCE((SELECT last FROM dynamodb_stream_sequences WHERE stream = @stream), 0) + 1, @now WHERE true
     ON CONFLICT (stream, shard_index) DO NOTHING`,
  );
  const forgets = ["dynamodb_stream_shards", "dynamodb_stream_sequences", "dynamodb_stream_records"].map((table) => db.prepare(`DELETE FROM ${table} WHERE stream = ?`));
  return {
    rollovers: (stream): StreamShardStart[] =>
      select.all(stream).map((row) => ({ index: row.shard_index, startingSequence: row.starting_sequence, openedAt: row.opened_at })),
    roll: durably(db, (stream: string, table: string, index: number, now: number) => insert.run({ stream, index, table, now }).changes === 1),
    forget: durably(db, (stream: string) => {
      for (const statement of forgets) statement.run(stream);
    }),
  };
}
