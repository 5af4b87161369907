/** PostgreSQL QueueStore: one row per SQS queue, attributes and tags as JSON text (as on SQLite). */
import type { QueueRecord, QueueStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface QueueRow {
  name: string;
  fifo: boolean;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
}

const fromRow = (row: QueueRow): QueueRecord => ({
  name: row.name,
  fifo: row.fifo,
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  tags: JSON.parse(row.tags) as Record<string, string>,
  createdAt: Number(row.created_at),
  modifiedAt: Number(row.modified_at),
});

export function pgQueueStore(db: PgDb): QueueStore {
  return {
    create: async (record) =>
      (await db.query(
        "INSERT INTO sqs_queues (name, fifo, attributes, tags, created_at, modified_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
        [record.name, record.fifo, JSON.stringify(record.attributes), JSON.stringify(record.tags), record.createdAt, record.modifiedAt],
      )).rowCount === 1,
    async get(name) {
      const row = (await db.query<QueueRow>("SELECT * FROM sqs_queues WHERE name = $1", [name])).rows[0];
      return row ? fromRow(row) : undefined;
    },
    list: async (prefix, afterName, limit) =>
      (await db.query<QueueRow>("SELECT * FROM sqs_queues WHERE left(name, length($1)) = $1 AND name > $2 ORDER BY name LIMIT $3", [prefix, afterName ?? "", limit])).rows.map(fromRow),
    setAttributes: async (name, attributes, modifiedAt) =>
      (await db.query("UPDATE sqs_queues SET attributes = $1, modified_at = $2 WHERE name = $3", [JSON.stringify(attributes), modifiedAt, name])).rowCount === 1,
    setTags: async (name, tags) => (await db.query("UPDATE sqs_queues SET tags = $1 WHERE name = $2", [JSON.stringify(tags), name])).rowCount === 1,
    delete: (name) =>
      db.transaction(async (tx) => {
        await tx.query("DELETE FROM sqs_messages WHERE queue = $1", [name]);
        await tx.query("DELETE FROM sqs_dedup WHERE queue = $1", [name]);
        return (await tx.query("DELETE FROM sqs_queues WHERE name = $1", [name])).rowCount === 1;
      }),
  };
}
