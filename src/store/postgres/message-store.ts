/**
 * PostgreSQL MessageStore: the same rows and rules as SQLite's (src/store/sqlite/message-store.ts).
 * A receive locks its queue's row for its transaction, so receives of one queue on several nodes
 * take turns: no message (and no FIFO group) goes to two of them within its visibility.
 */
import type { MessageStore, ReceiveRequest, StoredQueueMessage } from "../ports.js";
import type { PgDb, PgTx } from "./database.js";
import { messageFrom, type MessageRow } from "../rows/sqs-message-row.js";

const VISIBLE = "SELECT * FROM sqs_messages WHERE queue = $1 AND visible_at <= $2 AND sent_at > $3 ORDER BY seq LIMIT $4";
const VISIBLE_UNLOCKED_GROUPS = `SELECT * FROM sqs_messages m WHERE m.queue = $1 AND m.visible_at <= $2 AND m.sent_at > $3
  AND NOT EXISTS (SELECT 1 FROM sqs_messages f WHERE f.queue = m.queue AND f.group_id = m.group_id AND f.receive_count > 0 AND f.visible_at > $2)
  ORDER BY m.seq LIMIT $4`;

const nextSeq = async (tx: PgTx, queue: string): Promise<number | undefined> =>
  (await tx.query<{ last_seq: number }>("UPDATE sqs_queues SET last_seq = last_seq + 1 WHERE name = $1 RETURNING last_seq", [queue])).rows[0]?.last_seq;

async function receiveIn(tx: PgTx, request: ReceiveRequest): Promise<{ delivered: StoredQueueMessage[]; movedToDeadLetter: number }> {
  const delivered: StoredQueueMessage[] = [];
  let movedToDeadLetter = 0;
  const held = (await tx.query("SELECT name FROM sqs_queues WHERE name = $1 FOR UPDATE", [request.queue])).rowCount;
  if (held !== 1) return { delivered, movedToDeadLetter };
  for (;;) {
    const candidates = (await tx.query<MessageRow>(request.fifo ? VISIBLE_UNLOCKED_GROUPS : VISIBLE, [request.queue, request.now, request.sentAfter, request.limit - delivered.length])).rows;
    let moved = 0;
    for (const row of candidates) {
      const target = request.deadLetter;
      const targetSeq = target && row.receive_count >= target.maxReceiveCount ? await nextSeq(tx, target.queue) : undefined;
      if (target && targetSeq !== undefined) {
        await tx.query(
          `UPDATE sqs_messages SET queue = $1, seq = $2, visible_at = $3, receipt = NULL, sent_at = CASE WHEN $4 THEN $3 ELSE sent_at END
           WHERE queue = $5 AND seq = $6`,
          [target.queue, targetSeq, request.now, target.resetSentAt, row.queue, row.seq],
        );
        moved++;
        continue;
      }
      const updated = (await tx.query<MessageRow>(
        `UPDATE sqs_messages SET receive_count = receive_count + 1, first_received_at = COALESCE(first_received_at, $1), visible_at = $2, receipt = $3
         WHERE queue = $4 AND seq = $5 RETURNING *`,
        [request.now, request.visibleUntil, request.receipt, row.queue, row.seq],
      )).rows[0];
      if (updated) delivered.push(messageFrom(updated));
    }
    movedToDeadLetter += moved;
    if (moved === 0 || delivered.length >= request.limit) return { delivered, movedToDeadLetter };
  }
}

