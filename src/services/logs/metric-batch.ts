/**
 * Metric filters' data points on their way to the metric data port: every point produced in one turn
 * of the event loop (all the appends of that turn) goes into ONE `add`, and points that CloudWatch
 * could never tell apart are stored as one statistic set first.
 *
 * CloudWatch's finest resolution is one second (a high-resolution metric); GetMetricStatistics and
 * GetMetricData read whole seconds (metric-reads.ts rounds their bounds down to one). So points of the
 * same metric, dimensions, unit, second and value become one point of that second with
 * SampleCount = n, Sum = n × value, Minimum = Maximum = value: every statistic over any period is what
 * the n single points gave, percentiles included (statistics.ts weighs a set whose Minimum equals its
 * Maximum as that value n times). Only whole-number values are merged, so n × value is exact and a
 * Sum cannot differ in its last bit from adding the n values one by one.
 */
import type { MetricDataStore, MetricDatum } from "../../store/ports.js";

const SECOND_MS = 1000;

interface Merged {
  readonly first: MetricDatum;
  readonly timestamp: number;
  count: number;
}

/** The points with same-second duplicates merged (order of first appearance; non-integers kept one by one). */
export function mergeSameSecond(points: readonly MetricDatum[]): MetricDatum[] {
  const merged = new Map<string, Merged>();
  const single: MetricDatum[] = [];
  for (const p of points) {
    const timestamp = Math.floor(p.timestamp / SECOND_MS) * SECOND_MS;
    if (p.statistics || !Number.isSafeInteger(p.value)) {
      single.push(p);
      continue;
    }
    const key = `${p.namespace}\n${p.metricName}\n${p.unit ?? ""}\n${timestamp}\n${p.value}\n${JSON.stringify(p.dimensions)}`;
    const kept = merged.get(key);
    if (kept) kept.count++;
    else merged.set(key, { first: p, timestamp, count: 1 });
  }
  const out: MetricDatum[] = [];
  for (const { first, timestamp, count } of merged.values()) {
    const sum = first.value * count;
    out.push(count === 1 || !Number.isSafeInteger(sum)
      ? { ...first, timestamp }
      : { ...first, timestamp, statistics: { sampleCount: count, sum, minimum: first.value, maximum: first.value } });
  }
  return out.concat(single);
}

/**
 * Collects points for the current turn of the event loop and writes them in one `add` (one
 * transaction on either backend). `write` resolves once its points are stored, so a PutLogEvents
 * caller is still answered after its events fed their metrics.
 */
export function metricBatcher(store: MetricDataStore): (points: readonly MetricDatum[]) => Promise<void> {
  let pending: MetricDatum[] = [];
  let waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const flush = () => {
    const points = pending, waiters = waiting;
    pending = [];
    waiting = [];
    store.add(mergeSameSecond(points)).then(
      () => waiters.forEach((w) => w.resolve()),
      (error: unknown) => waiters.forEach((w) => w.reject(error)),
    );
  };
  return (points) => {
    if (points.length === 0) return Promise.resolve();
    if (waiting.length === 0) setImmediate(flush);
    for (const p of points) pending.push(p);
    return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
  };
}
