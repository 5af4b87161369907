/**
 * Metric alarms: PutMetricAlarm, PutCompositeAlarm (composite-alarms.ts), DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms, SetAlarmState,
 * Enable/DisableAlarmActions, DescribeAlarmHistory, and the state changes the evaluator (and
 * SetAlarmState) make, recorded in the history and sent to the state's actions.
 */
import type { Logger } from "pino";
import type { Destinations } from "../../async/destinations.js";
import type { Account } from "../../core/arn.js";
import { UnkaiError } from "../../core/errors.js";
import type { Operations } from "../../protocol/codecs/model-service.js";
import type { AlarmStore } from "../../store/ports.js";
import { actionMessage } from "./alarm-actions.js";
import { checkTagCount, tagRecord } from "./resource-tags.js";
import { alarmPage, DEFAULT_HISTORY_PAGE, historyCursor, historyToken } from "./alarm-paging.js";
import { COMPARISONS, describe, describeComposite, type AlarmState, type StoredAlarm } from "./alarm-model.js";
import { putCompositeAlarm, type PutCompositeAlarmInput } from "./composite-alarms.js";
import { checkPeriod } from "./metric-reads.js";
import { combination, dimensionList, dimensionRecord, invalidValue, sameDimensions } from "./parameters.js";
import type { Dimension } from "./put-metric-data.js";
import { BASIC_STATISTICS, percentileOf } from "./statistics.js";

export interface AlarmDeps {
  readonly alarms: AlarmStore;
  readonly destinations: Destinations;
  readonly account: Account;
  readonly logger: Logger;
}

const MAX_ALARMS = 5000;
const STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"];

const parse = (document: string) => JSON.parse(document) as StoredAlarm;

export async function loadAlarms(store: AlarmStore): Promise<StoredAlarm[]> {
  return (await store.list()).map((a) => parse(a.document));
}

/** Moves an alarm to `state` (stored, in history, actions sent when it changed and actions are enabled). */
/**
 * Records `state` on the alarm as it is stored now: `evaluated` may be the evaluator's copy from the start of
 * its round, and a TagResource, PutMetricAlarm or DeleteAlarms made since must not be undone (an alarm
 * deleted meanwhile stays deleted). Only the state members are written over the stored alarm.
 */
export async function changeState(deps: AlarmDeps, evaluated: StoredAlarm, state: AlarmState, reason: string, reasonData: string | undefined, now: number): Promise<StoredAlarm> {
  const stored = await deps.alarms.get(evaluated.AlarmName);
  if (!stored) return evaluated;
  const alarm = parse(stored.document);
  const changed = state !== alarm.StateValue;
  const next: StoredAlarm = { ...alarm, StateValue: state, StateReason: reason, ...(reasonData ? { StateReasonData: reasonData } : {}), stateUpdatedAt: now, stateTransitionedAt: changed ? now : alarm.stateTransitionedAt };
  await deps.alarms.put({ name: alarm.AlarmName, document: JSON.stringify(next) });
  if (!changed) return next;
  const summary = `Alarm updated from ${alarm.StateValue} to ${state}`;
  await history(deps, alarm, now, "StateUpdate", summary, { version: "1.0", oldState: { stateValue: alarm.StateValue, stateReason: alarm.StateReason }, newState: { stateValue: state, stateReason: reason } });
  if (!next.ActionsEnabled) return next;
  const actions = state === "ALARM" ? next.AlarmActions : state === "OK" ? next.OKActions : next.InsufficientDataActions;
  for (const arn of actions) {
    try {
      await deps.destinations.send(arn, actionMessage(arn, { alarm: next, oldState: alarm.StateValue, account: deps.account }));
      await history(deps, alarm, Date.now(), "Action", `Successfully executed action ${arn}`, { actionState: "Succeeded", notificationResource: arn });
    } catch (error) {
      deps.logger.warn({ err: error, alarm: alarm.AlarmName, arn }, "cloudwatch: an alarm action failed");
      await history(deps, alarm, Date.now(), "Action", `Failed to execute action ${arn}. Received error: "${(error as Error).message}"`, { actionState: "Failed", notificationResource: arn, error: (error as Error).message });
    }
  }
  return next;
}

export async function history(deps: AlarmDeps, alarm: StoredAlarm, timestamp: number, type: string, summary: string, data: object): Promise<void> {
  const alarmName = alarm.AlarmName;
  const document = { AlarmName: alarmName, AlarmType: alarm.AlarmRule === undefined ? "MetricAlarm" : "CompositeAlarm", HistoryItemType: type, HistorySummary: summary, HistoryData: JSON.stringify(data) };
  await deps.alarms.addHistory({ alarmName, timestamp, type, document: JSON.stringify(document) });
}

