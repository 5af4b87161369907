/**
 * SQLite SnsDeduplicationStore: one node owns the file, so a claim is one transaction (drop the
 * id's ended record, read a live one, else number and insert), fsynced like every acknowledged write.
 */
import type { SnsDeduplicationStore } from "../ports.js";
import { durably, type Db } from "./database.js";
import type { SyncPort } from "./promised.js";

export function sqliteSnsDeduplicationStore(db: Db): SyncPort<SnsDeduplicationStore> {
  const ended = db.prepare("DELETE FROM sns_deduplication WHERE topic_arn = ? AND deduplication_id = ? AND expires_at <= ?");
  const live = db.prepare<[string, string], { message_id: string; sequence: number }>(
    "SELECT message_id, sequence FROM sns_deduplication WHERE topic_arn = ? AND deduplication_id = ?",
  );
  const bump = db.prepare<[string], { last: number }>(
    "INSERT INTO sns_fifo_sequences (topic_arn, last) VALUES (?, 1) ON CONFLICT (topic_arn) DO UPDATE SET last = last + 1 RETURNING last",
  );
  const insert = db.prepare("INSERT INTO sns_deduplication (topic_arn, deduplication_id, message_id, sequence, expires_at) VALUES (?, ?, ?, ?, ?)");
  const release = db.prepare("DELETE FROM sns_deduplication WHERE topic_arn = ? AND deduplication_id = ? AND message_id = ?");
  const expired = db.prepare("DELETE FROM sns_deduplication WHERE expires_at <= ?");
  return {
    claim: durably(db, (topicArn: string, deduplicationId: string, messageId: string, now: number, expiresAt: number) => {
      ended.run(topicArn, deduplicationId, now);
      const seen = live.get(topicArn, deduplicationId);
      if (seen) return { messageId: seen.message_id, sequence: seen.sequence, fresh: false };
      const sequence = (bump.get(topicArn) as { last: number }).last;
      insert.run(topicArn, deduplicationId, messageId, sequence, expiresAt);
      return { messageId, sequence, fresh: true };
    }),
    release: durably(db, (topicArn: string, deduplicationId: string, messageId: string) => void release.run(topicArn, deduplicationId, messageId)),
    deleteExpired: durably(db, (now: number) => expired.run(now).changes),
  };
}
