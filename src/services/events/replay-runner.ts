/**
 * Runs replays in the background on the node that started them: reads the archive's events of the
 * window in event-time order, a page at a time, and puts each on the bus again marked with
 * `replay-name` (to the FilterArns rules only, when given), recording EventLastReplayedTime after each
 * page. CancelReplay is seen before the next event. A replay is not resumed after a restart: the
 * node marks the ones it was running FAILED when it starts again (and when it shuts down mid-replay).
 */
import type { Logger } from "pino";
import type { ReplayRecord } from "../../core/events/archives.js";
import { isActiveReplay } from "../../core/events/archives.js";
import type { BusEvent } from "../../core/events/envelope.js";
import type { ArchiveCursor, ArchivedEventStore, DocumentStore } from "../../store/ports.js";
import type { EventDelivery } from "./delivery.js";
import type { Names } from "./names.js";

const PAGE = 100;

export interface ReplayRunnerDeps {
  readonly replays: DocumentStore<ReplayRecord>;
  readonly archivedEvents: ArchivedEventStore;
  readonly delivery: Pick<EventDelivery, "publish">;
  readonly names: Names;
  /** This node's name: the replays it starts carry it. */
  readonly owner: string;
  readonly now: () => number;
  readonly logger: Logger;
}

/** Why a replay this node was running is FAILED. */
export const INTERRUPTED = "Unkai stopped while the replay was running; replays are not resumed. Start a new replay for the events not yet replayed.";

export class ReplayRunner {
  private readonly running = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();
  private closed = false;

  constructor(private readonly deps: ReplayRunnerDeps) {}

  /** Marks the replays this node was running before it stopped as FAILED. */
  async failInterrupted(): Promise<void> {
    for (const replay of await this.deps.replays.list()) {
      if (replay.Owner === this.deps.owner && isActiveReplay(replay.State) && !this.running.has(replay.ReplayName)) {
        await this.finish(replay.ReplayName, "FAILED", INTERRUPTED);
      }
    }
  }

  /** Starts running a stored replay (STARTING) in the background. */
  run(name: string): void {
    if (this.closed || this.running.has(name)) return;
    const work = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.replay(name))
      .catch(async (error: unknown) => {
        this.deps.logger.error({ err: error, replay: name }, "EventBridge: a replay failed");
        await this.finish(name, "FAILED", `The replay failed: ${error instanceof Error ? error.message : String(error)}`).catch(() => undefined);
      })
      .finally(() => {
        this.running.delete(name);
        this.cancelled.delete(name);
      });
    this.running.set(name, work);
  }

  /** CancelReplay: the replay stops before its next event (it was set CANCELLING in the store). */
  cancel(name: string): void {
    this.cancelled.add(name);
  }

  /** Stops every running replay (each is marked FAILED); idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.running.values()]);
  }

  private async replay(name: string): Promise<void> {
    const start = await this.deps.replays.get(name);
    if (!start || start.State !== "STARTING") return;
    await this.deps.replays.put(name, { ...start, State: "RUNNING" });
    const archive = this.deps.names.archiveOfArn(start.EventSourceArn) ?? "";
    const bus = this.deps.names.ownBusOfArn(start.Destination.Arn) ?? "";
    const filter = start.Destination.FilterArns && start.Destination.FilterArns.length > 0 ? new Set(start.Destination.FilterArns) : undefined;
    let cursor: ArchiveCursor | undefined;
    for (;;) {
      const rows = await this.deps.archivedEvents.read(archive, start.EventStartTime, start.EventEndTime, cursor, PAGE);
      for (const row of rows) {
        if (await this.stopped(name)) return;
        const event = { ...(JSON.parse(row.body) as BusEvent), "replay-name": name };
        await this.deps.delivery.publish(bus, event, 0, filter);
        cursor = row;
      }
      if (cursor !== undefined) await this.progress(name, cursor.eventTime);
      if (rows.length < PAGE) break;
    }
    if (await this.stopped(name)) return;
    await this.finish(name, "COMPLETED");
  }

  /** Whether the replay must stop here: cancelled (→ CANCELLED) or the node closing (→ FAILED). */
  private async stopped(name: string): Promise<boolean> {
    if (this.closed) {
      await this.finish(name, "FAILED", INTERRUPTED);
      return true;
    }
    const current = await this.deps.replays.get(name);
    if (this.cancelled.has(name) || current?.State === "CANCELLING") {
      await this.finish(name, "CANCELLED");
      return true;
    }
    return current === undefined;
  }

  private async progress(name: string, eventTime: number): Promise<void> {
    const current = await this.deps.replays.get(name);
    if (current && current.State === "RUNNING") await this.deps.replays.put(name, { ...current, EventLastReplayedTime: eventTime });
  }

  private async finish(name: string, state: "COMPLETED" | "CANCELLED" | "FAILED", reason?: string): Promise<void> {
    const current = await this.deps.replays.get(name);
    if (!current) return;
    const { StateReason: _old, ...rest } = current;
    await this.deps.replays.put(name, { ...rest, State: state, ...(reason !== undefined ? { StateReason: reason } : {}), ReplayEndTime: this.deps.now() });
  }
}
