/** PutBucketNotificationConfiguration and GetBucketNotificationConfiguration (Lambda destinations). */
import { randomUUID } from "node:crypto";
import type { UnkaiRequest, UnkaiResponse } from "../../protocol/http.js";
import { functionOfArn, S3_EVENT_TYPES, type LambdaNotification, type NotificationConfiguration } from "../../sources/s3-notifications.js";
import { notificationOf, requireBucket, type S3Context } from "./context.js";
import { S3Error } from "./errors.js";
import { listOf, parseXml, text, xmlResponse } from "./xml.js";

function filterValue(config: Record<string, unknown>, name: "prefix" | "suffix"): string | undefined {
  const filter = config.Filter as { S3Key?: { FilterRule?: unknown } } | undefined;
  const rules = listOf(filter?.S3Key?.FilterRule).filter((rule) => text(rule.Name).toLowerCase() === name);
  if (rules.length > 1) throw new S3Error("InvalidArgument", `Cannot specify more than one ${name} rule in a filter.`, undefined, { ArgumentName: "FilterRule.Name", ArgumentValue: name });
  return rules[0] ? text(rules[0].Value) : undefined;
}

async function lambdaConfig(context: S3Context, raw: Record<string, unknown>): Promise<LambdaNotification> {
  const arn = text(raw.CloudFunction) || text(raw.LambdaFunctionArn);
  const fn = functionOfArn(arn);
  if (!fn || !(await context.functionExists(fn.name))) {
    throw new S3Error("InvalidArgument", "Unable to validate the following destination configurations", undefined, { ArgumentName: arn, ArgumentValue: "The destination function does not exist." });
  }
  const events = (Array.isArray(raw.Event) ? (raw.Event as unknown[]) : []).map(String).filter((e) => e !== "");
  if (events.length === 0) throw new S3Error("InvalidArgument", "A notification configuration must name at least one Event.", undefined, { ArgumentName: "Event" });
  for (const event of events) {
    if (!S3_EVENT_TYPES.has(event)) throw new S3Error("InvalidArgument", `The event ${event} is not supported for notifications.`, undefined, { ArgumentName: "Event", ArgumentValue: event });
  }
  return { id: text(raw.Id) || randomUUID(), functionArn: arn, events, prefix: filterValue(raw, "prefix"), suffix: filterValue(raw, "suffix") };
}

export async function putNotification(context: S3Context, request: UnkaiRequest, bucket: string): Promise<UnkaiResponse> {
  await requireBucket(context, bucket);
  const document = request.body.length === 0 ? {} : parseXml(request.body, "NotificationConfiguration");
  for (const kind of ["QueueConfiguration", "TopicConfiguration", "EventBridgeConfiguration"]) {
    if (document[kind] !== undefined) {
      throw new S3Error("InvalidArgument", `Unkai delivers S3 notifications to Lambda functions only; ${kind} is not supported yet.`, undefined, { ArgumentName: kind });
    }
  }
  const lambda: LambdaNotification[] = [];
  for (const raw of [...listOf(document.CloudFunctionConfiguration), ...listOf(document.LambdaFunctionConfiguration)]) lambda.push(await lambdaConfig(context, raw));
  const config: NotificationConfiguration = { lambda };
  await context.store.setNotification(bucket, lambda.length > 0 ? JSON.stringify(config) : undefined);
  return { status: 200 };
}

export async function getNotification(context: S3Context, bucket: string): Promise<UnkaiResponse> {
  const config = notificationOf(await requireBucket(context, bucket));
  const entries = (config?.lambda ?? []).map((c) => {
    const rules = [
      ...(c.prefix === undefined ? [] : [{ Name: "Prefix", Value: c.prefix }]),
      ...(c.suffix === undefined ? [] : [{ Name: "Suffix", Value: c.suffix }]),
    ];
    return { Id: c.id, CloudFunction: c.functionArn, Event: c.events, ...(rules.length > 0 ? { Filter: { S3Key: { FilterRule: rules } } } : {}) };
  });
  return xmlResponse("NotificationConfiguration", entries.length > 0 ? { CloudFunctionConfiguration: entries } : {});
}
