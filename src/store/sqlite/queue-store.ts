/** SQLite QueueStore: one row per SQS queue, attributes and tags as JSON. */
import type { QueueRecord, QueueStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";

interface QueueRow {
  name: string;
  fifo: number;
  attributes: string;
  tags: string;
  created_at: number;
  modified_at: number;
}

const fromRow = (row: QueueRow): QueueRecord => ({
  name: row.name,
  fifo: row.fifo === 1,
  attributes: JSON.parse(row.attributes) as Record<string, string>,
  tags: JSON.parse(row.tags) as Record<string, string>,
  createdAt: row.created_at,
  modifiedAt: row.modified_at,
});

export function sqliteQueueStore(db: Db): SyncPort<QueueStore> {
  const insert = db.prepare(
    `INSERT INTO sqs_queues (name, fifo, attributes, tags, created_at, modified_at) VALUES (@name, @fifo, @attributes, @tags, @createdAt, @modifiedAt)
     ON CONFLICT (name) DO NOTHING`,
  );
  const get = db.prepare<[string], QueueRow>("SELECT * FROM sqs_queues WHERE name = ?");
  // `substr(name, 1, length(prefix)) = prefix`: a prefix match with no LIKE wildcards to escape (`_` is valid in queue names).
  const list = db.prepare<{ prefix: string; after: string; limit: number }, QueueRow>(
    "SELECT * FROM sqs_queues WHERE substr(name, 1, length(@prefix)) = @prefix AND name > @after ORDER BY name LIMIT @limit",
  );
  const setAttributes = db.prepare("UPDATE sqs_queues SET attributes = ?, modified_at = ? WHERE name = ?");
  const setTags = db.prepare("UPDATE sqs_queues SET tags = ? WHERE name = ?");
  const removeQueue = db.prepare("DELETE FROM sqs_queues WHERE name = ?");
  const removeMessages = db.prepare("DELETE FROM sqs_messages WHERE queue = ?");
  const removeDedup = db.prepare("DELETE FROM sqs_dedup WHERE queue = ?");

  return {
    create: (record) =>
      insert.run({ ...record, fifo: record.fifo ? 1 : 0, attributes: JSON.stringify(record.attributes), tags: JSON.stringify(record.tags) }).changes === 1,
    get: (name) => {
      const row = get.get(name);
      return row ? fromRow(row) : undefined;
    },
    list: (prefix, afterName, limit) => list.all({ prefix, after: afterName ?? "", limit }).map(fromRow),
    setAttributes: (name, attributes, modifiedAt) => setAttributes.run(JSON.stringify(attributes), modifiedAt, name).changes === 1,
    setTags: (name, tags) => setTags.run(JSON.stringify(tags), name).changes === 1,
    delete: db.transaction((name: string) => {
      removeMessages.run(name);
      removeDedup.run(name);
      return removeQueue.run(name).changes === 1;
    }),
  };
}