interface PutMetricAlarmInput {
  readonly AlarmName: string;
  readonly AlarmDescription?: string;
  readonly ActionsEnabled?: boolean;
  readonly OKActions?: readonly string[];
  readonly AlarmActions?: readonly string[];
  readonly InsufficientDataActions?: readonly string[];
  readonly MetricName?: string;
  readonly Namespace?: string;
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Dimensions?: readonly Dimension[];
  readonly Period?: number;
  readonly Unit?: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly Threshold?: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData?: string;
  readonly Metrics?: readonly { Id: string; MetricStat?: { Metric: { Namespace?: string; MetricName?: string; Dimensions?: readonly Dimension[] }; Period: number; Stat: string; Unit?: string }; Expression?: string; ReturnData?: boolean }[];
  readonly ThresholdMetricId?: string;
  readonly Tags?: readonly { Key: string; Value: string }[];
}

/** The metric, statistic and period an alarm watches: its own fields, or the single MetricStat of `Metrics`. */
function watched(input: PutMetricAlarmInput): Pick<StoredAlarm, "Namespace" | "MetricName" | "Dimensions" | "Period" | "Unit"> & { stat: string } {
  if (input.Metrics) {
    if (input.MetricName !== undefined || input.Namespace !== undefined || input.Statistic !== undefined) throw combination("The parameters MetricName, Namespace and Statistic are not allowed together with Metrics.");
    const expression = input.Metrics.find((m) => m.Expression !== undefined);
    if (expression) throw invalidValue(`Unkai does not evaluate metric math in alarms yet: Metrics query ${expression.Id} has an Expression. Watch one metric with MetricStat.`);
    const stats = input.Metrics.filter((m) => m.MetricStat);
    const stat = stats[0]?.MetricStat;
    if (stats.length !== 1 || !stat) throw invalidValue("Metrics must hold exactly one MetricStat query (Unkai does not evaluate metric math in alarms yet).");
    return { Namespace: stat.Metric.Namespace ?? "", MetricName: stat.Metric.MetricName ?? "", Dimensions: dimensionList(dimensionRecord(stat.Metric.Dimensions, "Dimensions")), Period: stat.Period, ...(stat.Unit ? { Unit: stat.Unit } : {}), stat: stat.Stat };
  }
  if (input.MetricName === undefined) throw combination("Exactly one of the parameters MetricName and Metrics must be specified.");
  if (input.Namespace === undefined) throw new UnkaiError("MissingRequiredParameterException", "The parameter Namespace is required.");
  if (input.Period === undefined) throw new UnkaiError("MissingRequiredParameterException", "The parameter Period is required.");
  if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) throw combination("Exactly one of the parameters Statistic and ExtendedStatistic must be specified.");
  return { Namespace: input.Namespace, MetricName: input.MetricName, Dimensions: dimensionList(dimensionRecord(input.Dimensions, "Dimensions")), Period: input.Period, ...(input.Unit ? { Unit: input.Unit } : {}), stat: input.Statistic ?? input.ExtendedStatistic ?? "" };
}

function checkActions(input: Pick<PutMetricAlarmInput, "OKActions" | "AlarmActions" | "InsufficientDataActions">): void {
  for (const field of ["OKActions", "AlarmActions", "InsufficientDataActions"] as const) {
    const arns = input[field] ?? [];
    if (arns.length > 5) throw invalidValue(`The collection ${field} must not have a size greater than 5.`);
    for (const arn of arns) if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$/.test(arn)) throw invalidValue(`Invalid arn syntax: ${arn}`);
  }
}

