/**
 * CloudWatch Logs operations → IAM actions and resources. Group-level operations name the group as
 * DescribeLogGroups reports its `arn` (`…:log-group:<name>:*`, the form policies are written against);
 * stream-level ones name the stream (`…:log-group:<name>:log-stream:<stream>`), so the usual execution-role
 * policy `log-group:/aws/lambda/<fn>:*` covers both. modelService refuses to build if an operation is
 * missing here.
 */
import type { Account } from "../../core/arn.js";
import { passRole, type ActionRequest } from "../../core/iam-policy/index.js";

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
  return {
    CreateLogGroup: group("CreateLogGroup"),
    CreateLogStream: stream("CreateLogStream"),
    PutLogEvents: stream("PutLogEvents"),
    PutRetentionPolicy: group("PutRetentionPolicy"),
    DeleteRetentionPolicy: group("DeleteRetentionPolicy"),
    FilterLogEvents: group("FilterLogEvents"),
    GetLogEvents: stream("GetLogEvents"),
    DescribeLogGroups: () => [{ action: "logs:DescribeLogGroups", resource: `${base}*` }],
    DescribeLogStreams: group("DescribeLogStreams"),
    DeleteLogGroup: group("DeleteLogGroup"),
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
