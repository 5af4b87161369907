/**
 * Event-source-mapping filters (Lambda `FilterCriteria`) on the shared engine: up to five patterns,
 * ORed; a record is matched with its payload parsed when it is JSON (SQS `body`; Kinesis `data`, which
 * arrives base64-encoded, filtered as the Kinesis record itself). A payload that is not a JSON object stays a plain string, so a pattern on
 * its fields does not match it (Lambda drops such a record) while a pattern on the string itself can.
 */
import { EVENT_SOURCE_FILTER, EventPattern, PatternError } from "./index.js";
import type { JsonValue } from "./types.js";

/** Lambda's limit on filters in one FilterCriteria. */
export const MAX_FILTERS = 5;

export interface FilterCriteria {
  readonly Filters?: readonly { readonly Pattern?: string }[];
}

/** The compiled filters of a mapping; `matches` is true when there are none. */
export class EventSourceFilter {
  private constructor(private readonly patterns: readonly EventPattern[]) {}

  /** Throws PatternError (Lambda answers InvalidParameterValueException with its reason). */
  static compile(criteria: FilterCriteria | undefined): EventSourceFilter {
    const filters = criteria?.Filters ?? [];
    if (filters.length > MAX_FILTERS) throw new PatternError(`A FilterCriteria can have at most ${MAX_FILTERS} filters`);
    return new EventSourceFilter(filters.map((filter) => EventPattern.compile(filter.Pattern ?? "", EVENT_SOURCE_FILTER)));
  }

  /** Whether a record (already prepared with `sqsRecordForFilter` or the like) passes. */
  matches(record: JsonValue): boolean {
    return this.patterns.length === 0 || this.patterns.some((pattern) => pattern.matches(record));
  }
}

function parsedObject(text: string): JsonValue {
  try {
    const parsed = JSON.parse(text) as JsonValue;
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : text;
  } catch {
    return text;
  }
}

/** An SQS record as filters see it: `body` parsed when it is a JSON object. */
export function sqsRecordForFilter(record: { readonly body: string } & Record<string, JsonValue>): JsonValue {
  return { ...record, body: parsedObject(record.body) };
}

/**
 * A Kinesis record as filters see it: the record's own fields (`partitionKey`, `sequenceNumber`,
 * `data`, …, what the event's `kinesis` member holds), with `data` decoded from base64 and parsed when it
 * is a JSON object — Kinesis filters name `data` at the top (`{"data": {"temperature": …}}`).
 */
export function kinesisRecordForFilter(record: { readonly data: string } & Record<string, JsonValue>): JsonValue {
  return { ...record, data: parsedObject(Buffer.from(record.data, "base64").toString("utf8")) };
}