export function alarmOperations(deps: AlarmDeps): Operations {
  const arnOf = (name: string) => `arn:aws:cloudwatch:${deps.account.region}:${deps.account.accountId}:alarm:${name}`;
  const must = async (name: string) => {
    const found = await deps.alarms.get(name);
    if (!found) throw new UnkaiError("ResourceNotFound", `Alarm ${name} does not exist.`);
    return parse(found.document);
  };
  return {
    async PutMetricAlarm(input: PutMetricAlarmInput) {
      const metric = watched(input);
      const { stat, ...rest } = metric;
      checkPeriod(rest.Period, "Period");
      const basic = (BASIC_STATISTICS as readonly string[]).includes(stat);
      if (!basic && percentileOf(stat) === undefined) throw invalidValue(`The value ${stat} for parameter Statistic is not a valid statistic.`);
      if (!COMPARISONS[input.ComparisonOperator]) throw invalidValue(`Unkai evaluates static thresholds only: ComparisonOperator ${input.ComparisonOperator} (anomaly detection bands) is not supported yet.`);
      if (input.Threshold === undefined) throw new UnkaiError("MissingRequiredParameterException", "The parameter Threshold is required.");
      const datapoints = input.DatapointsToAlarm ?? input.EvaluationPeriods;
      if (datapoints > input.EvaluationPeriods) throw invalidValue("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
      if (input.EvaluationPeriods * rest.Period > 7 * 86_400) throw invalidValue("The evaluation period of the alarm (Period × EvaluationPeriods) must not exceed one week.");
      checkActions(input);
      const created = checkTagCount(tagRecord(input.Tags));
      const existing = await deps.alarms.get(input.AlarmName);
      if (existing && parse(existing.document).AlarmRule !== undefined) throw new UnkaiError("ValidationError", `Alarm ${input.AlarmName} is a composite alarm: a metric alarm cannot replace it.`);
      if (!existing && (await deps.alarms.list()).length >= MAX_ALARMS) throw new UnkaiError("LimitExceededFault", `An account may have at most ${MAX_ALARMS} alarms here.`);
      const before = existing ? parse(existing.document) : undefined;
      const now = Date.now();
      const alarm: StoredAlarm = {
        AlarmName: input.AlarmName, AlarmArn: arnOf(input.AlarmName), ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription } : {}),
        ActionsEnabled: input.ActionsEnabled ?? true, OKActions: input.OKActions ?? [], AlarmActions: input.AlarmActions ?? [], InsufficientDataActions: input.InsufficientDataActions ?? [],
        ...rest, ...(basic ? { Statistic: stat } : { ExtendedStatistic: stat }), EvaluationPeriods: input.EvaluationPeriods, DatapointsToAlarm: datapoints,
        Threshold: input.Threshold, ComparisonOperator: input.ComparisonOperator, TreatMissingData: input.TreatMissingData ?? "missing", ...(input.Metrics ? { Metrics: input.Metrics } : {}),
        configuredAt: now,
        // A new alarm starts in INSUFFICIENT_DATA, as on AWS; an update keeps its state until the next evaluation.
        StateValue: before?.StateValue ?? "INSUFFICIENT_DATA", StateReason: before?.StateReason ?? "Unchecked: Initial alarm creation",
        stateUpdatedAt: before?.stateUpdatedAt ?? now, stateTransitionedAt: before?.stateTransitionedAt ?? now,
        // Tags are given at creation only: an update keeps the alarm's own (AWS ignores Tags then).
        tags: before ? (before.tags ?? {}) : created,
      };
      if (!["missing", "ignore", "breaching", "notBreaching"].includes(alarm.TreatMissingData)) throw invalidValue(`The value ${alarm.TreatMissingData} for parameter TreatMissingData is invalid.`);
      await deps.alarms.put({ name: alarm.AlarmName, document: JSON.stringify(alarm) });
      await history(deps, alarm, now, "ConfigurationUpdate", `Alarm "${alarm.AlarmName}" ${before ? "updated" : "created"}`, { version: "1.0", type: before ? "Update" : "Create" });
    },
    async DescribeAlarms(input: { AlarmNames?: string[]; AlarmNamePrefix?: string; StateValue?: string; ActionPrefix?: string; AlarmTypes?: string[]; MaxRecords?: number; NextToken?: string }) {
      if (input.AlarmNames && input.AlarmNamePrefix !== undefined) throw combination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.");
      const all = await loadAlarms(deps.alarms);
      const picked = all.filter((a) => (!input.AlarmNames || input.AlarmNames.includes(a.AlarmName))
        && (input.AlarmNamePrefix === undefined || a.AlarmName.startsWith(input.AlarmNamePrefix))
        && (input.StateValue === undefined || a.StateValue === input.StateValue)
        && (input.ActionPrefix === undefined || [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((arn) => arn.startsWith(input.ActionPrefix ?? ""))));
      const types = input.AlarmTypes ?? ["MetricAlarm"];
      // One page over both kinds, by name (code-unit order, the order a token's name is compared in).
      const wanted = picked.filter((a) => types.includes(a.AlarmRule === undefined ? "MetricAlarm" : "CompositeAlarm"))
        .sort((a, b) => (a.AlarmName < b.AlarmName ? -1 : a.AlarmName > b.AlarmName ? 1 : 0));
      const { page, nextToken } = alarmPage(wanted, input.MaxRecords, input.NextToken);
      return {
        MetricAlarms: page.filter((a) => a.AlarmRule === undefined).map(describe),
        CompositeAlarms: page.filter((a) => a.AlarmRule !== undefined).map(describeComposite),
        ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
      };
    },
    async PutCompositeAlarm(input: PutCompositeAlarmInput) {
      const existing = await deps.alarms.get(input.AlarmName);
      if (!existing && (await deps.alarms.list()).length >= MAX_ALARMS) throw new UnkaiError("LimitExceededFault", `An account may have at most ${MAX_ALARMS} alarms here.`);
      await putCompositeAlarm(deps, input, arnOf, checkActions);
    },
    async DescribeAlarmsForMetric(input: { MetricName: string; Namespace: string; Dimensions?: Dimension[]; Statistic?: string; ExtendedStatistic?: string; Period?: number; Unit?: string }) {
      const dims = dimensionRecord(input.Dimensions, "Dimensions");
      const all = await loadAlarms(deps.alarms);
      const picked = all.filter((a) => a.MetricName === input.MetricName && a.Namespace === input.Namespace
        && (input.Dimensions === undefined || sameDimensions(dimensionRecord(a.Dimensions, "Dimensions"), dims))
        && (input.Statistic === undefined || a.Statistic === input.Statistic) && (input.ExtendedStatistic === undefined || a.ExtendedStatistic === input.ExtendedStatistic)
        && (input.Period === undefined || a.Period === input.Period) && (input.Unit === undefined || a.Unit === input.Unit));
      return { MetricAlarms: picked.map(describe) };
    },
    async DeleteAlarms(input: { AlarmNames: string[] }) {
      const missing: string[] = [];
      for (const name of input.AlarmNames) if (!(await deps.alarms.get(name))) missing.push(name);
      if (missing.length > 0) throw new UnkaiError("ResourceNotFound", `${missing.length === 1 ? "Alarm" : "Alarms"} ${missing.join(", ")} ${missing.length === 1 ? "does" : "do"} not exist.`);
      for (const name of input.AlarmNames) await deps.alarms.delete(name);
    },
    async SetAlarmState(input: { AlarmName: string; StateValue: string; StateReason: string; StateReasonData?: string }) {
      const alarm = await must(input.AlarmName);
      if (!STATES.includes(input.StateValue)) throw invalidValue(`The value ${input.StateValue} for parameter StateValue is invalid.`);
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw new UnkaiError("InvalidFormatFault", "StateReasonData is not valid JSON.");
        }
      }
      await changeState(deps, alarm, input.StateValue as AlarmState, input.StateReason, input.StateReasonData, Date.now());
    },
    EnableAlarmActions: (input: { AlarmNames: string[] }) => setActions(deps, input.AlarmNames, true),
    DisableAlarmActions: (input: { AlarmNames: string[] }) => setActions(deps, input.AlarmNames, false),
    async DescribeAlarmHistory(input: { AlarmName?: string; HistoryItemType?: string; StartDate?: Date; EndDate?: Date; MaxRecords?: number; NextToken?: string; ScanBy?: string }) {
      const size = input.MaxRecords ?? DEFAULT_HISTORY_PAGE;
      const query = {
        alarmName: input.AlarmName, type: input.HistoryItemType, fromMs: input.StartDate?.getTime() ?? 0, toMs: input.EndDate?.getTime() ?? Number.MAX_SAFE_INTEGER,
        ascending: input.ScanBy === "TimestampAscending", after: historyCursor(input.NextToken),
      };
      // One more than the page: whether a next page exists without a second query.
      const entries = await deps.alarms.history(query, size + 1);
      const page = entries.slice(0, size);
      const last = page.at(-1);
      return {
        AlarmHistoryItems: page.map((e) => ({ ...(JSON.parse(e.document) as object), Timestamp: new Date(e.timestamp) })),
        ...(entries.length > size && last ? { NextToken: historyToken(last) } : {}),
      };
    },
  };
}

async function setActions(deps: AlarmDeps, names: readonly string[], enabled: boolean): Promise<void> {
  for (const name of names) {
    const found = await deps.alarms.get(name);
    // AWS ignores names that are not alarms here.
    if (found) await deps.alarms.put({ name, document: JSON.stringify({ ...parse(found.document), ActionsEnabled: enabled }) });
  }
}
