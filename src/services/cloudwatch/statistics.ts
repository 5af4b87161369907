/**
 * The statistics CloudWatch computes over a period's data points: SampleCount, Average, Sum, Minimum,
 * Maximum, and percentiles (`p99`, `p99.9`) by nearest rank over the values, a value with a count
 * weighing as that many samples. A period whose points include a StatisticValues set has no
 * percentile (CloudWatch cannot compute one from sums either).
 */
import type { MetricDatum } from "../../store/ports.js";

export const BASIC_STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
export type BasicStatistic = (typeof BASIC_STATISTICS)[number];

/** `p0`–`p100` with up to two decimals, as GetMetricStatistics' ExtendedStatistics accepts. */
const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,2})?|100(?:\.0{1,2})?)$/;

export function percentileOf(statistic: string): number | undefined {
  const match = PERCENTILE.exec(statistic);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

export const isStatistic = (statistic: string): boolean => (BASIC_STATISTICS as readonly string[]).includes(statistic) || percentileOf(statistic) !== undefined;

export interface PeriodSummary {
  readonly sampleCount: number;
  readonly sum: number;
  readonly minimum: number;
  readonly maximum: number;
  /** Present when every point is a plain value or value × count. */
  readonly weighted: readonly (readonly [value: number, count: number])[] | undefined;
  readonly unit: string | undefined;
}

export function summarize(points: readonly MetricDatum[]): PeriodSummary {
  let sampleCount = 0, sum = 0, minimum = Infinity, maximum = -Infinity;
  let weighted: [number, number][] | undefined = [];
  for (const p of points) {
    const s = p.statistics ?? { sampleCount: 1, sum: p.value, minimum: p.value, maximum: p.value };
    sampleCount += s.sampleCount;
    sum += s.sum;
    minimum = Math.min(minimum, s.minimum);
    maximum = Math.max(maximum, s.maximum);
    if (s.minimum === s.maximum) weighted?.push([s.minimum, s.sampleCount]);
    else weighted = undefined;
  }
  return { sampleCount, sum, minimum, maximum, weighted, unit: points.find((p) => p.unit !== undefined)?.unit };
}

/** One statistic of a period, undefined when it cannot be computed (a percentile over statistic sets). */
export function statisticOf(summary: PeriodSummary, statistic: string): number | undefined {
  switch (statistic) {
    case "SampleCount": return summary.sampleCount;
    case "Sum": return summary.sum;
    case "Average": return summary.sum / summary.sampleCount;
    case "Minimum": return summary.minimum;
    case "Maximum": return summary.maximum;
    default: {
      const q = percentileOf(statistic);
      return q === undefined || summary.weighted === undefined ? undefined : weightedPercentile(summary.weighted, q / 100);
    }
  }
}

function weightedPercentile(values: readonly (readonly [number, number])[], q: number): number | undefined {
  const sorted = [...values].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((n, [, count]) => n + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const [value, count] of sorted) {
    seen += count;
    if (seen >= rank) return value;
  }
  return sorted.at(-1)?.[0];
}

/**
 * Points grouped by period start, oldest first. Periods run from `originMs` (a query's StartTime as
 * CloudWatch rounds it, queryStart below), so a period starts at `origin + k × period`, as CloudWatch's
 * datapoints do; an alarm's windows are clock-aligned and pass a clock-aligned origin.
 */
export function byPeriod(points: readonly MetricDatum[], periodMs: number, originMs: number): Map<number, MetricDatum[]> {
  const groups = new Map<number, MetricDatum[]>();
  for (const p of points) {
    const start = originMs + Math.floor((p.timestamp - originMs) / periodMs) * periodMs;
    const group = groups.get(start);
    if (group) group.push(p);
    else groups.set(start, [p]);
  }
  return new Map([...groups].sort((a, b) => a[0] - b[0]));
}

const DAY_MS = 86_400_000;

/**
 * Where a GetMetricStatistics or GetMetricData query's first period starts: its StartTime rounded
 * down as CloudWatch documents it. For a period of 1, 5, 10 or 30 seconds, to a multiple of it within
 * the minute; otherwise to the whole minute for a StartTime under 15 days old, to 5 minutes under 63
 * days, else to the hour. A query at 12:32:34 with a one-hour period gets datapoints at 12:32, 13:32, …
 */
export function queryStart(startMs: number, periodSeconds: number, nowMs: number): number {
  const ageMs = nowMs - startMs;
  const stepMs = periodSeconds < 60 ? periodSeconds * 1000 : ageMs < 15 * DAY_MS ? 60_000 : ageMs < 63 * DAY_MS ? 300_000 : 3_600_000;
  return Math.floor(startMs / stepMs) * stepMs;
}
