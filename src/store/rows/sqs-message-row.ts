/** An sqs_messages row as both backends read it, and the stored message it is. */
import type { StoredQueueMessage } from "../ports.js";

export interface MessageRow {
  queue: string;
  seq: number;
  id: string;
  body: string;
  meta: string;
  group_id: string | null;
  sent_at: number;
  visible_at: number;
  receive_count: number;
  first_received_at: number | null;
  receipt: string | null;
}

export const messageFrom = (row: MessageRow): StoredQueueMessage => ({
  queue: row.queue,
  seq: row.seq,
  id: row.id,
  body: row.body,
  meta: row.meta,
  groupId: row.group_id ?? undefined,
  sentAt: row.sent_at,
  visibleAt: row.visible_at,
  receiveCount: row.receive_count,
  firstReceivedAt: row.first_received_at ?? undefined,
  receipt: row.receipt ?? undefined,
});
