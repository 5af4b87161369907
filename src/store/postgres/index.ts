/**
 * The shared backend: PostgreSQL (`unkai start --store postgres://…`). Every port, with the same
 * behaviour as the SQLite backend (test/store-contract), on a connection pool; several nodes may
 * open one database. Log lines and invocation records are written behind, as on SQLite.
 */
import { randomUUID } from "node:crypto";
import type { LogStorePolicy, Store } from "../ports.js";
import { pgAccessKeyStore } from "./access-key-store.js";
import { pgIamStore } from "./iam-store.js";
import { pgStsSessionStore } from "./sts-session-store.js";
import { pgAsyncQueueStore } from "./async-queue-store.js";
import { pgClusterStore } from "./cluster-store.js";
import { openPgDatabase } from "./database.js";
import { pgDynamoDbStore } from "./dynamodb-store.js";
import { pgEventConfigStore, pgTestEventStore } from "./event-config-store.js";
import { pgFunctionStore } from "./function-store.js";
import { pgDocumentStore, pgFunctionUrlStore } from "./api-definition-store.js";
import { pgInvocationStore } from "./invocation-store.js";
import { pgLayerStore } from "./layer-store.js";
import { pgLogStore } from "./log-store.js";
import { pgObjectStore } from "./object-store.js";
import { pgQueueStore } from "./queue-store.js";
import { pgMessageStore } from "./message-store.js";
import { pgAlarmStore } from "./alarm-store.js";
import { pgMetricDataStore, pgMetricFilterStore } from "./metric-store.js";
import { pgScheduleTimerStore } from "./schedule-timer-store.js";
import { pgShardLeaseStore } from "./shard-lease-store.js";
import { pgStreamShardStore } from "./stream-shard-store.js";
import { pgKinesisRecordStore } from "./kinesis-record-store.js";
import { pgSnsDeduplicationStore } from "./sns-deduplication-store.js";
import { pgUnitOfWork } from "./unit-of-work.js";
import { pgAliasStore, pgVersionStore } from "./version-store.js";
import { pgWriteBehind } from "./write-behind.js";
import { pgArchivedEventStore } from "./archived-event-store.js";

export interface PostgresStoreOptions {
  /** A libpq-style URL: postgres://user[:password]@host[:port]/database[?sslmode=…]. */
  readonly url: string;
  readonly logPolicy: LogStorePolicy;
  /** Connections this node keeps open at most. */
  readonly maxConnections?: number;
  /** A node whose heartbeat is older than this is dead and its leases are freed (default 10 s: ten missed heartbeats). */
  readonly nodeDeadAfterMs?: number;
}

/** Connects, brings the schema up to date, and returns the store. `onError` hears about background writes that failed. */
export async function openPostgresStore(options: PostgresStoreOptions, onError: (error: unknown) => void): Promise<Store> {
  const db = await openPgDatabase({ connectionString: options.url, maxConnections: options.maxConnections ?? 10 });
  const writes = pgWriteBehind(db, onError);
  let closed: Promise<void> | undefined;
  const nodeId = randomUUID();
  const deadAfterMs = options.nodeDeadAfterMs ?? 10_000;
  return {
    cluster: pgClusterStore(db, nodeId, deadAfterMs),
    functions: pgFunctionStore(db),
    logs: pgLogStore(db, writes, options.logPolicy),
    invocations: pgInvocationStore(db, writes),
    asyncQueue: pgAsyncQueueStore(db, nodeId, deadAfterMs),
    eventInvokeConfigs: pgEventConfigStore(db),
    versions: pgVersionStore(db),
    aliases: pgAliasStore(db),
    layers: pgLayerStore(db),
    accessKeys: pgAccessKeyStore(db),
    iam: pgIamStore(db),
    stsSessions: pgStsSessionStore(db),
    iamInstanceProfiles: pgDocumentStore(db, "iam_instance_profiles"),
    testEvents: pgTestEventStore(db),
    httpApis: pgDocumentStore(db, "http_apis"),
    restApis: pgDocumentStore(db, "rest_apis"),
    apiKeys: pgDocumentStore(db, "apigateway_api_keys"),
    apiKeyValues: pgDocumentStore(db, "apigateway_api_key_values"),
    usagePlans: pgDocumentStore(db, "apigateway_usage_plans"),
    functionUrls: pgFunctionUrlStore(db),
    objects: pgObjectStore(db),
    bucketSettings: pgDocumentStore(db, "s3_bucket_settings"),
    commit: pgUnitOfWork(db),
    scheduleTimers: pgScheduleTimerStore(db, deadAfterMs),
    shardLeases: pgShardLeaseStore(db, deadAfterMs),
    streamShards: pgStreamShardStore(db),
    kinesisStreams: pgDocumentStore(db, "kinesis_streams"),
    kinesisRecords: pgKinesisRecordStore(db),
    dynamodb: pgDynamoDbStore(db),
    eventBuses: pgDocumentStore(db, "event_buses"),
    eventRules: pgDocumentStore(db, "event_rules"),
    eventConnections: pgDocumentStore(db, "event_connections"),
    eventApiDestinations: pgDocumentStore(db, "event_api_destinations"),
    eventArchives: pgDocumentStore(db, "event_archives"),
    eventReplays: pgDocumentStore(db, "event_replays"),
    archivedEvents: pgArchivedEventStore(db),
    eventDeliveries: pgDocumentStore(db, "event_deliveries"),
    schedulerGroups: pgDocumentStore(db, "scheduler_groups"),
    schedulerSchedules: pgDocumentStore(db, "scheduler_schedules"),
    schedulerDeliveries: pgDocumentStore(db, "scheduler_deliveries"),
    s3Deliveries: pgDocumentStore(db, "s3_deliveries"),
    sqsMoveTasks: pgDocumentStore(db, "sqs_move_tasks"),
    dynamodbBackups: pgDocumentStore(db, "dynamodb_backups"),
    dynamodbExports: pgDocumentStore(db, "dynamodb_exports"),
    dynamodbImports: pgDocumentStore(db, "dynamodb_imports"),
    snsTopics: pgDocumentStore(db, "sns_topics"),
    snsSubscriptions: pgDocumentStore(db, "sns_subscriptions"),
    snsHttpDeliveries: pgDocumentStore(db, "sns_http_deliveries"),
    snsDeduplication: pgSnsDeduplicationStore(db),
    queues: pgQueueStore(db),
    messages: pgMessageStore(db),
    eventSourceMappings: pgDocumentStore(db, "event_source_mappings"),
    metricFilters: pgMetricFilterStore(db),
    logSubscriptions: pgDocumentStore(db, "log_subscriptions"),
    metricData: pgMetricDataStore(db),
    alarms: pgAlarmStore(db),
    cloudwatchDashboards: pgDocumentStore(db, "cloudwatch_dashboards"),
    close() {
      closed ??= writes.close().then(() => db.close());
      return closed;
    },
  };
}
