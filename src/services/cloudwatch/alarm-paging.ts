/**
 * NextToken paging for DescribeAlarms (alarms ordered by name) and DescribeAlarmHistory (entries in
 * the order asked for). A token is base64url JSON naming the operation and where its page ended, so
 * it stays valid while alarms come and go; one this service did not give (or gave to the other
 * operation) answers InvalidNextToken with CloudWatch's message.
 */
import { UnkaiError } from "../../core/errors.js";

/** The page size when MaxRecords is not given (the model's range, 1–100, is checked by the codec). */
export const DEFAULT_ALARM_PAGE = 50;
export const DEFAULT_HISTORY_PAGE = 100;

interface AlarmsCursor {
  readonly op: "DescribeAlarms";
  /** The name of the last alarm given. */
  readonly after: string;
}

interface HistoryCursor {
  readonly op: "DescribeAlarmHistory";
  readonly timestamp: number;
  readonly id: number;
}

const invalidToken = () => new UnkaiError("InvalidNextToken", "The next token specified is invalid.");

const encode = (cursor: AlarmsCursor | HistoryCursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");

function decode(token: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(token)) throw invalidToken();
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the refusal.
  }
  throw invalidToken();
}

/** One page of `sorted` (ordered by name) after the token's alarm, and the token for the next page. */
export function alarmPage<T extends { readonly AlarmName: string }>(sorted: readonly T[], maxRecords: number | undefined, token: string | undefined): { page: T[]; nextToken: string | undefined } {
  let start = 0;
  if (token !== undefined) {
    const cursor = decode(token);
    if (cursor.op !== "DescribeAlarms" || typeof cursor.after !== "string") throw invalidToken();
    const after = cursor.after;
    // The first alarm named after the last one given: alarms deleted or added since do not shift the page.
    start = sorted.findIndex((a) => a.AlarmName > after);
    if (start === -1) start = sorted.length;
  }
  const size = maxRecords ?? DEFAULT_ALARM_PAGE;
  const page = sorted.slice(start, start + size);
  const last = page.at(-1);
  return { page, nextToken: start + size < sorted.length && last ? encode({ op: "DescribeAlarms", after: last.AlarmName }) : undefined };
}

/** The history cursor a token carries (undefined without a token). */
export function historyCursor(token: string | undefined): { timestamp: number; id: number } | undefined {
  if (token === undefined) return undefined;
  const cursor = decode(token);
  if (cursor.op !== "DescribeAlarmHistory" || !Number.isSafeInteger(cursor.timestamp) || !Number.isSafeInteger(cursor.id)) throw invalidToken();
  return { timestamp: cursor.timestamp as number, id: cursor.id as number };
}

export function historyToken(last: { readonly timestamp: number; readonly id: number }): string {
  return encode({ op: "DescribeAlarmHistory", timestamp: last.timestamp, id: last.id });
}
