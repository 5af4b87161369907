/**
 * Amazon DynamoDB on AWS JSON 1.0 (`X-Amz-Target: DynamoDB_20120810.<Operation>`), built on
 * DynamoDB's service model (models/dynamodb.json): the codec decodes and validates each request,
 * the operations (operations.ts) apply DynamoDB's own rules over the store's DynamoDbStore, and
 * a background sweep deletes items past their Time to Live, and stream records and gone streams
 * older than the stream retention (24 hours; `--stream-retention-ms`), and writes the secondary index
 * entries of tables that lack them (index-entries.ts). Tables' changes go to Kinesis data streams too
 * (kinesis-destinations.ts, kinesis-capture.ts, kinesis-forwarder.ts).
 */
import type { Account } from "../../core/arn.js";
import type { ServiceMetrics } from "../../core/service-metrics.js";
import { loadModel } from "../../protocol/codecs/model.js";
import { modelService, type Operation, type OperationContext, type Operations } from "../../protocol/codecs/model-service.js";
import type { ForwardedOperations } from "../../protocol/codecs/forwarded-operations.js";
import type { Service, UnkaiRequest } from "../../protocol/http.js";
import type { DynamoDbStore, StreamShardStore } from "../../store/ports.js";
import type { Platform, ServiceModule } from "../module.js";
import { shardPollerDeps, streamingService, type StreamingDeps } from "../stream-mappings.js";
import { Periodic } from "../../core/periodic.js";
import { TableCache, type TableChanges } from "./table-cache.js";
import { wireOutput, withAwsEnumOrder, withDocumentOutputItems } from "./wire-output.js";
import { DYNAMODB_ERRORS, DYNAMODB_STREAMS_ERRORS } from "./errors.js";
import { dynamoShardIterators } from "./stream-iterators.js";
import type { IteratorKey } from "../../core/shard-iterators.js";
import { describeStream, getRecords, getShardIterator, listStreams } from "./streams-api.js";
import { dynamoOperations, type DynamoOperation } from "./operations.js";
import { meteredOperations } from "./metrics.js";
import { guardedOperations } from "../disk-guard.js";
import { UnkaiError } from "../../core/errors.js";
import type { FreeSpace } from "../../store/disk-space.js";
import { expireItems } from "./ttl.js";
import { keepIndexEntries } from "./index-entries.js";
import { dynamodbAuthorization, dynamodbStreamsAuthorization } from "./authorization.js";
import { dynamoStreamSource } from "./stream-source.js";
import { STREAM_RETENTION_MS } from "./stream-records.js";
import { forgetGoneStreams } from "./stream-retention.js";
import { sweepBackupBlobs } from "./backup-items.js";
import type { DynamoContext } from "./context.js";
import type { StreamsContext } from "./stream-shards.js";
import { dynamoTransfers } from "./transfer-operations.js";
import type { TransferDeps } from "./transfers.js";
import { platformObjectAccess } from "../s3/object-access.js";
import { kinesisDestinationOperations } from "./kinesis-destinations.js";
import { kinesisForwarder, type KinesisForwarderDeps } from "./kinesis-forwarder.js";

/**
 * How often expired items and stream records are looked for (AWS takes up to days; a sweep walks
 * each table); at most half the stream retention, so a shortened one is swept as promptly.
 */
const TTL_SWEEP_MS = 10_000;

/**
 * Writes that grow storage, refused below the free-space threshold with DynamoDB's throttling error
 * (disk-guard.ts). PartiQL statements are not among them: a statement may be a read.
 */
const GROWING = new Set(["PutItem", "UpdateItem", "BatchWriteItem", "TransactWriteItems", "CreateTable", "UpdateTable", "CreateBackup", "RestoreTableFromBackup", "ImportTable", "ExportTableToPointInTime"]);

