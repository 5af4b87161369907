/**
 * Reads through a secondary index. Each item's place in each index is kept beside it as an index entry
 * (index-entries.ts), so an index read finds exactly its partition's items, ordered by the index key
 * and then the table key, as DynamoDB orders them, and reads no more of them than its page needs. A
 * table from before Unkai kept entries is read by walking its items (keeping those that carry the
 * index's key attributes: indexes are sparse) until the background sweep has written its entries.
 */
import type { DynamoIndexedItemRow, DynamoIndexPlace, DynamoIndexRange, DynamoItemKey, DynamoItemRow } from "../../store/ports.js";
import { attributeOf, setAttribute, typeOf, type AttributeMap, type KeyRange, type KeySchema } from "./expressions/index.js";
import type { DynamoContext, LoadedTable } from "./context.js";
import { encodeKeyValue, itemOf, keyAttributes, keyBytes, sortBounds, withinBounds } from "./keys.js";
import { invalid, isBackfilling, keySchemaOf, type IndexDefinition, type Projection, type TableDefinition } from "./table-definition.js";

export interface IndexView {
  readonly name: string;
  readonly schema: KeySchema;
  readonly projection: Projection;
  readonly global: boolean;
}

const BATCH_ROWS = 1000;

export function findIndex(table: LoadedTable, name: string, consistentRead: boolean | undefined): IndexView {
  const index = indexViewsOf(table).find((view) => view.name === name);
  if (index === undefined) throw invalid(`The table does not have the specified index: ${name}`);
  if (index.global && consistentRead === true) throw invalid("Consistent reads are not supported on global secondary indexes");
  if (isBackfilling(table.definition, name)) throw invalid(`Cannot read from backfilling global secondary index: ${name}`);
  return index;
}

const views = new WeakMap<TableDefinition, readonly IndexView[]>();

/** Every index of the table, global and local (worked out once per loaded definition). */
export function indexViewsOf(table: LoadedTable): readonly IndexView[] {
  let found = views.get(table.definition);
  if (found === undefined) {
    const { GlobalSecondaryIndexes: globals = [], LocalSecondaryIndexes: locals = [], AttributeDefinitions: definitions } = table.definition;
    const view = (global: boolean) => (index: IndexDefinition): IndexView => ({ name: index.IndexName, schema: keySchemaOf(index.KeySchema, definitions), projection: index.Projection, global });
    found = [...globals.map(view(true)), ...locals.map(view(false))];
    views.set(table.definition, found);
  }
  return found;
}

/** Whether the item carries the index's key attributes, typed as the index defines them (indexes are sparse). */
export function hasKey(schema: KeySchema, item: AttributeMap): boolean {
  return [schema.partition, schema.sort].every((key) => {
    const value = key === undefined ? undefined : attributeOf(item, key.name);
    return key === undefined || (value !== undefined && typeOf(value) === key.type);
  });
}

/** The bytes an index orders by: index partition, index sort, table partition, table sort. */
function orderOf(index: IndexView, row: DynamoItemKey, item: AttributeMap): Buffer[] {
  const { partitionKey, sortKey } = keyBytes(index.schema, item);
  return [partitionKey, sortKey, row.partitionKey, row.sortKey];
}

function compareOrder(a: readonly Buffer[], b: readonly Buffer[]): number {
  for (let i = 0; i < a.length; i++) {
    const order = Buffer.compare(a[i] as Buffer, b[i] as Buffer);
    if (order !== 0) return order;
  }
  return 0;
}

/** An index read's rows, page by page. */
export interface IndexReader {
  /** The next `count` rows: fewer only once the index (or its range) has no more. */
  readonly next: (count: number) => Promise<DynamoItemRow[]>;
  /** The item of a row `next` gave (parsed once: the reader has read it already). */
  readonly itemOf: (row: DynamoItemRow) => AttributeMap;
}

/**
 * The index's rows in its order (reversed when not `forward`), within `range` when given (Query), past
 * `start` (an ExclusiveStartKey's place, startOrder) when given, read page by page.
 */
export function indexReader(ctx: DynamoContext, table: LoadedTable, index: IndexView, range: KeyRange | undefined, forward: boolean, start: Buffer[] | undefined): IndexReader {
  const partition = range === undefined ? undefined : encodeKeyValue(range.partition);
  const bounds = range === undefined ? {} : sortBounds(range);
  const items = new WeakMap<DynamoItemRow, AttributeMap>();
  const itemOfRow = (row: DynamoItemRow): AttributeMap => items.get(row) ?? (itemOf(row) as AttributeMap);
  if (table.definition.IndexEntries !== undefined) {
    return { next: entryReader(ctx, { table: table.name, index: index.name, partitionKey: partition, ...bounds, forward }, index, start, items), itemOf: itemOfRow };
  }
  /** The row's place in the index, read from its item, when it is in the index and within the range. */
  const placed = (row: DynamoItemRow): { row: DynamoItemRow; order: Buffer[] }[] => {
    const item = itemOf(row) as AttributeMap;
    if (!hasKey(index.schema, item)) return [];
    const order = orderOf(index, row, item);
    if (partition !== undefined && !(order[0] as Buffer).equals(partition)) return [];
    if (!withinBounds(order[1] as Buffer, bounds)) return [];
    items.set(row, item);
    return [{ row, order }];
  };
  let walked: DynamoItemRow[] | undefined;
  return {
    next: async (count) => {
      walked ??= await walk(ctx, table, placed, forward, start);
      return walked.splice(0, count);
    },
    itemOf: itemOfRow,
  };
}

