/**
 * Amazon Kinesis Data Streams on AWS JSON 1.1 (`X-Amz-Target: Kinesis_20131202.<Operation>`; SDK v3
 * speaks it over h2c, src/server/h2c.ts), built on Kinesis's service model (models/kinesis.json):
 * streams and their shards (stream-ops.ts), records in and out (record-ops.ts), a sweep deleting
 * records older than each stream's retention, and Lambda's event source mappings on streams through
 * the shared ShardPoller (stream-source.ts), resharding (reshard.ts), enhanced fan-out (consumers.ts),
 * resource policies (resource-policies.ts). The Java SDKs' CBOR 1.1 is the codec's (protocol/codecs/wires.ts). docs/compatibility/kinesis.md.
 */
import type { Logger } from "pino";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import { Periodic } from "../../core/periodic.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import type { KinesisStreamRecord } from "../../core/kinesis.js";
import { ShardIterators, type IteratorKey } from "../../core/shard-iterators.js";
import { WakeSignals } from "../../core/wake-signals.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService } from "../../protocol/codecs/model-service.js";
import type { Service } from "../../protocol/http.js";
import type { FreeSpace } from "../../store/disk-space.js";
import type { DocumentStore, KinesisRecordStore } from "../../store/ports.js";
import type { Platform, ServiceModule } from "../module.js";
import { shardPollerDeps, streamingService, type StreamingDeps } from "../stream-mappings.js";
import { kinesisAuthorization } from "./authorization.js";
import { invalid, type KinesisContext } from "./context.js";
import { KINESIS_ERRORS } from "./errors.js";
import { recordOperations } from "./record-ops.js";
import { consumerOperations } from "./consumers.js";
import { kinesisDestination } from "./destination.js";
import type { Destinations } from "../../async/destinations.js";
import { reshardOperations } from "./reshard.js";
import { resourcePolicyOperations } from "./resource-policies.js";
import { streamOperations } from "./stream-ops.js";
import { kinesisStreamSource } from "./stream-source.js";

/** Kinesis's iterators are valid for 5 minutes. */
const ITERATOR_LIFETIME_MS = 5 * 60 * 1000;
/** How often records past their stream's retention are looked for. */
const RETENTION_SWEEP_MS = 60_000;
/** An idle subscription's read interval: on its own store every write wakes it, on a cluster's other nodes' writes do not. */
const OWN_STORE_POLL_MS = 1_000;
const SHARED_STORE_POLL_MS = 200;
/**
 * Subscriptions open on one node at most, unless configured. Each holds a connection and reads its shard
 * whenever records arrive; AWS bounds them only by 20 consumers per stream times its shards, which is no
 * bound on a host a hostile caller shares (docs/security.md).
 */
const DEFAULT_MAX_SUBSCRIPTIONS = 1_000;

export interface KinesisDeps extends StreamingDeps {
  readonly streams: DocumentStore<KinesisStreamRecord>;
  readonly records: KinesisRecordStore;
  readonly account: Account;
  readonly now?: () => number;
  /** The key shard iterators are sealed with: the cluster's on a shared store (clusterIteratorKey), else one of this process. */
  readonly iteratorKey?: IteratorKey | undefined;
  /** The data directory's free space (Platform.space): writes are refused below its threshold. */
  readonly space?: FreeSpace;
  /** Where streams are offered as targets of other services' messages (EventBridge, Scheduler). */
  readonly destinations?: Destinations;
  /** AWS/Kinesis's metrics go here (Platform.serviceMetrics). */
  readonly metrics?: ServiceMetrics;
  /** The store is a cluster's, which other nodes write to too. */
  readonly sharedStore?: boolean;
  /** SubscribeToShard subscriptions this node keeps open at once (Platform.kinesisMaxSubscriptions). */
  readonly maxSubscriptions?: number;
}

export function kinesisIterators(key?: IteratorKey): ShardIterators {
  return new ShardIterators({
    lifetimeMs: ITERATOR_LIFETIME_MS,
    invalid: () => invalid("Invalid ShardIterator."),
    expired: (message) => new UnkaiError("ExpiredIteratorException", message),
  }, key);
}

