/**
 * Event source mappings on ordered streams: one loop per (enabled mapping, shard) reads records after
 * the shard's checkpoint, invokes the function synchronously with up to BatchSize of them, and moves
 * the checkpoint only past records it is done with. A failing batch blocks its shard and is retried
 * (bisected first when BisectBatchOnFunctionError) until it succeeds, MaximumRetryAttempts or
 * MaximumRecordAgeInSeconds is reached — then its description goes to the OnFailure destination and
 * the shard moves on. Checkpoints are stored with the shard's lease, so a restart continues after the
 * last record done with (a batch in flight at the crash is delivered again: at least once, never skipped).
 * ParallelizationFactor delivers rounds of records in lanes by partition key (lanes.ts); tumbling
 * windows carry the function's state across a window's batches (tumbling-window.ts).
 *
 * Nodes sharing a store (cluster mode) all scan, but a shard's loop runs only on the node holding its
 * lease (ShardLeaseStore), renewed while the loop runs and taken over once it ends or its node's
 * heartbeat stops; a checkpoint is saved only under the lease's token, so a node that lost the lease
 * can neither move the position back nor keep delivering past its next batch.
 *
 * Shards roll over: a child shard's loop starts only once its parent's loop read past the parent's
 * end (or the parent's records expired), so a key's records are delivered in order across rollovers.
 *
 * Written once for every ShardSource: DynamoDB Streams and Kinesis (src/services/kinesis/stream-source.ts)
 * each register one (their shards, positions and records) and share this loop unchanged.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Destinations } from "../async/destinations.js";
import { countMappingEvents, type EventSourceMapping } from "../core/event-source-mapping.js";
import type { Invoker } from "../engine/invoker.js";
import type { FunctionService } from "../functions/function-service.js";
import type { ServiceMetrics } from "../core/service-metrics.js";
import type { DocumentStore, ShardLeaseStore } from "../store/ports.js";
import type { ShardInfo, ShardRecord, ShardSource } from "./shard-source.js";
import { laneCount, splitIntoLanes } from "./lanes.js";
import { firstReportedFailure, parseResponse } from "./stream-response.js";
import { PollLoops } from "./poll-loops.js";
import { exhaustedCondition, failureRecord, filterBatch, type Outcome } from "./stream-batch.js";
import { keepState, openWindow, recordsInWindow, stateOf, windowFields, windowStartOf, type OpenWindow } from "./tumbling-window.js";

export interface ShardPollerDeps {
  readonly source: ShardSource;
  readonly mappings: DocumentStore<EventSourceMapping>;
  readonly leases: ShardLeaseStore;
  /** The name this node's leases are taken under (Platform.nodeName). */
  readonly owner: string;
  /** How long a shard's lease lasts unrenewed; renewed every third of it while its loop runs. */
  readonly leaseMs?: number;
  readonly functions: FunctionService;
  readonly invoker: Invoker;
  readonly destinations: Destinations;
  readonly logger: Logger;
  /** How often mappings and shards are looked for, and an idle shard read again. */
  readonly pollMs?: number;
  /** The first retry's delay; it doubles up to `maxBackoffMs`. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Where AWS/Lambda's IteratorAge is reported (the platform's ServiceMetrics); none, none reported. */
  readonly metrics?: ServiceMetrics;
}

const DEFAULT_LEASE_MS = 30_000;

/** The mapping was disabled, changed or deleted, or the lease was lost: the shard's loop stops where its checkpoint is. */
class Stopped extends Error {}

