/**
 * This node's part in a cluster (a shared PostgreSQL store): a heartbeat row every second, freeing
 * the leases of nodes whose heartbeat stopped, and polling the change log (every 250 ms) so a
 * function changed through another node is re-read here and its old environments retired.
 */
import type { Logger } from "pino";
import type { ClusterNodeRow, ClusterStore } from "../store/ports.js";

export interface ClusterNodeDeps {
  readonly cluster: ClusterStore;
  /** This node's own API address, written into its row. */
  readonly address: () => string;
  /** A function changed elsewhere (a version of it deleted, when `version` is given). */
  readonly functionChanged: (name: string, version: string | undefined) => Promise<void>;
  /** Changes were missed (this node fell behind the log's pruning): forget every cached function. */
  readonly everythingChanged: () => void;
  /** Frees leases of dead nodes (async events, schedule timers) and wakes who runs them; resolves to how many. */
  readonly freeDeadLeases: () => Promise<number>;
  readonly logger: Logger;
}

export const HEARTBEAT_MS = 1000;
export const CHANGE_POLL_MS = 250;
const SWEEP_EVERY_BEATS = 5;

export class ClusterNode {
  private readonly startedAt = Date.now();
  private position = 0;
  private known: ClusterNodeRow[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private beats = 0;

  constructor(private readonly deps: ClusterNodeDeps) {}

  get nodeId(): string {
    return this.deps.cluster.nodeId;
  }

  /** Joins: the row first (so this node counts as live before its worker takes anything), then the loops. */
  async start(): Promise<void> {
    this.position = await this.deps.cluster.changePosition();
    await this.beat();
    this.every(HEARTBEAT_MS, () => this.beat(), "heartbeat");
    this.every(CHANGE_POLL_MS, () => this.pollChanges(), "change poll");
  }

  /** The nodes as of the last heartbeat, for /_unkai/health (no query per health check). */
  nodes(): { id: string; address: string; self: boolean; alive: boolean; startedAt: string; lastHeartbeat: string; leasesHeld: number }[] {
    const now = Date.now();
    return this.known.map((node) => ({
      id: node.id,
      address: node.address,
      self: node.id === this.nodeId,
      alive: now - node.heartbeatAt <= this.deps.cluster.deadAfterMs,
      startedAt: new Date(node.startedAt).toISOString(),
      lastHeartbeat: new Date(node.heartbeatAt).toISOString(),
      leasesHeld: node.leasesHeld,
    }));
  }

  /** Leaves cleanly: call after the worker stopped (this node holds no leases any more). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    await this.deps.cluster.leave().catch((error: unknown) => this.deps.logger.warn({ err: error }, "cluster: could not remove this node's row"));
  }

  /** Runs `work` every `ms` after the previous run ended (never two at once). */
  private every(ms: number, work: () => Promise<void>, what: string): void {
    const next = () => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        work().catch((error: unknown) => this.deps.logger.warn({ err: error }, `cluster: ${what} failed; retrying`)).finally(next);
      }, ms);
      timer.unref();
      this.timers.set(what, timer);
    };
    next();
  }

  private async beat(): Promise<void> {
    const now = Date.now();
    await this.deps.cluster.heartbeat(this.deps.address(), this.startedAt, now);
    this.known = await this.deps.cluster.nodes(now);
    const dead = this.known.filter((node) => node.leasesHeld > 0 && now - node.heartbeatAt > this.deps.cluster.deadAfterMs);
    // Every few beats regardless: a node that left with leases still held (its drain deadline
    // passed) has no row any more, so only the sweep itself finds them.
    if (dead.length === 0 && ++this.beats % SWEEP_EVERY_BEATS !== 0) return;
    const freed = await this.deps.freeDeadLeases();
    if (freed > 0) this.deps.logger.info({ leases: freed, nodes: dead.map((node) => node.id) }, "cluster: freed events and schedule timers leased by nodes whose heartbeat stopped");
  }

  private async pollChanges(): Promise<void> {
    for (;;) {
      const { position, missed, changes } = await this.deps.cluster.changesSince(this.position);
      if (missed) this.deps.everythingChanged();
      for (const change of changes) await this.deps.functionChanged(change.functionName, change.version);
      this.position = position;
      if (changes.length < 1000) return;
    }
  }
}
