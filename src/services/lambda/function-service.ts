/** Lambda's function lifecycle: create, read, update, delete, concurrency. No wire concerns here. */
import { randomUUID } from "node:crypto";
import { functionArn, type Account } from "../../core/arn.js";
import { conflict, invalidParameter, KumoError, notFound } from "../../core/errors.js";
import { validateConfig, validateFunctionName, type FunctionConfig, type FunctionRecord } from "../../core/function.js";
import { LIMITS } from "../../core/limits.js";
import type { ConcurrencyLimiter } from "../../engine/concurrency.js";
import type { Dispatcher } from "../../engine/dispatcher.js";
import { environmentKey, type FunctionVersion } from "../../engine/function-version.js";
import type { HostRuntimes } from "../../engine/host-runtimes.js";
import type { CodeStore } from "../../store/code/code-store.js";
import type { FunctionStore } from "../../store/ports.js";

export interface FunctionServiceDeps {
  readonly account: Account;
  readonly functions: FunctionStore;
  readonly code: CodeStore;
  readonly runtimes: HostRuntimes;
  readonly dispatcher: Dispatcher;
  readonly concurrency: ConcurrencyLimiter;
}

/** Lambda's timestamp format for FunctionConfiguration.LastModified. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

export class FunctionService {
  /**
   * Records by name, filled on read and dropped on every write: Invoke reads the function on each
   * call. Safe while one Kumo process owns the store; a shared backend will need invalidation.
   */
  private readonly cache = new Map<string, FunctionRecord>();

  constructor(private readonly deps: FunctionServiceDeps) {
    for (const record of this.all()) deps.concurrency.setReserved(record.name, record.reservedConcurrency);
  }

  get account(): Account {
    return this.deps.account;
  }

  arn(name: string, qualifier?: string): string {
    return functionArn(this.deps.account, name, qualifier);
  }

  /** The stored function, or ResourceNotFoundException naming the ARN that was asked for. */
  get(name: string, qualifier?: string): FunctionRecord {
    const record = this.find(name);
    if (!record || (qualifier !== undefined && qualifier !== "$LATEST")) {
      throw notFound(`Function not found: ${this.arn(name, qualifier)}`);
    }
    return record;
  }

  /** The stored function, or undefined. */
  find(name: string): FunctionRecord | undefined {
    let record = this.cache.get(name);
    if (!record) {
      record = this.deps.functions.get(name);
      if (record) this.cache.set(name, record);
    }
    return record;
  }

  /** What the engine runs for `$LATEST`. */
  runnable(record: FunctionRecord): FunctionVersion {
    return {
      name: record.name,
      arn: this.arn(record.name),
      version: "$LATEST",
      config: record.config,
      codeSha256: record.codeSha256,
      codeDir: this.deps.code.directory(record.codeSha256),
      revisionId: record.revisionId,
    };
  }

  async create(name: string, config: FunctionConfig, zip: Buffer, tags: Record<string, string>): Promise<FunctionRecord> {
    validateFunctionName(name);
    this.check(config);
    if (this.deps.functions.get(name)) throw conflict(`Function already exist: ${name}`);
    const code = await this.deps.code.put(zip);
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
    if (!this.deps.functions.create(record)) throw conflict(`Function already exist: ${name}`);
    return record;
  }

  async updateCode(name: string, zip: Buffer, revisionId: string | undefined, dryRun: boolean): Promise<FunctionRecord> {
    const current = this.get(name);
    checkRevision(current, revisionId);
    const code = await this.deps.code.put(zip);
    const next: FunctionRecord = { ...current, codeSha256: code.codeSha256, codeSize: code.codeSize, revisionId: randomUUID(), lastModified: lambdaTimestamp(new Date()) };
    if (dryRun) return next;
    return this.save(current, next);
  }

  updateConfiguration(name: string, change: (current: FunctionConfig) => FunctionConfig, revisionId: string | undefined): FunctionRecord {
    const current = this.get(name);
    checkRevision(current, revisionId);
    const config = change(current.config);
    this.check(config);
    return this.save(current, { ...current, config, revisionId: randomUUID(), lastModified: lambdaTimestamp(new Date()) });
  }

  delete(name: string, qualifier: string | undefined): void {
    if (qualifier === "$LATEST") {
      throw invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    }
    this.get(name, qualifier);
    this.cache.delete(name);
    this.deps.functions.delete(name);
    this.deps.concurrency.setReserved(name, undefined);
    this.deps.dispatcher.retire(name);
  }

  /** Functions after `marker` (a function name), at most `limit`. */
  list(marker: string | undefined, limit: number): { records: FunctionRecord[]; next: string | undefined } {
    const records = this.deps.functions.list(marker, limit + 1);
    const page = records.slice(0, limit);
    return { records: page, next: records.length > limit ? page.at(-1)?.name : undefined };
  }

  putConcurrency(name: string, reserved: number): FunctionRecord {
    const current = this.get(name);
    if (!Number.isInteger(reserved) || reserved < 0) {
      throw invalidParameter(`ReservedConcurrentExecutions ${reserved} must be a whole number of 0 or more.`);
    }
    const minimum = minimumUnreserved(this.deps.concurrency.accountLimit);
    const othersReserved = this.deps.functions.reservedConcurrencyTotal(name);
    if (this.deps.concurrency.accountLimit - othersReserved - reserved < minimum) {
      throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimum}].`);
    }
    const next = this.save(current, { ...current, reservedConcurrency: reserved, revisionId: randomUUID() }, false);
    this.deps.concurrency.setReserved(name, reserved);
    return next;
  }

  deleteConcurrency(name: string): void {
    const current = this.get(name);
    this.save(current, { ...current, reservedConcurrency: undefined, revisionId: randomUUID() }, false);
    this.deps.concurrency.setReserved(name, undefined);
  }

  accountUsage(): { functionCount: number; totalCodeSize: number; accountLimit: number; unreserved: number } {
    return {
      accountLimit: this.deps.concurrency.accountLimit,
      functionCount: this.deps.functions.count(),
      totalCodeSize: this.deps.functions.totalCodeSize(),
      unreserved: this.deps.concurrency.unreservedLimit,
    };
  }

  private check(config: FunctionConfig): void {
    validateConfig(config);
    this.deps.runtimes.check(config.runtime);
  }

  /** Writes `next` if nobody changed the function meanwhile; old environments stop being reused. */
  private save(current: FunctionRecord, next: FunctionRecord, retire = true): FunctionRecord {
    this.cache.delete(current.name);
    if (!this.deps.functions.update(next, current.revisionId)) {
      throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${this.arn(current.name)}`);
    }
    if (retire) this.deps.dispatcher.retire(next.name, environmentKey(this.runnable(next)));
    return next;
  }

  private *all(): Generator<FunctionRecord> {
    let marker: string | undefined;
    for (;;) {
      const page = this.deps.functions.list(marker, 500);
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

function checkRevision(current: FunctionRecord, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== current.revisionId) {
    throw new KumoError(
      "PreconditionFailedException",
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
    );
  }
}
