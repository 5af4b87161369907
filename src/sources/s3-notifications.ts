/**
 * S3 event notifications: which configurations a change matches, the exact S3 event record, and
 * where it goes. Every notification is committed in the same transaction as the object row
 * (Store.commit), so a crash after an answered upload never loses it: Lambda destinations as queued
 * async events, queue, topic and EventBridge destinations as pending deliveries (`s3Deliveries`) of
 * a DeliveryOutbox. The first attempt of those is made after the commit and before the request is
 * answered (or `--s3-notification-delay-ms` later, by the outbox); an entry still stored after a crash
 * is sent once Unkai is back, so delivery is at least once. A destination that is gone or whose policy
 * refuses S3 loses that notification at once, as S3 drops it; other failures are retried.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { OutboundMessage } from "../async/destinations.js";
import type { PendingDelivery } from "../core/events/resources.js";
import { defaultBusArn, eventBridgeMessage } from "./s3-eventbridge.js";

/** S3 sends for the bucket: under enforcement a queue's or topic's policy must allow s3.amazonaws.com with it as `aws:SourceArn`. */
const s3Source = (bucket: string) => ({ principal: "s3.amazonaws.com", arn: `arn:aws:s3:::${bucket}` });
import type { QueuedEventRow } from "../store/ports.js";

/** One `LambdaFunctionConfiguration` (`CloudFunctionConfiguration` on the wire). */
export interface LambdaNotification {
  readonly id: string;
  readonly functionArn: string;
  readonly events: readonly string[];
  readonly prefix: string | undefined;
  readonly suffix: string | undefined;
}

/** One `QueueConfiguration` (SQS) or `TopicConfiguration` (SNS): the same filter, another kind of ARN. */
export interface MessageNotification {
  readonly id: string;
  readonly arn: string;
  readonly events: readonly string[];
  readonly prefix: string | undefined;
  readonly suffix: string | undefined;
}

export interface NotificationConfiguration {
  readonly lambda: readonly LambdaNotification[];
  readonly queues?: readonly MessageNotification[];
  readonly topics?: readonly MessageNotification[];
  /** `EventBridgeConfiguration`: every change also goes to the default event bus (s3-eventbridge.ts). */
  readonly eventBridge?: boolean;
}

/** Where S3's pending deliveries go once stored: a DeliveryOutbox over `s3Deliveries`. */
export interface NotificationOutbox {
  /** Attempts a stored entry now (deleted when it succeeds). */
  deliver(entry: PendingDelivery): Promise<void>;
  /** Looks at the stored entries now. */
  wake(): void;
}

/**
 * S3 documents no retry policy for its notifications; a failure other than a missing or refusing
 * destination (dropped at once) is retried as EventBridge retries: for up to a day.
 */
const RETRY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 } as const;

/**
 * With no delay, the request makes the first attempt itself; until then the outbox's loop (this node's,
 * or another node's on a shared store) leaves the entry alone, and takes it over after a crash.
 */
const IN_REQUEST_ATTEMPT_MS = 30_000;

/** Event types S3 accepts in a configuration (Unkai emits the ObjectCreated, ObjectRemoved:Delete and ObjectRemoved:DeleteMarkerCreated ones). */
export const S3_EVENT_TYPES = new Set([
  "s3:ObjectCreated:*",
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectRemoved:*",
  "s3:ObjectRemoved:Delete",
  "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:LifecycleExpiration:*",
  "s3:LifecycleExpiration:Delete",
  "s3:LifecycleExpiration:DeleteMarkerCreated",
]);

/** The name part of a Lambda function ARN, with its qualifier, or undefined when it is not one. */
export function functionOfArn(arn: string): { name: string; qualifier: string } | undefined {
  const match = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/.exec(arn);
  return match?.[1] ? { name: match[1], qualifier: match[2] ?? "$LATEST" } : undefined;
}

/** What happened to an object, as S3 names it (`ObjectCreated:Put`, `ObjectRemoved:Delete`, …). */
export interface ObjectChange {
  readonly eventName: string;
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  /** The version the change made or removed, on a bucket that has (or had) versioning enabled. */
  readonly versionId?: string;
}

/** Who asked for the change, for the record's identity and request fields. */
export interface ChangeContext {
  readonly requestId: string;
  readonly sourceIp: string;
  readonly accessKeyId: string | undefined;
  /** The record's `userIdentity.principalId` when S3 itself made the change (lifecycle: `s3.amazonaws.com`). */
  readonly principalId?: string;
}

function matches(config: { events: readonly string[]; prefix: string | undefined; suffix: string | undefined }, change: ObjectChange): boolean {
  const [kind] = change.eventName.split(":");
  const wanted = config.events.some((e) => e === `s3:${change.eventName}` || e === `s3:${kind}:*`);
  return wanted && change.key.startsWith(config.prefix ?? "") && change.key.endsWith(config.suffix ?? "");
}

/** Keys as S3 writes them in records: form-URL-encoded (space → `+`), slashes kept. */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+")
    .replace(/%2F/g, "/");
}

