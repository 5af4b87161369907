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

/**
 * How a backend writes SQL over DynamoDB's key columns: its placeholder for the n-th parameter (`?` for
 * SQLite, `$n` for PostgreSQL), and how a long key column, or a parameter compared with one, is compared
 * and ordered: as itself on SQLite; on PostgreSQL as its bounded token (`unkai_key_token`, migration 36),
 * which its B-tree indexes hold for the item's partition key and an entry's partition and item keys, as
 * a DynamoDB key may be longer than a PostgreSQL index row. Sort keys within a partition are never tokens.
 * And how an index entry `x` is joined to its item `i` (`on` matching them): so that a page of entries
 * reads only its items, each through the items' key index.
 */
export interface KeySql {
  readonly placeholder: (n: number) => string;
  readonly key: (expression: string) => string;
  readonly itemOfEntry: (on: string) => string;
}

export const SQLITE_KEYS: KeySql = { placeholder: () => "?", key: (expression) => expression, itemOfEntry: (on) => `JOIN dynamodb_items i ON ${on}` };

/** A WHERE clause being written: conditions joined by AND, each parameter under the backend's placeholder for the n-th. */
function conditions({ placeholder, key }: KeySql) {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const next = (value: unknown) => {
    params.push(value);
    return placeholder(params.length);
  };
  const add = (sql: string, value: unknown) => clauses.push(`${sql} ${next(value)}`);
  return {
    add,
    /** A long key column equal to a value, both as the backend compares such keys. */
    sameKey: (column: string, value: unknown) => clauses.push(`${key(column)} = ${key(next(value))}`),
    /** A sort key column within the bounds given. */
    bounds(column: string, lower: DynamoSortBound | undefined, upper: DynamoSortBound | undefined) {
      if (lower) add(lower.inclusive ? `${column} >=` : `${column} >`, lower.key);
      if (upper) add(upper.inclusive ? `${column} <=` : `${column} <`, upper.key);
    },
    /** Columns, compared as one row value, past the values given (`>` or `<`); a long key column compares as the backend compares such keys. */
    past(columns: readonly { readonly column: string; readonly long: boolean }[], operator: ">" | "<", values: readonly unknown[]) {
      const left = columns.map(({ column, long }) => (long ? key(column) : column));
      const right = columns.map(({ long }, i) => (long ? key(next(values[i])) : next(values[i])));
      clauses.push(`(${left.join(", ")}) ${operator} (${right.join(", ")})`);
    },
    done: () => ({ sql: clauses.join(" AND "), params }),
  };
}

/** The WHERE clause over `dynamodb_items` and its parameters for a Query range. */
export function keyRangeClause(range: DynamoKeyRange, dialect: KeySql): { sql: string; params: unknown[] } {
  const where = conditions(dialect);
  where.add("table_name =", range.table);
  where.sameKey("partition_key", range.partitionKey);
  where.bounds("sort_key", range.lower, range.upper);
  if (range.after) where.add(range.forward ? "sort_key >" : "sort_key <", range.after);
  return where.done();
}

/**
 * The statement reading an index's entries' items within `range` (each with its entry's index key,
 * indexedItemFrom) and its parameters: in the index's order (index keys, then the item's keys, as the
 * backend orders them: unsigned bytes, long keys by their token on PostgreSQL) or its reverse, past
 * `after`. Within one index partition the order and `after` leave its column out, so both backends walk
 * the index's range.
 * Without a LIMIT: `range.limit` is the caller's to apply (on better-sqlite3's SQLite a bound LIMIT made
 * this join about 18 µs slower a run, measured, whatever the limit, so that store stops reading instead).
 */
export function indexReadSql(range: DynamoIndexRange, dialect: KeySql): { sql: string; params: unknown[] } {
  const where = conditions(dialect);
  where.add("x.table_name =", range.table);
  where.add("x.index_name =", range.index);
  if (range.partitionKey !== undefined) where.sameKey("x.partition_key", range.partitionKey);
  where.bounds("x.sort_key", range.lower, range.upper);
  const columns = [
    ...(range.partitionKey === undefined ? [{ column: "x.partition_key", long: true }] : []),
    { column: "x.sort_key", long: false },
    { column: "x.item_partition_key", long: true },
    { column: "x.item_sort_key", long: true },
  ];
  const forward = range.forward !== false;
  const after = range.after;
  if (after !== undefined) {
    const values = [...(range.partitionKey === undefined ? [after.partitionKey] : []), after.sortKey, after.itemPartitionKey, after.itemSortKey];
    where.past(columns, forward ? ">" : "<", values);
  }
  const { sql, params } = where.done();
  const order = columns.map(({ column, long }) => `${long ? dialect.key(column) : column}${forward ? "" : " DESC"}`).join(", ");
  const entryKeys = range.partitionKey === undefined ? "x.partition_key AS index_partition_key, x.sort_key AS index_sort_key" : "x.sort_key AS index_sort_key";
  return {
    sql: `SELECT i.*, ${entryKeys} FROM dynamodb_index_entries x
      ${dialect.itemOfEntry(`i.table_name = x.table_name AND ${dialect.key("i.partition_key")} = ${dialect.key("x.item_partition_key")} AND i.sort_key = x.item_sort_key`)}
      WHERE ${sql} ORDER BY ${order}`,
    params,
  };
}
