import type { Schedule } from "./expression.js";

/** Where a schedule's firings are counted from and bounded (Scheduler's StartDate/EndDate). */
export interface FireWindow {
  /** When the rule or schedule was created (or last changed): rates count from here. */
  readonly anchorMs: number;
  readonly startMs?: number;
  readonly endMs?: number;
  /**
   * Scheduler's rates: the first firing is the start itself — `StartDate` exactly, else the anchor
   * ("If you do not provide a StartDate for a rate-based schedule, your schedule starts invoking the
   * target immediately") — and later ones a period apart from it. Without it (EventBridge rules) the
   * first firing is one period after the anchor's minute boundary.
   */
  readonly firstAtStart?: boolean;
}

const MINUTE_MS = 60_000;
/** Croner candidates skipped for falling in a daylight-saving gap, at most, before giving up. */
const MAX_SKIPPED = 1_000;

function nextRate(periodMs: number, afterMs: number, window: FireWindow): number {
  const start = window.startMs ?? window.anchorMs;
  if (window.firstAtStart) {
    if (afterMs < start) return start;
    return start + (Math.floor((afterMs - start) / periodMs) + 1) * periodMs;
  }
  // A rule's rate starts from the anchor's minute boundary, so rate(1 minute) fires on whole
  // minutes: AWS schedules rules at minute granularity.
  const anchor = Math.floor(start / MINUTE_MS) * MINUTE_MS;
  if (afterMs < anchor) return anchor + periodMs;
  return anchor + (Math.floor((afterMs - anchor) / periodMs) + 1) * periodMs;
}

/**
 * Croner's next run, skipping the times it shifts out of a spring-forward gap: AWS Scheduler
 * documents that a cron time which does not exist that day is skipped, while croner would fire it
 * at the end of the gap (02:30 New York becomes 03:00). A repeated fall-back hour fires once, as
 * croner already does.
 */
function nextCron(schedule: Extract<Schedule, { kind: "cron" }>, afterMs: number): number | undefined {
  let from = new Date(afterMs);
  for (let skipped = 0; skipped < MAX_SKIPPED; skipped++) {
    const next = schedule.cron.nextRun(from);
    if (next === null) return undefined;
    if (schedule.cron.match(next)) return next.getTime();
    from = next;
  }
  return undefined;
}

/** The first firing strictly after `afterMs` inside the window, or undefined when there is none. */
export function nextFireAfter(schedule: Schedule, afterMs: number, window: FireWindow): number | undefined {
  const from = window.startMs !== undefined ? Math.max(afterMs, window.startMs - 1) : afterMs;
  let next: number | undefined;
  if (schedule.kind === "rate") next = nextRate(schedule.periodMs, from, window);
  else if (schedule.kind === "cron") next = nextCron(schedule, from);
  else next = schedule.atMs > afterMs ? schedule.atMs : undefined;
  if (next === undefined || (window.endMs !== undefined && next > window.endMs)) return undefined;
  return next;
}
