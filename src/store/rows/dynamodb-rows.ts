/** DynamoDB's table and item rows as both backends read them. */
import type { DynamoIndexRange, DynamoItemRow, DynamoRetiredStream, DynamoStreamRecordRow, DynamoTableRecord } from "../ports.js";

export interface TableRow {
  name: string;
  created_at: number;
  definition: string;
}

export interface ItemRow {
  table_name: string;
  partition_key: Buffer;
  sort_key: Buffer;
  item: string;
  size: number;
}

export const tableFrom = (row: TableRow): DynamoTableRecord => ({ name: row.name, createdAt: row.created_at, definition: row.definition });
export const itemFrom = (row: ItemRow): DynamoItemRow => ({ table: row.table_name, partitionKey: row.partition_key, sortKey: row.sort_key, item: row.item, size: row.size });

export interface StreamRecordRow {
  sequence: number | string;
  created_at: number | string;
  record: string;
}

/** PostgreSQL returns BIGINT as a string; both fit a JavaScript number here. */
export const streamRecordFrom = (row: StreamRecordRow): DynamoStreamRecordRow => ({ sequence: Number(row.sequence), createdAt: Number(row.created_at), record: row.record });

export interface RetiredStreamRow {
  stream: string;
  table_name: string;
  table_created_at: number | string;
  definition: string;
  retired_at: number | string;
}

export const retiredStreamFrom = (row: RetiredStreamRow): DynamoRetiredStream => ({
  stream: row.stream,
  table: { name: row.table_name, createdAt: Number(row.table_created_at), definition: row.definition },
  retiredAt: Number(row.retired_at),
});

/** A table's stream rows, except those of its retired streams (kept past DeleteTable and a new table of the name). */
export const NOT_RETIRED = "stream NOT IN (SELECT stream FROM dynamodb_retired_streams)";

/** An index's order over its entries (`x`): index keys, then the item's keys, all as unsigned bytes. */
export const INDEX_ORDER = "x.partition_key, x.sort_key, x.item_partition_key, x.item_sort_key";

/**
 * The WHERE clause over index entries (`x`) and its parameters for an index read, written with the
 * backend's placeholder for the n-th parameter (`?` for SQLite, `$n` for PostgreSQL).
 */
export function indexRangeClause(range: DynamoIndexRange, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(`${sql} ${placeholder(params.length)}`);
  };
  add("x.table_name =", range.table);
  add("x.index_name =", range.index);
  if (range.partitionKey !== undefined) add("x.partition_key =", range.partitionKey);
  if (range.lower) add(range.lower.inclusive ? "x.sort_key >=" : "x.sort_key >", range.lower.key);
  if (range.upper) add(range.upper.inclusive ? "x.sort_key <=" : "x.sort_key <", range.upper.key);
  return { sql: clauses.join(" AND "), params };
}
