/**
 * EventBridge's event envelope: what PutEvents entries and scheduled rules put on a bus (user guide
 * "Amazon EventBridge events"; PutEventsRequestEntry / PutEventsResultEntry in the API reference).
 */
import { randomUUID } from "node:crypto";
import type { JsonValue } from "../event-pattern/index.js";

/** An event as rules match it and targets receive it. */
export interface BusEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: { readonly [key: string]: JsonValue };
  /** Set on an event a replay sends again: the replay's name (archives never keep such events). */
  readonly "replay-name"?: string;
}

/** One PutEvents entry, as the model names its members. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly Resources?: readonly string[];
  readonly Time?: Date;
  readonly EventBusName?: string;
  readonly TraceHeader?: string;
}

/** A refused entry: PutEventsResultEntry's ErrorCode and ErrorMessage. */
export interface EntryError {
  readonly ErrorCode: string;
  readonly ErrorMessage: string;
}

/** AWS's limit on one PutEvents request's entries, counted as its size calculation does. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** Seconds precision, as EventBridge writes `time` (`2017-12-22T18:43:48Z`). */
export const eventTime = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** An entry's size as AWS counts it for the 256 KB limit (UTF-8 of Source, DetailType, Detail, Resources; 14 bytes for Time). */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (text: string | undefined): number => (text === undefined ? 0 : Buffer.byteLength(text, "utf8"));
  return (entry.Time ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0);
}

const missing = (member: string): EntryError => ({
  ErrorCode: "InvalidArgument",
  ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
});

/** The event for one entry, or why the entry fails (the request itself still succeeds). */
export function eventFromEntry(entry: PutEventsEntry, where: { account: string; region: string; nowMs: number }): BusEvent | EntryError {
  if (!entry.Source) return missing("Source");
  if (!entry.DetailType) return missing("DetailType");
  if (entry.Detail === undefined) return missing("Detail");
  let detail: JsonValue;
  try {
    detail = JSON.parse(entry.Detail) as JsonValue;
  } catch {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail)) {
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  }
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": entry.DetailType,
    source: entry.Source,
    account: where.account,
    time: eventTime(entry.Time ? entry.Time.getTime() : where.nowMs),
    region: where.region,
    resources: [...(entry.Resources ?? [])],
    detail,
  };
}

/** What a scheduled rule puts on the default bus at each firing (`Scheduled Event`). */
export function scheduledEvent(ruleArn: string, fireAtMs: number, where: { account: string; region: string }, id: string = randomUUID()): BusEvent {
  return {
    version: "0",
    id,
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: where.account,
    time: eventTime(fireAtMs),
    region: where.region,
    resources: [ruleArn],
    detail: {},
  };
}
