/**
 * Places invocations on environments. Per function version: reuse an idle environment (most
 * recently used first); otherwise start one, and serve the waiting request from whichever comes
 * first, a freed warm environment or the new one. A host-wide cap bounds live environments:
 * at the cap an idle environment of another function is reclaimed, or the start waits.
 * While the host's CPUs are saturated, a request first waits for one of its function's busy
 * environments, and starts a new one only once none has freed up for `handoffWaitMs`
 * (docs/lifecycle.md): another process would only share the cores.
 * Provisioned concurrency keeps a version's environments initialised ahead of requests: they serve
 * first, are never reaped or reclaimed while idle, and are replaced when they die.
 */
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { LogEvent } from "../store/ports.js";
import { Environment, logStreamName, type EnvironmentOptions, type InitFailure } from "./environment.js";
import { environmentKey, type FunctionVersion } from "./function-version.js";
import type { Launcher } from "./launcher.js";
import { CpuGauge } from "./cpu-gauge.js";

export type Lease =
  | { readonly kind: "ready"; readonly environment: Environment }
  | { readonly kind: "init-failed"; readonly failure: InitFailure; readonly lines: LogEvent[]; readonly logStream: string; readonly initDurationMs: number };

interface Waiter {
  readonly resolve: (lease: Lease) => void;
  cancelled: boolean;
  /** Waiting for a busy environment to free up before asking for a new one (see handoffWaitMs). */
  deferred: boolean;
}

class Group {
  readonly idle: Environment[] = [];
  readonly waiters: Waiter[] = [];
  readonly all = new Set<Environment>();
  starting = 0;
  retired = false;
  /** When one of this version's environments was last released (performance.now()). */
  lastReleaseAt = Number.NEGATIVE_INFINITY;
  /** Provisioned concurrency: environments to keep initialised, those starting, and why the last start failed. */
  provisionedTarget = 0;
  provisionedStarting = 0;
  provisionedFailure: string | undefined;
  constructor(
    readonly key: string,
    readonly functionName: string,
    readonly version: string,
  ) {}

  /** Waiters that want an environment started for them. */
  liveWaiters(): number {
    return this.waiters.filter((w) => !w.cancelled && !w.deferred).length;
  }

  provisionedCount(): number {
    let count = 0;
    for (const environment of this.all) if (environment.provisioned) count++;
    return count;
  }

  /** Nothing lives or starts here any more. */
  empty(): boolean {
    return this.all.size === 0 && this.starting === 0 && this.provisionedStarting === 0;
  }

  /** An idle environment to lease, a provisioned one first (most recently used first otherwise). */
  takeIdle(): Environment | undefined {
    for (let i = this.provisionedTarget > 0 ? this.idle.length - 1 : -1; i >= 0; i--) {
      const environment = this.idle[i];
      if (environment?.provisioned && environment.state === "idle") return this.idle.splice(i, 1)[0];
    }
    let environment = this.idle.pop();
    while (environment && environment.state !== "idle") environment = this.idle.pop();
    return environment;
  }
}

export interface DispatcherOptions {
  readonly maxEnvironments: number;
  readonly idleTimeoutMs: number;
  readonly initTimeoutMs: number;
  readonly killGraceMs: number;
  readonly memoryPollMs: number;
  /** While the CPUs are saturated, how long none of a function's busy environments may free up before a request starts a new one (0: never wait). */
  readonly handoffWaitMs: number;
  /** Invocations the host runs in parallel at full speed (its cores). */
  readonly cores: number;
  /** The share of the host's CPU time in use (0 to 1) from which it counts as saturated (0: always). */
  readonly saturatedCpuShare: number;
}

export class Dispatcher {
  private readonly groups = new Map<string, Group>();
  private live = 0;
  /** Environments leased out right now, and requests waiting for one, across every function. */
  private busy = 0;
  private waiting = 0;
  private readonly leased = new WeakSet<Environment>();
  private readonly cpuSaturated: () => boolean;
  private readonly slotWaiters: (() => void)[] = [];
  private reaper: NodeJS.Timeout | undefined;
  private closed = false;
  /** Groups with a provisioned target: while there are none, an invocation asks nothing about them. */
  private provisionedGroups = 0;

