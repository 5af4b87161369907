/**
 * CloudWatch's IAM actions, derived from its model: `cloudwatch:<Operation>` on the resources the Service
 * Authorization Reference lists for it ("Actions, resources, and condition keys for Amazon CloudWatch"):
 * - the alarm the input names (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`): PutMetricAlarm,
 *   PutCompositeAlarm, SetAlarmState, DescribeAlarmHistory with an AlarmName;
 * - each alarm an operation names, every one of which must be allowed: DeleteAlarms, EnableAlarmActions,
 *   DisableAlarmActions (the reference gives them the one required `alarm` resource type, like a single-alarm
 *   operation; a request naming an alarm the caller may not touch is refused whole, nothing done);
 * - `alarm:*` for DescribeAlarms (whatever names or prefix it filters by: AWS's refusals of it name
 *   `…:alarm:*`) and DescribeAlarmHistory without an AlarmName; `*` when DescribeAlarms asks for composite
 *   alarms (CloudWatch's permissions reference: describing composite alarms needs a `*` scope);
 * - the dashboard the input names (`arn:aws:cloudwatch::<account>:dashboard/<name>`: dashboards are global, no
 *   Region): PutDashboard, GetDashboard, and each dashboard DeleteDashboards names (every one must be allowed);
 *   ListDashboards has no resource (`*`);
 * - the ResourceARN of TagResource, UntagResource and ListTagsForResource;
 * - `*` for every other operation (metrics, DescribeAlarmsForMetric, anomaly detectors…: no required resource).
 * PutMetricAlarm and PutCompositeAlarm supply `cloudwatch:AlarmActions` (every action ARN the alarm is given, when it is given any);
 * PutMetricData `cloudwatch:namespace`; tags sent supply `aws:RequestTag/<key>` and `aws:TagKeys`
 * (derived-authorization.ts). test/iam-derived-actions.test.ts, test/iam-cloudwatch-alarms.test.ts.
 */
import type { Account } from "../../core/arn.js";
import type { ContextValue } from "../../core/iam-policy/index.js";
import { derivedAuthorization, stringMember, type AuthorizationTable } from "../../protocol/codecs/derived-authorization.js";
import type { ServiceModel } from "../../protocol/codecs/model.js";

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The alarm ARN of a name, as alarms.ts gives alarms theirs. */
export const alarmArn = (account: Account, name: string) => `arn:aws:cloudwatch:${account.region}:${account.accountId}:alarm:${name}`;

/** The dashboard ARN of a name, as dashboards.ts gives dashboards theirs. */
export const dashboardArn = (account: Account, name: string) => `arn:aws:cloudwatch::${account.accountId}:dashboard/${name}`;

export function cloudWatchAuthorization(model: ServiceModel, account: Account): AuthorizationTable {
  const arn = (name: string) => alarmArn(account, name);
  const resourceOf = (operation: string, input: Record<string, unknown>): string | readonly string[] => {
    switch (operation) {
      case "PutMetricAlarm":
      case "PutCompositeAlarm":
      case "SetAlarmState":
        return arn(stringMember(input, "AlarmName") ?? "");
      case "DeleteAlarms":
      case "EnableAlarmActions":
      case "DisableAlarmActions":
        // An empty list names no alarm: the account's alarms as a whole, as DescribeAlarms.
        return strings(input.AlarmNames).length > 0 ? strings(input.AlarmNames).map(arn) : arn("*");
      case "DescribeAlarms":
        return strings(input.AlarmTypes).includes("CompositeAlarm") ? "*" : arn("*");
      case "DescribeAlarmHistory":
        return arn(stringMember(input, "AlarmName") ?? "*");
      case "PutDashboard":
      case "GetDashboard":
        return dashboardArn(account, stringMember(input, "DashboardName") ?? "");
      case "DeleteDashboards":
        return strings(input.DashboardNames).length > 0 ? strings(input.DashboardNames).map((name) => dashboardArn(account, name)) : dashboardArn(account, "*");
      case "TagResource":
      case "UntagResource":
      case "ListTagsForResource":
        return stringMember(input, "ResourceARN") ?? "*";
      default:
        return "*";
    }
  };
  const keysOf = (operation: string, input: Record<string, unknown>): Record<string, ContextValue> | undefined => {
    if (operation === "PutMetricAlarm" || operation === "PutCompositeAlarm") {
      const actions = [...strings(input.AlarmActions), ...strings(input.OKActions), ...strings(input.InsufficientDataActions)];
      return actions.length > 0 ? { "cloudwatch:AlarmActions": actions } : undefined;
    }
    const namespace = stringMember(input, "Namespace");
    return operation === "PutMetricData" && namespace !== undefined ? { "cloudwatch:namespace": namespace } : undefined;
  };
  return derivedAuthorization(model, { prefix: "cloudwatch", resourceOf, keysOf });
}
