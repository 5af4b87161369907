/**
 * Schedules: CreateSchedule, GetSchedule, UpdateSchedule, DeleteSchedule, ListSchedules. Every change
 * re-times the schedule's timer (timers.ts); what a schedule may say is checked here, once.
 */
import { UnkaiError } from "../../core/errors.js";
import { ScheduleExpressionError, parseSchedule, schedulerScheduleMessage } from "../../core/schedule/index.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import type { ScheduleRecord, ScheduleTargetRecord } from "../../core/scheduler.js";
import { DEFAULT_GROUP, page, requireGroup, scheduleKey, validation, type SchedulerContext } from "./context.js";

/** CreateSchedule's and UpdateSchedule's input, as the model codec decoded it. */
interface ScheduleInput {
  readonly Name: string;
  readonly GroupName?: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly StartDate?: Date;
  readonly EndDate?: Date;
  readonly Description?: string;
  readonly State?: "ENABLED" | "DISABLED";
  readonly FlexibleTimeWindow: ScheduleRecord["FlexibleTimeWindow"];
  readonly ActionAfterCompletion?: "NONE" | "DELETE";
  readonly KmsKeyArn?: string;
  readonly Target: ScheduleTargetRecord & Record<string, unknown>;
}

const FUNCTION_OR_BUS = /^arn:aws[a-z-]*:(lambda|events):/;

function checkExpression(input: ScheduleInput): void {
  try {
    parseSchedule(input.ScheduleExpression, { allowAt: true, timeZone: input.ScheduleExpressionTimezone ?? "UTC" });
  } catch (error) {
    if (!(error instanceof ScheduleExpressionError)) throw error;
    if (/time zone/.test(error.reason)) throw validation(`Invalid timezone ${input.ScheduleExpressionTimezone ?? ""}.`);
    throw validation(schedulerScheduleMessage(input.ScheduleExpression));
  }
}

function checkWindow(window: ScheduleInput["FlexibleTimeWindow"]): void {
  if (window.Mode === "FLEXIBLE" && window.MaximumWindowInMinutes === undefined) {
    throw validation("MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.");
  }
  if (window.Mode === "OFF" && window.MaximumWindowInMinutes !== undefined) {
    throw validation("MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.");
  }
}

function checkDates(input: ScheduleInput, nowMs: number): void {
  const start = input.StartDate?.getTime();
  const end = input.EndDate?.getTime();
  if (end !== undefined && end <= nowMs) throw validation("The EndDate must be in the future.");
  if (start !== undefined && end !== undefined && end <= start) throw validation("The EndDate must be after the StartDate.");
}

function checkTarget(ctx: SchedulerContext, target: ScheduleInput["Target"]): void {
  const universal = /^arn:aws[a-z-]*:scheduler:::aws-sdk:/.test(target.Arn);
  if (universal || !ctx.canSend(target.Arn)) {
    throw validation(`Unkai's Scheduler delivers to Lambda functions, SQS queues, SNS topics, EventBridge event buses and Kinesis streams; ${target.Arn} is none it can reach.`);
  }
  if (KINESIS_STREAM_ARN.test(target.Arn) && target.KinesisParameters?.PartitionKey === undefined) {
    throw validation("KinesisParameters.PartitionKey is required for a Kinesis stream target.");
  }
  if (FUNCTION_OR_BUS.test(target.Arn) && target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw validation("Target Input must be well-formed JSON for Lambda and EventBridge targets.");
    }
  }
  if (/\.fifo$/.test(target.Arn) && target.SqsParameters?.MessageGroupId === undefined) {
    throw validation("SqsParameters.MessageGroupId is required for a FIFO queue target.");
  }
}

function targetRecord(target: ScheduleInput["Target"]): ScheduleTargetRecord {
  const { Arn, RoleArn, Input, RetryPolicy, DeadLetterConfig, SqsParameters, EventBridgeParameters, KinesisParameters } = target;
  return { Arn, RoleArn, Input, RetryPolicy, DeadLetterConfig, SqsParameters, EventBridgeParameters, KinesisParameters };
}