export interface DynamoDbDeps extends StreamingDeps {
  readonly store: DynamoDbStore;
  readonly streamShards: StreamShardStore;
  /** How long a stream's shard stays open before it rolls over. */
  readonly shardLifetimeMs: number;
  /** How long stream records and gone streams are kept (default: AWS's 24 hours). */
  readonly streamRetentionMs?: number;
  readonly account: Account;
  readonly now?: () => number;
  /** The key shard iterators are sealed with: the cluster's on a shared store (clusterIteratorKey), else one of this process. */
  readonly iteratorKey?: IteratorKey | undefined;
  /** The data directory's free space (Platform.space): writes that grow storage are refused below its threshold (disk-guard.ts). */
  readonly space?: FreeSpace;
  /** AWS/DynamoDB's metrics go here (Platform.serviceMetrics), measured around each operation (metrics.ts). */
  readonly metrics?: ServiceMetrics;
  /** Other processes write the store (DynamoContext.sharedStore): a cluster's nodes, or DynamoDB's endpoint workers. */
  readonly sharedStore?: boolean;
  /** Other main processes share the store (a cluster's nodes): they, too, run exports and imports, so none here is taken for interrupted at start. */
  readonly otherNodes?: boolean;
  /** On-demand backups' records and item blobs, and how old an unreferenced item blob must be before the sweep removes it (absent: backups are not served). */
  readonly backups?: Omit<NonNullable<DynamoContext["backups"]>, "writing"> & { readonly sweepGraceMs: number };
  /** Exports to and imports from S3: their documents and Unkai's S3 objects (exports.ts, imports.ts); absent, those operations are unknown. */
  readonly transfers?: TransferDeps;
  /**
   * Kinesis Data Streams for DynamoDB: where streams are looked up and records sent (Platform.destinations),
   * and the leases its forwarder holds (kinesis-forwarder.ts); absent, those operations are unknown.
   */
  readonly kinesisDestinations?: Omit<KinesisForwarderDeps, "logger">;
  /**
   * In a DynamoDB endpoint worker (src/server/dynamodb-worker.ts): runs an operation in the main process.
   * Every operation but the item reads and writes (LOCAL_OPERATIONS) goes there once its input is decoded
   * and its caller authorized. Absent, this process runs them all.
   */
  readonly runElsewhere?: (operation: string, input: object, context: OperationContext) => Promise<unknown>;
  /** In the main process: where the service's operations are registered for the requests workers forward. */
  readonly forwarded?: ForwardedOperations;
  /**
   * Word between processes that tables changed: announced after every operation but the item reads and
   * writes (LOCAL_OPERATIONS) before it answers, and heard by dropping every cached table definition.
   */
  readonly tableChanges?: TableChanges;
}

/**
 * What a DynamoDB endpoint worker runs itself: item reads and writes, on the shared store as a cluster
 * node does (a write commits there; tables are cached at most TABLE_CACHE_MAX_AGE_MS, and the main
 * process's table changes wait that long), and DescribeEndpoints (the endpoint the client reached).
 * The rest (the control plane, PartiQL, backups, exports) runs in the main process, whose sweeps,
 * forwarders and caches it concerns.
 */
const LOCAL_OPERATIONS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems", "DescribeEndpoints"]);

/** The operations with their outputs' binaries in base64: the model hands output items to the wire as they are (wire-output.ts). */
function withWireOutput(operations: Record<string, DynamoOperation>): Operations {
  return Object.fromEntries(Object.entries(operations).map(([name, operation]) => [name, async (input: object, context: OperationContext) => wireOutput(await operation(input, context))]));
}

function contextOf(deps: DynamoDbDeps): StreamsContext {
  return { store: deps.store, account: deps.account, now: deps.now ?? Date.now, streamShards: deps.streamShards, shardLifetimeMs: deps.shardLifetimeMs, streamRetentionMs: deps.streamRetentionMs ?? STREAM_RETENTION_MS };
}

