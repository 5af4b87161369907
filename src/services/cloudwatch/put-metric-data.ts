/**
 * PutMetricData: each datum checked as CloudWatch checks it, then stored as data points of the shared
 * MetricDataStore (where metric filters' points already are). A single value is one point; each of
 * `Values` is one point, carrying a statistic set when its count is above 1 (so a huge count costs one
 * row, not count rows); `StatisticValues` is one point with its set.
 */
import type { MetricDataStore, MetricDatum } from "../../store/ports.js";
import { checkValue, combination, dimensionRecord, invalidValue, missing } from "./parameters.js";

export interface Dimension { readonly Name: string; readonly Value: string }

export interface MetricDatumInput {
  readonly MetricName: string;
  readonly Dimensions?: readonly Dimension[];
  readonly Timestamp?: Date;
  readonly Value?: number;
  readonly StatisticValues?: { readonly SampleCount: number; readonly Sum: number; readonly Minimum: number; readonly Maximum: number };
  readonly Values?: readonly number[];
  readonly Counts?: readonly number[];
  readonly Unit?: string;
  readonly StorageResolution?: number;
}

export interface PutMetricDataInput {
  readonly Namespace?: string;
  readonly MetricData?: readonly MetricDatumInput[];
}

/** AWS's limits on one PutMetricData call. */
export const PUT_LIMITS = { metricData: 1000, values: 150, dimensions: 30 } as const;
const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;

export async function putMetricData(input: PutMetricDataInput, store: MetricDataStore, now: number): Promise<void> {
  const namespace = input.Namespace;
  if (namespace === undefined) throw missing("Namespace");
  if (namespace.startsWith("AWS/")) throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
  const data = input.MetricData ?? [];
  if (data.length === 0) throw missing("MetricData");
  if (data.length > PUT_LIMITS.metricData) throw invalidValue(`The collection MetricData must not have a size greater than ${PUT_LIMITS.metricData}.`);
  const points = data.flatMap((datum, i) => pointsOf(namespace, datum, `MetricData.member.${i + 1}`, now));
  await store.add(points);
}

function pointsOf(namespace: string, datum: MetricDatumInput, at: string, now: number): MetricDatum[] {
  const dimensions = checkedDimensions(datum, at);
  const timestamp = checkedTimestamp(datum.Timestamp, at, now);
  if (datum.StorageResolution !== undefined && datum.StorageResolution !== 1 && datum.StorageResolution !== 60) {
    throw invalidValue(`The value ${datum.StorageResolution} for parameter ${at}.StorageResolution is invalid.`);
  }
  const base = { namespace, metricName: datum.MetricName, dimensions, timestamp, ...(datum.Unit !== undefined ? { unit: datum.Unit } : {}) };
  const given = [datum.Value !== undefined, datum.StatisticValues !== undefined, datum.Values !== undefined].filter(Boolean).length;
  if (given > 1) {
    const [a, b] = datum.Value !== undefined ? ["Value", datum.StatisticValues ? "StatisticValues" : "Values"] : ["StatisticValues", "Values"];
    throw combination(`The parameters ${at}.${a} and ${at}.${b} are mutually exclusive and you have specified both.`);
  }
  if (datum.Counts !== undefined && datum.Values === undefined) throw combination(`The parameter ${at}.Counts may only be given with ${at}.Values.`);
  if (datum.Value !== undefined) {
    checkValue(datum.Value, `${at}.Value`);
    return [{ ...base, value: datum.Value }];
  }
  if (datum.StatisticValues) return [{ ...base, ...statisticSetPoint(datum.StatisticValues, `${at}.StatisticValues`) }];
  if (datum.Values) return valuesPoints(base, datum.Values, datum.Counts, at);
  throw combination(`At least one of the parameters ${at}.Value and ${at}.StatisticValues must be specified.`);
}

function checkedDimensions(datum: MetricDatumInput, at: string): Record<string, string> {
  if ((datum.Dimensions?.length ?? 0) > PUT_LIMITS.dimensions) {
    throw invalidValue(`The collection ${at}.Dimensions must not have a size greater than ${PUT_LIMITS.dimensions}.`);
  }
  return dimensionRecord(datum.Dimensions, `${at}.Dimensions`);
}

function checkedTimestamp(timestamp: Date | undefined, at: string, now: number): number {
  if (timestamp === undefined) return now;
  const ms = timestamp.getTime();
  if (now - ms > TWO_WEEKS_MS) throw invalidValue(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`);
  if (ms - now > TWO_HOURS_MS) throw invalidValue(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
  return ms;
}

function statisticSetPoint(set: NonNullable<MetricDatumInput["StatisticValues"]>, at: string): Pick<MetricDatum, "value" | "statistics"> {
  for (const key of ["SampleCount", "Sum", "Minimum", "Maximum"] as const) checkValue(set[key], `${at}.${key}`);
  if (set.SampleCount <= 0) throw invalidValue(`The value ${set.SampleCount} for parameter ${at}.SampleCount is invalid.`);
  if (set.Minimum > set.Maximum) throw invalidValue(`The parameter ${at}.Minimum must be less than or equal to ${at}.Maximum.`);
  return { value: set.Sum / set.SampleCount, statistics: { sampleCount: set.SampleCount, sum: set.Sum, minimum: set.Minimum, maximum: set.Maximum } };
}

function valuesPoints(base: Omit<MetricDatum, "value">, values: readonly number[], counts: readonly number[] | undefined, at: string): MetricDatum[] {
  if (values.length > PUT_LIMITS.values) throw invalidValue(`The collection ${at}.Values must not have a size greater than ${PUT_LIMITS.values}.`);
  if (counts !== undefined && counts.length !== values.length) throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
  return values.flatMap((value, i): MetricDatum[] => {
    checkValue(value, `${at}.Values.member.${i + 1}`);
    const count = counts?.[i] ?? 1;
    checkValue(count, `${at}.Counts.member.${i + 1}`);
    if (count < 0) throw invalidValue(`The value ${count} for parameter ${at}.Counts.member.${i + 1} is invalid.`);
    // A count of 0 says the value was not seen: nothing to store.
    if (count === 0) return [];
    return [count === 1 ? { ...base, value } : { ...base, value, statistics: { sampleCount: count, sum: value * count, minimum: value, maximum: value } }];
  });
}
