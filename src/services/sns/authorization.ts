/**
 * Every SNS operation is `sns:<Operation>` on the topic it concerns (a subscription's operations on
 * its topic, as in the Service Authorization Reference); listings of every topic or subscription name `*`.
 */
import type { Account } from "../../core/arn.js";
import { requestTagKeys, type ActionRequest } from "../../core/iam-policy/index.js";
import { topicArn } from "./context.js";

const str = (value: unknown) => (typeof value === "string" ? value : undefined);

function resourceOf(account: Account, operation: string, input: Record<string, unknown>): string {
  if (operation === "CreateTopic") return topicArn(account, str(input.Name) ?? "");
  const subscription = str(input.SubscriptionArn);
  if (subscription !== undefined) return subscription.replace(/:[^:]*$/, "");
  return str(input.TopicArn) ?? str(input.TargetArn) ?? str(input.ResourceArn) ?? "*";
}

export function snsAuthorization(account: Account, operations: readonly string[]): Record<string, (input: Record<string, unknown>) => readonly ActionRequest[]> {
  return Object.fromEntries(operations.map((operation) => [operation, (input: Record<string, unknown>) => {
    const keys = requestTagKeys(input);
    return [{ action: `sns:${operation}`, resource: resourceOf(account, operation, input), ...(keys ? { keys } : {}) }];
  }]));
}
