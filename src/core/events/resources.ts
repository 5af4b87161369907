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
