/** The embedded backend: one SQLite file (WAL) holding functions, invocation records and logs. */
import type { LogStorePolicy, Store } from "../ports.js";
import { sqliteAccessKeyStore } from "./access-key-store.js";
import { sqliteAsyncQueueStore } from "./async-queue-store.js";
import { sqliteEventConfigStore } from "./event-config-store.js";
import { sqliteLayerStore } from "./layer-store.js";
import { sqliteAliasStore, sqliteVersionStore } from "./version-store.js";
import { openDatabase } from "./database.js";
import { writtenByOtherProcesses } from "./group-commit.js";
import { sqliteFunctionStore } from "./function-store.js";
import { sqliteInvocationStore } from "./invocation-store.js";
import { sqliteLogStore } from "./log-store.js";
import { writeBehind } from "./write-behind.js";
import { promised } from "./promised.js";
import { sqliteTestEventStore } from "./test-event-store.js";
import { sqliteDocumentStore, sqliteFunctionUrlStore, sqliteTableDocumentStore } from "./api-definition-store.js";
import { sqliteObjectStore } from "./object-store.js";
import { sqliteQueueStore } from "./queue-store.js";
import { sqliteMessageStore } from "./message-store.js";
import { sqliteUnitOfWork } from "./unit-of-work.js";
import { sqliteShardLeaseStore } from "./shard-lease-store.js";
import { sqliteStreamShardStore } from "./stream-shard-store.js";
import { sqliteKinesisRecordStore } from "./kinesis-record-store.js";
import { sqliteSnsDeduplicationStore } from "./sns-deduplication-store.js";
import { sqliteScheduleTimerStore } from "./schedule-timer-store.js";
import { sqliteDynamoDbStore } from "./dynamodb-store.js";
import { sqliteAlarmStore } from "./alarm-store.js";
import { sqliteMetricDataStore, sqliteMetricFilterStore } from "./metric-store.js";
import { sqliteIamStore } from "./iam-store.js";
import { sqliteStsSessionStore } from "./sts-session-store.js";
import { sqliteArchivedEventStore } from "./archived-event-store.js";

/** The log policy used where a caller gives none (tools that open the store without a server config). */
export const DEFAULT_LOG_POLICY: LogStorePolicy = { defaultRetentionDays: undefined, groupMaxBytes: 64 * 1024 * 1024 };

/** `onError` hears about background writes that failed (they are dropped one by one, never in bulk). */
/** `otherProcesses`: other processes write the file too (DynamoDB's endpoint workers beside the main process). */
export function openSqliteStore(path: string, onError: (error: unknown) => void, logPolicy: LogStorePolicy = DEFAULT_LOG_POLICY, otherProcesses = false): Store {
  const db = openDatabase(path);
  if (otherProcesses) writtenByOtherProcesses(db);
  const writes = writeBehind(db, onError);
  let closed = false;
  return {
    functions: promised(sqliteFunctionStore(db)),
    logs: promised(sqliteLogStore(db, writes, logPolicy)),
    invocations: promised(sqliteInvocationStore(db, writes)),
    asyncQueue: promised(sqliteAsyncQueueStore(db)),
    eventInvokeConfigs: promised(sqliteEventConfigStore(db)),
    versions: promised(sqliteVersionStore(db)),
    aliases: promised(sqliteAliasStore(db)),
    layers: promised(sqliteLayerStore(db)),
    accessKeys: promised(sqliteAccessKeyStore(db)),
    testEvents: promised(sqliteTestEventStore(db)),
    httpApis: promised(sqliteDocumentStore(db, "http_apis")),
    restApis: promised(sqliteDocumentStore(db, "rest_apis")),
    apiKeys: promised(sqliteDocumentStore(db, "apigateway_api_keys")),
    apiKeyValues: promised(sqliteDocumentStore(db, "apigateway_api_key_values")),
    usagePlans: promised(sqliteDocumentStore(db, "apigateway_usage_plans")),
    functionUrls: promised(sqliteFunctionUrlStore(db)),
    objects: promised(sqliteObjectStore(db)),
    bucketSettings: promised(sqliteDocumentStore(db, "s3_bucket_settings")),
    queues: promised(sqliteQueueStore(db)),
    messages: promised(sqliteMessageStore(db)),
    eventSourceMappings: promised(sqliteDocumentStore(db, "event_source_mappings")),
    commit: sqliteUnitOfWork(db),
    scheduleTimers: promised(sqliteScheduleTimerStore(db)),
    shardLeases: promised(sqliteShardLeaseStore(db)),
    streamShards: promised(sqliteStreamShardStore(db)),
    kinesisStreams: promised(sqliteDocumentStore(db, "kinesis_streams")),
    kinesisRecords: promised(sqliteKinesisRecordStore(db)),
    eventBuses: promised(sqliteDocumentStore(db, "event_buses")),
    eventRules: promised(sqliteDocumentStore(db, "event_rules")),
    eventConnections: promised(sqliteDocumentStore(db, "event_connections")),
    eventApiDestinations: promised(sqliteDocumentStore(db, "event_api_destinations")),
    eventArchives: promised(sqliteDocumentStore(db, "event_archives")),
    eventReplays: promised(sqliteDocumentStore(db, "event_replays")),
    archivedEvents: promised(sqliteArchivedEventStore(db)),
    eventDeliveries: promised(sqliteDocumentStore(db, "event_deliveries")),
    schedulerGroups: promised(sqliteDocumentStore(db, "scheduler_groups")),
    schedulerSchedules: promised(sqliteDocumentStore(db, "scheduler_schedules")),
    schedulerDeliveries: promised(sqliteDocumentStore(db, "scheduler_deliveries")),
    s3Deliveries: promised(sqliteTableDocumentStore(db, "s3_deliveries")),
    sqsMoveTasks: promised(sqliteDocumentStore(db, "sqs_move_tasks")),
    dynamodbBackups: promised(sqliteDocumentStore(db, "dynamodb_backups")),
    dynamodbExports: promised(sqliteDocumentStore(db, "dynamodb_exports")),
    dynamodbImports: promised(sqliteDocumentStore(db, "dynamodb_imports")),
    snsTopics: promised(sqliteDocumentStore(db, "sns_topics")),
    snsSubscriptions: promised(sqliteDocumentStore(db, "sns_subscriptions")),
    snsHttpDeliveries: promised(sqliteDocumentStore(db, "sns_http_deliveries")),
    snsDeduplication: promised(sqliteSnsDeduplicationStore(db)),
    dynamodb: promised(sqliteDynamoDbStore(db)),
    metricFilters: promised(sqliteMetricFilterStore(db)),
    logSubscriptions: promised(sqliteDocumentStore(db, "log_subscriptions")),
    metricData: promised(sqliteMetricDataStore(db)),
    alarms: promised(sqliteAlarmStore(db)),
    cloudwatchDashboards: promised(sqliteDocumentStore(db, "cloudwatch_dashboards")),
    iam: promised(sqliteIamStore(db)),
    stsSessions: promised(sqliteStsSessionStore(db)),
    iamInstanceProfiles: promised(sqliteDocumentStore(db, "iam_instance_profiles")),
    async close() {
      if (closed) return;
      closed = true;
      writes.close();
      db.close();
    },
  };
}