export function pgMessageStore(db: PgDb): MessageStore {
  return {
    send: (queue, messages, now, dedupUntil) =>
      db.transaction(async (tx) => {
        const sent = [];
        for (const message of messages) {
          const seen = message.dedupKey === undefined ? undefined
            : (await tx.query<{ message_id: string; seq: number }>("SELECT message_id, seq FROM sqs_dedup WHERE queue = $1 AND dedup_key = $2 AND expires_at > $3", [queue, message.dedupKey, now])).rows[0];
          if (seen) {
            sent.push({ id: seen.message_id, seq: seen.seq, duplicate: true });
            continue;
          }
          const seq = await nextSeq(tx, queue);
          if (seq === undefined) return undefined;
          await tx.query(
            "INSERT INTO sqs_messages (queue, seq, id, body, meta, group_id, sent_at, visible_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            [queue, seq, message.id, message.body, message.meta, message.groupId ?? null, message.sentAt, message.visibleAt],
          );
          if (message.dedupKey !== undefined) {
            await tx.query(
              `INSERT INTO sqs_dedup (queue, dedup_key, message_id, seq, expires_at) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (queue, dedup_key) DO UPDATE SET message_id = excluded.message_id, seq = excluded.seq, expires_at = excluded.expires_at`,
              [queue, message.dedupKey, message.id, seq, dedupUntil],
            );
          }
          sent.push({ id: message.id, seq, duplicate: false });
        }
        return sent;
      }),
    receive: (request) => db.transaction((tx) => receiveIn(tx, request)),
    delete: async (queue, seq, receipt) => (await db.query("DELETE FROM sqs_messages WHERE queue = $1 AND seq = $2 AND receipt = $3", [queue, seq, receipt])).rowCount === 1,
    changeVisibility: (queue, seq, receipt, visibleAt, now) =>
      db.transaction(async (tx) => {
        const row = (await tx.query<MessageRow>("SELECT * FROM sqs_messages WHERE queue = $1 AND seq = $2 AND receipt = $3 FOR UPDATE", [queue, seq, receipt])).rows[0];
        if (!row) return "unknown" as const;
        if (row.visible_at <= now) return "not-in-flight" as const;
        await tx.query("UPDATE sqs_messages SET visible_at = $1 WHERE queue = $2 AND seq = $3", [visibleAt, queue, seq]);
        return "changed" as const;
      }),
    purge: async (queue) => (await db.query("DELETE FROM sqs_messages WHERE queue = $1", [queue])).rowCount ?? 0,
    async counts(queue, now, sentAfter) {
      const row = (await db.query<{ visible: number | null; in_flight: number | null; delayed: number | null }>(
        `SELECT SUM(CASE WHEN visible_at <= $2 THEN 1 ELSE 0 END)::BIGINT AS visible,
                SUM(CASE WHEN visible_at > $2 AND receive_count > 0 THEN 1 ELSE 0 END)::BIGINT AS in_flight,
                SUM(CASE WHEN visible_at > $2 AND receive_count = 0 THEN 1 ELSE 0 END)::BIGINT AS delayed
         FROM sqs_messages WHERE queue = $1 AND sent_at > $3`,
        [queue, now, sentAfter],
      )).rows[0];
      return { visible: row?.visible ?? 0, inFlight: row?.in_flight ?? 0, delayed: row?.delayed ?? 0 };
    },
    oldestSentAt: async (queue, now, sentAfter) =>
      (await db.query<{ at: number | null }>(
        "SELECT MIN(sent_at) AS at FROM sqs_messages WHERE queue = $1 AND sent_at > $2 AND (visible_at <= $3 OR receive_count > 0)",
        [queue, sentAfter, now],
      )).rows[0]?.at ?? undefined,
    nextVisibleAt: async (queue, now, sentAfter) =>
      (await db.query<{ at: number | null }>("SELECT MIN(visible_at) AS at FROM sqs_messages WHERE queue = $1 AND visible_at > $2 AND sent_at > $3", [queue, now, sentAfter])).rows[0]?.at ?? undefined,
    peek: async (queue, afterSeq, limit) =>
      (await db.query<MessageRow>("SELECT * FROM sqs_messages WHERE queue = $1 AND seq > $2 ORDER BY seq LIMIT $3", [queue, afterSeq, limit])).rows.map(messageFrom),
    deleteExpired: (queue, sentBefore, now, limit) =>
      db.transaction(async (tx) => {
        await tx.query("DELETE FROM sqs_dedup WHERE queue = $1 AND expires_at <= $2", [queue, now]);
        const deleted = await tx.query(
          "DELETE FROM sqs_messages WHERE queue = $1 AND seq IN (SELECT seq FROM sqs_messages WHERE queue = $1 AND sent_at <= $2 ORDER BY seq LIMIT $3)",
          [queue, sentBefore, limit],
        );
        return deleted.rowCount ?? 0;
      }),
  };
}
