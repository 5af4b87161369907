/**
 * ListMetrics, GetMetricStatistics and GetMetricData (MetricStat queries) over the MetricDataStore:
 * one metric is namespace + name + exact dimension set; a period's statistics come from statistics.ts.
 */
import { UnkaiError } from "../../core/errors.js";
import type { MetricDataStore, MetricDatum, MetricIdentity } from "../../store/ports.js";
import { combination, dimensionList, dimensionRecord, invalidValue, sameDimensions } from "./parameters.js";
import type { Dimension } from "./put-metric-data.js";
import { byPeriod, isStatistic, percentileOf, queryStart, statisticOf, summarize } from "./statistics.js";
import type { MathValue, Series } from "./metric-math/evaluate.js";
import { evaluateQueries, scalarSeries } from "./metric-math/queries.js";

/** What one metric's query reads: its points of a unit (when given) in [fromMs, toMs). */
export interface MetricSelection {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly unit?: string | undefined;
}

/**
 * Bounds are read in whole seconds (rounded down), CloudWatch's finest resolution: a point's
 * millisecond within its second never decides whether it is read, which lets ingestion store a
 * second's identical points as one (logs/metric-batch.ts) without changing any answer.
 */
export async function pointsOf(store: MetricDataStore, m: MetricSelection, fromMs: number, toMs: number): Promise<MetricDatum[]> {
  const all = await store.query(m.namespace, m.metricName, wholeSecond(fromMs), wholeSecond(toMs));
  return all.filter((p) => sameDimensions(p.dimensions, m.dimensions) && (m.unit === undefined || p.unit === m.unit));
}

const wholeSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/** Refuses a period CloudWatch refuses: 1, 5, 10, 30 (high resolution) or a multiple of 60 seconds. */
export function checkPeriod(period: number, parameter: string): void {
  if (period >= 60 ? period % 60 !== 0 : ![1, 5, 10, 30].includes(period)) {
    throw invalidValue(`The parameter ${parameter} must be 1, 5, 10, 30, or a multiple of 60.`);
  }
}

const MAX_DATAPOINTS = 1440;

export interface GetMetricStatisticsInput {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions?: readonly Dimension[];
  readonly StartTime: Date;
  readonly EndTime: Date;
  readonly Period: number;
  readonly Statistics?: readonly string[];
  readonly ExtendedStatistics?: readonly string[];
  readonly Unit?: string;
}

