/** Storage ports: every backend (SQLite now, PostgreSQL later) implements these and passes test/store-contract. */
import type { ApiDestinationRecord, ConnectionRecord, EventBusRecord, PendingDelivery, RuleRecord } from "../core/events/resources.js";
import type { ArchiveRecord, ReplayRecord } from "../core/events/archives.js";
import type { ScheduleGroupRecord, ScheduleRecord } from "../core/scheduler.js";
import type { AliasRecord } from "../core/alias.js";
import type { AsyncEvent, EventInvokeConfig, FailedEventDetail } from "../core/event-invoke-config.js";
import type { FunctionRecord } from "../core/function.js";
import type { LayerVersionRecord } from "../core/layer.js";
import type { InvocationRecord } from "../core/invocation.js";
import type { FunctionUrlConfig, HttpApi, RestApi } from "../core/api-definitions.js";
import type { ApiKeyRecord, ApiKeyValueRecord, UsagePlanRecord } from "../core/api-keys.js";
import type { EventSourceMapping } from "../core/event-source-mapping.js";
import type { SqsMoveTaskRecord } from "../core/sqs-move-task.js";
import type { DynamoTransferRecord } from "../core/dynamodb-transfers.js";
import type { KinesisStreamRecord } from "../core/kinesis.js";
import type { SnsDeduplication, SnsPendingHttpDelivery, SnsSubscriptionRecord, SnsTopicRecord } from "../core/sns.js";
import type { LogGroupSubscriptions } from "../core/log-subscription.js";
import type { BucketSetting } from "../core/s3-bucket-settings.js";
import type { IamEntity, IamEntityKind, IamPrincipalKind, InlinePolicy, InstanceProfileRecord, PolicyVersion } from "../core/iam.js";

export interface FunctionStore {
  get(name: string): Promise<FunctionRecord | undefined>;
  /** Inserts; returns false when a function of that name exists. */
  create(record: FunctionRecord): Promise<boolean>;
  /** Replaces when the stored revision is `expectedRevision`; returns false otherwise. */
  update(record: FunctionRecord, expectedRevision: string): Promise<boolean>;
  /**
   * Removes the function and everything kept beside it — its published versions, aliases, event
   * invoke configs, Function URL configs and saved test events (tags and policy live in its record)
   * — in one transaction: all of it or, when anything fails, none of it. False when there was no
   * such function (and then nothing changes).
   */
  delete(name: string): Promise<boolean>;
  /** Functions ordered by name, starting after `afterName`. */
  list(afterName: string | undefined, limit: number): Promise<FunctionRecord[]>;
  count(): Promise<number>;
  totalCodeSize(): Promise<number>;
  /** Sum of reserved concurrency over all functions except `exceptName`. */
  reservedConcurrencyTotal(exceptName?: string): Promise<number>;
}

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
}

