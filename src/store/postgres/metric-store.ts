/** PostgreSQL MetricFilterStore and MetricDataStore: the same rows and behaviour as store/sqlite/metric-store.ts. */
import type { MetricDataStore, MetricFilterStore, MetricTransformation } from "../ports.js";
import type { PgDb } from "./database.js";
import { datumColumns, datumFrom, identityFrom, type DatumRow, type IdentityRow } from "../rows/metric-rows.js";

interface FilterRow {
  log_group: string;
  filter_name: string;
  filter_pattern: string;
  transformations: string;
  creation_time: number;
}

export function pgMetricFilterStore(db: PgDb): MetricFilterStore {
  return {
    async put(f) {
      const first = f.metricTransformations[0];
      await db.query(
        `INSERT INTO metric_filters (log_group, filter_name, filter_pattern, transformations, metric_namespace, metric_name, creation_time)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (log_group, filter_name) DO UPDATE SET filter_pattern = excluded.filter_pattern, transformations = excluded.transformations,
           metric_namespace = excluded.metric_namespace, metric_name = excluded.metric_name, creation_time = excluded.creation_time`,
        [f.logGroupName, f.filterName, f.filterPattern, JSON.stringify(f.metricTransformations), first?.metricNamespace ?? "", first?.metricName ?? "", f.creationTime],
      );
    },
    async list(q) {
      // Each criterion is skipped when its parameter is NULL; the prefix is compared with left(), not LIKE (no wildcards).
      const { rows } = await db.query<FilterRow>(
        `SELECT log_group, filter_name, filter_pattern, transformations, creation_time FROM metric_filters
         WHERE ($1::text IS NULL OR log_group = $1)
           AND ($2::text IS NULL OR left(filter_name, length($2)) = $2)
           AND ($3::text IS NULL OR metric_name = $3)
           AND ($4::text IS NULL OR metric_namespace = $4)
         ORDER BY log_group, filter_name`,
        [q.logGroupName ?? null, q.filterNamePrefix ?? null, q.metricName ?? null, q.metricNamespace ?? null],
      );
      return rows.map((row) => ({
        logGroupName: row.log_group,
        filterName: row.filter_name,
        filterPattern: row.filter_pattern,
        metricTransformations: JSON.parse(row.transformations) as MetricTransformation[],
        creationTime: row.creation_time,
      }));
    },
    delete: async (group, name) => ((await db.query("DELETE FROM metric_filters WHERE log_group = $1 AND filter_name = $2", [group, name])).rowCount ?? 0) > 0,
    async deleteGroup(group) {
      await db.query("DELETE FROM metric_filters WHERE log_group = $1", [group]);
    },
  };
}

export function pgMetricDataStore(db: PgDb): MetricDataStore {
  return {
    async add(points) {
      if (points.length === 0) return;
      // One statement for the batch: the columns as parallel arrays, unnested.
      const columns = points.map(datumColumns);
      await db.query(
        `INSERT INTO metric_data (namespace, metric_name, dimensions, timestamp, value, unit, stats)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::double precision[], $6::text[], $7::text[])`,
        [0, 1, 2, 3, 4, 5, 6].map((i) => columns.map((c) => c[i])),
      );
    },
    async query(namespace, metricName, fromMs, toMs) {
      const { rows } = await db.query<DatumRow>(
        `SELECT namespace, metric_name, dimensions, timestamp, value, unit, stats FROM metric_data
         WHERE namespace = $1 AND metric_name = $2 AND timestamp >= $3 AND timestamp < $4 ORDER BY timestamp, id`,
        [namespace, metricName, fromMs, toMs],
      );
      return rows.map(datumFrom);
    },
    async metrics(filter, sinceMs, limit, after) {
      // dimensions compared byte-wise (COLLATE "C"), as SQLite compares text, so both backends page alike.
      const { rows } = await db.query<IdentityRow>(
        `SELECT DISTINCT namespace, metric_name, dimensions COLLATE "C" AS dimensions FROM metric_data
         WHERE timestamp >= $1 AND ($2::text IS NULL OR namespace = $2) AND ($3::text IS NULL OR metric_name = $3)
           AND ($4::text IS NULL OR (namespace, metric_name, dimensions COLLATE "C") > ($4, $5, $6::text COLLATE "C"))
         ORDER BY namespace, metric_name, dimensions LIMIT $7`,
        [sinceMs, filter.namespace ?? null, filter.metricName ?? null, after?.namespace ?? null, after?.metricName ?? null, after ? JSON.stringify(after.dimensions) : null, limit],
      );
      return rows.map(identityFrom);
    },
    prune: async (beforeMs) => (await db.query("DELETE FROM metric_data WHERE timestamp < $1", [beforeMs])).rowCount ?? 0,
  };
}