  constructor(
    private readonly launcher: Launcher,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
  ) {
    const gauge = new CpuGauge(options.saturatedCpuShare);
    this.cpuSaturated = () => gauge.saturated();
  }

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
    return { live: group?.all.size ?? 0, starting: (group?.starting ?? 0) + (group?.provisionedStarting ?? 0) };
  }

  /**
   * Keeps `count` environments of `fn` initialised (provisioned concurrency; 0 ends it). Fewer than
   * before: the extra idle ones end now, busy ones once their invocation does. A failed Init stops
   * the allocation until the next call (provisionedStateOf tells why).
   */
  provision(fn: FunctionVersion, count: number): void {
    if (count === 0 && !this.groups.has(environmentKey(fn))) return;
    const group = this.groupFor(fn);
    if (group.retired) return;
    this.provisionedGroups += (count > 0 ? 1 : 0) - (group.provisionedTarget > 0 ? 1 : 0);
    group.provisionedTarget = count;
    group.provisionedFailure = undefined;
    let extra = group.provisionedCount() - count;
    for (const environment of group.all) {
      if (extra <= 0) break;
      if (!environment.provisioned) continue;
      environment.provisioned = false;
      extra--;
      if (environment.state === "idle") void environment.destroy(this.options.killGraceMs);
    }
    this.fillProvisioned(group, fn);
  }

  /**
   * Where `fn`'s version keeps provisioned environments, how many are allocated and busy now (nothing
   * is looked up while no version keeps any).
   */
  provisionedUse(fn: FunctionVersion): { busy: number; allocated: number } | undefined {
    if (this.provisionedGroups === 0) return undefined;
    const group = this.groups.get(environmentKey(fn));
    if (!group || group.provisionedTarget === 0) return undefined;
    let busy = 0;
    let allocated = 0;
    for (const environment of group.all) {
      if (!environment.provisioned) continue;
      allocated++;
      if (environment.state === "busy") busy++;
    }
    return { busy, allocated };
  }

  /** How far `fn`'s provisioned concurrency is allocated. */
  provisionedStateOf(fn: FunctionVersion): { target: number; ready: number; starting: number; failure: string | undefined } {
    const group = this.groups.get(environmentKey(fn));
    return { target: group?.provisionedTarget ?? 0, ready: group?.provisionedCount() ?? 0, starting: group?.provisionedStarting ?? 0, failure: group?.provisionedFailure };
  }

  /** An environment for `fn`, taken busy; the caller must `release` it. `cancel` abandons the wait. */
  acquire(fn: FunctionVersion): { lease: Promise<Lease>; cancel: () => void } {
    const group = this.groupFor(fn);
    const environment = group.takeIdle();
    if (environment) {
      this.lease(environment);
      return { lease: Promise.resolve({ kind: "ready", environment }), cancel: () => undefined };
    }
    const defer = this.shouldDefer(group);
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    this.waiting++;
    let settled = false;
    const leave = () => {
      if (settled) return;
      settled = true;
      this.waiting--;
      clearTimeout(timer);
    };
    const lease = new Promise<Lease>((resolve) => {
      waiter = {
        resolve: (given) => {
          leave();
          resolve(given);
        },
        cancelled: false,
        deferred: defer,
      };
      group.waiters.push(waiter);
    });
    if (defer) {
      // Environments that keep freeing up serve the queue in order; one that is stuck for the whole
      // wait (long invocations) is what a new environment is for.
      const check = () => {
        if (!waiter || settled) return;
        const quietMs = performance.now() - group.lastReleaseAt;
        if (quietMs < this.options.handoffWaitMs && this.cpuSaturated()) {
          timer = setTimeout(check, this.options.handoffWaitMs - quietMs);
          return;
        }
        waiter.deferred = false;
        this.startMore(group, fn);
      };
      timer = setTimeout(check, this.options.handoffWaitMs);
    } else {
      this.startMore(group, fn);
    }
    return {
      lease,
      cancel: () => {
        leave();
        if (waiter) waiter.cancelled = true;
      },
    };
  }

  /**
   * Whether a request should wait for one of the group's busy environments instead of starting one:
   * only when the group has environments, running and waiting invocations already number the cores,
   * and the host's CPUs are saturated (by anything): another process would only share them.
   */
  private shouldDefer(group: Group): boolean {
    const { handoffWaitMs, cores } = this.options;
    if (handoffWaitMs <= 0 || group.all.size === 0) return false;
    return this.busy + this.waiting >= cores && this.cpuSaturated();
  }

  private lease(environment: Environment): void {
    environment.state = "busy";
    this.busy++;
    this.leased.add(environment);
  }

  /** Returns an environment after an invocation; a dead one is already accounted for. */
  release(fn: FunctionVersion, environment: Environment): void {
    const group = this.groups.get(environmentKey(fn));
    if (this.leased.delete(environment)) {
      this.busy--;
      if (group) group.lastReleaseAt = performance.now();
    }
    if (environment.state !== "idle") return;
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
      if (group.provisionedTarget > 0) this.provisionedGroups--;
      group.provisionedTarget = 0;
      for (const environment of group.idle.splice(0)) void environment.destroy(this.options.killGraceMs);
      if (group.empty()) this.groups.delete(group.key);
    }
  }

  /** Kills every environment; busy ones are killed too (the server drains before calling this). */
  async close(): Promise<void> {
    this.closed = true;
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

  /** Starts provisioned environments until the group has its target, as room on the host allows. */
  private fillProvisioned(group: Group, fn: FunctionVersion): void {
    while (!this.closed && !group.retired && group.provisionedFailure === undefined && group.provisionedCount() + group.provisionedStarting < group.provisionedTarget) {
      if (this.live >= this.options.maxEnvironments && !this.reclaimIdle()) {
        this.slotWaiters.push(() => this.fillProvisioned(group, fn));
        return;
      }
      group.provisionedStarting++;
      this.live++;
      void this.startEnvironment(group, fn, true);
    }
  }

  private async startEnvironment(group: Group, fn: FunctionVersion, provisioned = false): Promise<void> {
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
      id, logStream, options, this.launcher.channelFor(fn),
      (channel) => this.launcher.launch(fn, id, channel, logStream, provisioned ? "provisioned-concurrency" : "on-demand"), this.launcher.privateRuntimeApiFor(id),
    );
    if (provisioned) group.provisionedStarting--;
    else group.starting--;
    if (failure) {
      this.live--;
      this.wakeSlotWaiters();
      if (provisioned) {
        // No request waits on a provisioned start: the failure is the allocation's (provisionedStateOf).
        group.provisionedFailure = `FUNCTION_ERROR_INIT_FAILURE: ${failure.kind}`;
        this.logger.warn({ fn: fn.name, version: fn.version, failure: failure.kind }, "a provisioned environment failed to initialise");
        return;
      }
      const waiter = this.nextWaiter(group);
      const lines = environment.takeInitLines();
      if (waiter) waiter.resolve({ kind: "init-failed", failure, lines, logStream, initDurationMs: performance.now() - started });
      else this.logger.warn({ fn: fn.name, failure: failure.kind }, "environment failed to initialise with no request waiting");
      return;
    }
    // Its Init ran ahead of any request: no invocation reports it (REPORT has no Init Duration).
    if (provisioned) environment.initRanAhead();
    environment.provisioned = provisioned && group.provisionedCount() < group.provisionedTarget && !group.retired;
    group.all.add(environment);
    environment.onDestroyed = () => {
      group.all.delete(environment);
      const at = group.idle.indexOf(environment);
      if (at >= 0) group.idle.splice(at, 1);
      this.live--;
      if (group.retired && group.empty() && this.groups.get(group.key) === group) this.groups.delete(group.key);
      // Later, so a start that is reclaiming this slot takes it before any waiter does.
      setImmediate(() => {
        this.wakeSlotWaiters();
        if (environment.provisioned) this.fillProvisioned(group, fn);
      });
    };
    this.handOff(group, environment);
  }

  private handOff(group: Group, environment: Environment): void {
    const waiter = this.nextWaiter(group);
    if (waiter) {
      this.lease(environment);
      waiter.resolve({ kind: "ready", environment });
    } else if (this.slotWaiters.length > 0 && !environment.provisioned) {
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
        if (environment.state === "idle" && !environment.provisioned && (!oldest || environment.lastUsedAt < oldest.lastUsedAt)) oldest = environment;
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
        if (environment.lastUsedAt < cutoff && !environment.provisioned) void environment.destroy(this.options.killGraceMs);
      }
    }
  }
}
