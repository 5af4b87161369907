/**
 * What an alarm's state change sends to its actions: to an SNS topic or an SQS queue, the alarm
 * notification JSON CloudWatch publishes to SNS (AlarmName, NewStateValue, NewStateReason,
 * StateChangeTime, Trigger…, subject `ALARM: "<name>" in <region>`); to a Lambda function, the
 * `aws.cloudwatch` alarm event CloudWatch invokes functions with (alarmData with state, previousState
 * and configuration).
 */
import type { OutboundMessage } from "../../async/destinations.js";
import type { AlarmState, StoredAlarm } from "./alarm-model.js";

/** CloudWatch's notification times: `2026-12-03T14:20:00.000+0000`. */
const notificationTime = (ms: number) => new Date(ms).toISOString().replace("Z", "+0000");

const REGION_NAMES: Readonly<Record<string, string>> = { "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)", "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)" };

export interface Transition {
  readonly alarm: StoredAlarm;
  readonly oldState: AlarmState;
  readonly account: { readonly accountId: string; readonly region: string };
}

/**
 * Under IAM enforcement the target's own policy must allow CloudWatch for this alarm, as on AWS: a
 * function's its alarm principal, a topic's `cloudwatch.amazonaws.com` (SNS's default topic policy does,
 * by `AWS:SourceOwner`). Queues are an Unkai extension (AWS alarms have no SQS action) and are not checked.
 */
export function actionMessage(arn: string, t: Transition): OutboundMessage {
  const service = arn.split(":")[2];
  if (service === "lambda") return { body: JSON.stringify(lambdaEvent(t)), source: { principal: "lambda.alarms.cloudwatch.amazonaws.com", arn: t.alarm.AlarmArn } };
  const notification = snsNotification(t);
  return service === "sns" ? { ...notification, source: { principal: "cloudwatch.amazonaws.com", arn: t.alarm.AlarmArn, owner: t.account.accountId } } : notification;
}

function snsNotification({ alarm, oldState, account }: Transition): OutboundMessage {
  const region = REGION_NAMES[account.region] ?? account.region;
  const body = {
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription ?? null,
    AWSAccountId: account.accountId,
    AlarmConfigurationUpdatedTimestamp: notificationTime(alarm.configuredAt),
    NewStateValue: alarm.StateValue,
    NewStateReason: alarm.StateReason,
    StateChangeTime: notificationTime(alarm.stateUpdatedAt),
    Region: region,
    AlarmArn: alarm.AlarmArn,
    OldStateValue: oldState,
    OKActions: alarm.OKActions,
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: alarm.InsufficientDataActions,
    ...(alarm.AlarmRule !== undefined ? { AlarmRule: alarm.AlarmRule } : { Trigger: trigger(alarm) }),
  };
  return { subject: `${alarm.StateValue}: "${alarm.AlarmName}" in ${region}`, body: JSON.stringify(body) };
}

/** What a metric alarm watches, as its notifications describe it. */
function trigger(alarm: StoredAlarm): object {
  return {
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      StatisticType: alarm.Statistic ? "Statistic" : "ExtendedStatistic",
      ...(alarm.Statistic ? { Statistic: alarm.Statistic.toUpperCase() } : { ExtendedStatistic: alarm.ExtendedStatistic }),
      Unit: alarm.Unit ?? null,
      Dimensions: alarm.Dimensions.map((d) => ({ value: d.Value, name: d.Name })),
      Period: alarm.Period,
      EvaluationPeriods: alarm.EvaluationPeriods,
      DatapointsToAlarm: alarm.DatapointsToAlarm,
      ComparisonOperator: alarm.ComparisonOperator,
      Threshold: alarm.Threshold,
      TreatMissingData: alarm.TreatMissingData,
      EvaluateLowSampleCountPercentile: "",
  };
}

function lambdaEvent({ alarm, oldState, account }: Transition): object {
  return {
    source: "aws.cloudwatch",
    alarmArn: alarm.AlarmArn,
    accountId: account.accountId,
    time: new Date(alarm.stateUpdatedAt).toISOString(),
    region: account.region,
    alarmData: {
      alarmName: alarm.AlarmName,
      state: { value: alarm.StateValue, reason: alarm.StateReason, ...(alarm.StateReasonData ? { reasonData: alarm.StateReasonData } : {}), timestamp: new Date(alarm.stateUpdatedAt).toISOString() },
      previousState: { value: oldState },
      configuration: alarm.AlarmRule !== undefined ? {
        ...(alarm.AlarmDescription ? { description: alarm.AlarmDescription } : {}),
        alarmRule: alarm.AlarmRule,
      } : {
        ...(alarm.AlarmDescription ? { description: alarm.AlarmDescription } : {}),
        metrics: [{
          id: "m1",
          metricStat: {
            metric: { namespace: alarm.Namespace, name: alarm.MetricName, dimensions: Object.fromEntries(alarm.Dimensions.map((d) => [d.Name, d.Value])) },
            period: alarm.Period,
            stat: alarm.Statistic ?? alarm.ExtendedStatistic,
          },
          returnData: true,
        }],
      },
    },
  };
}
