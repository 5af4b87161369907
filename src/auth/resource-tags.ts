/**
 * The tags of the resource a request names (`aws:ResourceTag/<key>`), for IAM enforcement. The enforcer
 * asks only when a policy that applies tests them (CompiledPolicy.usesResourceTags), so callers whose
 * policies never mention the key cost nothing here. One lookup keyed by the ARN's service:
 * - Lambda functions (`function:f`, and `function:f:qualifier` with the function's tags): from the
 *   function registry, which caches records and keeps them current itself;
 * - SQS queues, SNS topics, S3 buckets (the bucket ARN; objects have `s3:ExistingObjectTag` instead),
 *   DynamoDB tables (and their indexes and streams), EventBridge rules and event buses, Kinesis streams and their
 *   consumers (each its own tags, kept in the stream's document), and
 *   API Gateway's REST and HTTP APIs and their stages (api-gateway-resource-tags.ts: a REST API's children inherit
 *   its tags, as AWS documents for the V1 API): from the store, through `ResourceTagCache`, dropped by the next
 *   write that can change tags (resource-tag-changes.ts) and, in a cluster, after `maxAgeMs` (another node's
 *   writes are not counted here).
 * - IAM users, roles and customer managed policies (TagUser, TagRole, TagPolicy), for IAM's own operations:
 *   read from the IAM store per request (IAM calls are not a hot path, and IAM writes are counted elsewhere);
 * - CloudWatch alarms (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`) and dashboards
 *   (`arn:aws:cloudwatch::<account>:dashboard/<name>`): the resource's document, read per request rather than cached:
 *   the alarm evaluator rewrites alarms every round, and counting those writes would drop every cached tag set once
 *   a minute (alarm and dashboard operations are not a hot path);
 * - S3 objects (`arn:aws:s3:::b/k`): the current version's tags, as `s3:ExistingObjectTag/<key>` (AWS has no
 *   `aws:ResourceTag` for objects), for the reads and the tagging and ACL operations only (S3 does not supply
 *   it to PutObject or DeleteObject: "you cannot … delete or overwrite an object based on its existing tags");
 *   read per request rather than cached: object writes are S3's hot path, and counting them would drop every
 *   cached tag set on each PutObject.
 * - CloudWatch Logs log groups (`log-group:<name>`, `log-group:<name>:*`, and the group's streams
 *   `log-group:<name>:log-stream:<stream>`, which have no tags of their own): from the log store, through the same
 *   cache, dropped by CreateLogGroup, the tag operations and DeleteLogGroup (appends do not count: a group an
 *   append creates has no tags).
 * Undefined for a resource that does not exist or a service that has no tags here (`log-group:*` and
 * `alarm:*`, which name no one resource): then a condition on
 * `aws:ResourceTag/<key>` sees the key missing, as for an untagged resource.
 */
import type { Account } from "../core/arn.js";
import type { EventBusRecord, RuleRecord, Tag } from "../core/events/resources.js";
import { bucketSettingId } from "../core/s3-bucket-settings.js";
import { apiGatewayResourceTags } from "./api-gateway-resource-tags.js";
import { alarmResourceTags } from "./alarm-resource-tags.js";
import type { Store } from "../store/ports.js";
import type { ResourceTagChanges } from "./resource-tag-changes.js";

export type Tags = Readonly<Record<string, string>>;

/** A resource's tags and the condition key family policies test them with. */
export interface ResourceTags {
  /** `aws:ResourceTag`, or `s3:ExistingObjectTag` for an S3 object. */
  readonly conditionKey: "aws:ResourceTag" | "s3:ExistingObjectTag";
  readonly tags: Tags;
}

export interface ResourceTagSources {
  readonly account: Account;
  /** A function's tags, undefined when there is no such function. */
  readonly functionTags: (name: string) => Promise<Tags | undefined>;
  readonly store: Pick<Store, "queues" | "snsTopics" | "bucketSettings" | "dynamodb" | "eventRules" | "eventBuses" | "objects" | "iam" | "kinesisStreams" | "restApis" | "httpApis" | "alarms" | "logs" | "cloudwatchDashboards">;
  readonly changes: ResourceTagChanges;
  /** In a cluster, the most a cached tag set may lag another node's write; undefined on one node. */
  readonly maxAgeMs?: number | undefined;
  readonly now?: () => number;
}

/** The object operations S3 supplies `s3:ExistingObjectTag/<key>` to (Service Authorization Reference). */
const EXISTING_OBJECT_TAG_ACTIONS = /^s3:(GetObject(Version)?(Acl|Tagging|Attributes)?|(Put|Delete)Object(Version)?Tagging|PutObject(Version)?Acl)$/i;

/** Tag sets kept at most; past it the oldest goes (a Map iterates in insertion order). */
const MAX_ENTRIES = 1000;

const tagMap = (tags: readonly Tag[] | undefined): Tags | undefined => tags && Object.fromEntries(tags.map((t) => [t.Key, t.Value]));

