/**
 * Keeps the events put on a bus in the bus's archives whose pattern matches them, before PutEvents
 * answers (the store's append is durable), and ages them out past each archive's RetentionDays.
 * An event a replay sends again carries `replay-name` and is never archived: AWS's managed archive
 * rule matches only events without that field (`"replay-name": [{ "exists": false }]`).
 */
import { EVENTBRIDGE, EventPattern, type JsonValue } from "../../core/event-pattern/index.js";
import type { ArchiveRecord } from "../../core/events/archives.js";
import type { BusEvent } from "../../core/events/envelope.js";
import type { ArchivedEventStore, DocumentStore } from "../../store/ports.js";
import type { RetentionJob } from "../../store/retention-sweeper.js";
import type { Names } from "./names.js";

const DAY_MS = 86_400_000;

export class EventArchiver {
  /** Compiled patterns by archive, recompiled when the archive's pattern text changes. */
  private readonly patterns = new Map<string, { text: string; pattern: EventPattern }>();

  constructor(
    private readonly archives: DocumentStore<ArchiveRecord>,
    private readonly events: ArchivedEventStore,
    private readonly names: Names,
    private readonly now: () => number,
  ) {}

  private matches(archive: ArchiveRecord, event: BusEvent): boolean {
    if (archive.EventPattern === undefined) return true;
    let cached = this.patterns.get(archive.ArchiveName);
    if (cached?.text !== archive.EventPattern) {
      cached = { text: archive.EventPattern, pattern: EventPattern.compile(archive.EventPattern, EVENTBRIDGE) };
      this.patterns.set(archive.ArchiveName, cached);
    }
    return cached.pattern.matches(event as unknown as JsonValue);
  }

  /** Archives an event put on `bus` in every enabled archive of the bus that matches it; resolves once stored. */
  async keep(bus: string, event: BusEvent): Promise<void> {
    if (event["replay-name"] !== undefined) return;
    const busArn = this.names.busArn(bus);
    const into = (await this.archives.list()).filter((a) => a.EventSourceArn === busArn && a.State === "ENABLED" && this.matches(a, event));
    if (into.length === 0) return;
    const body = JSON.stringify(event);
    const eventTime = Date.parse(event.time);
    const archivedAt = this.now();
    await this.events.append(into.map((a) => ({ archive: a.ArchiveName, eventTime: Number.isFinite(eventTime) ? eventTime : archivedAt, archivedAt, body })));
  }

  /** The sweep of events past their archive's retention (archives with RetentionDays 0 keep theirs). */
  retentionJob(): RetentionJob {
    return {
      name: "eventbridge archived events",
      deleteExpired: async (now, limit) => {
        let deleted = 0;
        for (const archive of await this.archives.list()) {
          if (archive.RetentionDays <= 0) continue;
          deleted += await this.events.deleteArchivedBefore(archive.ArchiveName, now - archive.RetentionDays * DAY_MS, limit - deleted);
          if (deleted >= limit) break;
        }
        return deleted;
      },
    };
  }
}
