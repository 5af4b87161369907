/**
 * A function's event triggers through the public APIs: its event source mappings (SQS queues, DynamoDB and Kinesis
 * streams) with their state, the EventBridge rules and Scheduler schedules that target it, and the SNS
 * subscriptions that deliver to it.
 */
import { ListEventBusesCommand, ListRuleNamesByTargetCommand, DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateEventSourceMappingCommand, DeleteEventSourceMappingCommand, ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { ListSubscriptionsCommand } from "@aws-sdk/client-sns";
import { GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { cloudwatch, events, lambda, scheduler, sns, sqs } from "./api.js";
import { allPages, unqualified } from "./triggers.js";
import { wireSchedule } from "./schedule-wiring.js";

/** The function's mappings, each with its lag: what waits in its queue, or its stream's iterator age. */
export async function listMappings(name) {
  const mappings = await allPages((p) => lambda().send(new ListEventSourceMappingsCommand({ FunctionName: name, ...p })), "EventSourceMappings", "NextMarker", "Marker");
  return Promise.all(mappings.map(async (m) => ({ ...m, lag: await lagOf(name, m).catch(() => undefined) })));
}

/**
 * An SQS mapping's lag is its queue's backlog (messages available and in flight, GetQueueAttributes);
 * a stream mapping's is the largest IteratorAge CloudWatch has for the function over the last 5 minutes.
 */
async function lagOf(name, mapping) {
  const arn = mapping.EventSourceArn ?? "";
  if (arn.startsWith("arn:aws:sqs:")) {
    const [, , , , account, queue] = arn.split(":");
    const QueueUrl = `${location.origin}/${account}/${queue}`;
    const { Attributes = {} } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    return `${Attributes.ApproximateNumberOfMessages ?? 0} waiting, ${Attributes.ApproximateNumberOfMessagesNotVisible ?? 0} in flight`;
  }
  const now = Date.now();
  const { Datapoints = [] } = await cloudwatch().send(new GetMetricStatisticsCommand({
    Namespace: "AWS/Lambda", MetricName: "IteratorAge", Dimensions: [{ Name: "FunctionName", Value: name }],
    StartTime: new Date(now - 5 * 60_000), EndTime: new Date(now), Period: 60, Statistics: ["Maximum"],
  }));
  const worst = Math.max(...Datapoints.map((d) => d.Maximum ?? 0));
  return Datapoints.length ? `iterator age ${Math.round(worst)} ms` : "–";
}

/** A queue or a stream; streams start at the newest record, as the Lambda console's default does. */
export function addMapping(name, sourceArn, batchSize) {
  const stream = /:dynamodb:.*\/stream\/|:kinesis:/.test(sourceArn);
  return lambda().send(new CreateEventSourceMappingCommand({
    FunctionName: name, EventSourceArn: sourceArn, ...(batchSize ? { BatchSize: batchSize } : {}), ...(stream ? { StartingPosition: "LATEST" } : {}),
  }));
}

export const setMappingEnabled = (uuid, enabled) => lambda().send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
export const deleteMapping = (uuid) => lambda().send(new DeleteEventSourceMappingCommand({ UUID: uuid }));

/** EventBridge rules on any bus with a target that is this function (any qualifier). */
export async function listRules(functionArn) {
  const buses = await allPages((p) => events().send(new ListEventBusesCommand(p)), "EventBuses");
  const found = [];
  for (const bus of buses) {
    const names = await allPages((p) => events().send(new ListRuleNamesByTargetCommand({ TargetArn: unqualified(functionArn), EventBusName: bus.Name, ...p })), "RuleNames");
    for (const name of names) {
      const rule = await events().send(new DescribeRuleCommand({ Name: name, EventBusName: bus.Name }));
      found.push({ kind: "EventBridge rule", name, bus: bus.Name, expression: rule.ScheduleExpression ?? rule.EventPattern ?? "", state: rule.State });
    }
  }
  return found;
}

/** Scheduler schedules whose target is this function; a Unkai without Scheduler yields none. */
export async function listSchedules(functionArn) {
  const all = await allPages((p) => scheduler().send(new ListSchedulesCommand(p)), "Schedules");
  return all.filter((s) => unqualified(s.Target?.Arn) === unqualified(functionArn))
    .map((s) => ({ kind: "Scheduler schedule", name: s.Name, bus: s.GroupName ?? "default", expression: "", state: s.State }));
}

/** SNS subscriptions that deliver to this function. */
export async function listTopicSubscriptions(functionArn) {
  const all = await allPages((p) => sns().send(new ListSubscriptionsCommand(p)), "Subscriptions");
  return all.filter((s) => s.Protocol === "lambda" && unqualified(s.Endpoint) === unqualified(functionArn));
}

/** A schedule trigger: the rule `<function>-schedule` with this expression, allowed to invoke the function and targeting it. */
export function addScheduleTrigger(name, functionArn, expression) {
  return wireSchedule({ events: events(), lambda: lambda() }, name, unqualified(functionArn), expression);
}
