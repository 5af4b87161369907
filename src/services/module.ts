/**
 * The service-module seam: everything one service is, in one value. A module names its error table
 * and its compatibility doc, and builds its `Service` (how it claims requests, its operations, its
 * background work) from the platform's shared parts. Modules are listed once, in claiming order, in
 * registry.ts; src/server/ builds the `Platform`, creates every module and wires what they return,
 * without knowing any module's insides.
 */
import type { Logger } from "pino";
import type { Destinations } from "../async/destinations.js";
import type { RetryTiming } from "../async/retry-policy.js";
import type { AsyncQueue } from "../async/queue.js";
import type { AsyncWorker } from "../async/worker.js";
import type { IamDenialRecorder } from "../auth/iam-decision-log.js";
import type { IamEnforcer } from "../auth/iam-enforcer.js";
import type { UnkaiCredentials } from "../auth/unkai-credentials.js";
import type { IteratorKey } from "../core/shard-iterators.js";
import type { ForwardedOperations } from "../protocol/codecs/forwarded-operations.js";
import type { TableChanges } from "./dynamodb/table-cache.js";
import type { Account } from "../core/arn.js";
import type { ErrorTable } from "../core/errors.js";
import type { ServiceMetrics } from "../core/service-metrics.js";
import type { Invoker } from "../engine/invoker.js";
import type { Service } from "../protocol/http.js";
import type { BlobStore } from "../store/blobs/blob-store.js";
import type { CodeStore } from "../store/code/code-store.js";
import type { DiskSpace } from "../store/disk-space.js";
import type { LogEvent, Store } from "../store/ports.js";
import type { FunctionService } from "../functions/function-service.js";
import type { ProvisionedConcurrency } from "../functions/provisioned-concurrency.js";
import type { ShardSources } from "../sources/shard-source.js";
import type { MetricsEndpoint } from "./unkai/index.js";

/**
 * What every module may use, built once by src/server/unkai.ts. Configuration arrives as the values
 * themselves (config is parsed once, in src/server/config.ts); a module takes only what it needs.
 */
