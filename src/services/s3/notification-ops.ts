/**
 * PutBucketNotificationConfiguration and GetBucketNotificationConfiguration: Lambda functions, SQS
 * queues and SNS topics as destinations, and EventBridge (every change to the default event bus). As S3 does, a queue or topic configuration is checked by
 * sending it an `s3:TestEvent`; one that cannot be delivered to refuses the whole configuration. Under
 * IAM enforcement a function's policy must allow s3.amazonaws.com for the bucket, or S3 refuses it too.
 */
import { randomUUID } from "node:crypto";
import { notAuthorizedToInvoke } from "../../async/destinations.js";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { functionOfArn, S3_EVENT_TYPES, type LambdaNotification, type MessageNotification, type NotificationConfiguration } from "../../sources/s3-notifications.js";
import { notificationOf, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { listOf, parseXml, text, xmlResponse } from "./xml.js";

function filterValue(config: Record<string, unknown>, name: "prefix" | "suffix"): string | undefined {
  const filter = config.Filter as { S3Key?: { FilterRule?: unknown } } | undefined;
  const rules = listOf(filter?.S3Key?.FilterRule).filter((rule) => text(rule.Name).toLowerCase() === name);
  if (rules.length > 1) throw new S3Error("InvalidArgument", `Cannot specify more than one ${name} rule in a filter.`, undefined, { ArgumentName: "FilterRule.Name", ArgumentValue: name });
  return rules[0] ? text(rules[0].Value) : undefined;
}

const unableToValidate = (arn: string, why: string) =>
  new S3Error("InvalidArgument", "Unable to validate the following destination configurations", undefined, { ArgumentName: arn, ArgumentValue: why });

function eventsOf(raw: Record<string, unknown>): string[] {
  const events = (Array.isArray(raw.Event) ? (raw.Event as unknown[]) : []).map(String).filter((e) => e !== "");
  if (events.length === 0) throw new S3Error("InvalidArgument", "A notification configuration must name at least one Event.", undefined, { ArgumentName: "Event" });
  for (const event of events) {
    if (!S3_EVENT_TYPES.has(event)) throw new S3Error("InvalidArgument", `The event ${event} is not supported for notifications.`, undefined, { ArgumentName: "Event", ArgumentValue: event });
  }
  return events;
}

async function lambdaConfig(context: S3Context, bucket: string, raw: Record<string, unknown>): Promise<LambdaNotification> {
  const arn = text(raw.CloudFunction) || text(raw.LambdaFunctionArn);
  const fn = functionOfArn(arn);
  if (!fn || !(await context.functionExists(fn.name))) throw unableToValidate(arn, "The destination function does not exist.");
  // As S3 does, the function's policy must already allow s3.amazonaws.com for this bucket (AddPermission).
  if (context.s3MayInvoke && !(await context.s3MayInvoke(arn, `arn:aws:s3:::${bucket}`))) throw unableToValidate(arn, notAuthorizedToInvoke(arn));
  return { id: text(raw.Id) || randomUUID(), functionArn: arn, events: eventsOf(raw), prefix: filterValue(raw, "prefix"), suffix: filterValue(raw, "suffix") };
}

/** A QueueConfiguration (`Queue`) or TopicConfiguration (`Topic`), proved deliverable with a test event. */
async function messageConfig(context: S3Context, bucket: string, raw: Record<string, unknown>, kind: "Queue" | "Topic"): Promise<MessageNotification> {
  const arn = text(raw[kind]);
  const service = kind === "Queue" ? "sqs" : "sns";
  if (!new RegExp(`^arn:aws[a-z-]*:${service}:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_.-]{1,256}$`).test(arn)) {
    throw unableToValidate(arn, `${kind} must be an ${service.toUpperCase()} ARN.`);
  }
  const events = eventsOf(raw);
  try {
    await context.notifications.test(bucket, arn, kind === "Topic" ? "Amazon S3 Notification" : undefined);
  } catch (error) {
    throw unableToValidate(arn, `Permissions on the destination ${kind.toLowerCase()} do not allow S3 to publish notifications from this bucket (${(error as Error).message}).`);
  }
  return { id: text(raw.Id) || randomUUID(), arn, events, prefix: filterValue(raw, "prefix"), suffix: filterValue(raw, "suffix") };
}

export async function putNotification(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const document = request.body.length === 0 ? {} : parseXml(request.body, "NotificationConfiguration");
  // An empty <EventBridgeConfiguration/> turns S3's events for the default event bus on; leaving it out turns them off.
  const eventBridge = document.EventBridgeConfiguration !== undefined;
  const lambda: LambdaNotification[] = [];
  for (const raw of [...listOf(document.CloudFunctionConfiguration), ...listOf(document.LambdaFunctionConfiguration)]) lambda.push(await lambdaConfig(context, bucket, raw));
  const queues: MessageNotification[] = [];
  for (const raw of listOf(document.QueueConfiguration)) queues.push(await messageConfig(context, bucket, raw, "Queue"));
  const topics: MessageNotification[] = [];
  for (const raw of listOf(document.TopicConfiguration)) topics.push(await messageConfig(context, bucket, raw, "Topic"));
  const config: NotificationConfiguration = { lambda, queues, topics, ...(eventBridge ? { eventBridge } : {}) };
  await context.store.setNotification(bucket, lambda.length + queues.length + topics.length > 0 || eventBridge ? JSON.stringify(config) : undefined);
  return { status: 200 };
}

function filterOf(c: { prefix: string | undefined; suffix: string | undefined }): object {
  const rules = [
    ...(c.prefix === undefined ? [] : [{ Name: "Prefix", Value: c.prefix }]),
    ...(c.suffix === undefined ? [] : [{ Name: "Suffix", Value: c.suffix }]),
  ];
  return rules.length > 0 ? { Filter: { S3Key: { FilterRule: rules } } } : {};
}

export async function getNotification(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  const config = notificationOf(await requireBucket(context, bucket));
  const functions = (config?.lambda ?? []).map((c) => ({ Id: c.id, CloudFunction: c.functionArn, Event: c.events, ...filterOf(c) }));
  const queues = (config?.queues ?? []).map((c) => ({ Id: c.id, Queue: c.arn, Event: c.events, ...filterOf(c) }));
  const topics = (config?.topics ?? []).map((c) => ({ Id: c.id, Topic: c.arn, Event: c.events, ...filterOf(c) }));
  return xmlResponse("NotificationConfiguration", {
    ...(topics.length > 0 ? { TopicConfiguration: topics } : {}),
    ...(queues.length > 0 ? { QueueConfiguration: queues } : {}),
    ...(functions.length > 0 ? { CloudFunctionConfiguration: functions } : {}),
    ...(config?.eventBridge ? { EventBridgeConfiguration: "" } : {}),
  });
}
