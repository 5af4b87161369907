/**
 * PutSubscriptionFilter / DescribeSubscriptionFilters / DeleteSubscriptionFilter, checked as CloudWatch
 * Logs checks them. Destinations are Lambda functions and Kinesis streams (with the role Logs puts
 * records as) of this account and region; what is delivered to them, and when, is subscription-delivery.ts.
 */
import type { Account } from "../../core/arn.js";
import { KINESIS_STREAM_ARN } from "../../core/kinesis.js";
import { UnkaiError } from "../../core/errors.js";
import { MAX_SUBSCRIPTION_FILTERS_PER_GROUP } from "../../core/log-limits.js";
import type { LogGroupSubscriptions, SubscriptionFilterRecord } from "../../core/log-subscription.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import type { DocumentStore } from "../../store/ports.js";
import { filterPattern } from "./filter.js";

const DEFAULT_DESCRIBE_LIMIT = 50;

interface PutInput {
  readonly logGroupName: string;
  readonly filterName: string;
  readonly filterPattern: string;
  readonly destinationArn: string;
  readonly roleArn?: string;
  readonly distribution?: "ByLogStream" | "Random";
}
interface DescribeInput {
  readonly logGroupName: string;
  readonly filterNamePrefix?: string;
  readonly nextToken?: string;
  readonly limit?: number;
}

export interface SubscriptionDeps {
  readonly subscriptions: DocumentStore<LogGroupSubscriptions>;
  readonly account: Account;
  /** Whether a function of that name exists. */
  readonly functionExists: (name: string) => Promise<boolean>;
  /**
   * Whether the function's resource policy lets CloudWatch Logs invoke it for this log group; present
   * only where function policies are enforced (`--iam enforce`), as AWS checks it at PutSubscriptionFilter.
   */
  readonly logsMayInvoke?: (functionArn: string, logGroupArn: string) => Promise<boolean>;
  /**
   * Whether a Kinesis stream exists and the filter's role may put records on it for this log group (the
   * role trusting CloudWatch Logs, where roles are enforced), as AWS's test message at PutSubscriptionFilter.
   */
  readonly streamMayReceive?: (streamArn: string, roleArn: string, logGroupArn: string) => Promise<boolean>;
  readonly requireGroup: (group: string | undefined) => Promise<string>;
  readonly now: () => number;
}

const invalid = (message: string) => new UnkaiError("InvalidParameterException", message);
/** AWS's answer when the function cannot be invoked by CloudWatch Logs (missing, or its policy does not allow it). */
const CANNOT_EXECUTE = "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.";

/** AWS's answer when its test record cannot be put on the stream (missing, or the role may not). */
const CANNOT_DELIVER_TO_STREAM = "Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.";

/** A Kinesis stream of this account and region with a role that may put on it, or the Lambda function an ARN names; else a clear refusal. */
async function checkDestination(deps: SubscriptionDeps, input: PutInput): Promise<void> {
  const { region, accountId } = deps.account;
  const groupArn = `arn:aws:logs:${region}:${accountId}:log-group:${input.logGroupName}:*`;
  const stream = KINESIS_STREAM_ARN.exec(input.destinationArn);
  if (stream && stream[1] === region && stream[2] === accountId) {
    if (input.roleArn === undefined) throw invalid("A roleArn is required to deliver to a Kinesis stream: the role CloudWatch Logs puts records as.");
    if (deps.streamMayReceive && !(await deps.streamMayReceive(input.destinationArn, input.roleArn, groupArn))) throw invalid(CANNOT_DELIVER_TO_STREAM);
    return;
  }
  const lambda = new RegExp(`^arn:aws:lambda:${region}:${accountId}:function:([a-zA-Z0-9_-]{1,64})(?::(\\$LATEST|[a-zA-Z0-9_-]{1,128}))?$`);
  const name = lambda.exec(input.destinationArn)?.[1];
  if (name === undefined) {
    throw invalid(`destinationArn '${input.destinationArn}' is not a Lambda function or Kinesis stream of account ${accountId} in ${region}: Unkai delivers subscription filters to those.`);
  }
  if (!(await deps.functionExists(name))) throw invalid(CANNOT_EXECUTE);
  if (deps.logsMayInvoke && !(await deps.logsMayInvoke(input.destinationArn, groupArn))) throw invalid(CANNOT_EXECUTE);
}

export function subscriptionFilterOperations(deps: SubscriptionDeps): Operations {
  const { subscriptions, requireGroup, now } = deps;
  const filtersOf = async (group: string) => (await subscriptions.get(group))?.filters ?? [];
  return {
    async PutSubscriptionFilter(input: PutInput) {
      filterPattern(input.filterPattern);
      const group = await requireGroup(input.logGroupName);
      const existing = await filtersOf(group);
      const others = existing.filter((f) => f.filterName !== input.filterName);
      if (others.length >= MAX_SUBSCRIPTION_FILTERS_PER_GROUP) throw new UnkaiError("LimitExceededException", "Resource limit exceeded.");
      await checkDestination(deps, input);
      const filter: SubscriptionFilterRecord = {
        filterName: input.filterName, logGroupName: group, filterPattern: input.filterPattern, destinationArn: input.destinationArn,
        ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}), distribution: input.distribution ?? "ByLogStream", creationTime: now(),
      };
      // Kept in ASCII order of name, the order DescribeSubscriptionFilters answers in.
      const filters = [...others, filter].sort((a, b) => (a.filterName < b.filterName ? -1 : a.filterName > b.filterName ? 1 : 0));
      await subscriptions.put(group, { logGroupName: group, filters });
    },
    async DescribeSubscriptionFilters(input: DescribeInput) {
      const group = await requireGroup(input.logGroupName);
      const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
      if (!Number.isSafeInteger(start) || start < 0) throw invalid("The specified nextToken is invalid.");
      const all = (await filtersOf(group)).filter((f) => input.filterNamePrefix === undefined || f.filterName.startsWith(input.filterNamePrefix));
      const limit = input.limit ?? DEFAULT_DESCRIBE_LIMIT;
      return { subscriptionFilters: all.slice(start, start + limit), ...(start + limit < all.length ? { nextToken: String(start + limit) } : {}) };
    },
    async DeleteSubscriptionFilter(input: { readonly logGroupName: string; readonly filterName: string }) {
      const group = await requireGroup(input.logGroupName);
      const existing = await filtersOf(group);
      if (!existing.some((f) => f.filterName === input.filterName)) throw new UnkaiError("ResourceNotFoundException", "The specified subscription filter does not exist.");
      const filters = existing.filter((f) => f.filterName !== input.filterName);
      if (filters.length === 0) await subscriptions.delete(group);
      else await subscriptions.put(group, { logGroupName: group, filters });
    },
  };
}
