/**
 * SQLite MessageStore: SQS messages as rows ordered by a per-queue counter. Visibility is one
 * column (`visible_at`): a message is visible once it passes, in flight while it has not and the
 * message was received, delayed while it has not and it never was.
 */
import type { MessageStore, NewQueueMessage, ReceiveRequest, SentQueueMessage, StoredQueueMessage } from "../ports.js";
import type { SyncPort } from "./promised.js";
import type { Db } from "./database.js";
import { groupCommit } from "./group-commit.js";
import { messageFrom, type MessageRow } from "../rows/sqs-message-row.js";

type Candidates = { queue: string; now: number; sentAfter: number; limit: number };

function statements(db: Db) {
  return {
    nextSeq: db.prepare<[string], { last_seq: number }>("UPDATE sqs_queues SET last_seq = last_seq + 1 WHERE name = ? RETURNING last_seq"),
    insert: db.prepare(
      `INSERT INTO sqs_messages (queue, seq, id, body, meta, group_id, sent_at, visible_at)
       VALUES (@queue, @seq, @id, @body, @meta, @groupId, @sentAt, @visibleAt)`,
    ),
    seen: db.prepare<[string, string, number], { message_id: string; seq: number }>(
      "SELECT message_id, seq FROM sqs_dedup WHERE queue = ? AND dedup_key = ? AND expires_at > ?",
    ),
    remember: db.prepare(
      `INSERT INTO sqs_dedup (queue, dedup_key, message_id, seq, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (queue, dedup_key) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
    ),
    // `+visible_at` keeps the planner on the primary key (queue, seq): the first visible messages in order,
    // instead of every visible message through the visibility index and a sort (5 ms at 18,000 messages).
    visible: db.prepare<Candidates, MessageRow>(
      "SELECT * FROM sqs_messages WHERE queue = @queue AND +visible_at <= @now AND sent_at > @sentAfter ORDER BY seq LIMIT @limit",
    ),
    // FIFO: a group with a message in flight is skipped whole, so its later messages wait their turn.
    visibleUnlockedGroups: db.prepare<Candidates, MessageRow>(
      `SELECT * FROM sqs_messages m WHERE m.queue = @queue AND +m.visible_at <= @now AND m.sent_at > @sentAfter
       AND NOT EXISTS (SELECT 1 FROM sqs_messages f WHERE f.queue = m.queue AND f.group_id = m.group_id AND f.receive_count > 0 AND f.visible_at > @now)
       ORDER BY m.seq LIMIT @limit`,
    ),
    deliver: db.prepare<{ queue: string; seq: number; now: number; until: number; receipt: string }, MessageRow>(
      `UPDATE sqs_messages SET receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, @now),
       visible_at = @until, receipt = @receipt WHERE queue = @queue AND seq = @seq RETURNING *`,
    ),
    move: db.prepare(
      `UPDATE sqs_messages SET queue = @target, seq = @targetSeq, visible_at = @now, receipt = NULL,
       sent_at = CASE WHEN @resetSentAt = 1 THEN @now ELSE sent_at END WHERE queue = @queue AND seq = @seq`,
    ),
    remove: db.prepare("DELETE FROM sqs_messages WHERE queue = ? AND seq = ? AND receipt = ?"),
    current: db.prepare<[string, number, string], MessageRow>("SELECT * FROM sqs_messages WHERE queue = ? AND seq = ? AND receipt = ?"),
    hide: db.prepare("UPDATE sqs_messages SET visible_at = ? WHERE queue = ? AND seq = ?"),
    purge: db.prepare("DELETE FROM sqs_messages WHERE queue = ?"),
    counts: db.prepare<{ queue: string; now: number; sentAfter: number }, { visible: number | null; in_flight: number | null; delayed: number | null }>(
      `SELECT SUM(CASE WHEN visible_at <= @now THEN 1 ELSE 0 END) AS visible,
              SUM(CASE WHEN visible_at > @now AND receive_count > 0 THEN 1 ELSE 0 END) AS in_flight,
              SUM(CASE WHEN visible_at > @now AND receive_count = 0 THEN 1 ELSE 0 END) AS delayed
       FROM sqs_messages WHERE queue = @queue AND sent_at > @sentAfter`,
    ),
    oldest: db.prepare<[string, number, number], { at: number | null }>(
      "SELECT MIN(sent_at) AS at FROM sqs_messages WHERE queue = ? AND sent_at > ? AND (visible_at <= ? OR receive_count > 0)",
    ),
    nextVisible: db.prepare<[string, number, number], { at: number | null }>(
      "SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue = ? AND visible_at > ? AND sent_at > ?",
    ),
    peek: db.prepare<[string, number, number], MessageRow>("SELECT * FROM sqs_messages WHERE queue = ? AND seq > ? ORDER BY seq LIMIT ?"),
    expired: db.prepare<[string, number, number], { seq: number }>("SELECT seq FROM sqs_messages WHERE queue = ? AND sent_at <= ? ORDER BY seq LIMIT ?"),
    removeSeq: db.prepare("DELETE FROM sqs_messages WHERE queue = ? AND seq = ?"),
    forget: db.prepare("DELETE FROM sqs_dedup WHERE queue = ? AND expires_at <= ?"),
  };
}

export function sqliteMessageStore(db: Db): SyncPort<MessageStore> {
  const sql = statements(db);
  const durable = groupCommit(db);

  const sendNow = (queue: string, messages: readonly NewQueueMessage[], now: number, dedupUntil: number): SentQueueMessage[] | undefined => {
    const sent: SentQueueMessage[] = [];
    for (const message of messages) {
      const seen = message.dedupKey === undefined ? undefined : sql.seen.get(queue, message.dedupKey, now);
      if (seen) {
        sent.push({ id: seen.message_id, seq: seen.seq, duplicate: true });
        continue;
      }
      const seq = sql.nextSeq.get(queue)?.last_seq;
      if (seq === undefined) return undefined;
      sql.insert.run({ queue, seq, id: message.id, body: message.body, meta: message.meta, groupId: message.groupId ?? null, sentAt: message.sentAt, visibleAt: message.visibleAt });
      if (message.dedupKey !== undefined) sql.remember.run(queue, message.dedupKey, message.id, seq, dedupUntil);
      sent.push({ id: message.id, seq, duplicate: false });
    }
    return sent;
  };

  const receiveNow = (request: ReceiveRequest) => {
    const delivered: StoredQueueMessage[] = [];
    let movedToDeadLetter = 0;
    const select = request.fifo ? sql.visibleUnlockedGroups : sql.visible;
    // Moving a message to the dead-letter queue frees its place: look again until the batch is full or nothing moved.
    for (;;) {
      const candidates = select.all({ queue: request.queue, now: request.now, sentAfter: request.sentAfter, limit: request.limit - delivered.length });
      let moved = 0;
      for (const row of candidates) {
        const target = request.deadLetter;
        const targetSeq = target && row.receive_count >= target.maxReceiveCount ? sql.nextSeq.get(target.queue)?.last_seq : undefined;
        if (target && targetSeq !== undefined) {
          sql.move.run({ target: target.queue, targetSeq, now: request.now, resetSentAt: target.resetSentAt ? 1 : 0, queue: row.queue, seq: row.seq });
          moved++;
          continue;
        }
        const updated = sql.deliver.get({ queue: row.queue, seq: row.seq, now: request.now, until: request.visibleUntil, receipt: request.receipt });
        if (updated) delivered.push(messageFrom(updated));
      }
      movedToDeadLetter += moved;
      if (moved === 0 || delivered.length >= request.limit) return { delivered, movedToDeadLetter };
    }
  };

  return {
    send: (queue, messages, now, dedupUntil) => durable(() => sendNow(queue, messages, now, dedupUntil)),
    receive: db.transaction(receiveNow),
    delete: (queue, seq, receipt) => sql.remove.run(queue, seq, receipt).changes === 1,
    changeVisibility: db.transaction((queue: string, seq: number, receipt: string, visibleAt: number, now: number) => {
      const row = sql.current.get(queue, seq, receipt);
      if (!row) return "unknown" as const;
      if (row.visible_at <= now) return "not-in-flight" as const;
      sql.hide.run(visibleAt, queue, seq);
      return "changed" as const;
    }),
    purge: (queue) => sql.purge.run(queue).changes,
    counts: (queue, now, sentAfter) => {
      const row = sql.counts.get({ queue, now, sentAfter });
      return { visible: row?.visible ?? 0, inFlight: row?.in_flight ?? 0, delayed: row?.delayed ?? 0 };
    },
    oldestSentAt: (queue, now, sentAfter) => sql.oldest.get(queue, sentAfter, now)?.at ?? undefined,
    nextVisibleAt: (queue, now, sentAfter) => sql.nextVisible.get(queue, now, sentAfter)?.at ?? undefined,
    peek: (queue, afterSeq, limit) => sql.peek.all(queue, afterSeq, limit).map(messageFrom),
    deleteExpired: db.transaction((queue: string, sentBefore: number, now: number, limit: number) => {
      sql.forget.run(queue, now);
      let deleted = 0;
      for (const { seq } of sql.expired.all(queue, sentBefore, limit)) deleted += sql.removeSeq.run(queue, seq).changes;
      return deleted;
    }),
  };
}