export interface Platform {
  readonly account: Account;
  /** Unkai's own base URL (`http://host:port`); empty until the listener is bound, so read it per request. */
  url(): string;
  /** Unkai's URL with another host name on the same port (`<id>.execute-api.localhost` …). */
  hostUrl(host: string): string;
  readonly dataDir: string;
  /** The built web console (dist/console). */
  readonly consoleDir: string;
  /** Integration timeout when none is configured (`--gateway-timeout-ms`). */
  readonly gatewayTimeoutMs: number;
  /** How often CloudWatch alarms are evaluated (`--alarm-evaluation-interval-ms`). */
  readonly alarmEvaluationIntervalMs: number;
  /** How long a DynamoDB stream's shard stays open before it rolls over (`--stream-shard-lifetime-ms`). */
  readonly streamShardLifetimeMs: number;
  /** How long DynamoDB stream records and gone streams are kept (`--stream-retention-ms`; AWS: 24 hours). */
  readonly streamRetentionMs: number;
  /** The most SQS event-source-mapping poll loops this node runs, every mapping together (`--sqs-pollers`). */
  readonly sqsPollers: number;
  /** How long SNS waits for an http/https subscriber's answer (`--sns-http-timeout-ms`; SNS: 15 s). */
  readonly snsHttpTimeoutMs: number;
  /** How long a CloudWatch Logs live tail session lasts (`--live-tail-timeout-ms`; AWS: three hours). */
  readonly liveTailTimeoutMs: number;
  /** Live tail sessions open at once on this node (`--live-tail-max-sessions`; AWS's default quota: 15 per account). */
  readonly liveTailMaxSessions: number;
  /** Kinesis SubscribeToShard subscriptions open at once on this node (`--kinesis-max-subscriptions`). */
  readonly kinesisMaxSubscriptions: number;
  /** The day S3 lifecycle rules count in (`--s3-lifecycle-day-ms`). */
  readonly s3LifecycleDayMs: number;
  /** How long after a change S3 first tries its queue, topic and EventBridge notifications (`--s3-notification-delay-ms`). */
  readonly s3NotificationDelayMs: number;
  /** How often DynamoDB's captured changes are forwarded to their Kinesis destinations (`--dynamodb-kinesis-interval-ms`). */
  readonly dynamodbKinesisIntervalMs: number;
  /** Scheduler's and EventBridge scheduled rules' timing (`--scheduler-rate-scale`, `--scheduler-missed-after-ms`). */
  readonly scheduler: { readonly rateScale: number; readonly missedAfterMs: number };
  /** Every storage port (src/store/ports.ts); a module uses only its own. */
  readonly store: Store;
  /**
   * Other processes write this store too: a cluster's nodes, or DynamoDB's endpoint workers
   * (src/server/dynamodb-endpoint.ts). Caches of what they may change are then kept briefly.
   */
  readonly sharedStore: boolean;
  /** The operation tables of services whose requests DynamoDB's endpoint workers forward here to run (forwarded-operations.ts). */
  readonly forwardedOperations: ForwardedOperations;
  /** DynamoDB's word that tables changed, which DynamoDB's endpoint workers hear (table-cache.ts). */
  readonly dynamodbTableChanges: TableChanges;
  /** The key shard iterators are sealed with when other processes must accept them (clusterIteratorKey, or the one DynamoDB's workers share); else each service makes its own. */
  readonly iteratorKey: IteratorKey | undefined;
  readonly code: CodeStore;
  /**
   * The blob store large payloads live in (--blobs), and how old an unreferenced blob must be before a
   * crash sweep may delete it: 0 when the store is this node's alone, more when other nodes may be
   * between writing a blob and committing the row that points at it.
   */
  readonly blobs: { readonly store: BlobStore; readonly sweepGraceMs: number };
  readonly space: DiskSpace;
  readonly credentials: UnkaiCredentials;
  /** IAM enforcement, present only with `--iam enforce` (docs/iam.md). */
  readonly iamEnforcer: IamEnforcer | undefined;
  /** The IAM decision log (`/unkai/iam/decisions`), for refusals decided outside the enforcer (a REST API's policy on anonymous calls); absent with `--iam off`. */
  readonly iamDenials?: IamDenialRecorder | undefined;
  /** The function registry. */
  readonly functions: FunctionService;
  /** Provisioned concurrency's environments, and the most environments this node runs (UNKAI_MAX_ENVIRONMENTS). */
  readonly provisioned: ProvisionedConcurrency;
  readonly maxEnvironments: number;
  readonly invoker: Invoker;
  /** Asynchronous invocation: the queue events go into, where results go, and the worker that runs them. */
  readonly queue: AsyncQueue;
  readonly destinations: Destinations;
  /** Scales retry delays (`--async-retry-scale`): Lambda's async retries, EventBridge target retries. */
  readonly retryTiming: RetryTiming;
  readonly worker: AsyncWorker;
  /**
   * Figures CloudWatch keeps for Unkai's own services (AWS/SQS, AWS/SNS, AWS/Lambda's async ones):
   * `add(namespace, name, dimensions, value, unit)`; nothing happens unless CloudWatch's module attached its sink.
   */
  readonly serviceMetrics: ServiceMetrics;
  /** Ordered stream sources (DynamoDB Streams) that Lambda's event source mappings read; their owners add them. */
  readonly shards: ShardSources;
  /**
   * The owner name of every lease this node takes (schedule timers too): the cluster node id on a
   * shared store, so a dead node's leases are freed with its heartbeat; else one unique to this process.
   */
  readonly nodeName: string;
  /** Calls `listener` after leases of dead nodes were freed (a schedule runner looks at the store again). */
  onDeadLeasesFreed(listener: () => void): void;
  /**
   * Calls `listener` after every committed log append (PutLogEvents, functions' output), before the
   * append answers; its failure is logged, never the append's (src/services/logs/ingestion.ts).
   */
  onLogsAppended(listener: (group: string, stream: string, events: readonly LogEvent[]) => Promise<void>): void;
  /** `GET /metrics` for Prometheus (src/server/prometheus.ts); undefined unless `--metrics` is on. */
  readonly metrics: MetricsEndpoint | undefined;
  /** `GET /_unkai/health`'s answer. */
  health(): Record<string, unknown>;
  /** A child of Unkai's logger for one service. */
  logger(service: string): Logger;
}

/** A status-only table, for XML protocols whose error bodies have one shape (restXml, awsQuery). */
export type StatusTable = Readonly<Record<string, number>>;

/**
 * Where a module's errors are defined and documented; test/service-registry.test.ts compares the table
 * with its section of docs/errors.md, row for row.
 */
export type ModuleErrors =
  /** A JSON protocol's table (restJson1, awsJson): code → status and body shape. */
  | { readonly kind: "json"; readonly table: ErrorTable; readonly heading: string }
  /** An XML protocol's table (restXml, awsQuery): code → status. */
  | { readonly kind: "xml"; readonly table: StatusTable; readonly heading: string }
  /**
   * Answers that are not an AWS API's error codes (a served API's failure answers, the console's
   * missing files): `doc` (repo-relative, optionally `#anchor`) is where they are listed.
   */
  | { readonly kind: "answers"; readonly doc: string };

export interface ServiceModule {
  /** The module's name: the key of its error table in the catalogue, and its `Service.name`. */
  readonly name: string;
  readonly errors: ModuleErrors;
  /** Repo-relative path of the page that says what the module answers (docs/compatibility/<name>.md). */
  readonly compatibility: string;
  /** Builds the service; background work starts in `Service.start`, never here. */
  readonly create: (platform: Platform) => Service;
}
