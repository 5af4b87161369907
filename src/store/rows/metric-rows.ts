/** The metric_data row as both backends read and write it, and the data point it is. */
import type { MetricDatum, MetricIdentity, MetricStatisticSet } from "../ports.js";

export interface DatumRow {
  namespace: string;
  metric_name: string;
  dimensions: string;
  timestamp: number | string;
  value: number;
  unit: string | null;
  stats: string | null;
}

export function datumFrom(row: DatumRow): MetricDatum {
  return {
    namespace: row.namespace,
    metricName: row.metric_name,
    dimensions: JSON.parse(row.dimensions) as Record<string, string>,
    timestamp: Number(row.timestamp),
    value: row.value,
    ...(row.unit !== null ? { unit: row.unit } : {}),
    ...(row.stats !== null ? { statistics: JSON.parse(row.stats) as MetricStatisticSet } : {}),
  };
}

/** The columns of a point, in the order both INSERTs name them. */
export function datumColumns(p: MetricDatum): [string, string, string, number, number, string | null, string | null] {
  return [p.namespace, p.metricName, JSON.stringify(p.dimensions), p.timestamp, p.value, p.unit ?? null, p.statistics ? JSON.stringify(p.statistics) : null];
}

export interface IdentityRow {
  namespace: string;
  metric_name: string;
  dimensions: string;
}

export const identityFrom = (row: IdentityRow): MetricIdentity => ({
  namespace: row.namespace,
  metricName: row.metric_name,
  dimensions: JSON.parse(row.dimensions) as Record<string, string>,
});
