/** SQLite MetricFilterStore (one row per group and filter name) and MetricDataStore (one row per data point). */
import type { MetricDataStore, MetricDatum, MetricFilter, MetricFilterStore, MetricTransformation } from "../ports.js";
import { datumColumns, datumFrom, identityFrom, type DatumRow, type IdentityRow } from "../rows/metric-rows.js";
import type { SyncPort } from "./promised.js";
import { durably, type Db } from "./database.js";

interface FilterRow {
  log_group: string;
  filter_name: string;
  filter_pattern: string;
  transformations: string;
  creation_time: number;
}

const filterOf = (row: FilterRow): MetricFilter => ({
  logGroupName: row.log_group,
  filterName: row.filter_name,
  filterPattern: row.filter_pattern,
  metricTransformations: JSON.parse(row.transformations) as MetricTransformation[],
  creationTime: row.creation_time,
});

export function sqliteMetricFilterStore(db: Db): SyncPort<MetricFilterStore> {
  const putStmt = db.prepare("INSERT OR REPLACE INTO metric_filters VALUES (?, ?, ?, ?, ?, ?, ?)");
  const deleteStmt = db.prepare("DELETE FROM metric_filters WHERE log_group = ? AND filter_name = ?");
  const deleteGroupStmt = db.prepare("DELETE FROM metric_filters WHERE log_group = ?");
  // Each criterion is skipped when its parameter is NULL; the prefix is compared with substr, not LIKE (no wildcards).
  const listStmt = db.prepare<Record<string, string | null>, FilterRow>(`
    SELECT log_group, filter_name, filter_pattern, transformations, creation_time FROM metric_filters
    WHERE (@group IS NULL OR log_group = @group)
      AND (@prefix IS NULL OR substr(filter_name, 1, length(@prefix)) = @prefix)
      AND (@name IS NULL OR metric_name = @name)
      AND (@namespace IS NULL OR metric_namespace = @namespace)
    ORDER BY log_group, filter_name`);
  return {
    put: durably(db, (f: MetricFilter) => {
      const first = f.metricTransformations[0];
      putStmt.run(f.logGroupName, f.filterName, f.filterPattern, JSON.stringify(f.metricTransformations), first?.metricNamespace ?? "", first?.metricName ?? "", f.creationTime);
    }),
    list: (q) =>
      listStmt.all({ group: q.logGroupName ?? null, prefix: q.filterNamePrefix ?? null, name: q.metricName ?? null, namespace: q.metricNamespace ?? null }).map(filterOf),
    delete: durably(db, (group: string, name: string) => deleteStmt.run(group, name).changes > 0),
    deleteGroup: durably(db, (group: string) => {
      deleteGroupStmt.run(group);
    }),
  };
}

export function sqliteMetricDataStore(db: Db): SyncPort<MetricDataStore> {
  const insert = db.prepare("INSERT INTO metric_data (namespace, metric_name, dimensions, timestamp, value, unit, stats) VALUES (?, ?, ?, ?, ?, ?, ?)");
  const select = db.prepare<[string, string, number, number], DatumRow>(
    "SELECT namespace, metric_name, dimensions, timestamp, value, unit, stats FROM metric_data WHERE namespace = ? AND metric_name = ? AND timestamp >= ? AND timestamp < ? ORDER BY timestamp, id",
  );
  // Each criterion is skipped when its parameter is NULL; the cursor compares the row tuple.
  const metrics = db.prepare<Record<string, string | number | null>, IdentityRow>(`
    SELECT DISTINCT namespace, metric_name, dimensions FROM metric_data
    WHERE timestamp >= @since AND (@namespace IS NULL OR namespace = @namespace) AND (@name IS NULL OR metric_name = @name)
      AND (@afterNamespace IS NULL OR (namespace, metric_name, dimensions) > (@afterNamespace, @afterName, @afterDimensions))
    ORDER BY namespace, metric_name, dimensions LIMIT @limit`);
  const prune = db.prepare("DELETE FROM metric_data WHERE timestamp < ?");
  const addAll = db.transaction((points: readonly MetricDatum[]) => {
    for (const p of points) insert.run(...datumColumns(p));
  });
  return {
    add: (points) => {
      if (points.length > 0) addAll(points);
    },
    query: (namespace, metricName, fromMs, toMs) => select.all(namespace, metricName, fromMs, toMs).map(datumFrom),
    metrics: (filter, sinceMs, limit, after) =>
      metrics.all({
        since: sinceMs, namespace: filter.namespace ?? null, name: filter.metricName ?? null, limit,
        afterNamespace: after?.namespace ?? null, afterName: after?.metricName ?? null, afterDimensions: after ? JSON.stringify(after.dimensions) : null,
      }).map(identityFrom),
    prune: durably(db, (beforeMs: number) => prune.run(beforeMs).changes),
  };
}
