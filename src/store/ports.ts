/** Storage ports: every backend (SQLite now, PostgreSQL later) implements these and passes test/store-contract. */
import type { AliasRecord } from "../core/alias.js";
import type { AsyncEvent, EventInvokeConfig, FailedEventDetail } from "../core/event-invoke-config.js";
import type { FunctionRecord } from "../core/function.js";
import type { LayerVersionRecord } from "../core/layer.js";
import type { InvocationRecord } from "../core/invocation.js";
import type { FunctionUrlConfig, HttpApi, RestApi } from "../core/gateway.js";

export interface FunctionStore {
  get(name: string): FunctionRecord | undefined;
  /** Inserts; returns false when a function of that name exists. */
  create(record: FunctionRecord): boolean;
  /** Replaces when the stored revision is `expectedRevision`; returns false otherwise. */
  update(record: FunctionRecord, expectedRevision: string): boolean;
  /**
   * Removes the function and everything kept beside it — its published versions, aliases, event
   * invoke configs, Function URL configs and saved test events (tags and policy live in its record)
   * — in one transaction: all of it or, when anything fails, none of it. False when there was no
   * such function (and then nothing changes).
   */
  delete(name: string): boolean;
  /** Functions ordered by name, starting after `afterName`. */
  list(afterName: string | undefined, limit: number): FunctionRecord[];
  count(): number;
  totalCodeSize(): number;
  /** Sum of reserved concurrency over all functions except `exceptName`. */
  reservedConcurrencyTotal(exceptName?: string): number;
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

export interface LogQuery {
  readonly group: string;
  readonly streams?: readonly string[] | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
  /** Substring filter on the message. */
  readonly contains?: string | undefined;
  /** Opaque cursor from a previous page. */
  readonly afterId?: number | undefined;
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
  append(group: string, stream: string, events: readonly LogEvent[]): void;
  query(query: LogQuery): { events: StoredLogEvent[]; lastId: number | undefined };
  group(name: string): LogGroupInfo | undefined;
  groups(prefix: string | undefined): LogGroupInfo[];
  /** Creates an empty group without retention (as CreateLogGroup does); false when it exists. */
  createGroup(name: string, now: number): boolean;
  /** Creates an empty stream in an existing group; false when it exists. */
  createStream(group: string, stream: string, now: number): boolean;
  hasStream(group: string, stream: string): boolean;
  /** Sets (or, with undefined, removes) a group's retention; false when there is no such group. */
  setRetention(group: string, days: number | undefined): boolean;
  /**
   * Deletes at most `limit` events that are past their group's retention at `now`, oldest groups'
   * first; returns how many. Call again while it returns `limit` (batches keep each transaction short).
   */
  deleteExpired(now: number, limit: number): number;
  streams(group: string, prefix: string | undefined, limit: number): LogStreamInfo[];
  deleteGroup(group: string): void;
}

export interface InvocationStore {
  add(record: InvocationRecord): void;
  recent(functionName: string, limit: number): InvocationRecord[];
  get(requestId: string): InvocationRecord | undefined;
  /** A function's records started in [fromMs, toMs), oldest first, at most `limit`. */
  between(functionName: string, fromMs: number, toMs: number, limit: number): InvocationRecord[];
  /** Per function: invocations (throttles excluded) and errors started since `fromMs`. */
  countsSince(fromMs: number): InvocationCounts[];
  /** Deletes at most `limit` records started before `beforeMs`; returns how many (call again while it returns `limit`). */
  deleteStartedBefore(beforeMs: number, limit: number): number;
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
  list(functionName: string): SavedTestEvent[];
  put(functionName: string, event: SavedTestEvent): void;
  /** False when there was no such event. */
  delete(functionName: string, name: string): boolean;
}

/** Everything the server needs from a backend, with one lifecycle. */
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
  readonly functionUrls: FunctionUrlStore;
  readonly objects: ObjectStore;
  close(): void;
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
  enqueue(events: readonly { id: string; functionName: string; qualifier: string; payload: Buffer; enqueuedAt: number }[]): void;
  /** Frees every lease (this process owns the queue; a restart means nobody runs them). */
  clearLeases(): number;
  /** Up to `limit` events that are due and not leased at `now` (a lease that ended by `now` is over), oldest first; changes nothing. */
  ready(now: number, limit: number): { id: string; functionName: string; qualifier: string; enqueuedAt: number }[];
  /**
   * Leases those of the given events that are queued and not leased at `now` until `leaseUntil`,
   * counting an attempt on each, and returns them. An id leased to another claimer (whose lease has
   * not ended), failed, done or unknown is left out: two claimers of the same ids never both get one.
   */
  lease(ids: readonly string[], now: number, leaseUntil: number): AsyncEvent[];
  /** Removes an event that is done (succeeded, or delivered to its failure destination). */
  complete(id: string): void;
  /** Puts a leased event back; a throttled try does not count as an attempt. */
  retry(id: string, availableAt: number, throttled: boolean): void;
  /** Keeps an event that ended without success, with why. */
  fail(id: string, failure: FailedEventDetail): void;
  failed(functionName: string, limit: number): AsyncEvent[];
  /** Queues failed events again (all of the function's, or the given ids) as new; returns how many. */
  redrive(functionName: string, ids: readonly string[] | undefined, now: number): number;
  stats(): QueueStats[];
  /** When the earliest queued event becomes available (a leased one: when its lease ends), if any is queued. */
  nextAvailableAt(): number | undefined;
}