/** This node's hold on one shard: the fencing token its checkpoints are saved under. */
interface HeldLease {
  readonly key: string;
  readonly shardId: string;
  readonly token: number;
  position: number | undefined;
  /** Set once a renewal or a checkpoint found another node's lease: the loop stops at its next step. */
  lost: boolean;
  /** TumblingWindowInSeconds: the window being delivered (its checkpoint waits for its final invoke). */
  window: OpenWindow | undefined;
  /** ParallelizationFactor: lanes are delivering, so only the round's end moves the checkpoint. */
  lanesRunning: boolean;
  /** Where the last closed window ended: a record written before it (late) joins the next window. */
  closedUntilMs: number;
  release(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ShardPoller {
  private readonly loops: PollLoops;
  /** `<mapping>/<shard>` of closed shards this node saw read to their end: their children may start. */
  private readonly finished = new Set<string>();
  /** Closed shards a LATEST mapping started at the end of (it began after they closed): their children start at LATEST too. */
  private readonly skipped = new Set<string>();

  constructor(private readonly deps: ShardPollerDeps) {
    this.loops = new PollLoops(() => this.scan(), deps.pollMs ?? 500);
  }

  private get closed(): boolean {
    return this.loops.closed;
  }

  start(): void {
    this.loops.start();
  }

  close(): Promise<void> {
    return this.loops.close();
  }

  private async scan(): Promise<void> {
    try {
      for (const mapping of await this.deps.mappings.list()) {
        if (this.closed || !mapping.enabled || !this.deps.source.accepts(mapping.eventSourceArn)) continue;
        const shards = (await this.deps.source.shards(mapping.eventSourceArn)) ?? [];
        const listed = new Set(shards.map((shard) => `${mapping.uuid}/${shard.shardId}`));
        for (const done of [this.finished, this.skipped]) for (const id of done) if (id.startsWith(`${mapping.uuid}/`) && !listed.has(id)) done.delete(id);
        for (const shard of shards) {
          const id = `${mapping.uuid}/${shard.shardId}`;
          const parents = [shard.parentShardId, shard.adjacentParentShardId].filter((p): p is string => p !== undefined).map((p) => `${mapping.uuid}/${p}`).filter((p) => listed.has(p));
          // A child waits for its parents (an expired parent is no longer listed: nothing to wait for).
          if (this.loops.has(id) || this.finished.has(id) || parents.some((parent) => !this.finished.has(parent))) continue;
          // A child of a parent this mapping read is read from its start, whatever the StartingPosition.
          const fromStart = parents.some((parent) => !this.skipped.has(parent));
          this.loops.run(id, () => this.run(mapping.uuid, shard, fromStart));
        }
      }
    } catch (error) {
      this.deps.logger.error({ err: error }, "reading the stream event source mappings failed; trying again");
    }
  }

  /** The current mapping, unless it was disabled, deleted or pointed elsewhere since `was` was read. */
  private async current(was: EventSourceMapping, lease: HeldLease): Promise<EventSourceMapping> {
    if (lease.lost) throw new Stopped();
    const now = await this.deps.mappings.get(was.uuid);
    if (!now) await this.deps.leases.removePrefix(`${was.uuid}/`);
    if (this.closed || !now?.enabled || now.eventSourceArn !== was.eventSourceArn || now.functionName !== was.functionName || now.qualifier !== was.qualifier || now.tumblingWindowInSeconds !== was.tumblingWindowInSeconds || now.parallelizationFactor !== was.parallelizationFactor) throw new Stopped();
    return now;
  }

  /** The shard's lease if this node holds it now, renewed until `release` (or until another node takes it). */
  private async hold(uuid: string, shardId: string): Promise<HeldLease | undefined> {
    const key = `${uuid}/${shardId}`;
    const leaseMs = this.deps.leaseMs ?? DEFAULT_LEASE_MS;
    const claim = () => this.deps.leases.claim(key, this.deps.owner, Date.now(), Date.now() + leaseMs);
    const first = await claim();
    if (!first) return undefined;
    const held: HeldLease = { key, shardId, token: first.token, position: first.position, lost: false, lanesRunning: false, window: undefined, closedUntilMs: 0, release: () => clearInterval(timer) };
    const timer = setInterval(() => {
      claim().then((renewed) => {
        if (renewed?.token !== held.token) held.lost = true;
      }, (error: unknown) => this.deps.logger.warn({ err: error, key }, "renewing a stream shard's lease failed; trying again"));
    }, leaseMs / 3);
    timer.unref();
    return held;
  }

  private async run(uuid: string, shard: ShardInfo, fromStart: boolean): Promise<void> {
    const shardId = shard.shardId;
    const first = await this.deps.mappings.get(uuid);
    if (!first) return;
    const lease = await this.hold(uuid, shardId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, mapping: uuid, shardId }, "claiming a stream shard's lease failed; trying again");
    });
    if (!lease) return;
    try {
      let position = await this.startingPosition(first, shard, lease, fromStart);
      for (;;) {
        const mapping = await this.current(first, lease);
        const read = await this.gather(mapping, lease, position);
        if (await this.turnWindow(mapping, lease, read)) continue;
        const batch = recordsInWindow(lease.window, (mapping.tumblingWindowInSeconds ?? 0) * 1000, lease.closedUntilMs, read);
        if (batch.length === 0) {
          // A deleted table's stream (or an expired shard) ends its loop; so does a closed shard read to its end.
          const now = (await this.deps.source.shards(mapping.eventSourceArn))?.find((listed) => listed.shardId === shardId);
          if (now === undefined) return;
          if (now.endPosition !== undefined && position >= now.endPosition && lease.window === undefined) {
            this.finished.add(lease.key);
            return;
          }
          await sleep(this.deps.pollMs ?? 500);
          continue;
        }
        this.count(mapping, "PolledEventCount", batch.length);
        position = await (laneCount(mapping) > 1 ? this.deliverInLanes(mapping, lease, batch) : this.deliver(mapping, lease, batch, 0));
      }
    } catch (error) {
      if (!(error instanceof Stopped)) {
        this.deps.logger.warn({ err: error, mapping: uuid, shardId }, "a stream event source mapping's shard loop failed; it restarts at its checkpoint");
        await this.record(uuid, `PROBLEM: ${(error as Error).message}`).catch(() => undefined);
        await sleep(1_000);
      }
    } finally {
      lease.release();
    }
  }

  /**
   * The shard's checkpoint (the mapping's own for one saved before checkpoints moved to the lease), or
   * (first time) TRIM_HORIZON's, LATEST's or AT_TIMESTAMP's position, stored at once so a restart keeps it; `fromStart`
   * (the child of a shard this mapping read) from the shard's start.
   */
  private async startingPosition(mapping: EventSourceMapping, shard: ShardInfo, lease: HeldLease, fromStart: boolean): Promise<number> {
    const saved = lease.position ?? mapping.checkpoints?.[shard.shardId];
    if (saved !== undefined) return saved;
    const { source } = this.deps;
    if (mapping.startingPosition === "AT_TIMESTAMP" && source.positionAt) {
      // Children too: their records were written after their parents', so a child of a parent read from
      // the time starts at its first record, and one whose parents were all older skips what is older.
      const position = await source.positionAt(mapping.eventSourceArn, shard.shardId, mapping.startingPositionTimestamp ?? 0);
      await this.checkpoint(lease, position);
      return position;
    }
    const bounds = await source.bounds(mapping.eventSourceArn, shard.shardId);
    const latest = mapping.startingPosition === "LATEST" && !fromStart;
    if (latest && shard.endPosition !== undefined) this.skipped.add(lease.key);
    const position = latest ? bounds.latest : bounds.oldest - 1;
    await this.checkpoint(lease, position);
    return position;
  }

  /** Up to BatchSize records; with a batching window, waits (from the first record's arrival) for a fuller batch. */
  private async gather(mapping: EventSourceMapping, lease: HeldLease, position: number): Promise<ShardRecord[]> {
    const limit = mapping.batchSize * laneCount(mapping);
    const read = () => this.deps.source.read(mapping.eventSourceArn, lease.shardId, position, limit);
    let batch = await read();
    const windowMs = mapping.maximumBatchingWindowInSeconds * 1000;
    while (batch.length > 0 && batch.length < limit && windowMs > 0) {
      const waitMs = (batch[0] as ShardRecord).createdAtMs + windowMs - Date.now();
      if (waitMs <= 0) break;
      await sleep(Math.min(waitMs, this.deps.pollMs ?? 500));
      await this.current(mapping, lease);
      batch = await read();
    }
    return batch;
  }

  /**
   * Delivers a batch in order and returns the position past it. Records no filter matches are done
   * with at once; the rest are invoked until they succeed or are given up.
   */
  private async deliver(mapping: EventSourceMapping, lease: HeldLease, batch: readonly ShardRecord[], retriesSoFar: number): Promise<number> {
    const last = (batch[batch.length - 1] as ShardRecord).position;
    const kept = filterBatch(mapping, batch, this.deps.source.filterView);
    this.count(mapping, "FilteredOutEventCount", batch.length - kept.length);
    let pending = kept;
    let retries = retriesSoFar;
    while (pending.length > 0) {
      const outcome = await this.invoke(await this.current(mapping, lease), lease, pending);
      if (outcome.ok) break;
      if (outcome.retryFrom !== undefined && outcome.retryFrom > 0) {
        // Checkpoint semantics: what came before the first reported failure is done.
        await this.checkpoint(lease, (pending[outcome.retryFrom - 1] as ShardRecord).position);
        pending = pending.slice(outcome.retryFrom);
      }
      if (mapping.bisectBatchOnFunctionError && pending.length > 1 && outcome.retryFrom === undefined) {
        const half = Math.ceil(pending.length / 2);
        await this.deliver(mapping, lease, pending.slice(0, half), retries);
        await this.deliver(mapping, lease, pending.slice(half), retries);
        break;
      }
      const condition = exhaustedCondition(mapping, pending, retries, await this.deps.source.retentionMs(mapping.eventSourceArn));
      if (condition !== undefined) {
        await this.giveUp(mapping, lease.shardId, pending, condition, retries + 1, outcome);
        break;
      }
      retries += 1;
      await this.backOff(retries);
    }
    await this.checkpoint(lease, last);
    if (kept.length > 0) await this.record(mapping.uuid, "OK");
    return last;
  }

  /** ParallelizationFactor's lanes; a tumbling window's state is the shard's, so a windowed shard has one lane. */
  /**
   * One round of up to ParallelizationFactor × BatchSize records: each lane delivers its records in
   * batches, in order, concurrently with the other lanes; the checkpoint moves past the round only once
   * every lane is done with it (a restart redelivers a round in flight, never skips one).
   */
  private async deliverInLanes(mapping: EventSourceMapping, lease: HeldLease, round: readonly ShardRecord[]): Promise<number> {
    lease.lanesRunning = true;
    const lanes = splitIntoLanes(round, laneCount(mapping)).map(async (lane) => {
      for (let from = 0; from < lane.length; from += mapping.batchSize) await this.deliver(mapping, lease, lane.slice(from, from + mapping.batchSize), 0);
    });
    const settled = await Promise.allSettled(lanes);
    lease.lanesRunning = false;
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    const last = (round[round.length - 1] as ShardRecord).position;
    await this.checkpoint(lease, last);
    return last;
  }

  /** Doubling from `backoffMs` after each failed try, up to `maxBackoffMs`. */
  private backOff(retries: number): Promise<unknown> {
    return sleep(Math.min((this.deps.backoffMs ?? 200) * 2 ** Math.min(retries - 1, 10), this.deps.maxBackoffMs ?? 5_000));
  }

  /**
   * Tumbling windows: closes the open window (its final invoke) once its time is over and no record of
   * it is left, or once its state outgrew 1 MB, and returns true; opens the next window for `read`.
   */
  private async turnWindow(mapping: EventSourceMapping, lease: HeldLease, read: readonly ShardRecord[]): Promise<boolean> {
    const windowMs = (mapping.tumblingWindowInSeconds ?? 0) * 1000;
    if (windowMs === 0) return false;
    const open = lease.window;
    const next = read[0];
    if (open !== undefined) {
      const over = next === undefined ? Date.now() >= open.endMs : windowStartOf(next, windowMs, lease.closedUntilMs) >= open.endMs;
      if (!over && !open.terminatedEarly) return false;
      await this.closeWindow(mapping, lease, open);
      return true;
    }
    if (next !== undefined) lease.window = openWindow(windowStartOf(next, windowMs, lease.closedUntilMs), windowMs);
    return false;
  }

  /** The window's final invoke (no records), retried until it succeeds as Lambda does; then the checkpoint moves past the window. */
  private async closeWindow(mapping: EventSourceMapping, lease: HeldLease, window: OpenWindow): Promise<void> {
    for (let retries = 1; !(await this.invoke(await this.current(mapping, lease), lease, [], true)).ok; retries += 1) await this.backOff(retries);
    lease.window = undefined;
    lease.closedUntilMs = window.terminatedEarly ? window.startMs : window.endMs;
    if (window.donePosition !== undefined) await this.checkpoint(lease, window.donePosition);
    await this.record(mapping.uuid, "OK");
  }

  /** One synchronous invocation with `records` (and the open window's fields, `final` for its last one). */
  private async invoke(mapping: EventSourceMapping, lease: HeldLease, records: readonly ShardRecord[], final = false): Promise<Outcome> {
    const { functions, invoker } = this.deps;
    const fn = await functions.resolve(mapping.functionName, mapping.qualifier);
    const window = lease.window && windowFields(lease.window, lease.shardId, mapping.eventSourceArn, final);
    const identity = this.deps.source.namesInvokeIdentity ? { invokeIdentityArn: fn.config.role } : {};
    const payload = Buffer.from(JSON.stringify({ Records: records.map((r) => ({ ...r.event, ...identity, eventSourceARN: mapping.eventSourceArn })), ...window }));
    // IteratorAge is the age of the batch's last record when the batch is handed to the function (a
    // window's final invoke carries no record, so none).
    const last = records.at(-1);
    if (last) this.deps.metrics?.addForFunction("IteratorAge", mapping.functionName, mapping.qualifier, Math.max(0, Date.now() - last.createdAtMs), "Milliseconds");
    this.count(mapping, "InvokedEventCount", records.length);
    const result = await invoker.invoke({
      fn: functions.runnable(fn), requestId: randomUUID(), payload,
      invokedArn: functions.arn(mapping.functionName, mapping.qualifier), clientContext: undefined,
      traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")};Sampled=0`, wantLogTail: false,
    }).catch((error: unknown) => {
      this.count(mapping, "FailedInvokeEventCount", records.length);
      throw error;
    });
    if (result.functionError) {
      this.count(mapping, "FailedInvokeEventCount", records.length);
      await this.record(mapping.uuid, "PROBLEM: Function call failed");
      return { ok: false, statusCode: 200, functionError: result.functionError };
    }
    const response = parseResponse(result.payload);
    const state = lease.window && stateOf(response);
    if (lease.window && state === undefined) {
      this.count(mapping, "FailedInvokeEventCount", records.length);
      await this.record(mapping.uuid, "PROBLEM: Function response has no state");
      return { ok: false, statusCode: 200 };
    }
    const retryFrom = mapping.functionResponseTypes.includes("ReportBatchItemFailures") ? firstReportedFailure(response, records) : undefined;
    // The state accounts for the records before the first failed one, which are done with.
    if (lease.window && state !== undefined && retryFrom !== 0) keepState(lease.window, state);
    if (retryFrom === undefined) return { ok: true, statusCode: 200 };
    this.count(mapping, "FailedInvokeEventCount", records.length - retryFrom);
    await this.record(mapping.uuid, "PROBLEM: Function reported failed records");
    return { ok: false, statusCode: 200, retryFrom };
  }

  /** AWS's on-failure record for a stream batch: where the batch was, not its records. */
  private async giveUp(mapping: EventSourceMapping, shardId: string, records: readonly ShardRecord[], condition: string, invokeCount: number, outcome: Outcome): Promise<void> {
    this.deps.logger.warn({ mapping: mapping.uuid, shardId, condition }, "a stream batch was given up");
    await this.record(mapping.uuid, `PROBLEM: ${condition}`);
    this.count(mapping, "DroppedEventCount", records.length);
    if (mapping.onFailure === undefined) return;
    const functionArn = this.deps.functions.arn(mapping.functionName, mapping.qualifier);
    const body = failureRecord({ mapping, functionArn, shardId, records, condition, invokeCount, outcome, batchInfoKey: this.deps.source.batchInfoKey });
    try {
      await this.deps.destinations.send(mapping.onFailure, { body: JSON.stringify(body) });
      this.count(mapping, "OnFailureDestinationDeliveredEventCount", records.length);
    } catch (error) {
      this.deps.metrics?.addForFunction("DestinationDeliveryFailures", mapping.functionName, mapping.qualifier, 1);
      this.deps.logger.error({ err: error, mapping: mapping.uuid }, "the on-failure destination refused a stream batch record");
    }
  }

  /** The mapping's event counts, when its MetricsConfig asks for them: one accumulator update per batch. */
  private count(mapping: EventSourceMapping, metricName: string, events: number): void {
    countMappingEvents(this.deps.metrics, mapping, metricName, events);
  }

  /** Stores the shard's checkpoint under the lease; a node that lost the lease stops instead. */
  private async checkpoint(lease: HeldLease, position: number): Promise<void> {
    if (lease.window !== undefined) {
      lease.window.donePosition = position;
      return;
    }
    if (lease.lanesRunning) return;
    if (lease.position === position) return;
    if (!(await this.deps.leases.savePosition(lease.key, lease.token, position))) {
      lease.lost = true;
      throw new Stopped();
    }
    lease.position = position;
  }

  private async record(uuid: string, result: string): Promise<void> {
    const current = await this.deps.mappings.get(uuid);
    if (current && current.lastProcessingResult !== result) await this.deps.mappings.put(uuid, { ...current, lastProcessingResult: result });
  }
}
