/** SQLite AlarmStore: one row per alarm (its JSON), history rows, and a one-row evaluator lease. */
import type { AlarmDocument, AlarmHistoryEntry, AlarmHistoryQuery, AlarmStore } from "../ports.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface HistoryRow {
  id: number;
  alarm_name: string;
  timestamp: number;
  type: string;
  document: string;
}

export function sqliteAlarmStore(db: Db): SyncPort<AlarmStore> {
  const put = db.prepare("INSERT OR REPLACE INTO cloudwatch_alarms (name, document) VALUES (?, ?)");
  const get = db.prepare<[string], AlarmDocument>("SELECT name, document FROM cloudwatch_alarms WHERE name = ?");
  const list = db.prepare<[], AlarmDocument>("SELECT name, document FROM cloudwatch_alarms ORDER BY name");
  const remove = db.prepare("DELETE FROM cloudwatch_alarms WHERE name = ?");
  const addHistory = db.prepare("INSERT INTO cloudwatch_alarm_history (alarm_name, timestamp, type, document) VALUES (?, ?, ?, ?)");
  // Newest first, and oldest first; a page continues strictly after its cursor (timestamp, id) in that order.
  const historyIn = (order: "ASC" | "DESC") => db.prepare<Record<string, string | number | null>, HistoryRow>(`
    SELECT id, alarm_name, timestamp, type, document FROM cloudwatch_alarm_history
    WHERE timestamp >= @from AND timestamp < @to AND (@name IS NULL OR alarm_name = @name) AND (@type IS NULL OR type = @type)
      AND (@cursor_ts IS NULL OR timestamp ${order === "DESC" ? "<" : ">"} @cursor_ts OR (timestamp = @cursor_ts AND id ${order === "DESC" ? "<" : ">"} @cursor_id))
    ORDER BY timestamp ${order}, id ${order} LIMIT @limit`);
  const newestFirst = historyIn("DESC");
  const oldestFirst = historyIn("ASC");
  const history = (q: AlarmHistoryQuery, limit: number) =>
    (q.ascending ? oldestFirst : newestFirst)
      .all({ from: q.fromMs, to: q.toMs, name: q.alarmName ?? null, type: q.type ?? null, cursor_ts: q.after?.timestamp ?? null, cursor_id: q.after?.id ?? null, limit })
      .map((r) => ({ id: r.id, alarmName: r.alarm_name, timestamp: r.timestamp, type: r.type, document: r.document }));
  // Inserts the lease when there is none; takes it when it ended or is already the owner's.
  const claim = db.prepare(`
    INSERT INTO cloudwatch_alarm_evaluator (id, owner, lease_until) VALUES (1, @owner, @until)
    ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
    WHERE cloudwatch_alarm_evaluator.lease_until <= @now OR cloudwatch_alarm_evaluator.owner = @owner`);
  return {
    put: durably(db, (alarm: AlarmDocument) => {
      put.run(alarm.name, alarm.document);
    }),
    get: (name) => get.get(name),
    list: () => list.all(),
    delete: durably(db, (name: string) => remove.run(name).changes > 0),
    addHistory: durably(db, (e: AlarmHistoryEntry) => {
      addHistory.run(e.alarmName, e.timestamp, e.type, e.document);
    }),
    history,
    claimEvaluator: durably(db, (owner: string, now: number, leaseUntil: number) => claim.run({ owner, now, until: leaseUntil }).changes > 0),
  };
}
