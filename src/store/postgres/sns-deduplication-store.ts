/**
 * PostgreSQL SnsDeduplicationStore, shared by every node. A claim's insert waits on a racing
 * claimer's uncommitted row of the same id (the primary key), so only one of them inserts; the
 * topic's sequence counter row serializes the numbering of its fresh messages.
 */
import type { SnsDeduplicationStore } from "../ports.js";
import type { PgDb } from "./database.js";

export function pgSnsDeduplicationStore(db: PgDb): SnsDeduplicationStore {
  return {
    claim: (topicArn, deduplicationId, messageId, now, expiresAt) =>
      db.transaction(async (tx) => {
        await tx.query("DELETE FROM sns_deduplication WHERE topic_arn = $1 AND deduplication_id = $2 AND expires_at <= $3", [topicArn, deduplicationId, now]);
        const inserted = await tx.query(
          "INSERT INTO sns_deduplication (topic_arn, deduplication_id, message_id, sequence, expires_at) VALUES ($1, $2, $3, 0, $4) ON CONFLICT DO NOTHING",
          [topicArn, deduplicationId, messageId, expiresAt],
        );
        if (inserted.rowCount !== 1) {
          const seen = (await tx.query<{ message_id: string; sequence: string }>(
            "SELECT message_id, sequence FROM sns_deduplication WHERE topic_arn = $1 AND deduplication_id = $2", [topicArn, deduplicationId],
          )).rows[0];
          if (seen) return { messageId: seen.message_id, sequence: Number(seen.sequence), fresh: false };
        }
        const { rows } = await tx.query<{ last: string }>(
          `INSERT INTO sns_fifo_sequences (topic_arn, last) VALUES ($1, 1)
           ON CONFLICT (topic_arn) DO UPDATE SET last = sns_fifo_sequences.last + 1 RETURNING last`,
          [topicArn],
        );
        const sequence = Number(rows[0]?.last);
        await tx.query("UPDATE sns_deduplication SET sequence = $3 WHERE topic_arn = $1 AND deduplication_id = $2", [topicArn, deduplicationId, sequence]);
        return { messageId, sequence, fresh: true };
      }),
    async release(topicArn, deduplicationId, messageId) {
      await db.query("DELETE FROM sns_deduplication WHERE topic_arn = $1 AND deduplication_id = $2 AND message_id = $3", [topicArn, deduplicationId, messageId]);
    },
    deleteExpired: async (now) => (await db.query("DELETE FROM sns_deduplication WHERE expires_at <= $1", [now])).rowCount ?? 0,
  };
}