export interface StoredLogEvent extends LogEvent {
  readonly logStreamName: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

export interface LogStreamInfo {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp: number | undefined;
  readonly lastEventTimestamp: number | undefined;
  readonly storedBytes: number;
}

/** DescribeLogStreams' order and page: by name or by last event time (then name), skipping `offset`. */
export interface LogStreamOrder {
  readonly by: "LogStreamName" | "LastEventTime";
  readonly descending: boolean;
  readonly offset: number;
}

export interface LogQuery {
  readonly group: string;
  readonly streams?: readonly string[] | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  /** Substring filter on the message. */
  readonly contains?: string | undefined;
  /** Opaque cursor from a previous page. */
  readonly afterId?: number | undefined;
  /** Only events before this cursor (an event's id): reading backwards. */
  readonly beforeId?: number | undefined;
  /**
   * The last `limit` matching events rather than the first (still oldest first in the answer):
   * GetLogEvents without startFromHead, and backward pages. `lastId` is then undefined.
   */
  readonly fromEnd?: boolean | undefined;
  readonly limit: number;
}

export interface LogGroupInfo {
  readonly name: string;
  readonly creationTime: number;
  /** Events older than this many days are deleted; undefined: never expire. */
  readonly retentionInDays: number | undefined;
  /** UTF-8 bytes of the messages plus 26 per event (CloudWatch's own count), kept as a running total. */
  readonly storedBytes: number;
}

/** What every log store enforces on its own: the defaults for groups it creates and the byte cap per group. */
export interface LogStorePolicy {
  /** Retention given to groups created by a write (a function's first log line); undefined: never expire. */
  readonly defaultRetentionDays: number | undefined;
  /** Stored bytes a group may hold; past it the oldest events are evicted first. */
  readonly groupMaxBytes: number;
}

export interface LogStore {
  /**
   * Appends (write-behind: committed within milliseconds, off the caller's path). Creates the group
   * (with the default retention) and the stream when missing, and evicts the group's oldest events
   * when it grows past the cap.
   */
  append(group: string, stream: string, events: readonly LogEvent[]): Promise<void>;
  query(query: LogQuery): Promise<{ events: StoredLogEvent[]; lastId: number | undefined }>;
  /**
   * The group, or undefined when none exists (counting groups a queued append creates). Its
   * `storedBytes` may leave out appends still queued for the next write-behind tick.
   */
  group(name: string): Promise<LogGroupInfo | undefined>;
  groups(prefix: string | undefined): Promise<LogGroupInfo[]>;
  /** Creates an empty group without retention (as CreateLogGroup does), with `tags` if given; false when it exists. */
  createGroup(name: string, now: number, tags?: Readonly<Record<string, string>>): Promise<boolean>;
  /** A group's tags (`{}` when it has none, as a group an append created); undefined when there is no such group. */
  groupTags(group: string): Promise<Readonly<Record<string, string>> | undefined>;
  /** Replaces a group's tags (all of them); false when there is no such group. They go with the group on deleteGroup. */
  setGroupTags(group: string, tags: Readonly<Record<string, string>>): Promise<boolean>;
  /** Creates an empty stream in an existing group; false when it exists. */
  createStream(group: string, stream: string, now: number): Promise<boolean>;
  hasStream(group: string, stream: string): Promise<boolean>;
  /** Sets (or, with undefined, removes) a group's retention; false when there is no such group. */
  setRetention(group: string, days: number | undefined): Promise<boolean>;
  /**
   * Deletes at most `limit` events that are past their group's retention at `now`, oldest groups'
   * first; returns how many. Call again while it returns `limit` (batches keep each transaction short).
   */
  deleteExpired(now: number, limit: number): Promise<number>;
  /** A group's streams, by default the most recently written first; `order` as DescribeLogStreams asks. */
  streams(group: string, prefix: string | undefined, limit: number, order?: LogStreamOrder): Promise<LogStreamInfo[]>;
  deleteGroup(group: string): Promise<void>;
  /** Deletes a stream with its events, taking its bytes off the group's total; false when there was no such stream. */
  deleteStream(group: string, stream: string): Promise<boolean>;
}

export interface InvocationStore {
  add(record: InvocationRecord): Promise<void>;
  recent(functionName: string, limit: number): Promise<InvocationRecord[]>;
  get(requestId: string): Promise<InvocationRecord | undefined>;
  /** A function's records started in [fromMs, toMs), oldest first, at most `limit`. */
  between(functionName: string, fromMs: number, toMs: number, limit: number): Promise<InvocationRecord[]>;
  /** Per function: invocations (throttles excluded) and errors started since `fromMs`. */
  countsSince(fromMs: number): Promise<InvocationCounts[]>;
  /** Deletes at most `limit` records started before `beforeMs`; returns how many (call again while it returns `limit`). */
  deleteStartedBefore(beforeMs: number, limit: number): Promise<number>;
}

export interface InvocationCounts {
  readonly functionName: string;
  readonly invocations: number;
  readonly errors: number;
}

/** A test event saved in the console, per function. */
export interface SavedTestEvent {
  readonly name: string;
  /** The event's JSON text. */
  readonly event: string;
  readonly updatedAt: number;
}

/** The console's saved test events. Writes commit before they return. */
export interface TestEventStore {
  list(functionName: string): Promise<SavedTestEvent[]>;
  put(functionName: string, event: SavedTestEvent): Promise<void>;
  /** False when there was no such event. */
  delete(functionName: string, name: string): Promise<boolean>;
}

/** Everything the server needs from a backend, with one lifecycle. */
/** One metric a metric filter yields (CloudWatch Logs' MetricTransformation). */
export interface MetricTransformation {
  readonly metricName: string;
  readonly metricNamespace: string;
  /** "1", another number, `$.path` (JSON patterns) or `$field` (space-delimited patterns). */
  readonly metricValue: string;
  readonly defaultValue?: number;
  /** Dimension name → `$field` / `$.path` it is read from. */
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly unit?: string;
}

export interface MetricFilter {
  readonly logGroupName: string;
  readonly filterName: string;
  readonly filterPattern: string;
  readonly metricTransformations: readonly MetricTransformation[];
  readonly creationTime: number;
}

export interface MetricFilterQuery {
  readonly logGroupName?: string | undefined;
  readonly filterNamePrefix?: string | undefined;
  readonly metricName?: string | undefined;
  readonly metricNamespace?: string | undefined;
}

/** CloudWatch Logs' metric filters, per log group and name. Writes commit before they return. */
export interface MetricFilterStore {
  /** Creates or replaces the group's filter of that name. */
  put(filter: MetricFilter): Promise<void>;
  /** Filters matching every given criterion, ordered by group then name. */
  list(query: MetricFilterQuery): Promise<MetricFilter[]>;
  /** False when there was none. */
  delete(logGroupName: string, filterName: string): Promise<boolean>;
  /** Removes every filter of a group (the group is being deleted). */
  deleteGroup(logGroupName: string): Promise<void>;
}

/**
 * One data point of a metric: what a metric filter yields per matching log event. The CloudWatch
 * service (issue 19's metrics half) reads these; a metric is namespace + name + the exact dimension set.
 */
export interface MetricDatum {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; {} for none. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Milliseconds since the epoch: the log event's timestamp. */
  readonly timestamp: number;
  /** The value; for a statistic set, its average (Sum / SampleCount). */
  readonly value: number;
  readonly unit?: string | undefined;
  /**
   * Present when the point stands for several samples (PutMetricData's StatisticValues, or one of its
   * Values with a Count above 1, or an in-memory minute of Lambda's own metrics): what they add up to.
   */
  readonly statistics?: MetricStatisticSet | undefined;
}

export interface MetricStatisticSet {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
}

/** A metric: namespace, name and its exact dimension set (what ListMetrics lists). */
export interface MetricIdentity {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The metric data points Unkai holds; deliberately minimal (append and read back one metric's points by time). */
export interface MetricDataStore {
  add(points: readonly MetricDatum[]): Promise<void>;
  /** The points of one metric name in a namespace (every dimension set) with fromMs <= timestamp < toMs, oldest first. */
  query(namespace: string, metricName: string, fromMs: number, toMs: number): Promise<MetricDatum[]>;
  /**
   * Up to `limit` distinct metrics with a point at or after `sinceMs`, optionally of one namespace and
   * name, ordered by namespace, name and dimensions (as stored JSON), strictly after `after` when given.
   */
  metrics(filter: { readonly namespace?: string | undefined; readonly metricName?: string | undefined }, sinceMs: number, limit: number, after?: MetricIdentity): Promise<MetricIdentity[]>;
  /** Deletes every point older than `beforeMs` (CloudWatch's retention); resolves to how many. */
  prune(beforeMs: number): Promise<number>;
}

/** A CloudWatch alarm: its name and its whole definition and state as the service's JSON. */
export interface AlarmDocument {
  readonly name: string;
  readonly document: string;
}

/** One entry of an alarm's history (a state change, a configuration update, an action). */
export interface AlarmHistoryEntry {
  readonly alarmName: string;
  /** Epoch milliseconds. */
  readonly timestamp: number;
  /** `StateUpdate`, `ConfigurationUpdate` or `Action`. */
  readonly type: string;
  /** The entry as the service's JSON. */
  readonly document: string;
}

/** A history entry as read back: `id` orders entries of the same millisecond (insertion order). */
export interface StoredAlarmHistoryEntry extends AlarmHistoryEntry {
  readonly id: number;
}

/** Which history entries to read; `after` continues a page from the last entry it gave, in the same order. */
export interface AlarmHistoryQuery {
  readonly alarmName?: string | undefined;
  readonly type?: string | undefined;
  readonly fromMs: number;
  readonly toMs: number;
  /** Oldest first (default: newest first). */
  readonly ascending?: boolean | undefined;
  readonly after?: { readonly timestamp: number; readonly id: number } | undefined;
}

/** A node's hold on one stream shard of one event source mapping, and the shard's saved position. */
export interface ShardLease {
  readonly owner: string;
  readonly leaseUntil: number;
  /** Fencing counter: every change of owner gets a higher one; a renewal keeps it. */
  readonly token: number;
  /** The position of the last record done with, once one was saved. */
  readonly position: number | undefined;
}

/**
 * Who polls each (mapping, shard) of an ordered stream, so one node at a time delivers its records,
 * and where that node got to. Keys are `<mapping uuid>/<shard id>`.
 */
export interface ShardLeaseStore {
  /**
   * Takes or renews `key` for `owner` until `leaseUntil` and returns the lease when `owner` holds it
   * now: it was free, `owner`'s, had ended by `now`, or (shared store) its owner's node stopped its
   * heartbeat (ClusterStore). A backend with one node (SQLite) has one poller: it always hands the
   * lease over. Undefined while another live owner holds it; two owners never both hold it.
   */
  claim(key: string, owner: string, now: number, leaseUntil: number): Promise<ShardLease | undefined>;
  /** Saves the position while lease `token` still holds `key`: false, and nothing changes, once another owner took it. */
  savePosition(key: string, token: number, position: number): Promise<boolean>;
  /** Forgets every lease of keys starting with `prefix` (a deleted mapping's shards). */
  removePrefix(prefix: string): Promise<void>;
}

/** CloudWatch alarms, their history, and the lease that lets one node at a time evaluate them. Writes commit before they return. */
export interface AlarmStore {
  put(alarm: AlarmDocument): Promise<void>;
  get(name: string): Promise<AlarmDocument | undefined>;
  /** Every alarm, ordered by name. */
  list(): Promise<AlarmDocument[]>;
  /** False when there was none; the alarm's history stays (as in CloudWatch). */
  delete(name: string): Promise<boolean>;
  addHistory(entry: AlarmHistoryEntry): Promise<void>;
  /** Newest first (oldest first when `ascending`), up to `limit`, with fromMs <= timestamp < toMs, of one alarm and one type when given. */
  history(query: AlarmHistoryQuery, limit: number): Promise<StoredAlarmHistoryEntry[]>;
  /**
   * Takes or renews the evaluator lease for `owner` until `leaseUntil`: true when `owner` holds it
   * now (it was free, had ended by `now`, or was already `owner`'s). Two owners never both hold it.
   */
  claimEvaluator(owner: string, now: number, leaseUntil: number): Promise<boolean>;
}

/** A CloudWatch dashboard: its body exactly as PutDashboard was given it, when that was, and its tags. */
export interface DashboardRecord {
  readonly name: string;
  readonly body: string;
  readonly lastModified: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface Store {
  readonly functions: FunctionStore;
  readonly logs: LogStore;
  readonly invocations: InvocationStore;
  readonly asyncQueue: AsyncQueueStore;
  readonly eventInvokeConfigs: EventInvokeConfigStore;
  readonly versions: VersionStore;
  readonly aliases: AliasStore;
  readonly layers: LayerStore;
  readonly accessKeys: AccessKeyStore;
  readonly testEvents: TestEventStore;
  readonly httpApis: DocumentStore<HttpApi>;
  readonly restApis: DocumentStore<RestApi>;
  /** REST APIs' API keys by id, the key id of each key value by `apiKeyValueId(value)`, and usage plans by id (src/core/api-keys.ts). */
  readonly apiKeys: DocumentStore<ApiKeyRecord>;
  readonly apiKeyValues: DocumentStore<ApiKeyValueRecord>;
  readonly usagePlans: DocumentStore<UsagePlanRecord>;
  readonly functionUrls: FunctionUrlStore;
  readonly objects: ObjectStore;
  /** S3 bucket policies, CORS rules and bucket tags, by `bucketSettingId(bucket, kind)` (src/core/s3-bucket-settings.ts). */
  readonly bucketSettings: DocumentStore<BucketSetting>;
  readonly queues: QueueStore;
  readonly messages: MessageStore;
  /** Lambda's event source mappings, by UUID. */
  readonly eventSourceMappings: DocumentStore<EventSourceMapping>;
  /**
   * The unit of work: writes that span ports, committed together in one durable transaction or not
   * at all (an object row and the notification events announcing it). Group-committed where the
   * backend batches commits.
   */
  commit(unit: WriteUnit): Promise<WriteUnitResult>;
  readonly scheduleTimers: ScheduleTimerStore;
  readonly shardLeases: ShardLeaseStore;
  /** DynamoDB Streams' shard rollovers. */
  readonly streamShards: StreamShardStore;
  /** Kinesis Data Streams: the streams by ARN, and their records. */
  readonly kinesisStreams: DocumentStore<KinesisStreamRecord>;
  readonly kinesisRecords: KinesisRecordStore;
  /** EventBridge: custom event buses (the default bus is implicit) and rules by `<bus>/<name>`. */
  readonly eventBuses: DocumentStore<EventBusRecord>;
  readonly eventRules: DocumentStore<RuleRecord>;
  /** EventBridge deliveries to message targets that failed and wait for their next attempt, by delivery id. */
  readonly eventDeliveries: DocumentStore<PendingDelivery>;
  /** EventBridge API destinations: connections (with their secrets) and API destinations, by name. */
  readonly eventConnections: DocumentStore<ConnectionRecord>;
  readonly eventApiDestinations: DocumentStore<ApiDestinationRecord>;
  /** EventBridge archives and replays by name; the archived events in their own table. */
  readonly eventArchives: DocumentStore<ArchiveRecord>;
  readonly eventReplays: DocumentStore<ReplayRecord>;
  readonly archivedEvents: ArchivedEventStore;
  /** EventBridge Scheduler: schedule groups by name (`default` is implicit), schedules by `<group>/<name>`, failed deliveries by id. */
  readonly schedulerGroups: DocumentStore<ScheduleGroupRecord>;
  readonly schedulerSchedules: DocumentStore<ScheduleRecord>;
  readonly schedulerDeliveries: DocumentStore<PendingDelivery>;
  /**
   * S3 notifications to queues, topics and the default event bus that wait for delivery, by id: written by
   * `commit` with the change they announce (WriteUnit.deliveries), deleted once delivered.
   */
  readonly s3Deliveries: DocumentStore<PendingDelivery>;
  /** SQS message move tasks by task handle. */
  readonly sqsMoveTasks: DocumentStore<SqsMoveTaskRecord>;
  /** DynamoDB exports to S3 and imports from S3, by ARN. */
  readonly dynamodbExports: DocumentStore<DynamoTransferRecord>;
  readonly dynamodbImports: DocumentStore<DynamoTransferRecord>;
  /** SNS topics by ARN and subscriptions by subscription ARN. */
  readonly snsTopics: DocumentStore<SnsTopicRecord>;
  readonly snsSubscriptions: DocumentStore<SnsSubscriptionRecord>;
  /** SNS http/https deliveries waiting for a retry, by delivery id (their due times are schedule timers `sns-http:<id>`). */
  readonly snsHttpDeliveries: DocumentStore<SnsPendingHttpDelivery>;
  readonly snsDeduplication: SnsDeduplicationStore;
  readonly dynamodb: DynamoDbStore;
  /** DynamoDB's on-demand backups by backup ARN (their items are a blob each: DynamoBackupRecord.blob). */
  readonly dynamodbBackups: DocumentStore<DynamoBackupRecord>;
  readonly metricFilters: MetricFilterStore;
  /** CloudWatch Logs' subscription filters, one document per log group (by its name). */
  readonly logSubscriptions: DocumentStore<LogGroupSubscriptions>;
  readonly metricData: MetricDataStore;
  readonly alarms: AlarmStore;
  /** CloudWatch dashboards by name (dashboards are global: one set per account, whatever the Region). */
  readonly cloudwatchDashboards: DocumentStore<DashboardRecord>;
  readonly iam: IamStore;
  readonly stsSessions: StsSessionStore;
  /** IAM instance profiles by lower-cased name (IAM names are unique ignoring case). */
  readonly iamInstanceProfiles: DocumentStore<InstanceProfileRecord>;
  /** The nodes sharing this store: only a shared backend (PostgreSQL) has it; SQLite has one node. */
  readonly cluster?: ClusterStore;
  /** Finishes buffered writes and releases the backend; later calls do nothing. */
  close(): Promise<void>;
}

export interface QueueStats {
  readonly functionName: string;
  readonly queued: number;
  readonly oldestEnqueuedAt: number | undefined;
  readonly failed: number;
}

/** The durable queue of asynchronous events. Every write commits (fsynced) before it returns. */
export interface AsyncQueueStore {
  /** Stores events in one transaction. */
  enqueue(events: readonly { id: string; functionName: string; qualifier: string; payload: Buffer; enqueuedAt: number }[]): Promise<void>;
  /**
   * Frees and revokes (the tokens move on) every lease no live node holds. A backend with one node
   * (SQLite) frees them all: at its start nobody runs them. A shared backend frees only leases of
   * nodes whose heartbeat stopped (ClusterStore): a live node's running events are left to it.
   */
  clearLeases(): Promise<number>;
  /** Up to `limit` events that are due and not leased at `now` (a lease that ended by `now` is over), oldest first; changes nothing. */
  ready(now: number, limit: number): Promise<{ id: string; functionName: string; qualifier: string; enqueuedAt: number }[]>;
  /**
   * Leases those of the given events that are queued and not leased at `now` until `leaseUntil`,
   * counting an attempt on each, and returns them with a new lease token (a fencing counter: every
   * lease of an event gets a higher one). An id leased to another claimer (whose lease has not
   * ended), failed, done or unknown is left out: two claimers of the same ids never both get one.
   * A shared backend claims the batch without waiting on rows another claimer is taking (SKIP LOCKED).
   */
  lease(ids: readonly string[], now: number, leaseUntil: number): Promise<AsyncEvent[]>;
  // complete, retry and fail act for the holder of lease `leaseToken` only, and only while it holds
  // it (a lease that ended is held until someone else takes the event): false, and nothing changes,
  // when the event was leased again since, its lease was cleared, or it was already acknowledged.
  // A node whose lease expired cannot undo the work of the node that took the event over.
  /** Removes an event that is done (succeeded, or delivered to its failure destination); false when `leaseToken` no longer holds it. */
  complete(id: string, leaseToken: number): Promise<boolean>;
  /** Puts a leased event back (a throttled try does not count as an attempt); false when `leaseToken` no longer holds it. */
  retry(id: string, leaseToken: number, availableAt: number, throttled: boolean): Promise<boolean>;
  /** Keeps an event that ended without success, with why; false when `leaseToken` no longer holds it. */
  fail(id: string, leaseToken: number, failure: FailedEventDetail): Promise<boolean>;
  failed(functionName: string, limit: number): Promise<AsyncEvent[]>;
  /** Queues failed events again (all of the function's, or the given ids) as new; returns how many. */
  redrive(functionName: string, ids: readonly string[] | undefined, now: number): Promise<number>;
  stats(): Promise<QueueStats[]>;
  /** When the earliest queued event becomes available (a leased one: when its lease ends), if any is queued. */
  nextAvailableAt(): Promise<number | undefined>;
}

export interface EventInvokeConfigStore {
  get(functionName: string, qualifier: string): Promise<EventInvokeConfig | undefined>;
  put(config: EventInvokeConfig): Promise<void>;
  delete(functionName: string, qualifier: string): Promise<boolean>;
  list(functionName: string): Promise<EventInvokeConfig[]>;
}

/** Published versions: immutable snapshots of a function's code and configuration. */
export interface VersionStore {
  put(record: FunctionRecord): Promise<void>;
  get(functionName: string, version: string): Promise<FunctionRecord | undefined>;
  /** Versions after `afterVersion`, oldest first. */
  list(functionName: string, afterVersion: number, limit: number): Promise<FunctionRecord[]>;
  latest(functionName: string): Promise<FunctionRecord | undefined>;
  /** Removes the version and that version's event invoke config in one transaction; false when there was no such version. */
  delete(functionName: string, version: string): Promise<boolean>;
}

export interface AliasStore {
  get(functionName: string, name: string): Promise<AliasRecord | undefined>;
  /** Inserts; false when the alias exists. */
  create(alias: AliasRecord): Promise<boolean>;
  /** Replaces when the stored revision is `expectedRevision`. */
  update(alias: AliasRecord, expectedRevision: string): Promise<boolean>;
  list(functionName: string): Promise<AliasRecord[]>;
  /** Removes the alias and its Function URL config in one transaction; false when there was no such alias. */
  delete(functionName: string, name: string): Promise<boolean>;
}

export interface LayerStore {
  /** Stores the next version of `layerName` (numbers are never reused) and returns it. */
  publish(record: Omit<LayerVersionRecord, "version">): Promise<LayerVersionRecord>;
  get(layerName: string, version: number): Promise<LayerVersionRecord | undefined>;
  /** Versions newest first, before `beforeVersion` when given. */
  versions(layerName: string, beforeVersion: number | undefined, limit: number): Promise<LayerVersionRecord[]>;
  /** Each layer's newest version, by name. */
  latest(afterName: string | undefined, limit: number): Promise<LayerVersionRecord[]>;
  delete(layerName: string, version: number): Promise<boolean>;
  /**
   * Replaces a version's record with `change(current)`, atomically (no other update between the read
   * and the write); undefined when there is no such version. An error thrown by `change` leaves the
   * record as it was and reaches the caller.
   */
  update(layerName: string, version: number, change: (current: LayerVersionRecord) => LayerVersionRecord): Promise<LayerVersionRecord | undefined>;
}

/** An access key Unkai accepts SigV4 signatures from (`unkai keys`). */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly name: string;
  readonly createdAt: number;
  /** The IAM user the key belongs to (IAM CreateAccessKey); absent for the account root's keys (`unkai keys`). */
  readonly userName?: string | undefined;
  /** IAM UpdateAccessKey; absent means Active. An Inactive key signs nothing. */
  readonly status?: "Active" | "Inactive" | undefined;
  /** When and where the key last signed a request (recorded at most once a minute per key). */
  readonly lastUsed?: AccessKeyUse | undefined;
}

export interface AccessKeyUse {
  readonly atMs: number;
  readonly service: string;
  readonly region: string;
}

export interface AccessKeyStore {
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  list(): Promise<AccessKeyRecord[]>;
  /** How many root keys there are (keys without `userName`): an IAM user's key does not retire the loopback default. */
  count(): Promise<number>;
  add(record: AccessKeyRecord): Promise<void>;
  /** False when no such key existed. */
  remove(accessKeyId: string): Promise<boolean>;
  /** False when no such key existed. */
  setStatus(accessKeyId: string, status: "Active" | "Inactive"): Promise<boolean>;
  recordUse(accessKeyId: string, use: AccessKeyUse): Promise<void>;
}

/** Whole documents by id (the API definitions: HTTP and REST APIs). Reads are served from memory (S3's deliveries: from the table, which `commit` writes too); writes commit before returning. */
export interface DocumentStore<T> {
  get(id: string): Promise<T | undefined>;
  put(id: string, document: T): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Every document, ordered by id. */
  list(): Promise<T[]>;
}

/**
 * FIFO topics' deduplication ids over their window, shared by every node, and the topics' message
 * sequence numbers. Every write commits before it returns.
 */
export interface SnsDeduplicationStore {
  /**
   * Records `deduplicationId` of the topic for `messageId` until `expiresAt` with the topic's next
   * sequence number; or, while a record of it is live at `now`, returns that one (`fresh` false).
   * Two claimers of one id never both hear `fresh`.
   */
  claim(topicArn: string, deduplicationId: string, messageId: string, now: number, expiresAt: number): Promise<SnsDeduplication>;
  /** Forgets the record of `messageId` (its publish failed, so a retry must not be taken for a duplicate). */
  release(topicArn: string, deduplicationId: string, messageId: string): Promise<void>;
  /** Forgets every record whose window ended by `now`; how many. */
  deleteExpired(now: number): Promise<number>;
}

/**
 * STS AssumeRole sessions' credentials until they expire, shared by every node and kept across restarts.
 * `principal` is the session's identity as a JSON document (src/auth/unkai-credentials.ts reads it).
 */
export interface StsSessionRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly principal: string;
  readonly expiresAt: number;
}

/** STS sessions by access key id; every write commits before it returns. */
export interface StsSessionStore {
  put(session: StsSessionRecord): Promise<void>;
  /** The session of `accessKeyId` while it is live at `now` (an expired one is as good as gone). */
  get(accessKeyId: string, now: number): Promise<StsSessionRecord | undefined>;
  /** Deletes up to `limit` sessions expired at `now`; how many went. */
  deleteExpired(now: number, limit: number): Promise<number>;
}

/** IAM users, roles and customer managed policies; every write commits before it returns. */
export interface IamStore {
  /** The entity of that kind whose name equals `name` ignoring case. */
  get(kind: IamEntityKind, name: string): Promise<IamEntity | undefined>;
  /** Inserts; false when one of that kind has the name (ignoring case). */
  create(entity: IamEntity): Promise<boolean>;
  /** Removes the entity with its inline policies and attachments; false when there was none. */
  delete(kind: IamEntityKind, name: string): Promise<boolean>;
  /** Every entity of the kind, ordered by name. */
  list(kind: IamEntityKind): Promise<IamEntity[]>;
  /** Inserts or replaces a user's or role's inline policy. */
  putInlinePolicy(kind: IamPrincipalKind, principal: string, policy: InlinePolicy): Promise<void>;
  /** A principal's inline policies, ordered by name. */
  inlinePolicies(kind: IamPrincipalKind, principal: string): Promise<InlinePolicy[]>;
  deleteInlinePolicy(kind: IamPrincipalKind, principal: string, policyName: string): Promise<boolean>;
  /** Attaches a managed policy (idempotent). */
  attach(kind: IamPrincipalKind, principal: string, policyArn: string): Promise<void>;
  detach(kind: IamPrincipalKind, principal: string, policyArn: string): Promise<boolean>;
  /** The ARNs attached to a principal, in the order they were attached. */
  attached(kind: IamPrincipalKind, principal: string): Promise<string[]>;
  /** How many principals a managed policy is attached to (DeletePolicy refuses while any). */
  attachmentCount(policyArn: string): Promise<number>;
  /** The users, groups and roles a managed policy is attached to, ordered by kind, then name (ListEntitiesForPolicy). */
  attachedTo(policyArn: string): Promise<IamEntity[]>;
  /** The users and roles whose permissions boundary is the policy, ordered by kind, then name (DeletePolicy refuses while any). */
  boundedBy(policyArn: string): Promise<IamEntity[]>;
  /** Adds a user to a group (both by name, ignoring case); false when it was a member already. */
  addMember(group: string, user: string): Promise<boolean>;
  removeMember(group: string, user: string): Promise<boolean>;
  /** The names of a group's users, ordered by name. */
  members(group: string): Promise<string[]>;
  /** The names of the groups a user is in, ordered by name. */
  groupsOf(user: string): Promise<string[]>;
  /** A customer managed policy's versions, oldest first (`create` stores `v1` from the entity's document). */
  policyVersions(policy: string): Promise<PolicyVersion[]>;
  /** Adds the next version (`v<highest + 1>`), optionally as the default; its id. */
  addPolicyVersion(policy: string, document: string, createdAt: number, makeDefault: boolean): Promise<string>;
  /** Makes a version the default (the entity's `document`); false when the policy has no such version. */
  setDefaultPolicyVersion(policy: string, versionId: string): Promise<boolean>;
  deletePolicyVersion(policy: string, versionId: string): Promise<boolean>;
  /** Replaces a user's, role's or customer managed policy's tags (all of them); false when there is no such entity. */
  setTags(kind: IamEntityKind, name: string, tags: Readonly<Record<string, string>>): Promise<boolean>;
  /** Sets (an ARN) or removes (undefined) a user's or role's permissions boundary; false when there is no such entity. */
  setPermissionsBoundary(kind: IamPrincipalKind, name: string, policyArn: string | undefined): Promise<boolean>;
  /** Replaces a role's trust policy, description and session limit (undefined keeps the stored value). */
  updateRole(name: string, change: { readonly document?: string | undefined; readonly description?: string | undefined; readonly maxSessionDurationSeconds?: number | undefined }): Promise<boolean>;
}

export interface FunctionUrlStore {
  get(functionName: string, qualifier: string): Promise<FunctionUrlConfig | undefined>;
  byUrlId(urlId: string): Promise<FunctionUrlConfig | undefined>;
  /** Inserts or replaces the config of (functionName, qualifier). */
  put(config: FunctionUrlConfig): Promise<void>;
  delete(functionName: string, qualifier: string): Promise<boolean>;
  list(functionName: string): Promise<FunctionUrlConfig[]>;
}

/**
 * Writes that commit together (`Store.commit`). They run in this order: the check, object rows stored,
 * object rows removed, versions removed, multipart uploads ended (with their parts), then the events
 * `events` builds from what the writes before it did, then the deliveries `deliveries` builds.
 */
export interface WriteUnit {
  /**
   * Each becomes its key's current version. The version it follows is kept as a noncurrent version when
   * the new one has a `versionId`; a new `null` version replaces the key's null version, current or not,
   * as S3 does. A record with the current row's `sequence` rewrites that row in place (new tags).
   */
  readonly putObjects?: readonly ObjectRecord[];
  /** Keys whose current row goes (a bucket that never had versioning: the key's only version). */
  readonly deleteObjects?: { readonly bucket: string; readonly keys: readonly string[] };
  /**
   * Versions removed for good, by id (undefined: the `null` version); removing the current version makes
   * the newest noncurrent one current (a removed delete marker "undeletes").
   */
  readonly deleteVersions?: { readonly bucket: string; readonly versions: readonly { readonly key: string; readonly versionId: string | undefined }[] };
  readonly endUploads?: readonly string[];
  /**
   * A precondition (S3's If-Match, If-None-Match), given the rows `putObjects` would replace then
   * those `deleteObjects` would remove, in order, read inside the unit under a lock on each key:
   * two nodes' conditional writes to one key are checked one after the other. A throw aborts the unit.
   */
  readonly check?: (current: readonly (ObjectRecord | undefined)[]) => void;
  /** The async events announcing the change, built from what it replaced and removed; a throw aborts the unit. */
  readonly events?: (done: Omit<WriteUnitResult, "events" | "deliveries">) => readonly QueuedEventRow[];
  /** Messages for other services announcing the change (`s3Deliveries`), built after `events`; a throw aborts the unit. */
  readonly deliveries?: (done: Omit<WriteUnitResult, "events" | "deliveries">) => readonly PendingDelivery[];
}

export interface WriteUnitResult {
  /** Per entry of `putObjects`, in order: the row it replaced. */
  readonly replaced: readonly (ObjectRecord | undefined)[];
  /** The rows `deleteObjects` then `deleteVersions` removed, in the order named (missing ones left out). */
  readonly removed: readonly ObjectRecord[];
  /** Every row gone for good (removed, or a null version replaced): the bodies the caller may now delete. */
  readonly discarded: readonly ObjectRecord[];
  /** The events queued. */
  readonly events: readonly QueuedEventRow[];
  /** The deliveries stored. */
  readonly deliveries: readonly PendingDelivery[];
}

/** An event row written in the same transaction as the change it announces (S3 notifications). */
export interface QueuedEventRow {
  readonly id: string;
  readonly functionName: string;
  readonly qualifier: string;
  readonly payload: Buffer;
  readonly enqueuedAt: number;
}

export interface BucketRecord {
  readonly name: string;
  readonly createdAt: number;
  /** The bucket's notification configuration as JSON, when it has one. */
  readonly notification: string | undefined;
  /** The bucket's versioning state; absent while versioning was never enabled. */
  readonly versioning?: BucketVersioning;
}

export type BucketVersioning = "Enabled" | "Suspended";

export interface ObjectRecord {
  readonly bucket: string;
  readonly key: string;
  /** The id of the body file in the object file store. */
  readonly blob: string;
  readonly size: number;
  /** Unquoted: an MD5 hex, or `<hex>-<parts>` for multipart uploads. */
  readonly etag: string;
  readonly lastModified: number;
  /** Stored response headers: content headers and `x-amz-meta-*`, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** For an object a multipart upload completed: that upload's id (a repeated Complete is answered again) ... */
  readonly uploadId?: string;
  /** ... and the sizes of its parts in order (GET/HEAD `?partNumber=` reads one of them). */
  readonly partSizes?: readonly number[];
  /** ... and, when every part had one, the parts' checksums in the same order (base64, the object checksum's algorithm). */
  readonly partChecksums?: readonly string[];
  /** Object tags (PutObjectTagging, `x-amz-tagging`); absent when it has none. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The version's id; absent for the `null` version (written while the bucket's versioning was off or suspended). */
  readonly versionId?: string;
  /** Orders a key's versions, a later write sorting higher; absent ('') on rows from before versioning. */
  readonly sequence?: string;
  /** A delete marker: a version without a body (blob ''); GET of the key answers 404 while it is current. */
  readonly deleteMarker?: boolean;
}

/** A version as ListObjectVersions lists it: whether it is its key's current version. */
export interface ListedVersion {
  readonly record: ObjectRecord;
  readonly latest: boolean;
}

export interface UploadRecord {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: number;
  readonly headers: Readonly<Record<string, string>>;
}

export interface PartRecord {
  readonly uploadId: string;
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: number;
  /** The part's additional checksum (S3's `x-amz-checksum-<algorithm>`, lower-case name; base64 value). */
  readonly checksum?: { readonly algorithm: string; readonly value: string };
}

/** S3 metadata: buckets, object rows, multipart uploads. Object rows are written through `Store.commit`, with their events. */
export interface ObjectStore {
  /** Inserts; false when the bucket exists. */
  createBucket(name: string, createdAt: number): Promise<boolean>;
  bucket(name: string): Promise<BucketRecord | undefined>;
  buckets(): Promise<BucketRecord[]>;
  /** Deletes an empty bucket and its unfinished uploads (whose ids it returns for their part files). */
  deleteBucket(name: string): Promise<"missing" | "not-empty" | { uploads: string[] }>;
  setNotification(name: string, notification: string | undefined): Promise<void>;
  setVersioning(name: string, versioning: BucketVersioning): Promise<void>;
  /** The key's current version (a delete marker included). */
  object(bucket: string, key: string): Promise<ObjectRecord | undefined>;
  /** One version of the key, current or not, by id (undefined: the `null` version). */
  objectVersion(bucket: string, key: string, versionId: string | undefined): Promise<ObjectRecord | undefined>;
  /** Whether any object row, current or not, points at this body file (the start-up sweep of orphans asks). */
  referencesBlob(blob: string): Promise<boolean>;
  /** Current versions that are not delete markers, in key order: keys starting with `prefix`, after `after`. */
  listObjects(bucket: string, prefix: string, after: string, limit: number): Promise<ObjectRecord[]>;
  /**
   * Every version, keys in order and each key's versions newest first: keys starting with `prefix`, after
   * the version of `afterKey` whose sequence is `afterSequence` ('': after all of `afterKey`'s versions).
   */
  listVersions(bucket: string, prefix: string, afterKey: string, afterSequence: string, limit: number): Promise<ListedVersion[]>;
  createUpload(upload: UploadRecord): Promise<void>;
  upload(uploadId: string): Promise<UploadRecord | undefined>;
  /** Uploads in (key, initiated) order, after the `afterKey`/`afterUploadId` marker. */
  uploads(bucket: string, prefix: string, afterKey: string, afterUploadId: string, limit: number): Promise<UploadRecord[]>;
  putPart(part: PartRecord): Promise<void>;
  parts(uploadId: string, afterPart: number, limit: number): Promise<PartRecord[]>;
  deleteUpload(uploadId: string): Promise<boolean>;
}

/** An SQS queue. Attributes are kept as SQS names and spells them (name → string), defaults filled in. */
export interface QueueRecord {
  readonly name: string;
  readonly fifo: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly modifiedAt: number;
}

/** SQS queues by name. Writes commit before they return. */
export interface QueueStore {
  /** Inserts; false when a queue of that name exists (nothing changes then). */
  create(record: QueueRecord): Promise<boolean>;
  get(name: string): Promise<QueueRecord | undefined>;
  /** Queues whose names start with `prefix`, ordered by name, after `afterName`. */
  list(prefix: string, afterName: string | undefined, limit: number): Promise<QueueRecord[]>;
  /** Replaces the attributes; false when there is no such queue. */
  setAttributes(name: string, attributes: Readonly<Record<string, string>>, modifiedAt: number): Promise<boolean>;
  /** Replaces the tags; false when there is no such queue. */
  setTags(name: string, tags: Readonly<Record<string, string>>): Promise<boolean>;
  /** Removes the queue with its messages and remembered deduplication ids, in one transaction; false when there was none. */
  delete(name: string): Promise<boolean>;
}

/** A message to store. `meta` is the service's own JSON (attributes, digests, sender): the store never reads it. */
export interface NewQueueMessage {
  readonly id: string;
  readonly body: string;
  readonly meta: string;
  /** FIFO: the message group (receives never hand out a group while one of its messages is in flight). */
  readonly groupId?: string | undefined;
  /** FIFO: the deduplication key (scope and id); a send whose key was seen before its window ended stores nothing. */
  readonly dedupKey?: string | undefined;
  readonly sentAt: number;
  /** When it may first be received (later than `sentAt` for a delay). */
  readonly visibleAt: number;
}

export interface StoredQueueMessage {
  readonly queue: string;
  /** Position in the queue, increasing with every message the queue stores (never reused). */
  readonly seq: number;
  readonly id: string;
  readonly body: string;
  readonly meta: string;
  readonly groupId: string | undefined;
  readonly sentAt: number;
  readonly visibleAt: number;
  readonly receiveCount: number;
  readonly firstReceivedAt: number | undefined;
  /** The token of the latest receive; only that receive's handle may delete the message or change its visibility. */
  readonly receipt: string | undefined;
}

/** A send's outcome per message: stored, or a duplicate answered with the first message's id and position. */
export interface SentQueueMessage {
  readonly id: string;
  readonly seq: number;
  readonly duplicate: boolean;
}

export interface ReceiveRequest {
  readonly queue: string;
  readonly now: number;
  readonly limit: number;
  /** Received messages stay invisible until then. */
  readonly visibleUntil: number;
  /** This receive's token (each delivered message keeps it as its receipt). */
  readonly receipt: string;
  /** Messages sent at or before this are past the queue's retention and are never delivered. */
  readonly sentAfter: number;
  /** FIFO: skip every group that has a message in flight. */
  readonly fifo: boolean;
  /** The queue's redrive policy: a message already received `maxReceiveCount` times moves there instead of being delivered. */
  readonly deadLetter?: { readonly queue: string; readonly maxReceiveCount: number; readonly resetSentAt: boolean } | undefined;
}

export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** SQS messages. Sends commit fsynced before they return; the other writes commit before they return. */
export interface MessageStore {
  /**
   * Stores the messages in order after the queue's last one, in one transaction; a message whose
   * `dedupKey` the queue has seen with a window ending after `now` is not stored; new keys are
   * remembered until `dedupUntil`. Undefined when the queue does not exist.
   */
  send(queue: string, messages: readonly NewQueueMessage[], now: number, dedupUntil: number): Promise<SentQueueMessage[] | undefined>;
  /**
   * Up to `limit` visible messages in queue order, each counted as received, given the receipt and
   * hidden until `visibleUntil`; with a dead-letter queue, those received `maxReceiveCount` times
   * move there first (after its last message, visible at once). One transaction.
   */
  receive(request: ReceiveRequest): Promise<{ delivered: StoredQueueMessage[]; movedToDeadLetter: number }>;
  /** Deletes the message if `receipt` is its latest; false otherwise. */
  delete(queue: string, seq: number, receipt: string): Promise<boolean>;
  /**
   * Sets when an in-flight message becomes visible again, if `receipt` is its latest: "changed",
   * "not-in-flight" (visible or delayed at `now`) or "unknown" (no such message or an older receipt).
   */
  changeVisibility(queue: string, seq: number, receipt: string, visibleAt: number, now: number): Promise<"changed" | "not-in-flight" | "unknown">;
  /** Deletes every message of the queue (remembered deduplication ids stay); returns how many. */
  purge(queue: string): Promise<number>;
  /** Messages sent after `sentAfter`: visible, in flight (received, hidden) and delayed (never received, hidden) at `now`. */
  counts(queue: string, now: number, sentAfter: number): Promise<QueueCounts>;
  /**
   * When the oldest message of the queue that is not delayed (visible, or in flight) and was sent after
   * `sentAfter` was sent; undefined when there is none (AWS/SQS's ApproximateAgeOfOldestMessage).
   */
  oldestSentAt(queue: string, now: number, sentAfter: number): Promise<number | undefined>;
  /** The earliest time after `now` a hidden message of the queue (sent after `sentAfter`) becomes visible, if any. */
  nextVisibleAt(queue: string, now: number, sentAfter: number): Promise<number | undefined>;
  /** Messages of the queue in order, as they are, without receiving them (the console's peek). */
  peek(queue: string, afterSeq: number, limit: number): Promise<StoredQueueMessage[]>;
  /**
   * Deletes at most `limit` of the queue's messages sent at or before `sentBefore` and its
   * deduplication ids whose window ended by `now`; returns how many messages (call again while it returns `limit`).
   */
  deleteExpired(queue: string, sentBefore: number, now: number, limit: number): Promise<number>;
}

/** A schedule's next firing and who holds it (see ScheduleTimerStore). */
export interface ScheduleTimer {
  readonly id: string;
  /** Undefined once the schedule has nothing more to fire (a past `at()`, a passed EndDate). */
  readonly nextFireAt: number | undefined;
  readonly leaseOwner: string | undefined;
  readonly leaseUntil: number | undefined;
  /** Raised by every claim and every `set`: the fencing token a claimer's `advance` must still hold. */
  readonly leaseCounter: number;
}

/**
 * Due times of schedules (EventBridge scheduled rules, Scheduler schedules, alarm timers), kept
 * durably and claimed with expiring leases, so several nodes share them and each firing is committed
 * once. Every write commits before it returns.
 *
 * Several kinds of runner share the one table: each owns the timers whose id starts with its own
 * prefix (`events-rule:` for EventBridge rules), and `claimDue` and `nextDueAt` see only the timers of
 * the prefix they are given (compared literally and case-sensitively), so a runner never claims,
 * advances, clears or waits for another kind's timers.
 */
export interface ScheduleTimerStore {
  /** Sets a timer's next firing (inserting it), freeing any lease and raising its counter. */
  set(id: string, nextFireAt: number | undefined): Promise<void>;
  get(id: string): Promise<ScheduleTimer | undefined>;
  remove(id: string): Promise<boolean>;
  /**
   * Leases to `owner` until `leaseUntil` up to `limit` timers whose id starts with `prefix`, due at
   * `now` (next firing at or before it) and held by nobody (a lease that ended by `now` is over),
   * earliest first, raising each counter; returns them as leased. Two claimers never both get the
   * same timer; other prefixes' timers are left untouched.
   */
  claimDue(prefix: string, now: number, owner: string, leaseUntil: number, limit: number): Promise<ScheduleTimer[]>;
  /**
   * Moves a leased timer to its next firing and frees it, only while `leaseCounter` is still the
   * timer's counter: a claimer whose lease was taken over (or whose schedule was changed) changes
   * nothing and hears false.
   */
  advance(id: string, leaseCounter: number, nextFireAt: number | undefined): Promise<boolean>;
  /**
   * Frees (raising the counter, so a late `advance` is refused) every timer lease no live node
   * holds, as AsyncQueueStore.clearLeases: on one node (SQLite) all of them; on a shared store
   * those whose owner is not a node with a fresh heartbeat. How many were freed. Every prefix: it is
   * the node's recovery (a dead node's leases), not a runner's, and frees without firing anything.
   */
  clearLeases(): Promise<number>;
  /**
   * When the earliest timer whose id starts with `prefix` is due (a leased one: when its lease ends),
   * if any of them has a next firing.
   */
  nextDueAt(prefix: string): Promise<number | undefined>;
}

/** A DynamoDB table: its name and its definition (key schema, indexes, settings) as the service's JSON. */
export interface DynamoTableRecord {
  readonly name: string;
  readonly createdAt: number;
  readonly definition: string;
}

/** Where an item lives: keys encoded by the service so that unsigned byte order is DynamoDB's key order. */
export interface DynamoItemKey {
  readonly table: string;
  readonly partitionKey: Buffer;
  /** Empty for a table without a sort key. */
  readonly sortKey: Buffer;
}

export interface DynamoItemRow extends DynamoItemKey {
  /** The item as the service's JSON. */
  readonly item: string;
  /** The item's size as DynamoDB counts it. */
  readonly size: number;
}

/** One end of a sort key range, compared by unsigned bytes. */
export interface DynamoSortBound {
  readonly key: Buffer;
  readonly inclusive: boolean;
}

/** A Query's range within one partition; bounds and `after` compare sort keys by unsigned bytes. */
export interface DynamoKeyRange {
  readonly table: string;
  readonly partitionKey: Buffer;
  readonly lower?: DynamoSortBound | undefined;
  readonly upper?: DynamoSortBound | undefined;
  /** Ascending sort keys when true (ScanIndexForward), descending otherwise. */
  readonly forward: boolean;
  /** Resume past this sort key (ExclusiveStartKey), in the direction of travel. */
  readonly after?: Buffer | undefined;
  readonly limit: number;
}

/** A rollover of a DynamoDB stream's shard: the shard it opened, its first sequence number and when. */
export interface StreamShardStart {
  /** The opened shard's number in the stream: 2 for the first rollover (shard 1 opens with the stream). */
  readonly index: number;
  /** The first sequence number of the opened shard; its parent (index - 1) ends just before it. */
  readonly startingSequence: number;
  /** Epoch ms. */
  readonly openedAt: number;
}

/**
 * Where DynamoDB streams' shards rolled over. A rollover cuts the stream at its last committed
 * sequence number while no append can commit (appends take the stream's counter), so every record
 * belongs to exactly one shard and a reader that saw a record in the parent never sees it in the child.
 */
export interface StreamShardStore {
  /** The stream's rollovers in order (none while its first shard is open). */
  rollovers(stream: string): Promise<StreamShardStart[]>;
  /** Closes shard `index - 1` after the stream's last sequence number and opens `index`; false when shard `index` was opened already. */
  roll(stream: string, table: string, index: number, now: number): Promise<boolean>;
  /**
   * Forgets a stream that is gone (disabled longer ago than its records are kept): its rollovers, its
   * sequence counter and any record left. Forgetting one already forgotten (or never written) is a no-op.
   */
  forget(stream: string): Promise<void>;
}

/** A stream record to append in the same transaction as the item writes it describes. */
export interface DynamoStreamAppend {
  /** The stream's id (its ARN); sequence numbers increase per stream, in commit order. */
  readonly stream: string;
  /** The table the stream belongs to (its records go with it). */
  readonly table: string;
  readonly createdAt: number;
  /** The record as the service's JSON, without its sequence number (the store assigns it). */
  readonly record: string;
}

/** A stored stream record and the sequence number the store gave it. */
export interface DynamoStreamRecordRow {
  readonly sequence: number;
  readonly createdAt: number;
  readonly record: string;
}

/** An item's place in one of its table's secondary indexes: the index key's bytes, ordered as the item keys' are. */
export interface DynamoIndexEntry {
  readonly index: string;
  readonly partitionKey: Buffer;
  /** Empty for an index without a sort key. */
  readonly sortKey: Buffer;
}

/** A place in an index's order: the index key's bytes, then the item key's (which order items that tie on the index key). */
export interface DynamoIndexPlace {
  readonly partitionKey: Buffer;
  readonly sortKey: Buffer;
  readonly itemPartitionKey: Buffer;
  readonly itemSortKey: Buffer;
}

/**
 * A read of one secondary index: its entries' items, optionally within one index partition and a sort
 * key range, a page at a time (`after`, `limit`) in either direction.
 */
export interface DynamoIndexRange {
  readonly table: string;
  readonly index: string;
  /** One index partition (Query); undefined: the whole index (Scan). */
  readonly partitionKey?: Buffer | undefined;
  readonly lower?: DynamoSortBound | undefined;
  readonly upper?: DynamoSortBound | undefined;
  /** The index's order when true or absent; the reverse when false (ScanIndexForward). */
  readonly forward?: boolean | undefined;
  /** Resume past this place (ExclusiveStartKey, or the last entry of the page before), in the direction of travel. */
  readonly after?: DynamoIndexPlace | undefined;
  /** At most this many entries; every one in the range when absent. */
  readonly limit?: number | undefined;
}

/** An item read through an index entry, with the entry's index key (its place in the index: that key, then the item's). */
export interface DynamoIndexedItemRow extends DynamoItemRow {
  readonly indexPartitionKey: Buffer;
  readonly indexSortKey: Buffer;
}

/**
 * A write `transact` applies: put a row, delete the item at a key (and its index entries), or append a
 * stream record. A put with `indexes` replaces the item's index entries with them (an item missing an
 * index's key attributes has none there); without, its entries are left as they are (a table without indexes).
 */
export type DynamoItemWrite =
  | { readonly put: DynamoItemRow; readonly indexes?: readonly DynamoIndexEntry[] | undefined }
  | { readonly delete: DynamoItemKey }
  | { readonly append: DynamoStreamAppend };

/**
 * A transaction's ClientRequestToken, stored in the same store transaction as the writes it made: a
 * repeat is recognised after a restart and on every node sharing the store, and a crash never keeps
 * one without the other.
 */
export interface DynamoClientToken {
  readonly token: string;
  /** The request's digest: the same token with another digest is another request. */
  readonly digest: string;
  /** Epoch ms: a token stored with an `expiresAt` at or before `now` is forgotten. */
  readonly now: number;
  readonly expiresAt: number;
}

/**
 * A deleted table's stream, kept listed and readable (disabled) for 24 hours as on AWS: its records,
 * counter and shards outlive the table, and a table created again under the name does not touch them.
 */
export interface DynamoRetiredStream {
  /** The stream's id (its ARN). */
  readonly stream: string;
  /** The table as it was deleted (its streams disabled), for describing the stream. */
  readonly table: DynamoTableRecord;
  /** Epoch ms: when the table was deleted. */
  readonly retiredAt: number;
}

/**
 * A DynamoDB on-demand backup: the table's definition and counts as they were when its items were read,
 * and the blob holding those items. Stored only once the blob is whole, so a stored backup is complete.
 */
export interface DynamoBackupRecord {
  readonly arn: string;
  readonly name: string;
  /** The source table's name, ARN and createdAt (epoch ms) at the backup. */
  readonly tableName: string;
  readonly tableArn: string;
  readonly tableCreatedAt: number;
  /** The source table's definition (the service's JSON) at the backup. */
  readonly definition: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly itemCount: number;
  readonly sizeBytes: number;
  /** The blob store key of the items: one item's JSON a line. */
  readonly blob: string;
}

/** DynamoDB's tables and items. Item writes commit (fsynced) before they resolve. */
export interface DynamoDbStore {
  /**
   * Inserts; false when a table of that name exists. A new table starts empty: items and stream records
   * left under its name (a write on another node that raced DeleteTable) go in the same transaction.
   */
  createTable(record: DynamoTableRecord): Promise<boolean>;
  table(name: string): Promise<DynamoTableRecord | undefined>;
  /** Tables by name, after `afterName`. */
  tables(afterName: string | undefined, limit: number): Promise<DynamoTableRecord[]>;
  /**
   * Replaces the definition of the table `record` names (by name and createdAt) if it is still `expected`,
   * the text read before the change (a compare-and-swap); false when the table is gone, was created
   * again, or its definition changed meanwhile.
   */
  updateTable(record: DynamoTableRecord, expected: string): Promise<boolean>;
  /**
   * Removes the table, every item and every stream record of it, in one transaction; false when there
   * was no such table (and nothing is retired). The `retire`d streams' records are kept, with them.
   */
  deleteTable(name: string, retire?: readonly DynamoRetiredStream[]): Promise<boolean>;
  /** Every retired stream still kept (until `trimStreams` passes its retirement), by stream id. */
  retiredStreams(): Promise<DynamoRetiredStream[]>;
  /** The rows at `keys`, in the same order (undefined where there is none). */
  items(keys: readonly DynamoItemKey[]): Promise<(DynamoItemRow | undefined)[]>;
  /**
   * Reads the rows at `keys`, hands them (in order) to `decide`, and applies the writes it returns,
   * in one transaction: no other write to those items comes between the read and the writes.
   * When `decide` throws, nothing is written and the promise rejects with that error.
   */
  transact<T>(keys: readonly DynamoItemKey[], decide: (current: (DynamoItemRow | undefined)[]) => { writes: readonly DynamoItemWrite[]; result: T }): Promise<T>;
  /**
   * `transact` under a client token. When a live (unexpired) token of that name is stored, nothing is
   * read or written and the answer is the digest it was stored with (`repeatOf`); otherwise the
   * transaction runs as `transact` and, in the same transaction, stores the token. Requests under one
   * token are serialized: a second one waits for the first to commit or roll back. A transaction that
   * `decide` cancels stores no token.
   */
  transactOnce<T>(
    token: DynamoClientToken,
    keys: readonly DynamoItemKey[],
    decide: (current: (DynamoItemRow | undefined)[]) => { writes: readonly DynamoItemWrite[]; result: T },
  ): Promise<{ readonly result: T } | { readonly repeatOf: string }>;
  /** Deletes client tokens expired at `now`; returns how many went. */
  forgetTokens(now: number): Promise<number>;
  /** Rows of one partition within the range, in sort key order (or its reverse), at most `limit`. */
  query(range: DynamoKeyRange): Promise<DynamoItemRow[]>;
  /**
   * The items of an index's entries within `range`, in the index's order (or its reverse): index
   * partition key, index sort key, then the item's partition and sort keys, all by unsigned bytes, each
   * with its entry's index key. Each item is read as it is now (an entry whose item is gone is skipped).
   */
  indexItems(range: DynamoIndexRange): Promise<DynamoIndexedItemRow[]>;
  /** Deletes every entry of one index of a table (UpdateTable deleted the index). */
  dropIndex(table: string, index: string): Promise<void>;
  /** Rows of a table in (partition key, sort key) order, after `after` when given, at most `limit`. */
  scan(table: string, after: { readonly partitionKey: Buffer; readonly sortKey: Buffer } | undefined, limit: number): Promise<DynamoItemRow[]>;
  /** Item count and total item bytes (DescribeTable's ItemCount and TableSizeBytes). */
  stats(table: string): Promise<{ itemCount: number; sizeBytes: number }>;
  /**
   * Reads a table and all its items as of one moment (a snapshot: no write committed after the read began
   * is seen), `pageRows` rows at a time in (partition key, sort key) order, awaiting `page` before reading
   * the next, so a large table is never held whole. Returns the table's record as the snapshot saw it,
   * or undefined (and `page` is never called) when there is no such table. Writes go on meanwhile.
   */
  snapshot(table: string, pageRows: number, page: (rows: DynamoItemRow[]) => Promise<void>): Promise<DynamoTableRecord | undefined>;
  /** A stream's records with a sequence number above `afterSequence`, in order, at most `limit`. */
  streamRecords(stream: string, afterSequence: number, limit: number): Promise<DynamoStreamRecordRow[]>;
  /**
   * The last sequence number a stream gave (0 before its first record) and the lowest one still kept
   * (`latest + 1` when none is): records are numbered 1, 2, 3… and only trimming removes them, so the
   * kept ones are exactly `oldest..latest`.
   */
  streamBounds(stream: string): Promise<{ oldest: number; latest: number }>;
  /**
   * Deletes stream records created before `before` (epoch ms), and forgets the streams retired before
   * it with their counters, shard rollovers and any record left; returns how many records went.
   */
  trimStreams(before: number): Promise<number>;
}

/** One Unkai node of a cluster, as its heartbeat row says. */
export interface ClusterNodeRow {
  readonly id: string;
  /** The node's own API address (what it was started on; not the balancer's). */
  readonly address: string;
  readonly startedAt: number;
  readonly heartbeatAt: number;
  /** Async events and schedule timers it holds leases on now. */
  readonly leasesHeld: number;
}

/** A key pair Unkai signs its own URLs with. */
export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** The registry of nodes sharing a store, and the change log that keeps their caches true. */
export interface ClusterStore {
  /** This node's id: generated when the store opens, and the owner of every lease it takes. */
  readonly nodeId: string;
  /** A node whose heartbeat is older than this is dead: its leases are freed. */
  readonly deadAfterMs: number;
  /** Writes (or refreshes) this node's row. */
  heartbeat(address: string, startedAt: number, now: number): Promise<void>;
  /** Removes this node's row and its slots (a clean stop: it holds no leases any more). */
  leave(): Promise<void>;
  /**
   * Takes one of `limit` concurrency slots of `functionName` (a function with reserved concurrency,
   * or the account's unreserved pool) across the cluster (slots of dead nodes do not count): its id,
   * or undefined when all are taken. Serialized per name.
   */
  takeSlot(functionName: string, limit: number, now: number): Promise<string | undefined>;
  /** Gives a slot back. */
  releaseSlot(id: string): Promise<void>;
  /**
   * The cluster's key named `name`: the one stored, or `candidate` stored as it when there is none
   * yet (the first of racing nodes wins; every node gets the same key back).
   */
  signingKey(name: string, candidate: SigningKey, now: number): Promise<SigningKey>;
  /**
   * The cluster's secret named `name` that is not an access key pair (SNS's message-signing key and
   * certificate): the one stored, or else `candidate()`'s, stored as it (the first of racing nodes
   * wins; every node gets the same value back). `candidate` is called only when none is stored yet.
   */
  sharedSecret(name: string, candidate: () => Promise<string>, now: number): Promise<string>;
  /** Every node with a row, live or not, oldest first; rows of nodes dead for long are removed. */
  nodes(now: number): Promise<ClusterNodeRow[]>;
  /** The change log's newest position (where a starting node begins reading). */
  changePosition(): Promise<number>;
  /**
   * Functions changed (and versions deleted) after `position`, in commit order, and the new
   * position; `missed` when some were already pruned (the reader must drop everything it cached).
   */
  changesSince(position: number): Promise<{ position: number; missed: boolean; changes: { functionName: string; version: string | undefined }[] }>;
}

/** A Kinesis record to append: the shard it was routed to (by number), its partition key, data and arrival time (epoch ms). */
export interface KinesisRecordAppend {
  readonly shard: number;
  readonly partitionKey: string;
  readonly data: Uint8Array;
  readonly arrivedAt: number;
}

/** A stored Kinesis record and the sequence number the store gave it. */
export interface KinesisRecordRow extends KinesisRecordAppend {
  readonly data: Buffer;
  readonly sequence: number;
}

/**
 * Kinesis streams' records. Sequence numbers increase per stream in commit order (appends to one
 * stream take its counter, so a reader that read past a number never later finds a smaller one
 * committed), hence within each shard too, with gaps where other shards' records went. Every write
 * commits durably before it returns.
 */
export interface KinesisRecordStore {
  /**
   * Appends `records` to the stream in one transaction, in order: their sequence numbers, in the same
   * order; or, when one names a shard `close` closed, undefined and nothing written (the caller routes again).
   */
  append(stream: string, records: readonly KinesisRecordAppend[]): Promise<number[] | undefined>;
  /**
   * Closes `shards` of the stream (resharding) as at `now`, which the closure keeps: no append to them
   * commits from now on. Returns the stream's last sequence number at that moment, which no record of
   * a closed shard is above; or undefined, closing nothing, when one of them was closed already
   * (another resharding won).
   */
  close(stream: string, shards: readonly number[], now: number): Promise<number | undefined>;
  /**
   * Reopens those of `shards` that are closed, and when `closedBefore` is given only those closed
   * before it (a closure stored before closures kept their time counts as made at 0); answers which
   * were. For a resharding that closed its parents and died before the stream recorded them closed (no
   * child holds their keys): appends to them commit again, after the records they had. The time is
   * the delete's own condition, so of two callers reopening at once, or a reopen and a `close`, one
   * wins: a closure is reopened once, and a `close` after it is a new closure, at its own time.
   */
  reopen(stream: string, shards: readonly number[], closedBefore?: number): Promise<number[]>;
  /**
   * Whether every one of `shards` is still closed by a closure made at `closedAt` (the `now` its
   * `close` was given): false once one was reopened since. A resharding asks it before it writes the stream.
   */
  stillClosed(stream: string, shards: readonly number[], closedAt: number): Promise<boolean>;
  /**
   * The shard's records after `afterSequence`, in order: at most `limit`, and no more once the data
   * of those before a record already reaches `maxBytes` (so at least one when any is there).
   */
  read(stream: string, shard: number, afterSequence: number, limit: number, maxBytes: number): Promise<KinesisRecordRow[]>;
  /** The stream's last given sequence number; 0 before its first record. */
  latest(stream: string): Promise<number>;
  /** The sequence number of the shard's oldest kept record; undefined when it keeps none. */
  oldest(stream: string, shard: number): Promise<number | undefined>;
  /** The sequence number just before the shard's first kept record that arrived at or after `time` (reading after it starts there); the stream's latest when none has. */
  before(stream: string, shard: number, time: number): Promise<number>;
  /** Deletes the stream's records that arrived before `time`; how many. */
  trim(stream: string, time: number): Promise<number>;
  /** Deletes the stream's records, its counter and its closed shards (a deleted stream; one created again under its name starts at 1). */
  forget(stream: string): Promise<void>;
}

/** An event to keep in an archive: the event's own time (replays choose by it), when it was archived (retention counts from it), and its JSON. */
export interface ArchivedEventAppend {
  readonly archive: string;
  readonly eventTime: number;
  readonly archivedAt: number;
  readonly body: string;
}

/** A kept event and its place: ordered by event time, then by `sequence` (the order it was archived in). */
export interface ArchivedEventRow {
  readonly eventTime: number;
  readonly sequence: number;
  readonly body: string;
}

/** Where a replay stopped reading: the last row it took. */
export interface ArchiveCursor {
  readonly eventTime: number;
  readonly sequence: number;
}

/**
 * EventBridge archives' events, by archive name (unique in the account). Every write commits durably
 * before it returns, so an event PutEvents accepted stays archived across a restart.
 */
export interface ArchivedEventStore {
  /** Keeps the events, all in one transaction (an event one PutEvents entry sends to two archives is two rows). */
  append(events: readonly ArchivedEventAppend[]): Promise<void>;
  /**
   * The archive's events whose time is in [from, to), after `after` when given, ordered by event time and
   * then archive order; at most `limit`.
   */
  read(archive: string, from: number, to: number, after: ArchiveCursor | undefined, limit: number): Promise<ArchivedEventRow[]>;
  /** How many events the archive keeps and their size (UTF-8 bytes of their JSON). */
  stats(archive: string): Promise<{ count: number; bytes: number }>;
  /** Deletes at most `limit` of the archive's events archived before `time`; how many. */
  deleteArchivedBefore(archive: string, time: number, limit: number): Promise<number>;
  /** Deletes every event of the archive (a deleted archive; one created again under its name starts empty). */
  forget(archive: string): Promise<void>;
}