/** The record an input describes, after every check; `created` keeps an updated schedule's creation date. */
function recordOf(ctx: SchedulerContext, input: ScheduleInput, group: string, created: number | undefined): ScheduleRecord {
  const now = ctx.now();
  checkExpression(input);
  checkWindow(input.FlexibleTimeWindow);
  checkDates(input, now);
  checkTarget(ctx, input.Target);
  return {
    Name: input.Name, GroupName: group, Arn: ctx.arns.schedule(group, input.Name), ScheduleExpression: input.ScheduleExpression,
    ScheduleExpressionTimezone: input.ScheduleExpressionTimezone, StartDate: input.StartDate?.getTime(), EndDate: input.EndDate?.getTime(),
    Description: input.Description, State: input.State ?? "ENABLED", FlexibleTimeWindow: input.FlexibleTimeWindow,
    ActionAfterCompletion: input.ActionAfterCompletion ?? "NONE", KmsKeyArn: input.KmsKeyArn, Target: targetRecord(input.Target),
    CreationDate: created ?? now, LastModificationDate: now,
  };
}

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

function scheduleOut(s: ScheduleRecord) {
  return { ...s, StartDate: date(s.StartDate), EndDate: date(s.EndDate), CreationDate: date(s.CreationDate), LastModificationDate: date(s.LastModificationDate) };
}

const notFound = (name: string) => new UnkaiError("ResourceNotFoundException", `Schedule ${name} does not exist.`);

export function scheduleOperations(ctx: SchedulerContext) {
  const load = async (group: string | undefined, name: string) => {
    const schedule = await ctx.schedules.get(scheduleKey(group ?? DEFAULT_GROUP, name));
    if (!schedule) throw notFound(name);
    return schedule;
  };
  return {
    async CreateSchedule(input: ScheduleInput) {
      const group = input.GroupName ?? DEFAULT_GROUP;
      await requireGroup(ctx, group);
      const key = scheduleKey(group, input.Name);
      if (await ctx.schedules.get(key)) throw new UnkaiError("ConflictException", `Schedule ${input.Name} already exists.`);
      const record = recordOf(ctx, input, group, undefined);
      await ctx.schedules.put(key, record);
      await ctx.changed(key, record);
      return { ScheduleArn: record.Arn };
    },
    async GetSchedule(input: { Name: string; GroupName?: string }) {
      return scheduleOut(await load(input.GroupName, input.Name));
    },
    async UpdateSchedule(input: ScheduleInput) {
      const current = await load(input.GroupName, input.Name);
      const record = recordOf(ctx, input, current.GroupName, current.CreationDate);
      const key = scheduleKey(current.GroupName, current.Name);
      await ctx.schedules.put(key, record);
      await ctx.changed(key, record);
      return { ScheduleArn: record.Arn };
    },
    async DeleteSchedule(input: { Name: string; GroupName?: string }) {
      const current = await load(input.GroupName, input.Name);
      const key = scheduleKey(current.GroupName, current.Name);
      await ctx.schedules.delete(key);
      await ctx.changed(key, undefined);
      return {};
    },
    async ListSchedules(input: { GroupName?: string; NamePrefix?: string; State?: string; MaxResults?: number; NextToken?: string }) {
      if (input.GroupName !== undefined) await requireGroup(ctx, input.GroupName);
      const matching = (await ctx.schedules.list()).filter((s) =>
        (input.GroupName === undefined || s.GroupName === input.GroupName)
        && (input.NamePrefix === undefined || s.Name.startsWith(input.NamePrefix))
        && (input.State === undefined || s.State === input.State));
      const { items, next } = page(matching, (s) => scheduleKey(s.GroupName, s.Name), input.MaxResults, input.NextToken);
      return {
        Schedules: items.map((s) => ({
          Arn: s.Arn, Name: s.Name, GroupName: s.GroupName, State: s.State, CreationDate: date(s.CreationDate), LastModificationDate: date(s.LastModificationDate),
          Target: { Arn: s.Target.Arn },
        })),
        NextToken: next,
      };
    },
  };
}