export function dynamoDbService(deps: DynamoDbDeps): Service {
  const base = contextOf(deps);
  // Its answers go straight to the wire: whole items may leave as their stored JSON.
  const tables: StreamsContext["tables"] = new TableCache(base.now);
  deps.tableChanges?.listen(() => tables.forgetAll());
  const ctx: StreamsContext = { ...base, tables, rawItems: true, sharedStore: deps.sharedStore === true, ...(deps.backups ? { backups: { ...deps.backups, writing: new Set<string>() } } : {}) };
  const transfers = deps.transfers && dynamoTransfers(ctx, deps.transfers, deps.otherNodes === true);
  const kinesis = deps.kinesisDestinations;
  const destinationOperations = kinesis && kinesisDestinationOperations(ctx, (arn) => kinesis.destinations.exists(arn));
  const forwarder = kinesis && kinesisForwarder(ctx, { ...kinesis, logger: deps.logger });
  const model = withAwsEnumOrder(withDocumentOutputItems(loadModel("dynamodb")));
  const served: Operations = guardedOperations(meteredOperations({
    ...withWireOutput({ ...dynamoOperations(ctx), ...transfers?.operations, ...destinationOperations }),
    // The endpoint the client reached is the one to keep using.
    DescribeEndpoints: (_input: object, request: OperationContext) =>
      Promise.resolve({ Endpoints: [{ Address: request.request.headers.host ?? "localhost", CachePeriodInMinutes: 1440 }] }),
  }, deps.metrics), GROWING, deps.space, (shortfall) => new UnkaiError("ProvisionedThroughputExceededException", `The level of configured provisioned throughput for the table was exceeded: ${shortfall}`));
  const announced = deps.tableChanges ? announcingTableChanges(served, deps.tableChanges) : served;
  deps.forwarded?.register("dynamodb", model.metadata.serviceId, announced);
  const operations = deps.runElsewhere ? withOperationsElsewhere(Object.keys(model.operations), served, deps.runElsewhere) : announced;
  const service = modelService({
    name: "dynamodb", model, errors: DYNAMODB_ERRORS, operations, signingNames: ["dynamodb"], logger: deps.logger, authorization: dynamodbAuthorization(model, deps.account),
  });
  const retentionMs = ctx.streamRetentionMs ?? STREAM_RETENTION_MS;
  const sweep = new Periodic(() => {
    const trim = ctx.store.trimStreams(ctx.now() - retentionMs).then(() => forgetGoneStreams(ctx));
    const backups = ctx.backups;
    const orphans = backups === undefined || deps.backups === undefined ? undefined : sweepBackupBlobs(backups, ctx.now() - deps.backups.sweepGraceMs);
    return Promise.all([expireItems(ctx), trim, ctx.store.forgetTokens(ctx.now()), keepIndexEntries(ctx), orphans]);
  }, Math.min(TTL_SWEEP_MS, retentionMs / 2), (error) => deps.logger.error({ err: error }, "the DynamoDB TTL, stream trim, client token, index entry and backup blob sweep failed"));
  const streaming = streamingService(service, dynamoStreamSource(ctx), sweep, deps);
  if (!transfers && !forwarder) return streaming;
  return {
    ...streaming,
    start() {
      streaming.start?.();
      transfers?.start();
      forwarder?.start();
    },
    async close() {
      await Promise.all([transfers?.close(), forwarder?.close()]);
      await streaming.close?.();
    },
  };
}

/** `served`, each operation but LOCAL_OPERATIONS announcing, once it has run, that tables may have changed. */
function announcingTableChanges(served: Operations, changes: TableChanges): Operations {
  const operations: Record<string, Operation> = {};
  for (const [name, operation] of Object.entries(served)) {
    operations[name] = LOCAL_OPERATIONS.has(name) ? operation : async (input: object, context: OperationContext) => {
      try {
        return await operation(input, context);
      } finally {
        await changes.announce();
      }
    };
  }
  return operations;
}