export class S3Notifications {
  private lastTick = 0n;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    /** Called after a commit that queued events, so the async worker looks at once. */
    private readonly wake: () => void,
    /** Sends one message to a queue or topic ARN (the destinations seam): the configuration's test event. */
    private readonly send: (arn: string, message: OutboundMessage) => Promise<void>,
    private readonly outbox: NotificationOutbox,
    /** `--s3-notification-delay-ms`: 0 makes the first attempt before the request is answered. */
    private readonly delayMs: number,
    private readonly logger: { warn(detail: object, message: string): void },
  ) {}

  /** A hex string that grows with every change on this Unkai (and so per key), as S3's `sequencer`. */
  sequencer(): string {
    const now = BigInt(Date.now()) << 16n;
    this.lastTick = now > this.lastTick ? now : this.lastTick + 1n;
    return this.lastTick.toString(16).toUpperCase().padStart(16, "0");
  }

  /** The queued events for `change` under the bucket's configuration (none when nothing matches). */
  eventsFor(bucket: string, config: NotificationConfiguration | undefined, change: ObjectChange, context: ChangeContext): QueuedEventRow[] {
    const targets = (config?.lambda ?? []).filter((c) => matches(c, change));
    if (targets.length === 0) return [];
    const now = Date.now();
    const sequencer = this.sequencer();
    return targets.flatMap((target) => {
      const fn = functionOfArn(target.functionArn);
      if (!fn) return [];
      const record = this.record(bucket, target.id, change, context, now, sequencer);
      return [{ id: randomUUID(), functionName: fn.name, qualifier: fn.qualifier, payload: Buffer.from(JSON.stringify({ Records: [record] })), enqueuedAt: now }];
    });
  }

  /** The queue, topic and event bus deliveries for `change` under the bucket's configuration, for the caller to commit with the change. */
  deliveriesFor(bucket: string, config: NotificationConfiguration | undefined, change: ObjectChange, context: ChangeContext): PendingDelivery[] {
    const queues = (config?.queues ?? []).filter((c) => matches(c, change));
    const topics = (config?.topics ?? []).filter((c) => matches(c, change));
    if (queues.length + topics.length === 0 && !config?.eventBridge) return [];
    const now = Date.now();
    const sequencer = this.sequencer();
    const body = (id: string) => JSON.stringify({ Records: [this.record(bucket, id, change, context, now, sequencer)] });
    const source = s3Source(bucket);
    const toBus = config?.eventBridge ? eventBridgeMessage(bucket, change, context, this.accountId, sequencer) : undefined;
    const messages: { arn: string; message: PendingDelivery["message"] }[] = [
      ...queues.map((c) => ({ arn: c.arn, message: { body: body(c.id), source } })),
      ...topics.map((c) => ({ arn: c.arn, message: { body: body(c.id), subject: "Amazon S3 Notification", source } })),
      ...(toBus ? [{ arn: defaultBusArn(this.region, this.accountId), message: toBus }] : []),
    ];
    const nextAttemptAt = now + (this.delayMs > 0 ? this.delayMs : IN_REQUEST_ATTEMPT_MS);
    return messages.map(({ arn, message }) => ({
      id: randomUUID(), ruleArn: source.arn, targetArn: arn, message, eventTimeMs: now, attempts: 0, nextAttemptAt, lastError: "", ...RETRY,
    }));
  }

  /**
   * After a commit: wakes the async worker for queued events, and makes the first attempt of the
   * stored deliveries (or leaves them to the outbox when they are delayed).
   */
  async announce(events: readonly QueuedEventRow[], deliveries: readonly PendingDelivery[]): Promise<void> {
    if (events.length > 0) this.wake();
    if (deliveries.length === 0) return;
    if (this.delayMs > 0) {
      this.outbox.wake();
      return;
    }
    await Promise.all(deliveries.map(async (entry) => {
      try {
        await this.outbox.deliver(entry);
      } catch (error) {
        // The entry is stored: the outbox's loop tries it again.
        this.logger.warn({ err: error, destination: entry.targetArn }, "S3 could not record a notification's attempt; it will be retried");
      }
    }));
  }

  /** The `s3:TestEvent` S3 sends to a queue or topic when a configuration names it, to prove it can deliver. */
  async test(bucket: string, arn: string, subject: string | undefined): Promise<void> {
    const body = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: new Date().toISOString(), Bucket: bucket, RequestId: randomBytes(8).toString("hex").toUpperCase(), HostId: randomBytes(48).toString("base64") });
    await this.send(arn, { body, ...(subject ? { subject } : {}), source: s3Source(bucket) });
  }

  private record(bucket: string, configurationId: string, change: ObjectChange, context: ChangeContext, now: number, sequencer: string) {
    const object: Record<string, unknown> = { key: encodeEventKey(change.key) };
    if (change.size !== undefined) object.size = change.size;
    if (change.eTag !== undefined) object.eTag = change.eTag;
    if (change.versionId !== undefined) object.versionId = change.versionId;
    object.sequencer = sequencer;
    return {
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: this.region,
      eventTime: new Date(now).toISOString(),
      eventName: change.eventName,
      userIdentity: { principalId: context.principalId ?? `AWS:${context.accessKeyId ?? "anonymous"}` },
      requestParameters: { sourceIPAddress: context.sourceIp },
      responseElements: { "x-amz-request-id": context.requestId, "x-amz-id-2": randomBytes(48).toString("base64") },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId,
        bucket: { name: bucket, ownerIdentity: { principalId: this.accountId }, arn: `arn:aws:s3:::${bucket}` },
        object,
      },
    };
  }
}
