/** The function registry: create, read, update, delete, concurrency. No wire concerns here (Lambda's API is src/services/lambda). */
import { randomUUID } from "node:crypto";
import { functionArn, type Account } from "../core/arn.js";
import { conflict, invalidParameter, UnkaiError, notFound } from "../core/errors.js";
import { routeAlias } from "../core/alias.js";
import { validateConfig, validateFunctionName, type FunctionConfig, type FunctionRecord, type LayerRef } from "../core/function.js";
import { MAX_LAYERS, parseLayerVersionArn } from "../core/layer.js";
import { LIMITS } from "../core/limits.js";
import type { ConcurrencyLimiter } from "../engine/concurrency.js";
import type { Dispatcher } from "../engine/dispatcher.js";
import { environmentKey, type FunctionVersion } from "../engine/function-version.js";
import type { HostRuntimes } from "../engine/host-runtimes.js";
import type { CodeStore } from "../store/code/code-store.js";
import type { AliasStore, FunctionStore, LayerStore, VersionStore } from "../store/ports.js";
import type { FunctionRegistry } from "./registry.js";

export interface FunctionServiceDeps {
  readonly account: Account;
  readonly functions: FunctionStore;
  readonly versions: VersionStore;
  readonly aliases: AliasStore;
  readonly layers: LayerStore;
  readonly code: CodeStore;
  readonly runtimes: HostRuntimes;
  readonly dispatcher: Dispatcher;
  readonly concurrency: ConcurrencyLimiter;
}

