/**
 * The resource-based policy that governs a resource ARN, for IAM enforcement: a Lambda function's
 * (or alias's / version's) policy from AddPermission, a layer version's (AddLayerVersionPermission), an SQS queue's `Policy` attribute, an SNS
 * topic's (SetTopicAttributes `Policy`, AddPermission), an EventBridge bus's (PutPermission) and an
 * S3 bucket's policy (for the bucket and every object in it), a REST API's deployed policy (for its
 * methods' `execute-api:Invoke`), a Kinesis stream's or consumer's and a DynamoDB table's or stream's (PutResourcePolicy). Evaluated
 * beside the caller's identity policies with AWS's same-account logic (src/core/iam-policy/evaluate.ts):
 * a statement naming the user or session allows by itself, and an explicit Deny wins.
 */
import type { Account } from "../core/arn.js";
import { bucketSettingId, type BucketSetting } from "../core/s3-bucket-settings.js";
import type { EventBusRecord } from "../core/events/resources.js";
import { KINESIS_CONSUMER_ARN, KINESIS_STREAM_ARN, type KinesisStreamRecord } from "../core/kinesis.js";
import { defaultTopicPolicy, type SnsTopicRecord } from "../core/sns.js";
import type { DocumentStore, QueueStore } from "../store/ports.js";

export interface ResourcePolicySources {
  readonly account: Account;
  /** A function's policy statements for `qualifier` ("" for the unqualified function), as GetPolicy returns them; undefined when none. */
  readonly functionPolicy: (name: string, qualifier: string) => Promise<readonly object[] | undefined>;
  /** A layer version's policy statements, as GetLayerVersionPolicy returns them; undefined when none. */
  readonly layerPolicy?: (name: string, version: number) => Promise<readonly object[] | undefined>;
  readonly queues: QueueStore;
  readonly bucketSettings: DocumentStore<BucketSetting>;
  readonly topics: DocumentStore<SnsTopicRecord>;
  readonly buses: DocumentStore<EventBusRecord>;
  /** A REST API's resource policy as its stage serves it (the stage's deployment's); undefined when none. */
  readonly restApiPolicy?: (apiId: string, stage: string) => Promise<string | undefined>;
  /** Kinesis streams, whose documents hold their own and their consumers' PutResourcePolicy documents. */
  readonly kinesisStreams?: DocumentStore<KinesisStreamRecord>;
  /** A DynamoDB table's or stream's policy (PutResourcePolicy), for a table, index or stream ARN. */
  readonly dynamodbPolicy?: (resource: string) => Promise<string | undefined>;
}

/** `arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/key`: the bucket whose policy governs them. */
const S3_RESOURCE = /^arn:aws:s3:::([a-z0-9][a-z0-9.-]{1,62})(?:\/|$)/;

/**
 * The name a resource's policy is cached under: an object's is its bucket's (one policy, one
 * compiled entry, however many keys are read).
 */
export function policyOwner(resource: string): string {
  const bucket = S3_RESOURCE.exec(resource)?.[1];
  if (bucket !== undefined) return `arn:aws:s3:::${bucket}`;
  // A REST API's methods share its policy: `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/…` is cached per API and stage.
  return EXECUTE_API.exec(resource)?.[0] ?? resource;
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/`, capturing the API id and stage. */
const EXECUTE_API = /^arn:aws:execute-api:[^:]+:\d{12}:([a-z0-9]+)\/([^/]+)\//;

/** The bucket policy governing an S3 bucket or object ARN, or undefined when its bucket has none. */
export function bucketPolicyLookup(settings: DocumentStore<BucketSetting>): (resource: string) => Promise<string | undefined> {
  return async (resource) => {
    const bucket = S3_RESOURCE.exec(resource)?.[1];
    if (bucket === undefined) return undefined;
    const setting = await settings.get(bucketSettingId(bucket, "policy"));
    return setting?.kind === "policy" ? setting.policy : undefined;
  };
}

/** A function's or layer version's statements as the policy document GetPolicy returns; undefined when there are none. */
const lambdaPolicy = (statements: readonly object[] | undefined) =>
  statements && statements.length > 0 ? JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements }) : undefined;

const stored = (policy: string | undefined) => (policy === undefined || policy === "" ? undefined : policy);

/** The policy document governing `resource`, or undefined when it has none. */
export function resourcePolicyLookup(sources: ResourcePolicySources): (resource: string) => Promise<string | undefined> {
  const { account } = sources;
  const lambda = new RegExp(`^arn:aws:lambda:${account.region}:${account.accountId}:function:([^:]+)(?::([^:]+))?$`);
  const layer = new RegExp(`^arn:aws:lambda:${account.region}:${account.accountId}:layer:([^:]+):(\\d+)$`);
  const sqs = new RegExp(`^arn:aws:sqs:${account.region}:${account.accountId}:([^:]+)$`);
  const bucketPolicy = bucketPolicyLookup(sources.bucketSettings);
  const sns = new RegExp(`^arn:aws:sns:${account.region}:${account.accountId}:[^:]+$`);
  const bus = new RegExp(`^arn:aws:events:${account.region}:${account.accountId}:event-bus/([^/]+)$`);
  return async (resource) => {
    if (resource.startsWith("arn:aws:s3:::")) return bucketPolicy(resource);
    const fn = lambda.exec(resource);
    if (fn?.[1]) return lambdaPolicy(await sources.functionPolicy(fn[1], fn[2] ?? ""));
    const layerVersion = layer.exec(resource);
    if (layerVersion?.[1] && sources.layerPolicy) return lambdaPolicy(await sources.layerPolicy(layerVersion[1], Number(layerVersion[2])));
    const queue = sqs.exec(resource);
    if (queue?.[1]) {
      return stored((await sources.queues.get(queue[1]))?.attributes.Policy);
    }
    // A topic without a Policy has SNS's default one: it grants only with AWS:SourceOwner, which only services
    // publishing for the account supply (CloudWatch alarms), so users' requests are decided as without a policy.
    if (sns.test(resource)) {
      const topic = await sources.topics.get(resource);
      return topic && (stored(topic.attributes.Policy) ?? defaultTopicPolicy(topic.arn));
    }
    // A bus without PutPermission has no policy (the default bus is stored once it gets one).
    const busName = bus.exec(resource)?.[1];
    if (busName !== undefined) return stored((await sources.buses.get(busName))?.Policy);
    // Streams are stored under their ARN: another account's or region's is simply not found.
    const consumer = KINESIS_CONSUMER_ARN.exec(resource);
    if (consumer?.[1] && sources.kinesisStreams) return (await sources.kinesisStreams.get(consumer[1]))?.consumers?.find((c) => c.arn === resource)?.policy;
    if (KINESIS_STREAM_ARN.test(resource) && sources.kinesisStreams) return (await sources.kinesisStreams.get(resource))?.policy;
    if (resource.startsWith("arn:aws:dynamodb:")) return sources.dynamodbPolicy?.(resource);
    const api = EXECUTE_API.exec(resource);
    if (api?.[1] && api[2] && resource.startsWith(`arn:aws:execute-api:${account.region}:${account.accountId}:`)) return sources.restApiPolicy?.(api[1], api[2]);
    return undefined;
  };
}
