/**
 * Provisioned concurrency: the configs kept on each function's record (by qualifier, a version number
 * or an alias), and the environments the dispatcher keeps initialised for the versions they name.
 * `reconcile(name)` brings one function's environments in line with its configs; it runs after each
 * change made here (a config put or deleted, an alias moved or deleted, a version or the function
 * deleted); on a cluster a sweep every 30 s also catches changes made through other nodes, each of
 * which keeps its own environments (docs/lifecycle.md).
 */
import type { Logger } from "pino";
import type { FunctionRecord, ProvisionedConcurrencyConfig } from "../core/function.js";
import { ownValue } from "../core/own-keys.js";
import type { Dispatcher } from "../engine/dispatcher.js";
import { environmentKey, type FunctionVersion } from "../engine/function-version.js";
import type { AliasStore } from "../store/ports.js";
import type { FunctionService } from "./function-service.js";

export interface ProvisionedStatus {
  readonly allocated: number;
  readonly status: "IN_PROGRESS" | "READY" | "FAILED";
  readonly reason: string | undefined;
}

/** Whether a function's record holds provisioned concurrency configs. */
export const hasProvisionedConcurrency = (record: FunctionRecord): boolean =>
  record.provisionedConcurrency !== undefined && Object.keys(record.provisionedConcurrency).length > 0;

export class ProvisionedConcurrency {
  /** What each function keeps ready now: environment key → the version. */
  private readonly allocated = new Map<string, Map<string, FunctionVersion>>();
  /** Environments each function's configs ask for, as of its last reconcile. */
  private readonly requestedBy = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { functions: FunctionService; aliases: AliasStore; dispatcher: Dispatcher; logger: Logger }) {}

  /**
   * Allocates the configs of `names` (the functions with configs, as the start-up read of every function
   * found them). On a cluster, `sweepMs` then sweeps every function that often for changes other nodes
   * made; on one node every change is made here, and reconciled as it is. A failed sweep is logged and
   * tried again at the next.
   */
  async start(names: readonly string[], sweepMs: number | undefined): Promise<void> {
    for (const name of names) {
      await this.reconcile(name).catch((error: unknown) => this.deps.logger.error({ err: error, fn: name }, "could not allocate provisioned concurrency"));
    }
    if (sweepMs === undefined) return;
    this.sweeper = setInterval(() => void this.sweep().catch((error: unknown) => this.deps.logger.error({ err: error }, "provisioned concurrency sweep failed")), sweepMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** The published version a qualifier keeps ready (an alias's primary one); undefined for $LATEST or when gone. */
  async versionOf(name: string, qualifier: string): Promise<FunctionRecord | undefined> {
    let version = qualifier;
    if (!/^[0-9]+$/.test(qualifier)) {
      const alias = await this.deps.aliases.get(name, qualifier);
      if (!alias || alias.functionVersion === "$LATEST") return undefined;
      version = alias.functionVersion;
    }
    return this.deps.functions.get(name, version).catch(() => undefined);
  }

  /** Makes the dispatcher keep exactly what `name`'s configs ask for (nothing once it is gone). */
  async reconcile(name: string): Promise<void> {
    const record = await this.deps.functions.find(name);
    const requested = Object.values(record?.provisionedConcurrency ?? {}).reduce((sum, config) => sum + config.requested, 0);
    if (requested > 0) this.requestedBy.set(name, requested);
    else this.requestedBy.delete(name);
    const wanted = new Map<string, { fn: FunctionVersion; count: number }>();
    for (const [qualifier, config] of Object.entries(record?.provisionedConcurrency ?? {})) {
      const version = await this.versionOf(name, qualifier);
      if (!version) continue;
      const fn = this.deps.functions.runnable(version);
      const key = environmentKey(fn);
      wanted.set(key, { fn, count: (wanted.get(key)?.count ?? 0) + config.requested });
    }
    const { dispatcher } = this.deps;
    for (const [key, fn] of this.allocated.get(name) ?? []) if (!wanted.has(key)) dispatcher.provision(fn, 0);
    // Only a changed target restarts an allocation: a FAILED one stays failed until its config is put again.
    for (const { fn, count } of wanted.values()) if (dispatcher.provisionedStateOf(fn).target !== count) dispatcher.provision(fn, count);
    if (wanted.size === 0) this.allocated.delete(name);
    else this.allocated.set(name, new Map([...wanted].map(([key, { fn }]) => [key, fn])));
  }

  /** Brings `name` in line after a put of `qualifier`'s config: an allocation that had failed starts again. */
  async afterPut(name: string, qualifier: string): Promise<void> {
    const version = await this.versionOf(name, qualifier);
    if (version) {
      const fn = this.deps.functions.runnable(version);
      const state = this.deps.dispatcher.provisionedStateOf(fn);
      if (state.failure !== undefined) this.deps.dispatcher.provision(fn, state.target);
    }
    await this.reconcile(name);
  }

  /** Environments every other function's configs ask for. */
  requestedElsewhere(name: string): number {
    let total = 0;
    for (const [other, count] of this.requestedBy) if (other !== name) total += count;
    return total;
  }

  /** How far `config` of `name:qualifier` is allocated on this node. */
  async statusOf(name: string, qualifier: string, config: ProvisionedConcurrencyConfig): Promise<ProvisionedStatus> {
    const version = await this.versionOf(name, qualifier);
    if (!version) return { allocated: 0, status: "FAILED", reason: `The version ${qualifier} names no longer exists.` };
    const state = this.deps.dispatcher.provisionedStateOf(this.deps.functions.runnable(version));
    const allocated = Math.min(state.ready, config.requested);
    if (state.failure !== undefined) return { allocated, status: "FAILED", reason: state.failure };
    return { allocated, status: allocated >= config.requested ? "READY" : "IN_PROGRESS", reason: undefined };
  }

  /** Drops `qualifier`'s config (its alias or version was deleted, as Lambda deletes the config with it). */
  async forget(name: string, qualifier: string): Promise<void> {
    const record = await this.deps.functions.find(name);
    if (ownValue(record?.provisionedConcurrency ?? {}, qualifier) !== undefined) {
      await this.deps.functions.updateMetadata(name, (current) => {
        const { [qualifier]: _dropped, ...rest } = current.provisionedConcurrency ?? {};
        return { ...current, provisionedConcurrency: rest };
      });
    }
    await this.reconcile(name);
  }

  private async sweep(): Promise<void> {
    const seen = new Set<string>();
    for await (const record of this.deps.functions.all()) {
      if (hasProvisionedConcurrency(record)) {
        seen.add(record.name);
        await this.reconcile(record.name);
      }
    }
    for (const name of [...this.allocated.keys()]) if (!seen.has(name)) await this.reconcile(name);
  }
}
