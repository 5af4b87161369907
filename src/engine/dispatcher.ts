/**
 * Places invocations on environments. Per function version: reuse an idle environment (most
 * recently used first); otherwise start one, and serve the waiting request from whichever comes
 * first, a freed warm environment or the new one. A host-wide cap bounds live environments:
 * at the cap an idle environment of another function is reclaimed, or the start waits.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { LogEvent } from "../store/ports.js";
import { Environment, logStreamName, type EnvironmentOptions, type InitFailure } from "./environment.js";
import { environmentKey, type FunctionVersion } from "./function-version.js";
import type { Launcher } from "./launcher.js";

export type Lease =
  | { readonly kind: "ready"; readonly environment: Environment }
  | { readonly kind: "init-failed"; readonly failure: InitFailure; readonly lines: LogEvent[]; readonly logStream: string; readonly initDurationMs: number };

interface Waiter {
  readonly resolve: (lease: Lease) => void;
  cancelled: boolean;
}

class Group {
  readonly idle: Environment[] = [];
  readonly waiters: Waiter[] = [];
  readonly all = new Set<Environment>();
  starting = 0;
  retired = false;
  constructor(
    readonly key: string,
    readonly functionName: string,
    readonly version: string,
  ) {}

  liveWaiters(): number {
    return this.waiters.filter((w) => !w.cancelled).length;
  }
}

export interface DispatcherOptions {
  readonly maxEnvironments: number;
  readonly idleTimeoutMs: number;
  readonly initTimeoutMs: number;
  readonly killGraceMs: number;
  readonly memoryPollMs: number;
}

export class Dispatcher {
  private readonly groups = new Map<string, Group>();
  private live = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private reaper: NodeJS.Timeout | undefined;

  constructor(
    private readonly launcher: Launcher,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    const every = Math.max(250, Math.min(10_000, this.options.idleTimeoutMs / 4));
    this.reaper = setInterval(() => this.reapIdle(), every);
    this.reaper.unref();
  }

  get liveEnvironments(): number {
    return this.live;
  }

  /** Live and starting environments of `fn`'s exact revision. */
  environmentsOf(fn: FunctionVersion): { live: number; starting: number } {
    const group = this.groups.get(environmentKey(fn));
    return { live: group?.all.size ?? 0, starting: group?.starting ?? 0 };
  }

  /** An environment for `fn`, taken busy; the caller must `release` it. `cancel` abandons the wait. */
  acquire(fn: FunctionVersion): { lease: Promise<Lease>; cancel: () => void } {
    const group = this.groupFor(fn);
    let environment = group.idle.pop();
    while (environment && environment.state !== "idle") environment = group.idle.pop();
    if (environment) {
      environment.state = "busy";
      return { lease: Promise.resolve({ kind: "ready", environment }), cancel: () => undefined };
    }
    let waiter: Waiter | undefined;
    const lease = new Promise<Lease>((resolve) => {
      waiter = { resolve, cancelled: false };
      group.waiters.push(waiter);
    });
    this.startMore(group, fn);
    return {
      lease,
      cancel: () => {
        if (waiter) waiter.cancelled = true;
      },
    };
  }

  /** Returns an environment after an invocation; a dead one is already accounted for. */
  release(fn: FunctionVersion, environment: Environment): void {
    if (environment.state !== "idle") return;
    const group = this.groups.get(environmentKey(fn));
    if (!group || group.retired) {
      void environment.destroy(this.options.killGraceMs);
      return;
    }
    this.handOff(group, environment);
  }

  /**
   * Stops reusing environments of `functionName` (only of `version` when given), except those of
   * `keep`: after an update of $LATEST, a deleted version, or a deleted function.
   */
  retire(functionName: string, which: { version?: string; keep?: string } = {}): void {
    for (const group of this.groups.values()) {
      if (group.functionName !== functionName || group.key === which.keep) continue;
      if (which.version !== undefined && group.version !== which.version) continue;
      group.retired = true;
      for (const environment of group.idle.splice(0)) void environment.destroy(this.options.killGraceMs);
      if (group.all.size === 0 && group.starting === 0) this.groups.delete(group.key);
    }
  }

  /** Kills every environment; busy ones are killed too (the server drains before calling this). */
  async close(): Promise<void> {
    if (this.reaper) clearInterval(this.reaper);
    const all = [...this.groups.values()].flatMap((group) => [...group.all]);
    this.groups.clear();
    await Promise.all(all.map((environment) => environment.destroy(this.options.killGraceMs)));
  }

  private groupFor(fn: FunctionVersion): Group {
    const key = environmentKey(fn);
    let group = this.groups.get(key);
    if (!group) {
      group = new Group(key, fn.name, fn.version);
      this.groups.set(key, group);
    }
    return group;
  }

  private startMore(group: Group, fn: FunctionVersion): void {
    while (group.starting < group.liveWaiters()) {
      if (this.live >= this.options.maxEnvironments && !this.reclaimIdle()) {
        this.slotWaiters.push(() => this.startMore(group, fn));
        return;
      }
      group.starting++;
      this.live++;
      void this.startEnvironment(group, fn);
    }
  }

  private async startEnvironment(group: Group, fn: FunctionVersion): Promise<void> {
    const id = randomBytes(8).toString("hex");
    const logStream = logStreamName(fn.version, new Date());
    const options: EnvironmentOptions = {
      memoryMb: fn.config.memoryMb,
      timeoutMs: fn.config.timeoutSeconds * 1000,
      initTimeoutMs: this.options.initTimeoutMs,
      killGraceMs: this.options.killGraceMs,
      memoryPollMs: this.options.memoryPollMs,
    };
    const started = performance.now();
    const { environment, failure } = await Environment.create(
      id, logStream, options, this.launcher.channelFor(fn), (channel) => this.launcher.launch(fn, id, channel, logStream), this.launcher.privateRuntimeApiFor(id),
    );
    group.starting--;
    if (failure) {
      this.live--;
      this.wakeSlotWaiters();
      const waiter = this.nextWaiter(group);
      const lines = environment.takeInitLines();
      if (waiter) waiter.resolve({ kind: "init-failed", failure, lines, logStream, initDurationMs: performance.now() - started });
      else this.logger.warn({ fn: fn.name, failure: failure.kind }, "environment failed to initialise with no request waiting");
      return;
    }
    group.all.add(environment);
    environment.onDestroyed = () => {
      group.all.delete(environment);
      const at = group.idle.indexOf(environment);
      if (at >= 0) group.idle.splice(at, 1);
      this.live--;
      if (group.retired && group.all.size === 0 && group.starting === 0 && this.groups.get(group.key) === group) this.groups.delete(group.key);
      // Later, so a start that is reclaiming this slot takes it before any waiter does.
      setImmediate(() => this.wakeSlotWaiters());
    };
    this.handOff(group, environment);
  }

  private handOff(group: Group, environment: Environment): void {
    const waiter = this.nextWaiter(group);
    if (waiter) {
      environment.state = "busy";
      waiter.resolve({ kind: "ready", environment });
    } else if (this.slotWaiters.length > 0) {
      // Another function is waiting for room on this host: give it this idle environment's slot.
      void environment.destroy(this.options.killGraceMs);
    } else {
      group.idle.push(environment);
    }
  }

  private nextWaiter(group: Group): Waiter | undefined {
    let waiter = group.waiters.shift();
    while (waiter?.cancelled) waiter = group.waiters.shift();
    return waiter;
  }

  private wakeSlotWaiters(): void {
    while (this.live < this.options.maxEnvironments && this.slotWaiters.length > 0) this.slotWaiters.shift()?.();
  }

  /** Kills the least recently used idle environment anywhere; false when none is idle. */
  private reclaimIdle(): boolean {
    let oldest: Environment | undefined;
    for (const group of this.groups.values()) {
      for (const environment of group.idle) {
        if (environment.state === "idle" && (!oldest || environment.lastUsedAt < oldest.lastUsedAt)) oldest = environment;
      }
    }
    if (!oldest) return false;
    void oldest.destroy(0);
    return true;
  }

  private reapIdle(): void {
    const cutoff = Date.now() - this.options.idleTimeoutMs;
    for (const group of this.groups.values()) {
      for (const environment of [...group.idle]) {
        if (environment.lastUsedAt < cutoff) void environment.destroy(this.options.killGraceMs);
      }
    }
  }
}