/** `served`, except that every operation of `names` but LOCAL_OPERATIONS runs through `runElsewhere`. */
function withOperationsElsewhere(names: readonly string[], served: Operations, runElsewhere: NonNullable<DynamoDbDeps["runElsewhere"]>): Operations {
  const operations: Record<string, Operation> = {};
  for (const name of names) {
    const local = LOCAL_OPERATIONS.has(name) && Object.hasOwn(served, name) ? served[name] : undefined;
    operations[name] = local ?? ((input: object, context: OperationContext) => runElsewhere(name, input, context) as Promise<object | undefined>);
  }
  return operations;
}

export const dynamodbModule: ServiceModule = {
  name: "dynamodb",
  errors: { kind: "json", table: DYNAMODB_ERRORS, heading: "## DynamoDB errors" },
  compatibility: "docs/compatibility/dynamodb.md",
  create: (p: Platform) =>
    dynamoDbService({
      store: p.store.dynamodb, streamShards: p.store.streamShards, shardLifetimeMs: p.streamShardLifetimeMs, streamRetentionMs: p.streamRetentionMs, account: p.account, logger: p.logger("dynamodb"), shards: p.shards, metrics: p.serviceMetrics, space: p.space,
      streamMappings: shardPollerDeps(p), sharedStore: p.sharedStore, otherNodes: p.store.cluster !== undefined, transfers: transferDeps(p),
      backups: { records: p.store.dynamodbBackups, blobs: p.blobs.store, sweepGraceMs: p.blobs.sweepGraceMs },
      kinesisDestinations: { destinations: p.destinations, leases: p.store.shardLeases, owner: p.nodeName, intervalMs: p.dynamodbKinesisIntervalMs },
      forwarded: p.forwardedOperations, tableChanges: p.dynamodbTableChanges,
    }),
};

/** Exports and imports reach S3's objects through the store and the blob store, as S3 itself does, its notifications included (s3/object-access.ts). */
function transferDeps(p: Platform): TransferDeps {
  const enforcer = p.iamEnforcer;
  const mayRead = enforcer && (async (request: UnkaiRequest, bucket: string, key: string) =>
    (await enforcer.check(request, [{ action: "s3:GetObject", resource: `arn:aws:s3:::${bucket}/${key}` }], "s3")) === undefined);
  return { exports: p.store.dynamodbExports, imports: p.store.dynamodbImports, s3: platformObjectAccess(p), logger: p.logger("dynamodb"), mayRead };
}

/** The DynamoDB Streams API (`DynamoDBStreams_20120810.*`, signed as `dynamodb`) over the same store. */
export function dynamoDbStreamsService(deps: DynamoDbDeps): Service {
  const ctx = contextOf(deps);
  const iterators = dynamoShardIterators(deps.iteratorKey);
  const operations: Operations = {
    ListStreams: (input: Parameters<typeof listStreams>[1]) => listStreams(ctx, input),
    DescribeStream: (input: Parameters<typeof describeStream>[1]) => describeStream(ctx, input),
    GetShardIterator: (input: Parameters<typeof getShardIterator>[2]) => getShardIterator(ctx, iterators, input),
    GetRecords: (input: Parameters<typeof getRecords>[2]) => getRecords(ctx, iterators, input),
  };
  const model = loadModel("dynamodbstreams");
  return modelService({ name: "dynamodbstreams", model, errors: DYNAMODB_STREAMS_ERRORS, operations, signingNames: ["dynamodb"], logger: deps.logger, authorization: dynamodbStreamsAuthorization(model) });
}

export const dynamodbStreamsModule: ServiceModule = {
  name: "dynamodbstreams",
  errors: { kind: "json", table: DYNAMODB_STREAMS_ERRORS, heading: "## DynamoDB Streams errors" },
  compatibility: "docs/compatibility/dynamodb.md",
  create: (p: Platform) => dynamoDbStreamsService({ iteratorKey: p.iteratorKey, store: p.store.dynamodb, streamShards: p.store.streamShards, shardLifetimeMs: p.streamShardLifetimeMs, streamRetentionMs: p.streamRetentionMs, account: p.account, logger: p.logger("dynamodbstreams") }),
};
