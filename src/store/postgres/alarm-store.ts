/** PostgreSQL AlarmStore: the same rows and behaviour as store/sqlite/alarm-store.ts. */
import type { AlarmDocument, AlarmHistoryEntry, AlarmStore } from "../ports.js";
import type { PgDb } from "./database.js";

interface HistoryRow {
  id: number | string;
  alarm_name: string;
  timestamp: number | string;
  type: string;
  document: string;
}

export function pgAlarmStore(db: PgDb): AlarmStore {
  return {
    async put(alarm) {
      await db.query("INSERT INTO cloudwatch_alarms (name, document) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET document = excluded.document", [alarm.name, alarm.document]);
    },
    get: async (name) => (await db.query<AlarmDocument>("SELECT name, document FROM cloudwatch_alarms WHERE name = $1", [name])).rows[0],
    list: async () => (await db.query<AlarmDocument>("SELECT name, document FROM cloudwatch_alarms ORDER BY name")).rows,
    delete: async (name) => ((await db.query("DELETE FROM cloudwatch_alarms WHERE name = $1", [name])).rowCount ?? 0) > 0,
    async addHistory(e: AlarmHistoryEntry) {
      await db.query("INSERT INTO cloudwatch_alarm_history (alarm_name, timestamp, type, document) VALUES ($1, $2, $3, $4)", [e.alarmName, e.timestamp, e.type, e.document]);
    },
    async history(q, limit) {
      // Newest first or oldest first; a page continues strictly after its cursor (timestamp, id) in that order.
      const [order, beyond] = q.ascending ? ["ASC", ">"] : ["DESC", "<"];
      const { rows } = await db.query<HistoryRow>(
        `SELECT id, alarm_name, timestamp, type, document FROM cloudwatch_alarm_history
         WHERE timestamp >= $1 AND timestamp < $2 AND ($3::text IS NULL OR alarm_name = $3) AND ($4::text IS NULL OR type = $4)
           AND ($6::bigint IS NULL OR timestamp ${beyond} $6 OR (timestamp = $6 AND id ${beyond} $7::bigint))
         ORDER BY timestamp ${order}, id ${order} LIMIT $5`,
        [q.fromMs, q.toMs, q.alarmName ?? null, q.type ?? null, limit, q.after?.timestamp ?? null, q.after?.id ?? null],
      );
      return rows.map((r) => ({ id: Number(r.id), alarmName: r.alarm_name, timestamp: Number(r.timestamp), type: r.type, document: r.document }));
    },
    async claimEvaluator(owner, now, leaseUntil) {
      // The row is locked by the upsert, so two claimers are serialized and the second sees the first's lease.
      const result = await db.query(
        `INSERT INTO cloudwatch_alarm_evaluator (id, owner, lease_until) VALUES (1, $1, $3)
         ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE cloudwatch_alarm_evaluator.lease_until <= $2 OR cloudwatch_alarm_evaluator.owner = $1`,
        [owner, now, leaseUntil],
      );
      return (result.rowCount ?? 0) > 0;
    },
  };
}
