/** EventBridge's stored resources: event buses and rules (with their targets), as documents. */
import type { TargetInputSpec } from "./input.js";

/** A resource tag, as the model names it. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface EventBusRecord {
  readonly Name: string;
  readonly Tags?: readonly Tag[];
  readonly Arn: string;
  readonly Description?: string;
  /** PutPermission's resource policy, as DescribeEventBus returns it (a JSON string). */
  readonly Policy?: string;
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
}

export type RuleState = "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";

/** One target as PutTargets stores it (members as in the model; the ones Unkai acts on are typed). */
export interface TargetRecord extends TargetInputSpec {
  readonly Id: string;
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly RetryPolicy?: { readonly MaximumRetryAttempts?: number; readonly MaximumEventAgeInSeconds?: number };
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly SqsParameters?: { readonly MessageGroupId?: string };
  /** A Kinesis stream target's partition key: a JSON path into the event (the event's id without it). */
  readonly KinesisParameters?: { readonly PartitionKeyPath?: string };
  /** Members Unkai stores and returns without acting on them (EcsParameters, HttpParameters, …). */
  readonly [other: string]: unknown;
}

export interface RuleRecord {
  readonly Name: string;
  readonly Arn: string;
  readonly EventBusName: string;
  readonly EventPattern?: string;
  readonly ScheduleExpression?: string;
  readonly State: RuleState;
  readonly Description?: string;
  readonly RoleArn?: string;
  readonly CreatedBy: string;
  readonly Tags?: readonly Tag[];
  /** When the rule (or its schedule) last changed: rates count from here. */
  readonly ScheduleAnchor: number;
  readonly Targets: readonly TargetRecord[];
}

/** A rule's document id: bus and name (names repeat across buses). */
export const ruleKey = (bus: string, name: string): string => `${bus}/${name}`;

/**
 * A delivery to a message target (an SQS queue, an SNS topic, any ARN `destinations.send` takes)
 * that failed and waits for its next attempt. It carries what it needs from the target as it was
 * when the event matched (a later PutTargets does not change deliveries already made).
 */
export interface PendingDelivery {
  /** Stable per (event, bus, rule, target): a second failure of the same delivery replaces the entry. */
  readonly id: string;
  /** The rule's ARN (a Scheduler outbox keeps the schedule's here, S3's the bucket's). */
  readonly ruleArn: string;
  readonly targetArn: string;
  readonly message: {
    readonly body: string;
    /** String attributes (a Scheduler event-bus target's Source and DetailType). */
    readonly attributes?: Readonly<Record<string, string>>;
    /** SNS `Subject` (an S3 notification to a topic). */
    readonly subject?: string;
    readonly groupId?: string;
    readonly deduplicationId?: string;
    /** A function target's queued event id (stable per firing, so a redelivery is one invocation). */
    readonly id?: string;
    /** The service principal and rule the target's policy must allow, and a bus target's role (destinations.ts `ServiceSource`). */
    readonly source?: { readonly principal: string; readonly arn: string; readonly roleArn?: string };
  };
  /** When the event entered EventBridge (epoch ms): MaximumEventAgeInSeconds counts from here. */
  readonly eventTimeMs: number;
  /** Attempts made so far (the first one included). */
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterArn?: string;
  readonly lastError: string;
}

/** A key/value of a connection's InvocationHttpParameters (or OAuth parameters); a secret value is never described. */
export interface ConnectionParameter {
  readonly Key?: string;
  readonly Value?: string;
  readonly IsValueSecret?: boolean;
}

export interface ConnectionHttpParameters {
  readonly HeaderParameters?: readonly ConnectionParameter[];
  readonly QueryStringParameters?: readonly ConnectionParameter[];
  readonly BodyParameters?: readonly ConnectionParameter[];
}

/** A connection's auth parameters as given, secrets included (they stay in the store, never in an answer). */
export interface ConnectionAuthParameters {
  readonly ApiKeyAuthParameters?: { readonly ApiKeyName?: string; readonly ApiKeyValue?: string };
  readonly BasicAuthParameters?: { readonly Username?: string; readonly Password?: string };
  readonly OAuthParameters?: {
    readonly ClientParameters?: { readonly ClientID?: string; readonly ClientSecret?: string };
    readonly AuthorizationEndpoint?: string;
    readonly HttpMethod?: string;
    readonly OAuthHttpParameters?: ConnectionHttpParameters;
  };
  readonly InvocationHttpParameters?: ConnectionHttpParameters;
}

export type ConnectionAuthorizationType = "API_KEY" | "BASIC" | "OAUTH_CLIENT_CREDENTIALS";

/** An EventBridge connection (API destinations' credentials), by name. */
export interface ConnectionRecord {
  readonly Name: string;
  readonly Arn: string;
  readonly SecretArn: string;
  readonly Description?: string;
  readonly AuthorizationType: ConnectionAuthorizationType;
  readonly AuthParameters: ConnectionAuthParameters;
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
  readonly LastAuthorizedTime: number;
}

/** An EventBridge API destination (an HTTP endpoint a rule target names by ARN), by name. */
export interface ApiDestinationRecord {
  readonly Name: string;
  readonly Arn: string;
  readonly Description?: string;
  readonly ConnectionArn: string;
  readonly InvocationEndpoint: string;
  readonly HttpMethod: string;
  readonly InvocationRateLimitPerSecond?: number;
  readonly CreationTime: number;
  readonly LastModifiedTime: number;
}
