/**
 * CloudWatch Logs operations → IAM actions and resources. Group-level operations name the group as
 * DescribeLogGroups reports its `arn` (`…:log-group:<name>:*`, the form policies are written against);
 * stream-level ones name the stream (`…:log-group:<name>:log-stream:<stream>`), so the usual execution-role
 * policy `log-group:/aws/lambda/<fn>:*` covers both. TagResource, UntagResource and ListTagsForResource are the
 * exception AWS documents: they name the group's ARN without the trailing `:*` (the `logGroupArn`
 * DescribeLogGroups reports), as the request's `resourceArn` does. Tags sent (CreateLogGroup `tags`,
 * TagResource) supply `aws:RequestTag/<key>` and `aws:TagKeys`, UntagResource `aws:TagKeys`; the deprecated
 * TagLogGroup and UntagLogGroup supply neither ("CloudWatch Logs doesn't support IAM policies that prevent users
 * from assigning specified tags to log groups using the aws:Resource/key-name or aws:TagKeys condition keys",
 * their API reference says). modelService refuses to build if an operation is missing here.
 */
import type { Account } from "../../core/arn.js";
import { passRole, requestTagKeys, type ActionRequest } from "../../core/iam-policy/index.js";

type Body = Record<string, unknown>;
type Resolver = (body: Body) => readonly ActionRequest[];

const str = (value: unknown) => (typeof value === "string" ? value : "");

/** Operation → the permissions it needs (from its decoded input), for one account; logsService passes it to modelService. */
export function logsActions(account: Account): Readonly<Record<string, Resolver>> {
  const base = `arn:aws:logs:${account.region}:${account.accountId}:log-group:`;
  const groupOf = (body: Body) => str(body.logGroupName) || str(body.logGroupIdentifier);
  const group = (action: string): Resolver => (body) => [{ action: `logs:${action}`, resource: `${base}${groupOf(body)}:*` }];
  const stream = (action: string): Resolver => (body) => [
    { action: `logs:${action}`, resource: `${base}${groupOf(body)}:log-stream:${str(body.logStreamName)}` },
  ];
  /** The tagging operations' own resource: the ARN the request names (`*` when it names none), with the tag keys it sends. */
  const tagging = (action: string): Resolver => (body) => {
    const keys = requestTagKeys(body);
    return [{ action: `logs:${action}`, resource: str(body.resourceArn) || "*", ...(keys ? { keys } : {}) }];
  };
  return {
    CreateLogGroup: (body) => {
      const keys = requestTagKeys(body);
      return group("CreateLogGroup")(body).map((need) => (keys ? { ...need, keys } : need));
    },
    CreateLogStream: stream("CreateLogStream"),
    PutLogEvents: stream("PutLogEvents"),
    PutRetentionPolicy: group("PutRetentionPolicy"),
    DeleteRetentionPolicy: group("DeleteRetentionPolicy"),
    FilterLogEvents: group("FilterLogEvents"),
    GetLogEvents: stream("GetLogEvents"),
    DescribeLogGroups: () => [{ action: "logs:DescribeLogGroups", resource: `${base}*` }],
    DescribeLogStreams: group("DescribeLogStreams"),
    DeleteLogGroup: group("DeleteLogGroup"),
    DeleteLogStream: stream("DeleteLogStream"),
    TagResource: tagging("TagResource"),
    UntagResource: tagging("UntagResource"),
    ListTagsForResource: tagging("ListTagsForResource"),
    TagLogGroup: group("TagLogGroup"),
    UntagLogGroup: group("UntagLogGroup"),
    ListTagsLogGroup: group("ListTagsLogGroup"),
    PutMetricFilter: group("PutMetricFilter"),
    DeleteMetricFilter: group("DeleteMetricFilter"),
    DescribeMetricFilters: (body) => [{ action: "logs:DescribeMetricFilters", resource: groupOf(body) === "" ? `${base}*` : `${base}${groupOf(body)}:*` }],
    TestMetricFilter: () => [{ action: "logs:TestMetricFilter", resource: "*" }],
    // Its roleArn (a Kinesis destination's) is a role Logs acts as: iam:PassRole on it.
    PutSubscriptionFilter: (body) => [...group("PutSubscriptionFilter")(body), ...passRole([body.roleArn], "logs.amazonaws.com")],
    DescribeSubscriptionFilters: group("DescribeSubscriptionFilters"),
    DeleteSubscriptionFilter: group("DeleteSubscriptionFilter"),
    // One permission per tailed group, named as the client named it (an ARN, or a name of this account).
    StartLiveTail: (body) => (Array.isArray(body.logGroupIdentifiers) ? body.logGroupIdentifiers : []).map((id: unknown) => ({
      action: "logs:StartLiveTail", resource: str(id).startsWith("arn:") ? str(id).replace(/:\*$/, "") + ":*" : `${base}${str(id)}:*`,
    })),
  };
}