/** Lambda's timestamp format for FunctionConfiguration.LastModified. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

export class FunctionService implements FunctionRegistry {
  /**
   * Records by name, filled on read and dropped on every write here: Invoke reads the function on
   * each call. Another node's change to a function reaches this one through `invalidate`.
   */
  private readonly cache = new Map<string, FunctionRecord>();
  private readonly runnables = new WeakMap<FunctionRecord, FunctionVersion>();
  /** Counts writes and invalidations: a read that overlapped one does not fill the cache (it may be stale). */
  private changes = 0;

  constructor(private readonly deps: FunctionServiceDeps) {}

  /**
   * Reads every function's reserved concurrency into the limiter; call once before serving. `each`
   * sees every record of that one read (whoever else needs them all at start).
   */
  async loadReservations(each?: (record: FunctionRecord) => void): Promise<void> {
    for await (const record of this.all()) {
      this.deps.concurrency.setReserved(record.name, record.reservedConcurrency);
      each?.(record);
    }
  }

  /**
   * Forgets the cached record of `name` (every function's when omitted): the hook for a change made
   * elsewhere (another node of a shared backend), so the next read goes to the store.
   */
  invalidate(name?: string): void {
    this.changes++;
    if (name === undefined) this.cache.clear();
    else this.cache.delete(name);
  }

  /**
   * Drops the cached record of `name` so the next read goes to the store; true when one was cached.
   * Unlike `invalidate` it lets reads in flight fill the cache: nothing changed here, the copy is only
   * suspected old (a refusal on a cluster node, IamEnforcerDeps.forgetCached), and a flood of refused
   * requests must not keep every function's record out of the cache.
   */
  forget(name: string): boolean {
    return this.cache.delete(name);
  }

  /**
   * Another node changed `name` (deleted its `version` when given): forget the cached record, take
   * its reserved concurrency, and stop reusing environments that no longer run what it says.
   */
  async changedElsewhere(name: string, version: string | undefined): Promise<void> {
    this.invalidate(name);
    if (version !== undefined) {
      this.deps.dispatcher.retire(name, { version });
      return;
    }
    const record = await this.find(name);
    this.deps.concurrency.setReserved(name, record?.reservedConcurrency);
    if (!record) this.deps.dispatcher.retire(name);
    else this.deps.dispatcher.retire(name, { version: "$LATEST", keep: environmentKey(this.runnable(record)) });
  }

  get account(): Account {
    return this.deps.account;
  }

  arn(name: string, qualifier?: string): string {
    return functionArn(this.deps.account, name, qualifier);
  }

  /**
   * The function at `qualifier` ($LATEST, a version number, or an alias's primary version), or
   * ResourceNotFoundException naming the ARN that was asked for.
   */
  async get(name: string, qualifier?: string): Promise<FunctionRecord> {
    const latest = await this.find(name);
    const record = !latest || qualifier === undefined || qualifier === "$LATEST" ? latest : await this.atQualifier(name, qualifier, () => 1);
    if (!record) throw notFound(`Function not found: ${this.arn(name, qualifier)}`);
    return record;
  }

  /** What an invocation of `name:qualifier` runs: an alias picks between its versions by weight. */
  async resolve(name: string, qualifier: string | undefined): Promise<FunctionRecord> {
    const latest = await this.find(name);
    const record = !latest || qualifier === undefined || qualifier === "$LATEST" ? latest : await this.atQualifier(name, qualifier, Math.random);
    if (!record) throw notFound(`Function not found: ${this.arn(name, qualifier)}`);
    return record;
  }

  private async atQualifier(name: string, qualifier: string, random: () => number): Promise<FunctionRecord | undefined> {
    if (/^[0-9]+$/.test(qualifier)) return this.deps.versions.get(name, qualifier);
    const alias = await this.deps.aliases.get(name, qualifier);
    if (!alias) return undefined;
    const version = routeAlias(alias, random());
    return version === "$LATEST" ? this.find(name) : this.deps.versions.get(name, version);
  }

  /** The stored function, or undefined. */
  async find(name: string): Promise<FunctionRecord | undefined> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const changes = this.changes;
    const record = await this.deps.functions.get(name);
    if (record && changes === this.changes) this.cache.set(name, record);
    return record;
  }

  /**
   * What the engine runs for this record ($LATEST or a published version). Built once per record
   * object, not once per invocation: records are immutable (a change stores a new one).
   */
  runnable(record: FunctionRecord): FunctionVersion {
    let runnable = this.runnables.get(record);
    if (!runnable) {
      runnable = this.buildRunnable(record);
      this.runnables.set(record, runnable);
    }
    return runnable;
  }

  private buildRunnable(record: FunctionRecord): FunctionVersion {
    const version = record.version ?? "$LATEST";
    return {
      name: record.name,
      arn: this.arn(record.name, record.version),
      version,
      config: record.config,
      codeSha256: record.codeSha256,
      codeDir: this.deps.code.directory(record.codeSha256),
      optDir: record.config.layers?.length ? this.deps.code.optPath(record.config.layers.map((l) => l.codeSha256)) : undefined,
      revisionId: record.revisionId,
    };
  }

  async create(name: string, config: FunctionConfig, zip: Buffer, tags: Record<string, string>): Promise<FunctionRecord> {
    validateFunctionName(name);
    this.check(config);
    if (await this.deps.functions.get(name)) throw conflict(`Function already exist: ${name}`);
    const code = await this.deps.code.put(zip);
    await this.prepareLayers(config, code.unzippedSize);
    const record: FunctionRecord = {
      name,
      config,
      codeSha256: code.codeSha256,
      codeSize: code.codeSize,
      revisionId: randomUUID(),
      lastModified: lambdaTimestamp(new Date()),
      reservedConcurrency: undefined,
      tags,
    };
    if (!(await this.deps.functions.create(record))) throw conflict(`Function already exist: ${name}`);
    return record;
  }

  async updateCode(name: string, zip: Buffer, revisionId: string | undefined, dryRun: boolean): Promise<FunctionRecord> {
    const current = await this.get(name);
    checkRevision(current, revisionId);
    const code = await this.deps.code.put(zip);
    await this.prepareLayers(current.config, code.unzippedSize);
    const next: FunctionRecord = { ...current, codeSha256: code.codeSha256, codeSize: code.codeSize, revisionId: randomUUID(), lastModified: lambdaTimestamp(new Date()) };
    if (dryRun) return next;
    return this.save(current, next);
  }

  async updateConfiguration(name: string, change: (current: FunctionConfig) => FunctionConfig, revisionId: string | undefined): Promise<FunctionRecord> {
    const current = await this.get(name);
    checkRevision(current, revisionId);
    const config = change(current.config);
    this.check(config);
    await this.prepareLayers(config, await this.deps.code.unzippedSize(current.codeSha256));
    return this.save(current, { ...current, config, revisionId: randomUUID(), lastModified: lambdaTimestamp(new Date()) });
  }

  async delete(name: string, qualifier: string | undefined): Promise<void> {
    if (qualifier === "$LATEST") {
      throw invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    }
    if (qualifier !== undefined) return this.deleteVersion(name, qualifier);
    await this.get(name);
    this.invalidate(name);
    // One transaction: versions, aliases, event invoke configs, URLs and test events go with it.
    await this.deps.functions.delete(name);
    this.invalidate(name);
    this.deps.concurrency.setReserved(name, undefined);
    this.deps.dispatcher.retire(name);
  }

  /** Functions after `marker` (a function name), at most `limit`. */
  async list(marker: string | undefined, limit: number): Promise<{ records: FunctionRecord[]; next: string | undefined }> {
    const records = await this.deps.functions.list(marker, limit + 1);
    const page = records.slice(0, limit);
    return { records: page, next: records.length > limit ? page.at(-1)?.name : undefined };
  }

  /** Changes what is kept beside the function (tags, policy) without touching its environments. */
  async updateMetadata(name: string, change: (current: FunctionRecord) => FunctionRecord): Promise<FunctionRecord> {
    const current = await this.get(name);
    return this.save(current, change(current), false);
  }

  /**
   * Publishes $LATEST as the next version number. When code and configuration are unchanged since
   * the last published version, that version is returned instead of a new one.
   */
  async publishVersion(name: string, options: { codeSha256?: string | undefined; revisionId?: string | undefined; description?: string | undefined }): Promise<FunctionRecord> {
    const latest = await this.get(name);
    checkRevision(latest, options.revisionId);
    if (options.codeSha256 !== undefined && options.codeSha256 !== latest.codeSha256) {
      throw invalidParameter(`CodeSHA256 (${options.codeSha256}) is different from current CodeSHA256 in $LATEST (${latest.codeSha256}). Please try again.`);
    }
    const previous = await this.deps.versions.latest(name);
    if (previous && previous.codeSha256 === latest.codeSha256 && sameConfig(previous.config, latest.config)) return previous;
    // After the last number given and the newest version kept: an update that read $LATEST before a publish
    // and wrote it after (the publish keeps its RevisionId) puts an older lastVersion back.
    const number = Math.max(latest.lastVersion ?? 0, Number(previous?.version ?? 0)) + 1;
    const version: FunctionRecord = {
      ...latest,
      version: String(number),
      lastVersion: undefined,
      revisionId: randomUUID(),
      lastModified: lambdaTimestamp(new Date()),
      config: { ...latest.config, description: options.description ?? latest.config.description },
    };
    await this.save(latest, { ...latest, lastVersion: number }, false);
    await this.deps.versions.put(version);
    return version;
  }

  /** $LATEST first, then published versions oldest first, after `marker` (a version number). */
  async listVersions(name: string, marker: string | undefined, limit: number): Promise<{ records: FunctionRecord[]; next: string | undefined }> {
    const latest = await this.get(name);
    const after = marker === undefined ? -1 : Number(marker);
    const records = [...(after < 0 ? [latest] : []), ...await this.deps.versions.list(name, Math.max(after, 0), limit + 1)];
    const page = records.slice(0, limit);
    return { records: page, next: records.length > limit ? (page.at(-1)?.version ?? "0") : undefined };
  }

  private async deleteVersion(name: string, version: string): Promise<void> {
    await this.get(name, version);
    if (!/^[0-9]+$/.test(version)) throw invalidParameter(`Qualifier '${version}' is not a version number: delete an alias with DeleteAlias.`);
    const users = (await this.deps.aliases.list(name)).filter((a) => a.functionVersion === version || version in a.additionalVersionWeights);
    if (users.length > 0) {
      throw conflict(`Unable to delete version because the following aliases reference it: [${users.map((a) => a.name).join(", ")}]`);
    }
    await this.deps.versions.delete(name, version);
    this.deps.dispatcher.retire(name, { version });
  }

  async putConcurrency(name: string, reserved: number): Promise<FunctionRecord> {
    const current = await this.get(name);
    if (!Number.isInteger(reserved) || reserved < 0) {
      throw invalidParameter(`ReservedConcurrentExecutions ${reserved} must be a whole number of 0 or more.`);
    }
    const minimum = minimumUnreserved(this.deps.concurrency.accountLimit);
    const othersReserved = await this.deps.functions.reservedConcurrencyTotal(name);
    if (this.deps.concurrency.accountLimit - othersReserved - reserved < minimum) {
      throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`);
    }
    const next = await this.save(current, { ...current, reservedConcurrency: reserved, revisionId: randomUUID() }, false);
    this.deps.concurrency.setReserved(name, reserved);
    return next;
  }

  async deleteConcurrency(name: string): Promise<void> {
    const current = await this.get(name);
    await this.save(current, { ...current, reservedConcurrency: undefined, revisionId: randomUUID() }, false);
    this.deps.concurrency.setReserved(name, undefined);
  }

  async accountUsage(): Promise<{ functionCount: number; totalCodeSize: number; accountLimit: number; unreserved: number }> {
    return {
      accountLimit: this.deps.concurrency.accountLimit,
      functionCount: await this.deps.functions.count(),
      totalCodeSize: await this.deps.functions.totalCodeSize(),
      unreserved: this.deps.concurrency.unreservedLimit,
    };
  }

  /** Resolves layer version ARNs (at most 5, each existing) for a configuration. */
  async resolveLayers(arns: readonly string[]): Promise<LayerRef[]> {
    if (arns.length > MAX_LAYERS) throw invalidParameter(`A function can use at most ${MAX_LAYERS} layers; ${arns.length} were given.`);
    const refs: LayerRef[] = [];
    for (const arn of arns) {
      const { layerName, version } = parseLayerVersionArn(arn);
      const layer = await this.deps.layers.get(layerName, version);
      if (!layer) throw invalidParameter(`Layer version ${arn} does not exist.`);
      refs.push({ arn, codeSha256: layer.codeSha256, codeSize: layer.codeSize });
    }
    return refs;
  }

  /** Checks the 250 MB unzipped limit with the layers, and builds their merged directory. */
  private async prepareLayers(config: FunctionConfig, functionUnzipped: number): Promise<void> {
    const layers = config.layers ?? [];
    if (layers.length === 0) return;
    let total = functionUnzipped;
    for (const layer of layers) total += await this.deps.code.unzippedSize(layer.codeSha256);
    if (total > LIMITS.unzippedCodeBytes) {
      throw invalidParameter(`Function code combined with layers exceeds the maximum allowed size of ${LIMITS.unzippedCodeBytes} bytes. The actual size is ${total} bytes.`);
    }
    await this.deps.code.optDirectory(layers.map((layer) => layer.codeSha256));
  }

  private check(config: FunctionConfig): void {
    validateConfig(config);
    this.deps.runtimes.check(config.runtime);
  }

  /** Writes `next` if nobody changed the function meanwhile; old environments stop being reused. */
  private async save(current: FunctionRecord, next: FunctionRecord, retire = true): Promise<FunctionRecord> {
    this.invalidate(current.name);
    const updated = await this.deps.functions.update(next, current.revisionId);
    this.invalidate(current.name);
    if (!updated) {
      throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${this.arn(current.name)}`);
    }
    if (retire) this.deps.dispatcher.retire(next.name, { version: "$LATEST", keep: environmentKey(this.runnable(next)) });
    return next;
  }

  async *all(): AsyncGenerator<FunctionRecord> {
    let marker: string | undefined;
    for (;;) {
      const page = await this.deps.functions.list(marker, 500);
      yield* page;
      if (page.length < 500) return;
      marker = page.at(-1)?.name;
    }
  }
}

/** Lambda keeps 100 of the account's concurrency unreserved; a small configured limit keeps a tenth. */
export function minimumUnreserved(accountLimit: number): number {
  return Math.min(LIMITS.minimumUnreservedConcurrency, Math.floor(accountLimit / 10));
}

function sameConfig(a: FunctionConfig, b: FunctionConfig): boolean {
  return JSON.stringify({ ...a, description: "" }) === JSON.stringify({ ...b, description: "" });
}

export function checkRevision(current: { revisionId: string }, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== current.revisionId) {
    throw new UnkaiError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
}
