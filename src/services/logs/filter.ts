/** CloudWatch Logs' reads that apply a filter pattern: FilterLogEvents and TestMetricFilter (src/core/log-filter). */
import { UnkaiError } from "../../core/errors.js";
import { compileFilterPattern, FilterPatternError, type FilterPattern } from "../../core/log-filter/index.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import type { LogStore, StoredLogEvent } from "../../store/ports.js";

interface FilterInput {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
  readonly logStreamNames?: readonly string[];
  readonly logStreamNamePrefix?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly filterPattern?: string;
  readonly nextToken?: string;
  readonly limit?: number;
}

/** Events read from the store per round while scanning for matches. */
const SCAN_PAGE_EVENTS = 1_000;
/**
 * Events one FilterLogEvents call examines before it answers with what it found and a nextToken, as
 * CloudWatch answers a long scan with a partial (even empty) page: a rare pattern over a large group
 * costs one bounded call at a time.
 */
const SCAN_BUDGET_EVENTS = 100_000;

/** Compiles a pattern, answering CloudWatch's InvalidParameterException when it is not valid. */
export function filterPattern(pattern: string | undefined): FilterPattern {
  try {
    return compileFilterPattern(pattern);
  } catch (error) {
    if (error instanceof FilterPatternError) throw new UnkaiError("InvalidParameterException", error.message);
    throw error;
  }
}

interface Scan {
  readonly query: { readonly group: string; readonly streams: readonly string[] | undefined; readonly startTime?: number; readonly endTime?: number };
  readonly pattern: FilterPattern;
  readonly afterId: number | undefined;
  readonly limit: number;
}

/** Reads pages in id order, keeping the events that match, until `limit` matches, the end, or the scan budget. */
async function scan(logs: LogStore, { query, pattern, afterId, limit }: Scan): Promise<{ events: StoredLogEvent[]; nextToken?: string }> {
  const events: StoredLogEvent[] = [];
  let cursor = afterId;
  for (let scanned = 0; scanned < SCAN_BUDGET_EVENTS; ) {
    const page = await logs.query({ ...query, afterId: cursor, limit: SCAN_PAGE_EVENTS });
    for (const event of page.events) {
      if (!pattern.match(event.message)) continue;
      events.push(event);
      if (events.length === limit) return { events, nextToken: event.eventId };
    }
    if (page.lastId === undefined) return { events };
    cursor = page.lastId;
    scanned += page.events.length;
  }
  return { events, nextToken: String(cursor) };
}

export function filterOperations(logs: LogStore, requireGroup: (group: string | undefined) => Promise<string>): Operations {
  return {
    async FilterLogEvents(input: FilterInput) {
      const pattern = filterPattern(input.filterPattern);
      const group = await requireGroup(input.logGroupName ?? input.logGroupIdentifier);
      const streams = input.logStreamNames ?? (input.logStreamNamePrefix ? (await logs.streams(group, input.logStreamNamePrefix, 10_000)).map((s) => s.logStreamName) : undefined);
      const afterId = input.nextToken === undefined ? undefined : Number(input.nextToken);
      if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw new UnkaiError("InvalidParameterException", "The specified nextToken is invalid.");
      const query = { group, streams, startTime: input.startTime, endTime: input.endTime };
      const { events, nextToken } = await scan(logs, { query, pattern, afterId, limit: input.limit ?? 10_000 });
      return { events, ...(nextToken !== undefined ? { nextToken } : {}), searchedLogStreams: [] };
    },
    // eventNumber counts the messages from 1, in the order given.
    async TestMetricFilter(input: { readonly filterPattern: string; readonly logEventMessages: readonly string[] }) {
      const pattern = filterPattern(input.filterPattern);
      const matches = input.logEventMessages.flatMap((eventMessage, i) => {
        const match = pattern.match(eventMessage);
        return match ? [{ eventNumber: i + 1, eventMessage, extractedValues: match.extracted }] : [];
      });
      return { matches };
    },
  };
}
