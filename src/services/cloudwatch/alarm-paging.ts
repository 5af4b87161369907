/**
 * NextToken paging for DescribeAlarms and ListDashboards (resources ordered by name) and DescribeAlarmHistory
 * (entries in the order asked for). A token is base64url JSON naming the operation and where its page ended, so
 * it stays valid while resources come and go; one this service did not give (or gave to another operation) is
 * refused: InvalidNextToken with CloudWatch's message for the alarm operations, the caller's error for others.
 */
import { UnkaiError } from "../../core/errors.js";

/** The page size when MaxRecords is not given (the model's range, 1–100, is checked by the codec). */
export const DEFAULT_ALARM_PAGE = 50;
export const DEFAULT_HISTORY_PAGE = 100;

interface NameCursor {
  readonly op: "DescribeAlarms" | "ListDashboards";
  /** The name of the last resource given. */
  readonly after: string;
}

interface HistoryCursor {
  readonly op: "DescribeAlarmHistory";
  readonly timestamp: number;
  readonly id: number;
}

const invalidToken = () => new UnkaiError("InvalidNextToken", "The next token specified is invalid.");

const encode = (cursor: NameCursor | HistoryCursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");

function decode(token: string, invalid: () => UnkaiError = invalidToken): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(token)) throw invalid();
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the refusal.
  }
  throw invalid();
}

/** How one operation pages resources ordered by name. */
export interface NamePaging<T> {
  readonly op: NameCursor["op"];
  readonly nameOf: (item: T) => string;
  readonly size: number;
  /** The refusal of a token this operation did not give. */
  readonly invalid: () => UnkaiError;
}

/** One page of `sorted` (ordered by name, as strings compare) after the token's resource, and the token for the next page. */
export function namePage<T>(sorted: readonly T[], paging: NamePaging<T>, token: string | undefined): { page: T[]; nextToken: string | undefined } {
  let start = 0;
  if (token !== undefined) {
    const cursor = decode(token, paging.invalid);
    if (cursor.op !== paging.op || typeof cursor.after !== "string") throw paging.invalid();
    const after = cursor.after;
    // The first resource named after the last one given: resources deleted or added since do not shift the page.
    start = sorted.findIndex((item) => paging.nameOf(item) > after);
    if (start === -1) start = sorted.length;
  }
  const page = sorted.slice(start, start + paging.size);
  const last = page.at(-1);
  return { page, nextToken: start + paging.size < sorted.length && last !== undefined ? encode({ op: paging.op, after: paging.nameOf(last) }) : undefined };
}

/** One page of alarms (ordered by name) after the token's alarm, and the token for the next page. */
export function alarmPage<T extends { readonly AlarmName: string }>(sorted: readonly T[], maxRecords: number | undefined, token: string | undefined): { page: T[]; nextToken: string | undefined } {
  return namePage(sorted, { op: "DescribeAlarms", nameOf: (a) => a.AlarmName, size: maxRecords ?? DEFAULT_ALARM_PAGE, invalid: invalidToken }, token);
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
