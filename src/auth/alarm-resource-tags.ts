/**
 * `aws:ResourceTag/<key>` of a CloudWatch alarm or dashboard: the tags kept in its stored document
 * (src/services/cloudwatch/resource-tags.ts). Undefined for an ARN of another account or region, for `alarm:*` and
 * `dashboard/*` (operations naming every alarm or dashboard, no one's tags) and for a resource that does not exist
 * yet (PutMetricAlarm or PutDashboard creating it: only `aws:RequestTag` applies then).
 */
import type { Account } from "../core/arn.js";
import type { AlarmStore, DashboardRecord, DocumentStore } from "../store/ports.js";

type Tags = Readonly<Record<string, string>>;

export async function alarmResourceTags(
  stores: { readonly alarms: Pick<AlarmStore, "get">; readonly cloudwatchDashboards: Pick<DocumentStore<DashboardRecord>, "get"> },
  account: Account,
  arn: string,
): Promise<Tags | undefined> {
  const alarm = `arn:aws:cloudwatch:${account.region}:${account.accountId}:alarm:`;
  const dashboard = `arn:aws:cloudwatch::${account.accountId}:dashboard/`;
  if (arn.startsWith(dashboard) && arn !== `${dashboard}*`) return (await stores.cloudwatchDashboards.get(arn.slice(dashboard.length)))?.tags;
  if (!arn.startsWith(alarm) || arn === `${alarm}*`) return undefined;
  const found = await stores.alarms.get(arn.slice(alarm.length));
  return found && ((JSON.parse(found.document) as { tags?: Tags }).tags ?? {});
}