export interface EventInvokeConfigStore {
  get(functionName: string, qualifier: string): EventInvokeConfig | undefined;
  put(config: EventInvokeConfig): void;
  delete(functionName: string, qualifier: string): boolean;
  list(functionName: string): EventInvokeConfig[];
}

/** Published versions: immutable snapshots of a function's code and configuration. */
export interface VersionStore {
  put(record: FunctionRecord): void;
  get(functionName: string, version: string): FunctionRecord | undefined;
  /** Versions after `afterVersion`, oldest first. */
  list(functionName: string, afterVersion: number, limit: number): FunctionRecord[];
  latest(functionName: string): FunctionRecord | undefined;
  /** Removes the version and that version's event invoke config in one transaction; false when there was no such version. */
  delete(functionName: string, version: string): boolean;
}

export interface AliasStore {
  get(functionName: string, name: string): AliasRecord | undefined;
  /** Inserts; false when the alias exists. */
  create(alias: AliasRecord): boolean;
  /** Replaces when the stored revision is `expectedRevision`. */
  update(alias: AliasRecord, expectedRevision: string): boolean;
  list(functionName: string): AliasRecord[];
  delete(functionName: string, name: string): boolean;
}

export interface LayerStore {
  /** Stores the next version of `layerName` (numbers are never reused) and returns it. */
  publish(record: Omit<LayerVersionRecord, "version">): LayerVersionRecord;
  get(layerName: string, version: number): LayerVersionRecord | undefined;
  /** Versions newest first, before `beforeVersion` when given. */
  versions(layerName: string, beforeVersion: number | undefined, limit: number): LayerVersionRecord[];
  /** Each layer's newest version, by name. */
  latest(afterName: string | undefined, limit: number): LayerVersionRecord[];
  delete(layerName: string, version: number): boolean;
}

/** An access key Unkai accepts SigV4 signatures from (`unkai keys`). */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface AccessKeyStore {
  get(accessKeyId: string): AccessKeyRecord | undefined;
  list(): AccessKeyRecord[];
  count(): number;
  add(record: AccessKeyRecord): void;
  /** False when no such key existed. */
  remove(accessKeyId: string): boolean;
}

/** Whole documents by id (the gateway's APIs). Reads are served from memory; writes commit before returning. */
export interface DocumentStore<T> {
  get(id: string): T | undefined;
  put(id: string, document: T): void;
  delete(id: string): boolean;
  /** Every document, ordered by id. */
  list(): T[];
}

export interface FunctionUrlStore {
  get(functionName: string, qualifier: string): FunctionUrlConfig | undefined;
  byUrlId(urlId: string): FunctionUrlConfig | undefined;
  /** Inserts or replaces the config of (functionName, qualifier). */
  put(config: FunctionUrlConfig): void;
  delete(functionName: string, qualifier: string): boolean;
  list(functionName: string): FunctionUrlConfig[];
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
}

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
}

/** S3 metadata: buckets, object rows, multipart uploads. Object writes commit fsynced with their events. */
export interface ObjectStore {
  /** Inserts; false when the bucket exists. */
  createBucket(name: string, createdAt: number): boolean;
  bucket(name: string): BucketRecord | undefined;
  buckets(): BucketRecord[];
  /** Deletes an empty bucket and its unfinished uploads (whose ids it returns for their part files). */
  deleteBucket(name: string): "missing" | "not-empty" | { uploads: string[] };
  setNotification(name: string, notification: string | undefined): void;
  object(bucket: string, key: string): ObjectRecord | undefined;
  /** Whether any object row points at this body file (the start-up sweep of orphans asks). */
  referencesBlob(blob: string): boolean;
  /** Stores (or replaces) the row and queues `events`, in one fsynced transaction (group-committed); resolves the replaced row. */
  putObject(record: ObjectRecord, events: readonly QueuedEventRow[]): Promise<ObjectRecord | undefined>;
  /** Removes the rows that exist and queues the events `eventsFor` builds for them, in one fsynced transaction (group-committed). */
  deleteObjects(bucket: string, keys: readonly string[], eventsFor: (removed: readonly ObjectRecord[]) => QueuedEventRow[]): Promise<ObjectRecord[]>;
  /** Objects in key order: keys starting with `prefix`, after `after`. */
  listObjects(bucket: string, prefix: string, after: string, limit: number): ObjectRecord[];
  createUpload(upload: UploadRecord): void;
  upload(uploadId: string): UploadRecord | undefined;
  /** Uploads in (key, initiated) order, after the `afterKey`/`afterUploadId` marker. */
  uploads(bucket: string, prefix: string, afterKey: string, afterUploadId: string, limit: number): UploadRecord[];
  putPart(part: PartRecord): void;
  parts(uploadId: string, afterPart: number, limit: number): PartRecord[];
  /** Ends an upload as an object: its row, its events and the upload's removal, in one fsynced transaction. */
  completeUpload(uploadId: string, record: ObjectRecord, events: readonly QueuedEventRow[]): Promise<ObjectRecord | undefined>;
  deleteUpload(uploadId: string): boolean;
}
