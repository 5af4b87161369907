/**
 * Metric filters at ingestion: every append to the log store (PutLogEvents, a function's captured
 * output, access logs) runs the group's metric filters over the new events and writes the data points
 * they yield to the metric data port. Filters therefore see only events ingested after they exist, as on AWS.
 */
import { withMethods, withPorts, type PortMethod } from "../../store/port-proxy.js";
import type { LogEvent, LogStore, MetricDatum, MetricFilter, MetricTransformation, Store } from "../../store/ports.js";
import type { FilterMatch, FilterPattern } from "../../core/log-filter/index.js";
import { setOwn } from "../../core/own-keys.js";
import { metricBatcher } from "./metric-batch.js";
import { compiledPattern } from "./pattern-cache.js";

const NUMBER = /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/;

/** The point one matching event yields, or undefined when its value or a dimension is missing or not numeric. */
function datum(t: MetricTransformation, match: FilterMatch, timestamp: number): MetricDatum | undefined {
  const raw = t.metricValue.startsWith("$") ? match.value(t.metricValue) : t.metricValue;
  if (raw === undefined || !NUMBER.test(raw)) return undefined;
  const dimensions: Record<string, string> = {};
  for (const [name, source] of Object.entries(t.dimensions ?? {})) {
    const value = match.value(source);
    if (value === undefined || value === "") return undefined;
    setOwn(dimensions, name, value);
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

/**
 * How long a group's filter list is reused before it is read again. Filters written through this
 * store (this node) take effect at once; one written on another node of a cluster counts within this
 * bound. Without it every captured log line paid a store read (about a tenth of a warm invoke's front-end CPU).
 */
export const FILTER_LIST_TTL_MS = 1_000;

/** The store with its log store's appends feeding metric filters; a metric failure is reported, never fails the append. */
export function withMetricFilterIngestion(store: Store, onError: (error: unknown) => void, now: () => number = Date.now): Store {
  const listed = new Map<string, { readonly at: number; readonly filters: Promise<MetricFilter[]> }>();
  const filtersOf = (group: string): Promise<MetricFilter[]> => {
    const kept = listed.get(group);
    if (kept && now() - kept.at < FILTER_LIST_TTL_MS) return kept.filters;
    if (listed.size >= 10_000) listed.clear();
    const filters = store.metricFilters.list({ logGroupName: group });
    listed.set(group, { at: now(), filters });
    // A failed read is not kept: the next append asks again.
    filters.catch(() => listed.delete(group));
    return filters;
  };
  const metricFilters = store.metricFilters;
  const forgetting = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await write(...args);
    } finally {
      listed.clear();
    }
  };
  const wrappedFilters = withMethods(metricFilters, (method, name) =>
    name === "put" || name === "delete" || name === "deleteGroup" ? forgetting(method as (...args: unknown[]) => Promise<unknown>) : method,
  );
  const logs = store.logs;
  const writePoints = metricBatcher(store.metricData);
  const ingest = async (group: string, events: readonly LogEvent[]) => {
    const filters = await filtersOf(group);
    if (filters.length === 0) return;
    await writePoints(filters.flatMap((f) => metricPoints(f, compiledPattern(f.filterPattern), events)));
  };
  const append: LogStore["append"] = async (group, stream, events) => {
    await logs.append(group, stream, events);
    await ingest(group, events).catch(onError);
  };
  return withPorts(store, { logs: withMethods(logs, (method, name) => (name === "append" ? (append as PortMethod) : method)), metricFilters: wrappedFilters });
}
