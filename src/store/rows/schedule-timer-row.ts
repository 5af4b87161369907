/** A schedule_timers row as both backends read it, and the timer it is. */
import type { ScheduleTimer } from "../ports.js";

export interface ScheduleTimerRow {
  id: string;
  next_fire_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  lease_counter: number;
}

export function scheduleTimerFrom(row: ScheduleTimerRow): ScheduleTimer {
  return {
    id: row.id,
    nextFireAt: row.next_fire_at ?? undefined,
    leaseOwner: row.lease_owner ?? undefined,
    leaseUntil: row.lease_until ?? undefined,
    leaseCounter: row.lease_counter,
  };
}
