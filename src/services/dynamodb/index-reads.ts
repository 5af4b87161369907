/**
 * Reads through a secondary index. Unkai keeps no separate index rows yet: an index read walks the
 * table's items, keeps those carrying the index's key attributes (indexes are sparse), and orders
 * them by the index key and then the table key, as DynamoDB does. Cost grows with the table, not the
 * result — fine for development data; a stored index is the step after.
 */
import type { DynamoItemRow } from "../../store/ports.js";
import { typeOf, type AttributeMap, type AttributeValue, type KeyRange, type KeySchema } from "./expressions/index.js";
import type { DynamoContext, LoadedTable } from "./context.js";
import { encodeKeyValue, itemOf, keyAttributes } from "./keys.js";
import { invalid, keySchemaOf, type Projection } from "./table-definition.js";

export interface IndexView {
  readonly name: string;
  readonly schema: KeySchema;
  readonly projection: Projection;
  readonly global: boolean;
}

const BATCH_ROWS = 1000;

export function findIndex(table: LoadedTable, name: string, consistentRead: boolean | undefined): IndexView {
  const global = table.definition.GlobalSecondaryIndexes?.find((i) => i.IndexName === name);
  const local = table.definition.LocalSecondaryIndexes?.find((i) => i.IndexName === name);
  const index = global ?? local;
  if (index === undefined) throw invalid(`The table does not have the specified index: ${name}`);
  if (global !== undefined && consistentRead === true) throw invalid("Consistent reads are not supported on global secondary indexes");
  return { name, schema: keySchemaOf(index.KeySchema, table.definition.AttributeDefinitions), projection: index.Projection, global: global !== undefined };
}

function hasKey(schema: KeySchema, item: AttributeMap): boolean {
  return [schema.partition, schema.sort].every((key) => key === undefined || (item[key.name] !== undefined && typeOf(item[key.name] as AttributeValue) === key.type));
}

/** The bytes an index orders by: index partition, index sort, table partition, table sort. */
function orderOf(index: IndexView, row: DynamoItemRow, item: AttributeMap): Buffer[] {
  const sort = index.schema.sort === undefined ? Buffer.alloc(0) : encodeKeyValue(item[index.schema.sort.name] as AttributeValue);
  return [encodeKeyValue(item[index.schema.partition.name] as AttributeValue), sort, row.partitionKey, row.sortKey];
}

function compareOrder(a: readonly Buffer[], b: readonly Buffer[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = Buffer.compare(a[i] as Buffer, b[i] as Buffer);
    if (order !== 0) return order;
  }
  return 0;
}

function sortMatches(range: KeyRange, value: Buffer): boolean {
  const sort = range.sort;
  if (sort === undefined) return true;
  const [first, second] = sort.values.map(encodeKeyValue) as [Buffer, Buffer | undefined];
  const c = Buffer.compare(value, first);
  switch (sort.operator) {
    case "=":
      return c === 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "between":
      return c >= 0 && Buffer.compare(value, second as Buffer) <= 0;
    case "begins_with":
      return value.subarray(0, first.length).equals(first);
  }
}

/** The index's rows in its order (reversed when not `forward`), within `range` when given (Query). */
export async function indexRows(ctx: DynamoContext, table: LoadedTable, index: IndexView, range: KeyRange | undefined, forward: boolean): Promise<{ row: DynamoItemRow; order: Buffer[] }[]> {
  const rows: { row: DynamoItemRow; order: Buffer[] }[] = [];
  const partition = range === undefined ? undefined : encodeKeyValue(range.partition);
  let after: DynamoItemRow | undefined;
  for (;;) {
    const batch = await ctx.store.scan(table.name, after, BATCH_ROWS);
    for (const row of batch) {
      const item = itemOf(row) as AttributeMap;
      if (!hasKey(index.schema, item)) continue;
      const order = orderOf(index, row, item);
      if (partition !== undefined && !(order[0] as Buffer).equals(partition)) continue;
      if (range !== undefined && !sortMatches(range, order[1] as Buffer)) continue;
      rows.push({ row, order });
    }
    if (batch.length < BATCH_ROWS) break;
    after = batch[batch.length - 1];
  }
  rows.sort((a, b) => (forward ? 1 : -1) * compareOrder(a.order, b.order));
  return rows;
}

/** LastEvaluatedKey of an index read: the table's key and the index's. */
export function indexKeyOf(table: LoadedTable, index: IndexView, item: AttributeMap): AttributeMap {
  return { ...keyAttributes(table.schema, item), ...keyAttributes(index.schema, item) };
}

/** The position an ExclusiveStartKey names in the index's order. */
export function startOrder(table: LoadedTable, index: IndexView, start: AttributeMap): Buffer[] {
  const names = [table.schema.partition, table.schema.sort, index.schema.partition, index.schema.sort].filter((k) => k !== undefined);
  if (!names.every((k) => start[k.name] !== undefined && typeOf(start[k.name] as AttributeValue) === k.type)) {
    throw invalid("The provided starting key is invalid: The provided key element does not match the schema");
  }
  const tableSort = table.schema.sort === undefined ? Buffer.alloc(0) : encodeKeyValue(start[table.schema.sort.name] as AttributeValue);
  const row = { table: table.name, partitionKey: encodeKeyValue(start[table.schema.partition.name] as AttributeValue), sortKey: tableSort, item: "", size: 0 };
  return orderOf(index, row, start);
}

/** The attributes an index projects (KEYS_ONLY: the keys; INCLUDE: and the listed ones; ALL: everything). */
export function projectIndex(table: LoadedTable, index: IndexView, item: AttributeMap): AttributeMap {
  if (index.projection.ProjectionType === undefined || index.projection.ProjectionType === "ALL") return item;
  const kept = indexKeyOf(table, index, item);
  for (const name of index.projection.ProjectionType === "INCLUDE" ? (index.projection.NonKeyAttributes ?? []) : []) {
    if (item[name] !== undefined) kept[name] = item[name];
  }
  return kept;
}

export { compareOrder };
