/** DynamoDB's table and item rows as both backends read them. */
import type { DynamoItemRow, DynamoRetiredStream, DynamoStreamRecordRow, DynamoTableRecord } from "../ports.js";

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
