/** DynamoDB's table and item rows as both backends read them. */
import type { DynamoIndexedItemRow, DynamoIndexRange, DynamoItemRow, DynamoKeyRange, DynamoRetiredStream, DynamoSortBound, DynamoStreamRecordRow, DynamoTableRecord } from "../ports.js";

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

/** An item read through an index entry (indexReadSql's rows: the entry's partition key only when the range has none). */
export interface IndexedItemRow extends ItemRow {
  index_partition_key?: Buffer;
  index_sort_key: Buffer;
}

/** indexReadSql's row for `range` (itemFrom's members written out: spreading itemFrom's object cost about 1 µs a row, measured). */
export const indexedItemFrom = (range: DynamoIndexRange) => (row: IndexedItemRow): DynamoIndexedItemRow => ({
  table: row.table_name,
  partitionKey: row.partition_key,
  sortKey: row.sort_key,
  item: row.item,
  size: row.size,
  indexPartitionKey: row.index_partition_key ?? (range.partitionKey as Buffer),
  indexSortKey: row.index_sort_key,
});

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
    /** Columns, compared as one row value, past the values given (`>` or `<`). */
    past(columns: readonly string[], operator: ">" | "<", values: readonly unknown[]) {
      const first = params.length;
      params.push(...values);
      clauses.push(`(${columns.join(", ")}) ${operator} (${values.map((_, i) => placeholder(first + i + 1)).join(", ")})`);
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

/**
 * The statement reading an index's entries' items within `range` (each with its entry's index key,
 * indexedItemFrom) and its parameters, with placeholders as keyRangeClause's: in the index's order (index
 * keys, then the item's keys, all as unsigned bytes) or its reverse, past `after`. Within one index
 * partition the order and `after` leave its column out, so both backends walk the primary key's range.
 * Without a LIMIT: `range.limit` is the caller's to apply (on better-sqlite3's SQLite a bound LIMIT made
 * this join about 18 µs slower a run, measured, whatever the limit, so that store stops reading instead).
 */
export function indexReadSql(range: DynamoIndexRange, placeholder: (n: number) => string): { sql: string; params: unknown[] } {
  const where = conditions(placeholder);
  where.add("x.table_name =", range.table);
  where.add("x.index_name =", range.index);
  if (range.partitionKey !== undefined) where.add("x.partition_key =", range.partitionKey);
  where.bounds("x.sort_key", range.lower, range.upper);
  const columns = [...(range.partitionKey === undefined ? ["x.partition_key"] : []), "x.sort_key", "x.item_partition_key", "x.item_sort_key"];
  const forward = range.forward !== false;
  const after = range.after;
  if (after !== undefined) {
    const values = [...(range.partitionKey === undefined ? [after.partitionKey] : []), after.sortKey, after.itemPartitionKey, after.itemSortKey];
    where.past(columns, forward ? ">" : "<", values);
  }
  const { sql, params } = where.done();
  const order = columns.map((column) => (forward ? column : `${column} DESC`)).join(", ");
  const entryKeys = range.partitionKey === undefined ? "x.partition_key AS index_partition_key, x.sort_key AS index_sort_key" : "x.sort_key AS index_sort_key";
  return {
    sql: `SELECT i.*, ${entryKeys} FROM dynamodb_index_entries x
      JOIN dynamodb_items i ON i.table_name = x.table_name AND i.partition_key = x.item_partition_key AND i.sort_key = x.item_sort_key
      WHERE ${sql} ORDER BY ${order}`,
    params,
  };
}
