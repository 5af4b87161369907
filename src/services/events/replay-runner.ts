/**
 * Runs replays in the background on the node that started them: reads the archive's events of the
 * window in event-time order, a page at a time, and puts each on the bus again marked with
 * `replay-name` (to the FilterArns rules only, when given), recording EventLastReplayedTime after each
 * page. CancelReplay is seen before the next event. A replay is not resumed: one whose node stopped
 * (shut down mid-replay, killed, or dead in a cluster) is marked FAILED.
 */
import type { Logger } from "pino";
import type { ReplayRecord } from "../../core/events/archives.js";
import { isActiveReplay } from "../../core/events/archives.js";
import type { BusEvent } from "../../core/events/envelope.js";
import type { ArchiveCursor, ArchivedEventStore, ClusterStore, DocumentStore } from "../../store/ports.js";
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
  /** The nodes sharing the store (PostgreSQL); without it this process is the only node. */
  readonly cluster?: Pick<ClusterStore, "nodes" | "deadAfterMs">;
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

  /**
   * Marks FAILED the active replays no live node runs: alone, every one this process is not running
   * (its node ids are per process, so one a killed process left behind is recognised); in a cluster,
   * those whose node's heartbeat stopped. Called at start and whenever dead nodes' leases were freed.
   */
  async failInterrupted(): Promise<void> {
    const now = this.deps.now();
    const live = this.deps.cluster === undefined
      ? new Set([this.deps.owner])
      : new Set([this.deps.owner, ...(await this.deps.cluster.nodes(now)).filter((n) => n.heartbeatAt >= now - (this.deps.cluster?.deadAfterMs ?? 0)).map((n) => n.id)]);
    for (const replay of await this.deps.replays.list()) {
      const orphaned = replay.Owner === this.deps.owner ? !this.running.has(replay.ReplayName) : !live.has(replay.Owner);
      if (isActiveReplay(replay.State) && orphaned) await this.finish(replay.ReplayName, "FAILED", INTERRUPTED);
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
    // Cancelled before it began: it ends CANCELLED (left CANCELLING, it would hold a slot forever).
    if (start?.State === "CANCELLING") return this.finish(name, "CANCELLED");
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
    // A CancelReplay answered since the last look (on any node) wins over a completion: the caller was told CANCELLING.
    if (state === "COMPLETED" && current.State === "CANCELLING") state = "CANCELLED";
    const { StateReason: _old, ...rest } = current;
    await this.deps.replays.put(name, { ...rest, State: state, ...(reason !== undefined ? { StateReason: reason } : {}), ReplayEndTime: this.deps.now() });
  }
}
