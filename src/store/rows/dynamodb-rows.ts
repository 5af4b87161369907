/** DynamoDB's table and item rows as both backends read them. */
import type { DynamoIndexRange, DynamoItemRow, DynamoKeyRange, DynamoRetiredStream, DynamoSortBound, DynamoStreamRecordRow, DynamoTableRecord } from "../ports.js";

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

/** A WHERE clause being written: conditions joined by AND, each parameter under the backend's placeholder for the n-th. */
function conditions(placeholder: (n: number) => string) {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(`${sql} ${placeholder(params.length)}`);
  };
  return {
    add,
    /** A sort key column within the bounds given. */
    bounds(column: string, lower: DynamoSortBound | undefined, upper: DynamoSortBound | undefined) {
      if (lower) add(lower.inclusive ? `${column} >=` : `${column} >`, lower.key);
      if (upper) add(upper.inclusive ? `${column} <=` : `${column} <`, upper.key);
    },
    done: () => ({ sql: clauses.join(" AND "), params }),
  };
}

/**
 * The WHERE clause over `dynamodb_items` and its parameters for a Query range, written with the backend's
 * placeholder for the n-th parameter (`?` for SQLite, `$n` for PostgreSQL).
 */
export function keyRangeClause(range: DynamoKeyRange, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const where = conditions(placeholder);
  where.add("table_name =", range.table);
  where.add("partition_key =", range.partitionKey);
  where.bounds("sort_key", range.lower, range.upper);
  if (range.after) where.add(range.forward ? "sort_key >" : "sort_key <", range.after);
  return where.done();
}

/** The WHERE clause over index entries (`x`) and its parameters for an index read, with placeholders as keyRangeClause's. */
export function indexRangeClause(range: DynamoIndexRange, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const where = conditions(placeholder);
  where.add("x.table_name =", range.table);
  where.add("x.index_name =", range.index);
  if (range.partitionKey !== undefined) where.add("x.partition_key =", range.partitionKey);
  where.bounds("x.sort_key", range.lower, range.upper);
  return where.done();
}