/** The stored tags of one ARN, by service; undefined for an ARN no source knows. */
function storedTagReader(sources: ResourceTagSources): (arn: string) => Promise<Tags | undefined> {
  const { account, store } = sources;
  const prefix = (service: string) => `^arn:aws:${service}:${account.region}:${account.accountId}:`;
  const sqs = new RegExp(`${prefix("sqs")}([^:]+)$`);
  const sns = new RegExp(`${prefix("sns")}[^:]+$`);
  const dynamodb = new RegExp(`${prefix("dynamodb")}table/([^/]+)(?:/|$)`);
  const rule = new RegExp(`${prefix("events")}rule/(?:([^/]+)/)?([^/]+)$`);
  const bus = new RegExp(`${prefix("events")}event-bus/([^/]+)$`);
  const bucket = /^arn:aws:s3:::([^/]+)$/;
  // A stream, or one of its consumers (`stream/<name>/consumer/<name>:<time>`), which has its own tags.
  const stream = new RegExp(`${prefix("kinesis")}stream/[^/]+$`);
  const consumer = new RegExp(`^(${prefix("kinesis").slice(1)}stream/[^/]+)/consumer/[^:]+:\\d+$`);
  // A group (log group names have no `:` or `*`), as the tagging operations name it, with `:*`, or one of its streams.
  const logGroup = new RegExp(`${prefix("logs")}log-group:([^:*]+)(?::\\*|:log-stream:[^:]*)?$`);
  return async (arn) => {
    let match: RegExpExecArray | null;
    if ((match = sqs.exec(arn))) return (await store.queues.get(match[1]!))?.tags;
    if (sns.test(arn)) return (await store.snsTopics.get(arn))?.tags;
    if ((match = bucket.exec(arn))) {
      const setting = await store.bucketSettings.get(bucketSettingId(match[1]!, "tagging"));
      return setting?.kind === "tagging" ? setting.tags : undefined;
    }
    if ((match = dynamodb.exec(arn))) {
      const table = await store.dynamodb.table(match[1]!);
      return table && (tagMap((JSON.parse(table.definition) as { Tags?: Tag[] }).Tags) ?? {});
    }
    if ((match = rule.exec(arn))) {
      const record: RuleRecord | undefined = await store.eventRules.get(`${match[1] ?? "default"}/${match[2]!}`);
      return record?.Arn === arn ? (tagMap(record.Tags) ?? {}) : undefined;
    }
    if ((match = bus.exec(arn))) {
      const record: EventBusRecord | undefined = await store.eventBuses.get(match[1]!);
      return record?.Arn === arn ? (tagMap(record.Tags) ?? {}) : undefined;
    }
    if (stream.test(arn)) return (await store.kinesisStreams.get(arn))?.tags;
    if ((match = consumer.exec(arn))) {
      const found = (await store.kinesisStreams.get(match[1]!))?.consumers?.find((c) => c.arn === arn);
      return found && (found.tags ?? {});
    }
    if ((match = logGroup.exec(arn))) return store.logs.groupTags(match[1]!);
    if (arn.startsWith("arn:aws:apigateway:")) return apiGatewayResourceTags(store, arn);
    return undefined;
  };
}

interface Entry {
  readonly generation: number;
  readonly expiresAtMs: number;
  readonly tags: Tags | undefined;
}

/** Stored tag sets by ARN, each used while no tag-holding write happened since it was read (and, in a cluster, for `maxAgeMs`). */
export class ResourceTagCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly read: (arn: string) => Promise<Tags | undefined>, private readonly sources: ResourceTagSources) {}

  async tagsOf(arn: string): Promise<Tags | undefined> {
    const now = this.sources.now?.() ?? Date.now();
    const generation = this.sources.changes.generation;
    const entry = this.entries.get(arn);
    if (entry && entry.generation === generation && entry.expiresAtMs > now) return entry.tags;
    // Taken at the generation seen before reading: a write that lands during the read makes it stale at once.
    const tags = await this.read(arn);
    this.entries.delete(arn);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(arn, { generation, expiresAtMs: now + (this.sources.maxAgeMs ?? Number.POSITIVE_INFINITY), tags });
    return tags;
  }
}

/** The tags of the resource `arn` names, or undefined when it has none Unkai knows. */
export function resourceTagLookup(sources: ResourceTagSources): (arn: string, action: string) => Promise<ResourceTags | undefined> {
  const fn = new RegExp(`^arn:aws:lambda:${sources.account.region}:${sources.account.accountId}:function:([^:]+)(?::[^:]+)?$`);
  const object = /^arn:aws:s3:::([^/]+)\/(.+)$/s;
  // IAM names are unique without their path: the last segment.
  const iamEntity = new RegExp(`^arn:aws:iam::${sources.account.accountId}:(user|role|policy)/(?:[^/]*/)*([^/]+)$`);
  const cache = new ResourceTagCache(storedTagReader(sources), sources);
  const tagged = (tags: Tags | undefined): ResourceTags | undefined => tags && { conditionKey: "aws:ResourceTag", tags };
  return async (arn, action) => {
    const name = fn.exec(arn)?.[1];
    if (name !== undefined) return tagged(await sources.functionTags(name));
    const entity = iamEntity.exec(arn);
    if (entity) return tagged((await sources.store.iam.get(entity[1] as "user" | "role" | "policy", entity[2]!))?.tags);
    if (arn.startsWith("arn:aws:cloudwatch:")) return tagged(await alarmResourceTags(sources.store, sources.account, arn));
    const inBucket = object.exec(arn);
    if (inBucket) {
      if (!EXISTING_OBJECT_TAG_ACTIONS.test(action)) return undefined;
      const record = await sources.store.objects.object(inBucket[1]!, inBucket[2]!);
      return record && { conditionKey: "s3:ExistingObjectTag", tags: record.tags ?? {} };
    }
    return tagged(await cache.tagsOf(arn));
  };
}
