/**
 * Metric filters at ingestion: every append to the log store (PutLogEvents, a function's captured
 * output, access logs) runs the group's metric filters over the new events and writes the data points
 * they yield to the metric data port. Filters therefore see only events ingested after they exist, as on AWS.
 */
import type { LogEvent, MetricDatum, MetricFilter, MetricTransformation, Store } from "../../store/ports.js";
import type { FilterMatch, FilterPattern } from "../../core/log-filter/index.js";

const NUMBER = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

/** The point one matching event yields, or undefined when its value or a dimension is missing or not numeric. */
function datum(t: MetricTransformation, match: FilterMatch, timestamp: number): MetricDatum | undefined {
  const raw = t.metricValue.startsWith("$") ? match.value(t.metricValue) : t.metricValue;
  if (raw === undefined || !NUMBER.test(raw)) return undefined;
  const dimensions: Record<string, string> = {};
  for (const [name, source] of Object.entries(t.dimensions ?? {})) {
    const value = match.value(source);
    if (value === undefined || value === "") return undefined;
    dimensions[name] = value;
  }
  return { namespace: t.metricNamespace, metricName: t.metricName, dimensions, timestamp, value: Number(raw), ...(t.unit && t.unit !== "None" ? { unit: t.unit } : {}) };
}

/**
 * One filter over one batch. `defaultValue` is reported once for a batch in which nothing matched
 * (AWS: "the value reported … during a period when logs are ingested but no matching logs are found").
 */
export function metricPoints(filter: MetricFilter, pattern: FilterPattern, events: readonly LogEvent[]): MetricDatum[] {
  const points: MetricDatum[] = [];
  let matched = false;
  for (const event of events) {
    const match = pattern.match(event.message);
    if (!match) continue;
    matched = true;
    for (const t of filter.metricTransformations) {
      // Captured function output carries sub-millisecond timestamps; CloudWatch's are whole milliseconds.
      const point = datum(t, match, Math.floor(event.timestamp));
      if (point) points.push(point);
    }
  }
  const last = events.at(-1);
  if (!matched && last) {
    for (const t of filter.metricTransformations) {
      if (t.defaultValue !== undefined) points.push({ namespace: t.metricNamespace, metricName: t.metricName, dimensions: {}, timestamp: Math.floor(last.timestamp), value: t.defaultValue, ...(t.unit && t.unit !== "None" ? { unit: t.unit } : {}) });
    }
  }
  return points;
}

/** The metric filters' part of ingestion (ingestion.ts): the group's filters' points for the appended events. */
export function metricFilterListener(store: Store, patternOf: (text: string) => FilterPattern): (group: string, stream: string, events: readonly LogEvent[]) => Promise<void> {
  return async (group, _stream, events) => {
    const filters = await store.metricFilters.list({ logGroupName: group });
    if (filters.length === 0) return;
    await store.metricData.add(filters.flatMap((f) => metricPoints(f, patternOf(f.filterPattern), events)));
  };
}