/** Deletes every stream's records older than its retention, and stops listing closed shards whose records all expired. */
async function trimExpired(ctx: KinesisContext): Promise<void> {
  for (const stream of await ctx.streams.list()) {
    const horizon = ctx.now() - stream.retentionHours * 3_600_000;
    await ctx.records.trim(stream.arn, horizon);
    if (!stream.shards.some((shard) => shard.closed && shard.closed.time < horizon)) continue;
    const current = await ctx.streams.get(stream.arn);
    if (current) await ctx.streams.put(stream.arn, { ...current, shards: current.shards.filter((shard) => !shard.closed || shard.closed.time >= horizon) });
  }
}

/**
 * Undoes the reshardings a crash interrupted: a resharding closes its parents in the record store first
 * and then writes the stream with them closed and its children; a node that died in between left shards
 * the stream shows open but the store refuses appends to, so their keys could not be written. Those are
 * reopened. Only on a store of this node's own: on a cluster's, another node may be between the two writes,
 * and an append reopens only closures older than a resharding takes (reshard.ts, reopenInterrupted).
 */
async function undoInterruptedReshards(streams: DocumentStore<KinesisStreamRecord>, records: KinesisRecordStore, logger: Logger): Promise<void> {
  for (const stream of await streams.list()) {
    const reopened = await records.reopen(stream.arn, stream.shards.filter((shard) => shard.closed === undefined).map((shard) => shard.index));
    if (reopened.length > 0) logger.warn({ stream: stream.arn, shards: reopened }, "Kinesis: reopened shards an interrupted resharding had closed");
  }
}

export function kinesisService(deps: KinesisDeps): Service {
  let repairing: Promise<void> = Promise.resolve();
  const ctx: KinesisContext = {
    streams: deps.streams, records: deps.records, account: deps.account, now: deps.now ?? Date.now, iterators: kinesisIterators(deps.iteratorKey), metrics: deps.metrics, space: deps.space,
    signals: new WakeSignals(), subscriptionPollMs: deps.sharedStore ? SHARED_STORE_POLL_MS : OWN_STORE_POLL_MS, maxSubscriptions: deps.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS, repaired: () => repairing,
  };
  const model = loadModel("kinesis");
  const service = modelService({
    name: "kinesis", model, errors: KINESIS_ERRORS, operations: { ...streamOperations(ctx), ...recordOperations(ctx), ...reshardOperations(ctx), ...consumerOperations(ctx), ...resourcePolicyOperations(ctx) }, signingNames: ["kinesis"], logger: deps.logger,
    authorization: kinesisAuthorization(model, deps.account, deps.now ?? Date.now),
  });
  deps.destinations?.add(kinesisDestination(ctx));
  const sweep = new Periodic(() => trimExpired(ctx), RETENTION_SWEEP_MS, (error) => deps.logger.error({ err: error }, "the Kinesis retention sweep failed"));
  const streaming = streamingService(service, kinesisStreamSource(ctx), sweep, deps);
  return {
    ...streaming,
    start() {
      if (!deps.sharedStore) {
        repairing = undoInterruptedReshards(deps.streams, deps.records, deps.logger)
          .catch((error: unknown) => deps.logger.error({ err: error }, "Kinesis: undoing interrupted reshardings failed"));
      }
      streaming.start?.();
    },
    async close() {
      // Open SubscribeToShard streams end (as a broken connection would); the client subscribes again elsewhere.
      ctx.signals.close();
      await streaming.close?.();
    },
  };
}

export const kinesisModule: ServiceModule = {
  name: "kinesis",
  errors: { kind: "json", table: KINESIS_ERRORS, heading: "## Kinesis errors" },
  compatibility: "docs/compatibility/kinesis.md",
  create: (p: Platform) =>
    kinesisService({
      streams: p.store.kinesisStreams, records: p.store.kinesisRecords, account: p.account, logger: p.logger("kinesis"), shards: p.shards, metrics: p.serviceMetrics, iteratorKey: p.iteratorKey, space: p.space, destinations: p.destinations,
      streamMappings: shardPollerDeps(p), sharedStore: p.store.cluster !== undefined, maxSubscriptions: p.kinesisMaxSubscriptions,
    }),
};
