/** EventBridge Scheduler's stored resources (src/services/scheduler/ serves them). */

/** A tag as Scheduler's API carries it. */
export interface SchedulerTag {
  readonly Key: string;
  readonly Value: string;
}

export interface ScheduleGroupRecord {
  readonly Name: string;
  readonly Arn: string;
  /** Epoch milliseconds. */
  readonly CreationDate: number;
  readonly LastModificationDate: number;
  readonly Tags: readonly SchedulerTag[];
}

/** A schedule's target as CreateSchedule took it (the API's members, validated by the service). */
export interface ScheduleTargetRecord {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly RetryPolicy?: { readonly MaximumRetryAttempts?: number; readonly MaximumEventAgeInSeconds?: number };
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly SqsParameters?: { readonly MessageGroupId?: string };
  /** A Kinesis stream target's record key (required there, as on AWS). */
  readonly KinesisParameters?: { readonly PartitionKey: string };
  readonly EventBridgeParameters?: { readonly DetailType: string; readonly Source: string };
}

export interface ScheduleRecord {
  readonly Name: string;
  readonly GroupName: string;
  readonly Arn: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  /** Epoch milliseconds. */
  readonly StartDate?: number;
  readonly EndDate?: number;
  readonly Description?: string;
  readonly State: "ENABLED" | "DISABLED";
  readonly FlexibleTimeWindow: { readonly Mode: "OFF" | "FLEXIBLE"; readonly MaximumWindowInMinutes?: number };
  readonly ActionAfterCompletion: "NONE" | "DELETE";
  readonly KmsKeyArn?: string;
  readonly Target: ScheduleTargetRecord;
  readonly CreationDate: number;
  readonly LastModificationDate: number;
}
