/**
 * Schedule expressions: `rate(…)` and `cron(…)` for EventBridge rules (UTC), plus `at(…)` and
 * `ScheduleExpressionTimezone` for EventBridge Scheduler. Parsed once into a Schedule; next-fire.ts
 * computes firing times.
 */
import { Cron } from "croner";
import { CronFieldError, cronToCroner } from "./cron-fields.js";
import { isTimeZone, zonedToInstantMs } from "./zoned.js";

export type Schedule =
  | { readonly kind: "rate"; readonly periodMs: number; readonly expression: string }
  | { readonly kind: "cron"; readonly cron: Cron; readonly timeZone: string; readonly expression: string }
  | { readonly kind: "at"; readonly atMs: number; readonly expression: string };

/** An expression refused; `reason` says why (services answer with AWS's fixed message, see below). */
export class ScheduleExpressionError extends Error {
  override readonly name = "ScheduleExpressionError";
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** EventBridge PutRule's `ValidationException` message for any bad expression. */
export const EVENTBRIDGE_SCHEDULE_MESSAGE = "Parameter ScheduleExpression is not valid.";

/** EventBridge Scheduler's `ValidationException` message. */
export const schedulerScheduleMessage = (expression: string): string => `Invalid Schedule Expression ${expression}.`;

export interface ScheduleOptions {
  /** Scheduler's one-shot `at(…)`; EventBridge rules refuse it. */
  readonly allowAt: boolean;
  /** Scheduler's ScheduleExpressionTimezone (IANA); rules are always UTC. */
  readonly timeZone?: string;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

function parseRate(body: string, expression: string): Schedule {
  const match = /^(\d+) (minute|hour|day)(s?)$/.exec(body);
  if (!match) throw new ScheduleExpressionError("rate needs a whole number and minute(s), hour(s) or day(s)");
  const value = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  if (value < 1) throw new ScheduleExpressionError("rate value must be at least 1");
  // AWS: "If the value is equal to 1, then the unit must be singular … greater than 1 … plural."
  if ((value === 1) !== (match[3] === "")) throw new ScheduleExpressionError(`rate(${value} ${unit}${match[3]}) uses the wrong number for its unit`);
  return { kind: "rate", periodMs: value * UNIT_MS[unit], expression };
}

function parseCron(body: string, timeZone: string, expression: string): Schedule {
  try {
    const cron = new Cron(cronToCroner(body), { timezone: timeZone, alternativeWeekdays: true, paused: true });
    return { kind: "cron", cron, timeZone, expression };
  } catch (error) {
    if (error instanceof CronFieldError) throw new ScheduleExpressionError(error.message);
    throw new ScheduleExpressionError(`cron: ${(error as Error).message}`);
  }
}

function parseAt(body: string, timeZone: string, expression: string): Schedule {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) throw new ScheduleExpressionError("at needs yyyy-mm-ddThh:mm:ss");
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleExpressionError(`at: ${body} is not a date and time`);
  }
  return { kind: "at", atMs: zonedToInstantMs(wall, timeZone), expression };
}

/** Parses an expression; throws ScheduleExpressionError. */
export function parseSchedule(expression: string, options: ScheduleOptions): Schedule {
  const timeZone = options.timeZone ?? "UTC";
  if (!isTimeZone(timeZone)) throw new ScheduleExpressionError(`unknown time zone ${timeZone}`);
  const match = /^(rate|cron|at)\((.*)\)$/.exec(expression);
  if (!match) throw new ScheduleExpressionError("expected rate(…), cron(…) or at(…)");
  const [, kind, body = ""] = match;
  if (kind === "rate") return parseRate(body, expression);
  if (kind === "cron") return parseCron(body, timeZone, expression);
  if (!options.allowAt) throw new ScheduleExpressionError("at(…) is for EventBridge Scheduler only");
  return parseAt(body, timeZone, expression);
}
