/**
 * `aws:ResourceTag/<key>` of a CloudWatch alarm: the tags kept in its stored document
 * (src/services/cloudwatch/alarm-tags.ts). Undefined for an ARN of another account or region, for `alarm:*`
 * (DescribeAlarms names every alarm, no one alarm's tags) and for an alarm that does not exist yet
 * (PutMetricAlarm creating it: only `aws:RequestTag` applies then).
 */
import type { Account } from "../core/arn.js";
import type { AlarmStore } from "../store/ports.js";

type Tags = Readonly<Record<string, string>>;

export async function alarmResourceTags(alarms: Pick<AlarmStore, "get">, account: Account, arn: string): Promise<Tags | undefined> {
  const prefix = `arn:aws:cloudwatch:${account.region}:${account.accountId}:alarm:`;
  if (!arn.startsWith(prefix) || arn === `${prefix}*`) return undefined;
  const found = await alarms.get(arn.slice(prefix.length));
  return found && ((JSON.parse(found.document) as { tags?: Tags }).tags ?? {});
}
