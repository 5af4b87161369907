/**
 * A metric alarm as stored (AWS's MetricAlarm fields, times as epoch ms) and as answered, and how one
 * is evaluated: the last EvaluationPeriods periods of its statistic (the current one included, so a
 * point shows at once), missing periods treated per TreatMissingData, ALARM when at least
 * DatapointsToAlarm of them breach the threshold.
 */
export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";

export interface StoredAlarm {
  readonly AlarmName: string;
  readonly AlarmArn: string;
  readonly AlarmDescription?: string;
  readonly ActionsEnabled: boolean;
  readonly OKActions: readonly string[];
  readonly AlarmActions: readonly string[];
  readonly InsufficientDataActions: readonly string[];
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Unit?: string;
  readonly Period: number;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm: number;
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData: string;
  /**
   * A composite alarm's rule (PutCompositeAlarm); such an alarm watches no metric (its metric fields
   * are empty) and is answered as a CompositeAlarm.
   */
  readonly AlarmRule?: string;
  /** The Metrics form it was created with (one MetricStat query), answered back as given. */
  readonly Metrics?: readonly object[];
  readonly configuredAt: number;
  readonly StateValue: AlarmState;
  readonly StateReason: string;
  readonly StateReasonData?: string;
  readonly stateUpdatedAt: number;
  readonly stateTransitionedAt: number;
  /** Its tags (resource-tags.ts); DescribeAlarms does not answer them, ListTagsForResource does. */
  readonly tags?: Readonly<Record<string, string>>;
}

export const COMPARISONS: Readonly<Record<string, (value: number, threshold: number) => boolean>> = {
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  GreaterThanThreshold: (v, t) => v > t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

const WORDS: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

export interface Evaluation {
  readonly state: AlarmState | undefined;
  readonly reason: string;
  readonly reasonData: string;
}

/** The state `series` (period start → value, of the last EvaluationPeriods periods) puts the alarm in; undefined keeps it. */
export function evaluate(alarm: StoredAlarm, series: ReadonlyMap<number, number>, periodStarts: readonly number[]): Evaluation {
  const compare = COMPARISONS[alarm.ComparisonOperator] ?? (() => false);
  const present = periodStarts.filter((start) => series.has(start));
  const missing = periodStarts.length - present.length;
  const breaching = present.filter((start) => compare(series.get(start) ?? 0, alarm.Threshold));
  let breaches = breaching.length;
  if (alarm.TreatMissingData === "breaching") breaches += missing;
  const values = present.map((start) => `${series.get(start) ?? 0} (${stamp(start)})`);
  const data = JSON.stringify({ version: "1.0", queryDate: new Date().toISOString(), startDate: new Date(periodStarts[0] ?? 0).toISOString(), statistic: alarm.Statistic ?? alarm.ExtendedStatistic, period: alarm.Period, recentDatapoints: present.map((s) => series.get(s)), threshold: alarm.Threshold, evaluatedDatapoints: present.map((s) => ({ timestamp: new Date(s).toISOString(), value: series.get(s) })) });
  if (present.length === 0 && (alarm.TreatMissingData === "missing" || alarm.TreatMissingData === "ignore")) {
    return alarm.TreatMissingData === "ignore"
      ? { state: undefined, reason: "", reasonData: "" }
      : { state: "INSUFFICIENT_DATA", reason: `Insufficient Data: ${periodStarts.length} datapoint${periodStarts.length === 1 ? " was" : "s were"} unknown.`, reasonData: data };
  }
  const words = WORDS[alarm.ComparisonOperator] ?? alarm.ComparisonOperator;
  const crossed = breaches >= alarm.DatapointsToAlarm;
  const reason = `Threshold Crossed: ${crossed ? breaches : present.length - breaching.length} out of the last ${periodStarts.length} datapoints [${values.join(", ")}] ${crossed ? "was" : "was not"} ${words} the threshold (${alarm.Threshold}) (minimum ${alarm.DatapointsToAlarm} datapoint${alarm.DatapointsToAlarm === 1 ? "" : "s"} for OK -> ALARM transition).`;
  return { state: crossed ? "ALARM" : "OK", reason, reasonData: data };
}

/** CloudWatch's reason timestamps: dd/MM/yy HH:mm:ss (UTC). */
function stamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** A composite alarm as DescribeAlarms answers it (CompositeAlarm). */
export function describeComposite(alarm: StoredAlarm): object {
  const { AlarmName, AlarmArn, AlarmDescription, ActionsEnabled, AlarmActions, OKActions, InsufficientDataActions, AlarmRule, StateValue, StateReason, StateReasonData } = alarm;
  return {
    AlarmName, AlarmArn, AlarmDescription, ActionsEnabled, AlarmActions, OKActions, InsufficientDataActions, AlarmRule, StateValue, StateReason, StateReasonData,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configuredAt),
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    StateTransitionedTimestamp: new Date(alarm.stateTransitionedAt),
  };
}

/** The alarm as DescribeAlarms answers it (MetricAlarm). */
export function describe(alarm: StoredAlarm): object {
  const { configuredAt, stateUpdatedAt, stateTransitionedAt, Metrics, tags: _tags, ...fields } = alarm;
  return {
    ...fields,
    AlarmConfigurationUpdatedTimestamp: new Date(configuredAt),
    StateUpdatedTimestamp: new Date(stateUpdatedAt),
    StateTransitionedTimestamp: new Date(stateTransitionedAt),
    ...(Metrics ? { Metrics, Namespace: undefined, MetricName: undefined, Dimensions: undefined, Statistic: undefined, Period: undefined } : {}),
  };
}
