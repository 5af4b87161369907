/**
 * A live tail session's events read from a shared store (a cluster on PostgreSQL): once an update, the
 * events of each tailed group ingested since the last read, by any node. Event ids are allocated when a
 * row is inserted but become visible when its transaction commits, so a lower id can appear after a
 * higher one was read; the cursor therefore moves past an event only SETTLE_MS after it was first seen,
 * and the events read again in that window are recognised by id and skipped.
 */
import type { LogStore, StoredLogEvent } from "../../store/ports.js";

/** How long a commit may lag behind a later id's and still be seen. */
const SETTLE_MS = 5_000;
const PAGE_EVENTS = 1_000;
/** Pages read per group per update: a flood beyond this is read on the following updates. */
const MAX_PAGES = 10;

export interface GroupReader {
  /** Events of the group not yet returned, in id order. */
  read(): Promise<StoredLogEvent[]>;
}

/** Starts at the group's newest event now: a session shows what is ingested after it starts, as on AWS. */
export async function groupReader(logs: LogStore, group: string, streams: readonly string[] | undefined, now: () => number): Promise<GroupReader> {
  const newest = await logs.query({ group, fromEnd: true, limit: 1 });
  let settled = Number(newest.events.at(-1)?.eventId ?? 0);
  /** Event id → when this reader first returned it, for the events above `settled`. */
  const recent = new Map<number, number>();
  return {
    async read() {
      const fresh: StoredLogEvent[] = [];
      let cursor = settled;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const { events, lastId } = await logs.query({ group, streams, afterId: cursor, limit: PAGE_EVENTS });
        for (const event of events) {
          const id = Number(event.eventId);
          if (recent.has(id)) continue;
          recent.set(id, now());
          fresh.push(event);
        }
        if (lastId === undefined || events.length < PAGE_EVENTS) break;
        cursor = lastId;
      }
      settle();
      return fresh;
    },
  };

  /** Moves the cursor to the highest id seen SETTLE_MS ago, forgetting what lies at or below it. */
  function settle(): void {
    const before = now() - SETTLE_MS;
    for (const [id, seenAt] of recent) if (seenAt <= before && id > settled) settled = id;
    for (const id of recent.keys()) if (id <= settled) recent.delete(id);
  }
}