export async function getMetricStatistics(input: GetMetricStatisticsInput, store: MetricDataStore, now = Date.now()): Promise<object> {
  const [startMs, toMs] = [input.StartTime.getTime(), input.EndTime.getTime()];
  if (startMs >= toMs) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  checkPeriod(input.Period, "Period");
  const fromMs = queryStart(startMs, input.Period, now);
  const statistics = input.Statistics ?? [];
  const extended = input.ExtendedStatistics ?? [];
  if (statistics.length === 0 && extended.length === 0) throw combination("Must specify either Statistics or ExtendedStatistics.");
  if (extended.length > 10) throw invalidValue("The collection ExtendedStatistics must not have a size greater than 10.");
  for (const [i, s] of extended.entries()) {
    if (percentileOf(s) === undefined) throw invalidValue(`The value ${s} for parameter ExtendedStatistics.member.${i + 1} is not a valid percentile statistic.`);
  }
  const periodMs = input.Period * 1000;
  const requested = Math.ceil((toMs - fromMs) / periodMs);
  if (requested > MAX_DATAPOINTS) {
    throw combination(`You have requested up to ${requested.toLocaleString("en-US")} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
  }
  const selection = { namespace: input.Namespace, metricName: input.MetricName, dimensions: dimensionRecord(input.Dimensions, "Dimensions"), unit: input.Unit };
  const points = await pointsOf(store, selection, fromMs, toMs);
  const Datapoints = [...byPeriod(points, periodMs, fromMs)].map(([start, group]) => {
    const summary = summarize(group);
    const basic = Object.fromEntries(statistics.map((s) => [s, statisticOf(summary, s)]));
    const percentiles = extended.map((s) => [s, statisticOf(summary, s)] as const).filter(([, v]) => v !== undefined);
    return {
      Timestamp: new Date(start),
      ...basic,
      Unit: input.Unit ?? summary.unit ?? "None",
      ...(percentiles.length > 0 ? { ExtendedStatistics: Object.fromEntries(percentiles) } : {}),
    };
  });
  return { Label: input.MetricName, Datapoints };
}

export interface MetricDataQueryInput {
  readonly Id: string;
  readonly MetricStat?: { readonly Metric: { readonly Namespace?: string; readonly MetricName?: string; readonly Dimensions?: readonly Dimension[] }; readonly Period: number; readonly Stat: string; readonly Unit?: string };
  readonly Expression?: string;
  readonly Label?: string;
  readonly ReturnData?: boolean;
  /** An expression's period (seconds) when nothing it reads has one (a scalar, FILL of nothing). */
  readonly Period?: number;
}

export interface GetMetricDataInput {
  readonly MetricDataQueries: readonly MetricDataQueryInput[];
  readonly StartTime: Date;
  readonly EndTime: Date;
  readonly ScanBy?: string;
  readonly MaxDatapoints?: number;
}

const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

export async function getMetricData(input: GetMetricDataInput, store: MetricDataStore, now = Date.now()): Promise<object> {
  const [startMs, toMs] = [input.StartTime.getTime(), input.EndTime.getTime()];
  if (startMs >= toMs) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  const queries = input.MetricDataQueries;
  if (queries.length > 500) throw invalidValue("The collection MetricDataQueries must not have a size greater than 500.");
  queries.forEach((q, i) => checkQuery(q, `MetricDataQueries.member.${i + 1}`));
  // One start for every query, rounded for the finest period asked: every series shares one grid.
  const finest = Math.min(...queries.map((q) => q.MetricStat?.Period ?? q.Period ?? 60));
  const fromMs = queryStart(startMs, finest, now);
  const ids = new Set<string>();
  for (const q of queries) {
    if (ids.has(q.Id)) throw invalidValue(`The values for parameter id in MetricDataQueries are not unique: ${q.Id} appears more than once.`);
    ids.add(q.Id);
  }
  if (!queries.some((q) => q.ReturnData !== false)) throw invalidValue("At least one MetricDataQuery must have ReturnData set to true.");
  const descending = (input.ScanBy ?? "TimestampDescending") === "TimestampDescending";
  const metricSeries = new Map<string, Series>();
  for (const q of queries) {
    const stat = q.MetricStat;
    if (!stat) continue;
    const selection = { namespace: stat.Metric.Namespace ?? "", metricName: stat.Metric.MetricName ?? "", dimensions: dimensionRecord(stat.Metric.Dimensions, "Dimensions"), unit: stat.Unit };
    const series = await statisticSeries(store, selection, stat.Stat, stat.Period * 1000, fromMs, toMs);
    metricSeries.set(q.Id, { label: q.Label ?? selection.metricName, periodMs: stat.Period * 1000, points: new Map(series) });
  }
  const values = evaluateQueries(queries, metricSeries, fromMs, toMs);
  const MetricDataResults = queries.filter((q) => q.ReturnData !== false).flatMap((q) => resultsOf(q, values.get(q.Id), fromMs, toMs, descending));
  return { MetricDataResults, Messages: [] };
}

/** One result per series (an array of series gives one each, labelled after the expression and the metric). */
function resultsOf(q: MetricDataQueryInput, value: MathValue | undefined, fromMs: number, toMs: number, descending: boolean): object[] {
  const label = q.Label ?? q.Id;
  const list: Series[] = value === undefined ? [] : value.kind === "array" ? value.items.map((s) => ({ ...s, label: `${label} ${s.label}` }))
    : value.kind === "series" ? [value.series] : [scalarSeries(value.value, (q.Period ?? 60) * 1000, fromMs, toMs, label)];
  return list.map((s) => {
    const points = [...s.points].filter(([, v]) => Number.isFinite(v));
    if (descending) points.reverse();
    return { Id: q.Id, Label: q.MetricStat ? s.label : value?.kind === "array" ? s.label : label, Timestamps: points.map(([t]) => new Date(t)), Values: points.map(([, v]) => v), StatusCode: "Complete" };
  });
}

function checkQuery(q: MetricDataQueryInput, at: string): void {
  if (!QUERY_ID.test(q.Id)) throw new UnkaiError("ValidationError", `The value ${q.Id} for parameter ${at}.Id is invalid: an Id starts with a lower-case letter and has only letters, digits and underscores.`);
  if ((q.Expression === undefined) === (q.MetricStat === undefined)) throw combination(`Exactly one of the parameters ${at}.MetricStat and ${at}.Expression must be specified.`);
  if (q.Expression !== undefined) {
    if (q.Period !== undefined) checkPeriod(q.Period, `${at}.Period`);
    return;
  }
  if (!q.MetricStat) return;
  checkPeriod(q.MetricStat.Period, `${at}.MetricStat.Period`);
  if (!isStatistic(q.MetricStat.Stat)) throw new UnkaiError("ValidationError", `The value ${q.MetricStat.Stat} for parameter ${at}.MetricStat.Stat is not a valid statistic.`);
  if (q.MetricStat.Metric.Namespace === undefined || q.MetricStat.Metric.MetricName === undefined) {
    throw combination(`The parameter ${at}.MetricStat.Metric must name a Namespace and a MetricName.`);
  }
}

/** [period start, value] of one statistic over each period with data, periods from `fromMs`, oldest first (alarms read this too). */
export async function statisticSeries(store: MetricDataStore, selection: MetricSelection, stat: string, periodMs: number, fromMs: number, toMs: number): Promise<[number, number][]> {
  const points = await pointsOf(store, selection, fromMs, toMs);
  const series: [number, number][] = [];
  for (const [start, group] of byPeriod(points, periodMs, fromMs)) {
    const value = statisticOf(summarize(group), stat);
    if (value !== undefined) series.push([start, value]);
  }
  return series;
}

export interface ListMetricsInput {
  readonly Namespace?: string;
  readonly MetricName?: string;
  readonly Dimensions?: readonly { readonly Name: string; readonly Value?: string }[];
  readonly NextToken?: string;
  readonly RecentlyActive?: string;
}

const PAGE = 500;
/** Store pages one call reads at most, so a filter that matches little over many metrics stays bounded. */
const SCAN_PAGES = 10;
const TWO_WEEKS_MS = 14 * 24 * 3600_000;

export async function listMetrics(input: ListMetricsInput, store: MetricDataStore, now: number): Promise<object> {
  if ((input.Dimensions?.length ?? 0) > 10) throw invalidValue("The collection Dimensions must not have a size greater than 10.");
  const since = now - (input.RecentlyActive === "PT3H" ? 3 * 3600_000 : TWO_WEEKS_MS);
  let after = input.NextToken === undefined ? undefined : tokenCursor(input.NextToken);
  const matched: MetricIdentity[] = [];
  const wanted = (m: MetricIdentity) => (input.Dimensions ?? []).every((f) => Object.hasOwn(m.dimensions, f.Name) && (f.Value === undefined || m.dimensions[f.Name] === f.Value));
  let more = true;
  for (let page = 0; page < SCAN_PAGES && more && matched.length < PAGE; page++) {
    const batch = await store.metrics({ namespace: input.Namespace, metricName: input.MetricName }, since, PAGE, after);
    more = batch.length === PAGE;
    for (const [i, metric] of batch.entries()) {
      after = metric;
      if (wanted(metric)) matched.push(metric);
      if (matched.length === PAGE) {
        more ||= i < batch.length - 1;
        break;
      }
    }
  }
  if (!more) after = undefined;
  return {
    Metrics: matched.map((m) => ({ Namespace: m.namespace, MetricName: m.metricName, Dimensions: dimensionList(m.dimensions) })),
    ...(after !== undefined ? { NextToken: Buffer.from(JSON.stringify(after)).toString("base64url") } : {}),
  };
}

function tokenCursor(token: string): MetricIdentity {
  try {
    const cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as MetricIdentity;
    if (typeof cursor.namespace === "string" && typeof cursor.metricName === "string" && typeof cursor.dimensions === "object" && cursor.dimensions !== null) return cursor;
  } catch {
    // Falls through to the refusal.
  }
  throw invalidValue("The value of NextToken is not a token ListMetrics gave.");
}