/**
 * Reads the store's index entries a page at a time, keeping each item it parsed in `items`. Entries
 * change in the transaction that changes their item, and each is still checked against its item, so an
 * entry a node wrote under a stale definition (an index deleted and created again within the table
 * cache's second) cannot place an item wrongly: it is skipped, and the page read on past it.
 */
function entryReader(ctx: DynamoContext, range: DynamoIndexRange, index: IndexView, start: Buffer[] | undefined, items: WeakMap<DynamoItemRow, AttributeMap>): IndexReader["next"] {
  let after: DynamoIndexPlace | undefined = start === undefined ? undefined : { partitionKey: start[0] as Buffer, sortKey: start[1] as Buffer, itemPartitionKey: start[2] as Buffer, itemSortKey: start[3] as Buffer };
  let ended = false;
  return async (count) => {
    const rows: DynamoItemRow[] = [];
    while (!ended && rows.length < count) {
      const wanted = count - rows.length;
      const page = await ctx.store.indexItems({ ...range, after, limit: wanted });
      ended = page.length < wanted;
      for (const row of page) {
        after = { partitionKey: row.indexPartitionKey, sortKey: row.indexSortKey, itemPartitionKey: row.partitionKey, itemSortKey: row.sortKey };
        const item = itemOf(row) as AttributeMap;
        if (!entryHolds(index, row, item)) continue;
        items.set(row, item);
        rows.push(row);
      }
    }
    return rows;
  };
}

/** Whether the item still has the index key its entry was written under. */
function entryHolds(index: IndexView, row: DynamoIndexedItemRow, item: AttributeMap): boolean {
  if (!hasKey(index.schema, item)) return false;
  const { partitionKey, sortKey } = keyBytes(index.schema, item);
  return partitionKey.equals(row.indexPartitionKey) && sortKey.equals(row.indexSortKey);
}

/** A table without index entries yet, walked whole: the rows `placed` keeps, in the index's order, past `start`. */
async function walk(
  ctx: DynamoContext,
  table: LoadedTable,
  placed: (row: DynamoItemRow) => { row: DynamoItemRow; order: Buffer[] }[],
  forward: boolean,
  start: Buffer[] | undefined,
): Promise<DynamoItemRow[]> {
  const rows: { row: DynamoItemRow; order: Buffer[] }[] = [];
  let after: DynamoItemRow | undefined;
  for (;;) {
    const batch = await ctx.store.scan(table.name, after, BATCH_ROWS);
    for (const row of batch) rows.push(...placed(row));
    if (batch.length < BATCH_ROWS) break;
    after = batch[batch.length - 1];
  }
  const direction = forward ? 1 : -1;
  rows.sort((a, b) => direction * compareOrder(a.order, b.order));
  const first = start === undefined ? 0 : rows.findIndex((r) => direction * compareOrder(r.order, start) > 0);
  return (first === -1 ? [] : rows.slice(first)).map((r) => r.row);
}

/** LastEvaluatedKey of an index read: the table's key and the index's. */
export function indexKeyOf(table: LoadedTable, index: IndexView, item: AttributeMap): AttributeMap {
  return { ...keyAttributes(table.schema, item), ...keyAttributes(index.schema, item) };
}

/** The position an ExclusiveStartKey names in the index's order. */
export function startOrder(table: LoadedTable, index: IndexView, start: AttributeMap): Buffer[] {
  const names = [table.schema.partition, table.schema.sort, index.schema.partition, index.schema.sort].filter((k) => k !== undefined);
  // Exactly the attributes a LastEvaluatedKey of the index carries: the table's key and the index's.
  const expected = new Set(names.map((k) => k.name));
  if (Object.keys(start).some((name) => !expected.has(name)) || !names.every((k) => {
    const value = attributeOf(start, k.name);
    return value !== undefined && typeOf(value) === k.type;
  })) {
    throw invalid("The provided starting key is invalid: The provided key element does not match the schema");
  }
  const { partitionKey, sortKey } = keyBytes(table.schema, start);
  return orderOf(index, { table: table.name, partitionKey, sortKey }, start);
}

/** Whether the index projects every attribute (its items are the table's, whole). */
export const projectsAll = (index: IndexView) => index.projection.ProjectionType === undefined || index.projection.ProjectionType === "ALL";

/** The attributes an index projects (KEYS_ONLY: the keys; INCLUDE: and the listed ones; ALL: everything). */
export function projectIndex(table: LoadedTable, index: IndexView, item: AttributeMap): AttributeMap {
  if (projectsAll(index)) return item;
  const kept = indexKeyOf(table, index, item);
  for (const name of index.projection.ProjectionType === "INCLUDE" ? (index.projection.NonKeyAttributes ?? []) : []) {
    const value = attributeOf(item, name);
    if (value !== undefined) setAttribute(kept, name, value);
  }
  return kept;
}

